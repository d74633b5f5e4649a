"""The reply deadline of an application, derived from its recorded facts (R21–R24, R26), with the explanation of
how it was reached.

Due date = ``add_working_days(start, 20 + extension + excluded)`` where ``start`` is the receipt date (R21) or the
day the corrected application arrived (R22), and ``excluded`` counts the working days a consultation (R23) or an
unpaid fee notice (R26, 109号) held the case. An exclusion runs from the day after the letter went out up to and
including the day the answer (or payment) came, and never past its own limit (15 working days for a consultation,
the payment period for a fee): after that the office decides without it, so the clock runs again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.workdays import WorkCalendar
from requests_app.models import Channel, InformationRequest

REPLY_DAYS = 20  # Art 33
MAX_EXTENSION_DAYS = 20  # Art 33
CORRECTION_WINDOW_DAYS = 7  # Art 30: the office asks within 7 working days of receipt
CONSULTATION_DAYS = 15  # Art 32
FEE_PAYMENT_DAYS = 20  # 109号: the applicant pays within 20 working days of the notice

Status = InformationRequest.Status


class Clock:
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED_CORRECTION = "paused_correction"
    PAUSED_CONSULTATION = "paused_consultation"
    PAUSED_FEE = "paused_fee"
    STOPPED = "stopped"

    LABELS = {
        NOT_STARTED: gettext_lazy("尚未起算"),
        RUNNING: gettext_lazy("计时中"),
        PAUSED_CORRECTION: gettext_lazy("等待补正，暂停计时"),
        PAUSED_CONSULTATION: gettext_lazy("征求意见中，暂停计时"),
        PAUSED_FEE: gettext_lazy("等待缴费，暂停计时"),
        STOPPED: gettext_lazy("已结束"),
    }


RECEIPT_RULES = {
    Channel.ONLINE: gettext_lazy("网上申请，以双方确认（本机关受理）之日为收到申请之日"),
    Channel.IN_PERSON: gettext_lazy("当面提交，以提交之日为收到申请之日"),
    Channel.POST: gettext_lazy("邮寄申请，以本机关签收之日为收到申请之日"),
    Channel.LETTER: gettext_lazy("平常信函，以本机关与申请人确认之日为收到申请之日"),
    Channel.FAX: gettext_lazy("传真申请，以双方确认之日为收到申请之日"),
    Channel.ORAL: gettext_lazy("口头提出，以工作人员代为填写、申请人确认之日为收到申请之日"),
}


@dataclass(frozen=True)
class Step:
    text: str
    on: dt.date | None = None


@dataclass
class Deadline:
    clock: str
    due: dt.date | None = None
    steps: list[Step] = field(default_factory=list)
    provisional_years: set[int] = field(default_factory=set)
    correction_window_end: dt.date | None = None
    correction_due: dt.date | None = None
    fee_due: dt.date | None = None
    consultation_dues: dict[int, dt.date] = field(default_factory=dict)
    excluded_days: int = 0

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def clock_label(self) -> str:
        return str(Clock.LABELS[self.clock])

    @property
    def paused(self) -> bool:
        return self.clock in (Clock.PAUSED_CORRECTION, Clock.PAUSED_CONSULTATION, Clock.PAUSED_FEE)


def _add(calendar: WorkCalendar, deadline: Deadline, start: dt.date, days: int) -> dt.date:
    result = calendar.add_working_days(start, days)
    deadline.provisional_years.update(result.provisional_years)
    return result.value


def _between(calendar: WorkCalendar, deadline: Deadline, start: dt.date, end: dt.date) -> int:
    if end <= start:
        return 0
    result = calendar.working_days_between(start, end)
    deadline.provisional_years.update(result.provisional_years)
    return result.value


def compute_deadline(
    request: InformationRequest, *, today: dt.date, calendar: WorkCalendar | None = None,
    consultations: list | None = None,
) -> Deadline:
    """How the reply deadline of ``request`` stands on ``today``; ``consultations`` may be passed pre-fetched."""
    calendar = calendar or WorkCalendar()
    if request.received_on is None:
        return Deadline(Clock.NOT_STARTED, steps=[Step(_("尚未受理，答复期限尚未起算（R21）。"))])
    deadline = Deadline(Clock.RUNNING)
    steps = deadline.steps
    start = request.received_on
    steps.append(Step(_("收到申请：%(rule)s（R21）。") % {"rule": RECEIPT_RULES[request.channel]}, start))
    deadline.correction_window_end = _add(calendar, deadline, start, CORRECTION_WINDOW_DAYS)

    if request.correction_requested_on:
        deadline.correction_due = _add(
            calendar, deadline, request.correction_requested_on, request.correction_period_days or 0
        )
        steps.append(Step(
            _("告知补正，补正期限 %(n)s 个工作日，至 %(due)s（R22）。")
            % {"n": request.correction_period_days, "due": deadline.correction_due},
            request.correction_requested_on,
        ))
        if request.correction_answered_on is None:
            deadline.clock = Clock.PAUSED_CORRECTION
            steps.append(Step(_("等待申请人补正：答复期限自收到补正材料之日起重新计算。")))
            return _finish(request, deadline)
        start = request.correction_answered_on
        steps.append(Step(_("收到补正材料，答复期限自该日重新起算（R22）。"), start))

    days = REPLY_DAYS
    steps.append(Step(_("法定答复期限：%(n)s 个工作日（R24，起算日不计入）。") % {"n": REPLY_DAYS}))
    if request.extension_days:
        days += request.extension_days
        steps.append(Step(
            _("经政务公开办负责人批准延长 %(n)s 个工作日（R24）。") % {"n": request.extension_days},
            request.extension_approved_on,
        ))

    excluded = 0
    for consultation in consultations if consultations is not None else request.consultations.all():
        limit = _add(calendar, deadline, consultation.started_on, CONSULTATION_DAYS)
        deadline.consultation_dues[consultation.pk] = limit
        end = min(consultation.answered_on or today, limit)
        counted = _between(calendar, deadline, consultation.started_on, end)
        excluded += counted
        if consultation.answered_on is None and today < limit:
            deadline.clock = Clock.PAUSED_CONSULTATION
            steps.append(Step(
                _("征求%(party)s意见中（%(limit)s 前答复），至今已扣除 %(n)s 个工作日，期间不计入答复期限（R23）。")
                % {"party": consultation.get_kind_display(), "limit": limit, "n": counted},
                consultation.started_on,
            ))
        else:
            steps.append(Step(
                _("征求%(party)s意见，扣除 %(n)s 个工作日（R23）。") % {"party": consultation.get_kind_display(), "n": counted},
                consultation.started_on,
            ))

    if request.fee_notified_on and request.fee_amount:
        deadline.fee_due = _add(calendar, deadline, request.fee_notified_on, FEE_PAYMENT_DAYS)
        end = min(request.fee_paid_on or today, deadline.fee_due)
        counted = _between(calendar, deadline, request.fee_notified_on, end)
        excluded += counted
        if request.fee_paid_on is None and today <= deadline.fee_due:
            deadline.clock = Clock.PAUSED_FEE
            steps.append(Step(
                _("等待缴纳信息处理费（%(due)s 前），至今已扣除 %(n)s 个工作日（R26）。")
                % {"due": deadline.fee_due, "n": counted},
                request.fee_notified_on,
            ))
        else:
            steps.append(Step(_("收费通知至缴费，扣除 %(n)s 个工作日（R26）。") % {"n": counted}, request.fee_notified_on))

    deadline.excluded_days = excluded
    deadline.due = _add(calendar, deadline, start, days + excluded)
    return _finish(request, deadline)


def _finish(request: InformationRequest, deadline: Deadline) -> Deadline:
    if deadline.due is not None:
        text = _("答复期限：%(due)s。") % {"due": deadline.due}
        if deadline.paused:
            text = _("按目前情况，答复期限不早于 %(due)s，暂停结束后确定。") % {"due": deadline.due}
        deadline.steps.append(Step(text, deadline.due))
    if deadline.provisional_years:
        years = "、".join(str(y) for y in sorted(deadline.provisional_years))
        deadline.steps.append(Step(
            _("%(years)s 年的放假安排尚未公布，该年按法定节假日暂定计算，公布后自动重算（R2）。") % {"years": years}
        ))
    if request.status not in InformationRequest.OPEN_STATUSES:
        deadline.clock = Clock.STOPPED
    return deadline
