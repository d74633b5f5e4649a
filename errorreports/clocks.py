"""Open error-report clocks as ``ops.clocks.Clock`` values, for the dashboard and the alert sweep: acknowledge within
1 working day, answer within 5 (configurable), each due at the end of its working day. A clock is "due soon" once
its last day has begun; the site office (the disclosure office) is alerted then and once it is overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import office_emails
from errorreports.models import ErrorReport
from ops.clocks import Clock

# Clocks of reports about the site's shared pages belong to no organisation; the dashboard names the office.
NO_ORGANISATION = 0


def _office(state: str) -> list[str]:
    return office_emails()


def _start_of_day(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def report_clocks_of(report: ErrorReport, *, recipients: Callable[[str], list[str]] = _office) -> list[Clock]:
    if not report.is_open:
        return []
    common = dict(
        title=f"{report.tracking_code}（{report.get_kind_display()}）",
        organisation_id=report.organisation_id or NO_ORGANISATION,
        organisation_name=report.organisation.name if report.organisation_id else _("政务公开办（本网站）"),
        started_at=report.received_at,
        basis="",
        admin_path=reverse("admin:errorreports_errorreport_change", args=[report.pk]),
        provisional=report.due_provisional,
        recipients=recipients,
    )
    clocks = []
    if report.status == ErrorReport.Status.RECEIVED:
        clocks.append(
            Clock(
                key=f"errorreport:{report.pk}:ack",
                kind=_("网站找错留言确认"),
                due_at=report.ack_due_at,
                warn_from=_start_of_day(report.ack_due_at),
                **common,
            )
        )
    clocks.append(
        Clock(
            key=f"errorreport:{report.pk}:answer",
            kind=_("网站找错留言答复"),
            due_at=report.answer_due_at,
            warn_from=_start_of_day(report.answer_due_at),
            **common,
        )
    )
    return clocks


def error_report_clocks(*, organisations: Iterable[int] | None = None) -> list[Clock]:
    """Every open report's clocks; with ``organisations``, only reports about those organisations' pages (what their
    staff may read)."""
    reports = ErrorReport.objects.filter(status__in=ErrorReport.OPEN_STATUSES).select_related("organisation")
    if organisations is not None:
        reports = reports.filter(organisation_id__in=list(organisations))
    clocks: list[Clock] = []
    for report in reports.order_by("answer_due_at", "pk"):
        clocks += report_clocks_of(report)
    return clocks
