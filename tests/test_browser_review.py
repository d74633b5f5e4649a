"""The whole review cycle in Chromium: drafter → reviewer returns → drafter fixes the attribute → reviewer approves →
a citizen finds the document by a two-character word and opens it (R6, R8, R9, R39). Screenshots are artifacts."""

from __future__ import annotations

import os

import pytest

from disclosure.models import Document
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "关于规范共享单车停放秩序的通知"


def sign_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_review_cycle_from_drafter_to_citizen(
    browser, live_server, drafter_a, reviewer_a, org_a, node_a, artifacts_dir
):
    page = browser.new_page(locale="zh-CN")
    shot = lambda name: page.screenshot(path=os.path.join(artifacts_dir, f"review-{name}.png"), full_page=True)  # noqa: E731

    # The drafter writes the document and proposes 依申请公开 with a ground and a reason.
    sign_in(page, live_server, drafter_a.username)
    page.goto(f"{live_server.url}/admin/disclosure/document/add/")
    page.select_option("#id_organisation", str(org_a.pk))
    page.fill("#id_title", TITLE)
    page.fill("#id_written_on", "2026-11-20")
    page.fill("#id_body", "为规范共享单车停放秩序，现将有关事项通知如下。\n一、在划定区域内停放。")
    page.check("input[name=attribute][value=on_request]")
    page.select_option("#id_ground", "process")
    page.fill("#id_reason", "属于工作过程中的通知。")
    page.check(f"input[name=catalogue_nodes][value='{node_a.pk}']")
    shot("1-drafter-form")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=提交审核")
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交审核")
    shot("2-submitted")

    # The reviewer returns it: this notice should be 主动公开.
    sign_in(page, live_server, reviewer_a.username)
    page.goto(f"{live_server.url}/admin/disclosure/reviewitem/")
    page.click(f"tr:has-text('{TITLE}') >> text=审核")
    page.check("input[name=decision][value=return]")
    page.fill("#id_reason", "通知面向社会公众，应当主动公开。")
    shot("3-reviewer-returns")
    page.click("input[type=submit][value=提交审核意见]")
    page.wait_for_selector("text=已退回拟稿人")

    # The drafter sees why, fixes the attribute and submits again.
    sign_in(page, live_server, drafter_a.username)
    document = Document.objects.get(title=TITLE)
    page.goto(f"{live_server.url}/admin/disclosure/document/{document.pk}/change/")
    assert "通知面向社会公众，应当主动公开。" in page.inner_text(".doc-banner")
    page.check("input[name=attribute][value=proactive]")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=提交审核")
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交审核")
    shot("4-resubmitted")

    # The reviewer approves after the confidentiality review; it is published at once.
    sign_in(page, live_server, reviewer_a.username)
    page.goto(f"{live_server.url}/admin/disclosure/document/{document.pk}/review/")
    page.check("input[name=decision][value=approve]")
    page.check("#id_confidentiality_checked")
    page.click("input[type=submit][value=提交审核意见]")
    page.wait_for_selector("text=已审定")
    shot("5-approved")

    # A citizen finds it by a two-character word and opens it.
    page.context.clear_cookies()
    page.goto(live_server.url)
    page.fill("#search-q-home", "单车")
    page.press("#search-q-home", "Enter")
    page.wait_for_selector("ol.hits")
    shot("6-search")
    assert page.inner_text("ol.hits mark") == "单车"
    page.click(f"ol.hits a:has-text('{TITLE}')")
    page.wait_for_selector("h1.doc-title")
    assert page.inner_text("h1.doc-title") == TITLE
    assert "此件主动公开" in page.inner_text("article")
    assert document.index_no in page.inner_text("table.meta")
    shot("7-document")
    page.emulate_media(media="print")
    assert not page.is_visible(".site-nav")
    page.close()
