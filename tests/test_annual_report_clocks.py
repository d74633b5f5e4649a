"""R30 deadlines: departments by 31 January, the government by 31 March; drafts by beat in early January."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from audits.clocks import annual_report_clocks
from audits.models import AnnualReport
from audits.reports import report_create, report_publish, report_update
from ops.clocks import OVERDUE, SOON, clocks_alert
from ops.models import Notification
from tests.test_annual_report import gov  # noqa: F401  (fixture)


def test_r30_clocks_warn_before_31_january_and_31_march(gov, org_a, reviewer_a, office, clock):
    clock("2026-01-25 09:00")
    clocks = {c.organisation_id: c for c in annual_report_clocks()}
    department, government = clocks[org_a.pk], clocks[gov.pk]
    assert department.due_at.date() == dt.date(2026, 1, 31) and government.due_at.date() == dt.date(2026, 3, 31)
    now = department.warn_from + dt.timedelta(hours=1)
    assert department.state(now) == SOON and government.state(now) != SOON
    sent = clocks_alert([department])
    assert len(sent) == 1 and clocks_alert([department]) == []  # once per threshold
    message = Notification.objects.get(key=sent[0])
    assert message.recipients == ["reviewer_a@example.org"] and "2025" in message.subject
    clock("2026-02-01 09:00")
    late = {c.organisation_id: c for c in annual_report_clocks()}[org_a.pk]
    assert late.state(dt.datetime.now(dt.UTC)) == OVERDUE
    sent = clocks_alert([late])
    assert "office@example.org" in Notification.objects.get(key=sent[0]).recipients


def test_r30_a_published_report_stops_its_clock_and_the_dashboard_shows_the_rest(gov, org_a, office, clock, login):
    clock("2026-01-20 09:00")
    report = report_create(organisation=org_a, year=2025, actor=office)
    report_update(
        report=report, actor=office, changes={"overview": "概况", "problems": "问题", "admin_fees_wan": Decimal(0)}
    )
    report_publish(report=report, actor=office)
    assert [c.organisation_id for c in annual_report_clocks()] == [gov.pk]
    page = login(office).get(reverse("clocks")).content.decode()
    assert "发布年度报告（《条例》第四十九条）" in page and "甲市人民政府 2025 年政府信息公开工作年度报告" in page
    clock("2026-07-01 09:00")
    assert annual_report_clocks() == []  # after June the self-audit, not a clock, follows it up


def test_r30_drafts_job_in_early_january(gov, org_a, clock, settings):
    from audits.tasks import draft_annual_reports, sweep_annual_report_clocks

    schedule = settings.CELERY_BEAT_SCHEDULE["annual-report-drafts"]["schedule"]
    assert schedule.month_of_year == {1} and schedule.day_of_month == {2, 3, 4, 5}
    clock("2026-01-02 07:00")
    draft_annual_reports.apply()
    draft_annual_reports.apply()
    assert sorted(AnnualReport.objects.values_list("organisation_id", "year")) == sorted(
        [(gov.pk, 2025), (org_a.pk, 2025)]
    )
    sweep_annual_report_clocks.apply()
