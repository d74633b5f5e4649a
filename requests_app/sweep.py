"""The deadline sweep (every 15 minutes): reminders 5 and 1 working days before the reply is due, escalation of
overdue cases to the disclosure office, lapsed corrections and fee notices (视为放弃), consultations past their
15 days, online applications waiting for acceptance, and the refreshed deadline cache (R2, R22–R26).

Safe to run twice at the same moment: each case is taken under ``SELECT … FOR UPDATE SKIP LOCKED`` (a second
sweep passes over the cases the first holds), and every message goes through ``notify_once`` whose unique key
(case, threshold, due date) lets only one insert win. The due date is in the key so that an extension, which
moves it, earns the new date its own reminders.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import office_emails
from catalog.workdays import WorkCalendar
from ops.services import notify_once
from requests_app.deadlines import Clock, Deadline, compute_deadline
from requests_app.models import InformationRequest
from requests_app.services import (
    handler_emails,
    request_abandon,
    request_deadline_refresh,
    staff_link,
    was_reopened,
)

Status = InformationRequest.Status
SWEPT_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.AWAITING_CORRECTION)
REMINDER_DAYS = (5, 1)


def requests_sweep(*, today: dt.date | None = None) -> Counter:
    today = today or timezone.localdate()
    calendar = WorkCalendar()
    counts: Counter = Counter()
    pks = list(InformationRequest.objects.filter(status__in=SWEPT_STATUSES).order_by("pk").values_list("pk", flat=True))
    for pk in pks:
        with transaction.atomic():
            request = (
                InformationRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("organisation", "handler")
                .filter(pk=pk, status__in=SWEPT_STATUSES)
                .first()
            )
            if request is None:
                counts["skipped"] += 1  # another sweep holds it, or it moved on meanwhile
                continue
            _sweep_one(request, today=today, calendar=calendar, counts=counts)
    return counts


def _sweep_one(request: InformationRequest, *, today: dt.date, calendar: WorkCalendar, counts: Counter) -> None:
    consultations = list(request.consultations.all())
    deadline = compute_deadline(request, today=today, calendar=calendar, consultations=consultations)
    if request_deadline_refresh(request=request, deadline=deadline):
        counts["recomputed"] += 1
    if request.status == Status.SUBMITTED:
        _unaccepted(request, today=today, calendar=calendar, counts=counts)
        return
    correction_lapsed = (
        deadline.correction_due and request.status == Status.AWAITING_CORRECTION and today > deadline.correction_due
        and not was_reopened(request)  # Art 30: reopened once for a 正当理由, it waits for the late correction
    )
    fee_lapsed = deadline.fee_due and not request.fee_paid_on and today > deadline.fee_due
    if correction_lapsed or fee_lapsed:
        request_abandon(request=request, actor=None, today=today)
        counts["abandoned"] += 1
        return
    for consultation in consultations:
        limit = deadline.consultation_dues.get(consultation.pk)
        if consultation.answered_on is None and limit and today > limit:
            silent = (
                _("第三方逾期未提出意见，由本机关依照《条例》规定决定是否公开（第三十二条）。")
                if consultation.kind == consultation.Kind.THIRD_PARTY
                else _("共同制作机关逾期未提出意见，视为同意公开（第三十四条）。")
            )
            counts["consultation_lapsed"] += notify_once(
                key=f"request:{request.pk}:consultation-lapsed:{consultation.pk}",
                recipients=handler_emails(request),
                subject=_("征求意见期满：%(code)s") % {"code": request.tracking_code},
                body=_("向%(party)s征求意见的 15 个工作日已于 %(d)s 届满。%(silent)s答复期限恢复计算，至 %(due)s：%(link)s")
                % {"party": consultation.party, "d": limit, "silent": silent, "due": deadline.due,
                   "link": staff_link(request)},
            )
    if request.status == Status.ACCEPTED and deadline.clock == Clock.RUNNING and deadline.due:
        _reply_clock(request, deadline, today=today, calendar=calendar, counts=counts)


def _reply_clock(
    request: InformationRequest, deadline: Deadline, *, today: dt.date, calendar: WorkCalendar, counts: Counter
) -> None:
    due = deadline.due
    values = {"code": request.tracking_code, "due": due, "link": staff_link(request)}
    if today > due:
        overdue = calendar.working_days_between(due, today).value
        counts["overdue"] += notify_once(
            key=f"request:{request.pk}:overdue:{due}",
            recipients=handler_emails(request) + office_emails(),
            subject=_("申请逾期未答复：%(code)s") % values,
            body=_("%(org)s的申请 %(code)s 答复期限为 %(due)s，已逾期 %(n)s 个工作日，请政务公开办督办：%(link)s")
            % {**values, "org": request.organisation.display_name, "n": overdue},
        )
        return
    remaining = calendar.working_days_between(today, due).value
    for threshold in sorted(REMINDER_DAYS):
        if remaining <= threshold:
            counts[f"due_in_{threshold}"] += notify_once(
                key=f"request:{request.pk}:due-in-{threshold}:{due}",
                recipients=handler_emails(request),
                subject=_("申请即将到期：%(code)s") % values,
                body=_("申请 %(code)s 的答复期限为 %(due)s，还剩 %(n)s 个工作日：%(link)s") % {**values, "n": remaining},
            )
            return


def _unaccepted(request: InformationRequest, *, today: dt.date, calendar: WorkCalendar, counts: Counter) -> None:
    """An online application nobody has confirmed for a working day: its clock has not started, which is why
    it must not wait (R21)."""
    submitted = timezone.localtime(request.submitted_at).date()
    if calendar.working_days_between(submitted, today).value >= 1:
        counts["unaccepted"] += notify_once(
            key=f"request:{request.pk}:unaccepted",
            recipients=handler_emails(request),
            subject=_("网上申请待受理：%(code)s") % {"code": request.tracking_code},
            body=_("该申请已提交超过 1 个工作日仍未受理，请与申请人确认后受理：%(link)s") % {"link": staff_link(request)},
        )
