"""The annual reports' deadlines as clocks (R30): on the dashboard, and alerted before and after the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import AnnualReport
from audits.reports import report_deadline, reporting_organisations
from catalog.models import Organisation
from catalog.roles import Role
from catalog.selectors import office_emails, role_member_emails
from ops.clocks import OVERDUE, Clock

# After 30 June an unpublished report is for the self-audit and the office, not a running clock.
CLOCK_UNTIL = (6, 30)


def _recipients(organisation: Organisation) -> Callable[[str], list[str]]:
    def recipients(state: str) -> list[str]:
        people = role_member_emails(organisation, Role.REVIEWER)
        if state == OVERDUE or organisation.kind == Organisation.Kind.GOVERNMENT:
            people = people + office_emails()
        return people

    return recipients


def annual_report_clocks(*, organisations: list[int] | None = None, today: dt.date | None = None) -> list[Clock]:
    """Last year's reports not yet published, from 1 January until 30 June."""
    today = today or timezone.localdate()
    if (today.month, today.day) > CLOCK_UNTIL:
        return []
    year = today.year - 1
    active = reporting_organisations()
    if organisations is not None:
        active = active.filter(pk__in=organisations)
    reports = {r.organisation_id: r for r in AnnualReport.objects.filter(year=year)}
    start = timezone.make_aware(dt.datetime(today.year, 1, 1))
    clocks = []
    for organisation in active:
        report = reports.get(organisation.pk)
        if report is not None and report.is_published:
            continue
        due_day = report_deadline(organisation, year)
        due = timezone.make_aware(dt.datetime.combine(due_day, dt.time(23, 59, 59)))
        path = (
            reverse("admin:audits_annualreport_change", args=[report.pk])
            if report is not None
            else reverse("admin:audits_annualreport_add") + f"?organisation={organisation.pk}&year={year}"
        )
        clocks.append(
            Clock(
                key=f"annual-report:{organisation.pk}:{year}",
                kind=_("发布年度报告"),
                basis=_("《条例》第四十九条"),
                title=_("%(org)s %(y)s 年政府信息公开工作年度报告") % {"org": organisation.name, "y": year},
                organisation_id=organisation.pk,
                organisation_name=organisation.name,
                started_at=start,
                due_at=due,
                warn_from=due - dt.timedelta(days=settings.GOVOPEN_ANNUAL_REPORT_WARN_DAYS),
                admin_path=path,
                recipients=_recipients(organisation),
            )
        )
    return clocks
