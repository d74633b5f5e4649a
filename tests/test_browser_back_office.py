"""The back office in Chromium (issue 18), each screen kept as a screenshot in the artifacts: the clocks dashboard is
readable in every column of every coloured row (axe-core's contrast rule, which computes the colours the browser
paints), and the office's, a reviewer's and a handler's homes, a case's history, the late draft report, the
confirmation before publishing and a drafter's validity request read as they should."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.auth import get_user_model

from audits.reports import report_create
from disclosure.services import document_submit, document_validity_propose
from requests_app.clocks import request_clocks
from tests.test_annual_report import gov, year_2025  # noqa: F401  (fixtures)
from tests.test_browser_access import AXE
from tests.test_browser_review import sign_in

pytestmark = pytest.mark.browser


def contrast_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']})).violations"
    )
    return [f"{n['target']}: {n['failureSummary']}" for v in found for n in v["nodes"]]


def test_the_clocks_dashboard_is_readable_in_every_column_of_late_and_nearly_late_rows(
    browser, live_server, org_a, handler_a, office, filed, clock, artifacts_dir
):
    late = filed(org_a, moment="2026-03-02 10:00", accepted="2026-03-02", handler=handler_a)
    nearly = filed(org_a, moment="2026-03-16 10:00", accepted="2026-03-16", handler=handler_a)
    nearly.refresh_from_db()
    clock(f"{nearly.due_on.isoformat()} 09:00")
    states = {c.title: c.state(dt.datetime.now(dt.UTC)) for c in request_clocks()}
    assert states == {late.tracking_code: "overdue", nearly.tracking_code: "soon"}

    page = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()
    sign_in(page, live_server, office.username)
    page.goto(f"{live_server.url}/admin/clocks/")
    page.screenshot(path=os.path.join(artifacts_dir, "back-office-clocks.png"), full_page=True)
    # (the organisation's unpublished 2025 annual report is overdue too: another overdue row)
    assert page.locator(f"tr.clock-row-overdue:has-text('{late.tracking_code}')").count() == 1
    assert page.locator(f"tr.clock-row-soon:has-text('{nearly.tracking_code}')").count() == 1
    assert contrast_violations(page) == []
    for row in ("overdue", "soon"):
        cells = page.locator(f"tr.clock-row-{row}").first.locator("td")
        assert cells.count() == 6
        for i in range(6):
            colour = cells.nth(i).evaluate("td => getComputedStyle(td).color")
            assert colour == "rgb(26, 26, 26)", (row, i, colour)  # dark text on the light tint, every column


def test_the_back_office_reads_well_for_the_office_a_reviewer_a_handler_and_a_drafter(
    browser,
    live_server,
    org_a,
    drafter_a,
    reviewer_a,
    handler_a,
    office,
    make_document,
    publish,
    filed,
    clock,
    year_2025,
    artifacts_dir,
):
    get_user_model().objects.filter(pk=handler_a.pk).update(first_name="刘洋")
    report = report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    document_submit(document=make_document(org_a, drafter_a, title="关于夜间施工管理的通知"), actor=drafter_a)
    published = publish(make_document(org_a, drafter_a, title="关于春季植树活动的通告"), drafter_a, reviewer_a)
    document_validity_propose(
        document=published, actor=drafter_a, validity="expired", repealed_on=dt.date(2026, 3, 1), reason="活动已结束"
    )
    case = filed(org_a, moment="2026-03-02 10:00", accepted="2026-03-02", handler=handler_a)
    filed(org_a, moment="2026-03-03 10:00")
    clock("2026-03-04 10:00")

    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []

    def visit(user, path: str, name: str) -> None:
        sign_in(page, live_server, user.username)
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=os.path.join(artifacts_dir, f"back-office-{name}.png"), full_page=True)
        problems.extend(f"{name}: {v}" for v in contrast_violations(page))

    visit(reviewer_a, "/admin/", "home-reviewer")
    assert page.locator("#work-review_queue strong").inner_text() == "1"
    assert page.locator("#work-validity strong").inner_text() == "1"
    page.click("#work-validity a")
    page.click("a:has-text('关于春季植树活动的通告')")
    page.wait_for_selector("text=活动已结束")
    page.screenshot(path=os.path.join(artifacts_dir, "back-office-validity-decision.png"), full_page=True)

    visit(handler_a, "/admin/", "home-handler")
    assert page.locator("#work-requests_new strong").inner_text() == "1"
    visit(handler_a, f"/admin/requests_app/informationrequest/{case.pk}/history/", "case-history")
    history = page.locator("#change-history").inner_text()
    assert "待受理" in history or "办理中" in history
    assert "submitted" not in history and "accepted" not in history

    visit(office, "/admin/", "home-office")
    visit(office, "/admin/audits/annualreport/", "reports-overdue")
    assert "已逾期" in page.locator("#result_list").inner_text()
    visit(office, f"/admin/audits/annualreport/{report.pk}/publish/", "report-publish-confirm")
    assert page.locator("text=此操作不能撤销").count() == 1
    visit(office, "/admin/requests_app/informationrequest/", "cases")
    assert page.locator("#changelist-filter").inner_text().count("刘洋") == 1

    visit(drafter_a, f"/admin/disclosure/document/{published.pk}/validity/", "validity-pending-drafter")
    assert page.locator("text=审核人批准或退回之前").count() == 1
    assert problems == []
