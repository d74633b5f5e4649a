"""Every write of an error report: one function per state change (我为政府网站找错, 国办发〔2017〕47号).

received (待确认) → acknowledged (处理中) → answered (已答复, public) or declined (不予处理, with a reason the reporter
reads). The office acknowledges within ``GOVOPEN_ERROR_REPORT_ACK_WORKDAYS`` working days of receipt and answers
within ``GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS`` (the website inspection's 1 and 5 by default), each due at the end of
that working day in Asia/Shanghai on the R1 calendar (the receipt day is not counted, R3).

Each service is atomic, re-reads the report under a row lock, checks its state and the actor's role, saves only the
fields it touched with the history author and reason (the audit log follows the history), writes an
``ErrorReportEvent`` and leaves mail to ``notify_once`` (sent on commit). Nothing here logs or mails the reporter's
contact to staff: messages name the report by its tracking code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import office_emails
from catalog.workdays import WorkCalendar
from core import actors, workflow
from core.actors import StaffOrSystem
from core.errors import REASON_MISSING, Problem, Problems, wrong_state
from core.pubversion import global_pages_changed
from disclosure.personal_data import personal_data_problems
from errorreports import permissions
from errorreports.models import ANSWER_MAX, ErrorReport, ErrorReportEvent
from errorreports.selectors import page_organisation
from errorreports.validation import report_problems
from ops.services import notify_once

Status = ErrorReport.Status
Action = ErrorReportEvent.Action
END_OF_DAY = dt.time(23, 59, 59)


class ErrorReportError(Problems):
    """A move the rules do not allow (core.errors); ``fields`` the messages of each form field when the input itself
    is wrong."""


# --- Deadlines ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDeadlines:
    ack_due_at: dt.datetime
    answer_due_at: dt.datetime
    provisional: bool


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY))


def report_deadlines(received_at: dt.datetime, *, calendar: WorkCalendar | None = None) -> ReportDeadlines:
    """The end of the N-th working day after the day of receipt (in Asia/Shanghai), for the acknowledgement and the
    answer. A report received on a weekend or holiday counts from the next working day, which is day 1 (R3); a
    make-up Saturday is a working day (R1); a date in a year without a loaded calendar is provisional (R2)."""
    calendar = calendar or WorkCalendar()
    day = timezone.localtime(received_at).date()
    ack = calendar.add_working_days(day, settings.GOVOPEN_ERROR_REPORT_ACK_WORKDAYS)
    answer = calendar.add_working_days(day, settings.GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS)
    return ReportDeadlines(_end_of(ack.value), _end_of(answer.value), ack.provisional or answer.provisional)


def report_deadlines_refresh(*, calendar: WorkCalendar | None = None) -> int:
    """R2: open reports whose deadlines used a provisional year are recomputed once the year is loaded. Safe to run
    twice: a row is written only if it still holds the dates read (compare and swap)."""
    calendar = calendar or WorkCalendar()
    changed = 0
    for report in ErrorReport.objects.filter(status__in=ErrorReport.OPEN_STATUSES, due_provisional=True):
        due = report_deadlines(report.received_at, calendar=calendar)
        current = (report.ack_due_at, report.answer_due_at, report.due_provisional)
        if (due.ack_due_at, due.answer_due_at, due.provisional) != current:
            changed += ErrorReport.objects.filter(
                pk=report.pk, ack_due_at=report.ack_due_at, answer_due_at=report.answer_due_at
            ).update(ack_due_at=due.ack_due_at, answer_due_at=due.answer_due_at, due_provisional=due.provisional)
    return changed


# --- Helpers ----------------------------------------------------------------------------------------------------------


def _may(check: Callable[[actors.User], bool], actor: StaffOrSystem) -> None:
    workflow.authorise(check, actor, ErrorReportError, _("您没有办理该留言这一操作的权限。"))


def _need(report: ErrorReport, *statuses: str) -> None:
    if report.status not in statuses:
        raise ErrorReportError(
            wrong_state(_("该留言当前状态为“%(status)s”，不能进行这一操作。") % {"status": report.get_status_display()})
        )


def _locked(report: ErrorReport) -> ErrorReport:
    return ErrorReport.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=report.pk)


def _save(
    report: ErrorReport, *, actor: StaffOrSystem, action: str, before: str, fields: Iterable[str], note: str = ""
) -> None:
    report._history_user = actors.staff_user(actor)
    # The reason names the step only: a note may quote the reporter, and the audit log copies the reason.
    report._change_reason = str(Action(action).label)
    report.save(update_fields=list(fields))
    workflow.event(
        ErrorReportEvent,
        actor=actor,
        note=note,
        report=report,
        action=action,
        at=timezone.now(),
        from_status=before,
        to_status=report.status,
    )


def staff_link(report: ErrorReport) -> str:
    return settings.GOVOPEN_SITE_URL + reverse("admin:errorreports_errorreport_change", args=[report.pk])


def _lookup_link(report: ErrorReport) -> str:
    return f"{settings.GOVOPEN_SITE_URL}{reverse('errorreports:status')}?code={report.tracking_code}"


def _tell_reporter(report: ErrorReport, *, key: str, subject: str, body: str) -> None:
    """A reporter who left an e-mail address hears of the answer by mail; the lookup page shows it either way."""
    if not report.contact_email:
        return
    notify_once(
        key=f"errorreport:{report.pk}:{key}",
        recipients=[report.contact_email],
        subject=f"[{report.tracking_code}] {subject}",
        body=body + "\n\n" + _("凭查询码可随时查看办理情况：%(link)s") % {"link": _lookup_link(report)},
    )


# --- The reporter -------------------------------------------------------------------------------------------------


def report_check(values: dict[str, Any], *, hosts: Iterable[str]) -> dict[str, Any]:
    """The cleaned values (the page as a path of this site), or ``ErrorReportError`` with a message per field."""
    cleaned, problems = report_problems(values, hosts=hosts)
    if problems:
        raise ErrorReportError(fields=problems)
    return cleaned


@transaction.atomic
def report_receive(*, values: dict[str, Any], hosts: Iterable[str] = ()) -> ErrorReport:
    """A citizen reports an error on a page of this site. The clocks start now; the office is told at once (with
    the code, the kind and the page, never the description or the contact), the reporter by mail if they left an
    address."""
    cleaned = report_check(values, hosts=hosts)
    now = timezone.now()
    due = report_deadlines(now)
    report = ErrorReport(
        received_at=now,
        ack_due_at=due.ack_due_at,
        answer_due_at=due.answer_due_at,
        due_provisional=due.provisional,
        organisation=page_organisation(cleaned["page_url"]),
        **cleaned,
    )
    report._change_reason = str(Action.RECEIVED.label)
    report.save()
    ErrorReportEvent.objects.create(report=report, action=Action.RECEIVED, at=now, to_status=report.status)
    deadline = timezone.localtime(report.ack_due_at).strftime("%Y-%m-%d %H:%M")
    notify_once(
        key=f"errorreport:{report.pk}:received-office",
        recipients=office_emails(),
        subject=_("新的网站找错留言：%(code)s") % {"code": report.tracking_code},
        body=_("错误类型：%(kind)s\n出错页面：%(page)s\n请在 %(due)s 前确认收到：%(link)s")
        % {
            "kind": report.get_kind_display(),
            "page": settings.GOVOPEN_SITE_URL + report.page_url,
            "due": deadline,
            "link": staff_link(report),
        },
    )
    _tell_reporter(
        report,
        key="received",
        subject=_("您的网站找错留言已收到"),
        body=_("感谢您为本网站找错。我们已收到您的留言，查询码：%(code)s，将在 %(due)s 前答复。")
        % {
            "code": report.tracking_code,
            "due": timezone.localtime(report.answer_due_at).strftime("%Y-%m-%d"),
        },
    )
    return report


# --- The office ---------------------------------------------------------------------------------------------------


@transaction.atomic
def report_acknowledge(*, report: ErrorReport, actor: StaffOrSystem) -> ErrorReport:
    """The office confirms it has the report and is working on it; stops the acknowledgement clock."""
    report = _locked(report)
    _need(report, Status.RECEIVED)
    _may(lambda user: permissions.can_acknowledge_report(user, report), actor)
    before = report.status
    report.status, report.acknowledged_at = Status.ACKNOWLEDGED, timezone.now()
    report.acknowledged_by = actors.staff_user(actor)
    _save(
        report,
        actor=actor,
        action=Action.ACKNOWLEDGED,
        before=before,
        fields=["status", "acknowledged_at", "acknowledged_by"],
    )
    return report


def _text(value: str, *, label: str, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ErrorReportError(Problem(REASON_MISSING, empty))
    if len(text) > ANSWER_MAX:
        raise ErrorReportError(
            Problem("too_long", _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": ANSWER_MAX})
        )
    return text


def _close(report: ErrorReport, *, actor: StaffOrSystem, action: str, status: str, text: str) -> ErrorReport:
    before = report.status
    now = timezone.now()
    fields = ["status", "answered_at", "answered_by", "answer"]
    if report.acknowledged_at is None:  # answered on the first day: the answer is the acknowledgement too
        report.acknowledged_at, report.acknowledged_by = now, actors.staff_user(actor)
        fields += ["acknowledged_at", "acknowledged_by"]
    report.status, report.answered_at, report.answer = status, now, text
    report.answered_by = actors.staff_user(actor)
    _save(report, actor=actor, action=action, before=before, fields=fields)
    return report


@transaction.atomic
def report_answer(*, report: ErrorReport, actor: StaffOrSystem, answer: str) -> ErrorReport:
    """The office's answer, published on the site's list of answers and shown to the reporter; stops both clocks.
    A public text is scanned for personal data first (R13), as every text the site publishes without review."""
    report = _locked(report)
    _need(report, *ErrorReport.OPEN_STATUSES)
    _may(lambda user: permissions.can_answer_report(user, report), actor)
    text = _text(answer, label=_("答复内容"), empty=_("请填写答复内容。"))
    problems = personal_data_problems(title="", text=text, text_label=str(_("答复内容")))
    if problems:
        raise ErrorReportError(*problems)
    report = _close(report, actor=actor, action=Action.ANSWERED, status=Status.ANSWERED, text=text)
    global_pages_changed()  # the public list of answers
    _tell_reporter(
        report,
        key="answered",
        subject=_("您的网站找错留言已答复"),
        body=_("答复内容：\n%(answer)s") % {"answer": text},
    )
    return report


@transaction.atomic
def report_decline(*, report: ErrorReport, actor: StaffOrSystem, reason: str) -> ErrorReport:
    """Not handled (不予处理: not about this site, no error found, not an error report), with the reason the reporter
    reads on the lookup page; not listed among the public answers. Stops both clocks."""
    report = _locked(report)
    _need(report, *ErrorReport.OPEN_STATUSES)
    _may(lambda user: permissions.can_answer_report(user, report), actor)
    text = _text(reason, label=_("不予处理的理由"), empty=_("请填写不予处理的理由。"))
    report = _close(report, actor=actor, action=Action.DECLINED, status=Status.DECLINED, text=text)
    _tell_reporter(
        report,
        key="declined",
        subject=_("您的网站找错留言已办结"),
        body=_("经核实，您的留言不予处理，理由：\n%(reason)s") % {"reason": text},
    )
    return report
