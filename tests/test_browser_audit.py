"""Self-audit and annual report in Chromium (R30–R32, R36): the office runs a self-audit and reads its report, a
reviewer works a finding, the office fixes the draft report's missing section after the refusal, publishes it, and a
citizen reads it in the official layout with its charts, keyboard only."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from audits.models import AnnualReport, Finding
from audits.reports import report_create
from tests.test_annual_report import gov, year_2025  # noqa: F401  (fixtures)
from tests.test_browser_review import sign_in

pytestmark = pytest.mark.browser


def test_office_audits_and_publishes_the_annual_report(
    browser,
    live_server,
    year_2025,
    org_a,
    node_a,
    office,
    reviewer_a,
    work_calendar,
    artifacts_dir,
):
    report = report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    page = browser.new_page(locale="zh-CN")
    shot = lambda name: page.screenshot(path=os.path.join(artifacts_dir, f"audit-{name}.png"), full_page=True)  # noqa: E731

    sign_in(page, live_server, office.username)
    page.goto(f"{live_server.url}/admin/audits/auditrun/")
    page.click("button:has-text('立即自查')")
    page.wait_for_selector("text=自查完成")
    assert page.is_visible("text=按问题类型") and page.is_visible("svg.chart")
    shot("1-run-report")

    # The reviewer of the owner organisation records the rectification of one finding.
    finding = Finding.objects.filter(organisation=org_a).first()
    page.context.clear_cookies()
    sign_in(page, live_server, reviewer_a.username)
    page.goto(f"{live_server.url}/admin/audits/finding/{finding.pk}/change/")
    page.click("a:has-text('开始整改')")
    page.fill("#id_note", "已明确专人负责，每周检查。")
    page.click("input[type=submit]")
    page.wait_for_selector("text=已记录：开始整改")
    finding.refresh_from_db()
    assert finding.status == "in_progress"

    # The office writes the report; publishing first is refused with the missing section named, nothing lost.
    page.context.clear_cookies()
    sign_in(page, live_server, office.username)
    page.goto(f"{live_server.url}/admin/audits/annualreport/{report.pk}/change/")
    page.fill("#id_overview", "2025 年，本局依法推进政府信息公开工作。")
    page.fill("#id_admin_fees_wan", "0")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=请填写“五、存在的主要问题及改进情况”")
    # Publishing cannot be undone: a page says what it will do, and here why it cannot be done yet.
    page.click("a:has-text('发布年度报告…')")
    page.wait_for_selector(".errornote >> text=请填写“五、存在的主要问题及改进情况”")
    assert page.locator("input[value='确认发布']").count() == 0
    shot("2-publish-refused")
    page.click("a:has-text('返回，不执行')")
    assert page.input_value("#id_overview") == "2025 年，本局依法推进政府信息公开工作。"
    page.fill("#id_problems", "栏目更新不够及时，已建立月度自查制度。")
    page.click("input[name=_continue]")
    page.click("a:has-text('发布年度报告…')")
    page.wait_for_selector("text=统计表按此刻的记录固定")
    shot("2-publish-confirm")
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT  # nothing happens until it is confirmed
    page.click("input[value='确认发布']")
    page.wait_for_selector("text=年度报告已发布")
    shot("2-published")
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.PUBLISHED

    # A citizen reaches it from the column with the keyboard and finds the official layout and the charts.
    citizen = browser.new_page(locale="zh-CN")
    citizen.goto(f"{live_server.url}/xxgk/")
    citizen.focus("a:has-text('政府信息公开年报')")
    citizen.keyboard.press("Enter")
    citizen.wait_for_selector("h1:has-text('政府信息公开工作年度报告')")
    citizen.click(f"a:has-text('{report.title}')")
    citizen.wait_for_selector("text=三、收到和处理政府信息公开申请情况")
    assert citizen.locator("svg.chart[role=img]").count() == 2
    assert citizen.locator("table.report-table").count() == 3
    citizen.emulate_media(media="print")
    citizen.screenshot(path=os.path.join(artifacts_dir, "audit-3-report-print.png"), full_page=True)
    assert not citizen.is_visible("nav.site-nav")
