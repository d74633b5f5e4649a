"""三同步 in Chromium (R15–R17): a drafter writes a policy, its interpretation plan and a 政策问答, and submits them
together; the reviewer approves both in one step; a citizen goes from the policy to its interpretation and back."""

from __future__ import annotations

import os

import pytest

from disclosure.models import Document, Interpretation
from tests.test_browser_review import sign_in

pytestmark = pytest.mark.browser

TITLE = "示范县支持个体工商户发展的若干措施"


def test_policy_and_interpretation_from_drafter_to_citizen(
    browser, live_server, drafter_a, reviewer_a, org_a, node_a, artifacts_dir
):
    page = browser.new_page(locale="zh-CN")
    shot = lambda name: page.screenshot(path=os.path.join(artifacts_dir, f"policy-{name}.png"), full_page=True)  # noqa: E731

    sign_in(page, live_server, drafter_a.username)
    page.goto(f"{live_server.url}/admin/disclosure/document/add/")
    page.select_option("#id_organisation", str(org_a.pk))
    page.fill("#id_title", TITLE)
    page.fill("#id_written_on", "2026-11-20")
    page.check("#id_is_policy")
    page.fill("#id_body", "一、减免经营场所租金。\n二、简化登记手续。")
    page.check("input[name=attribute][value=proactive]")
    page.check(f"input[name=catalogue_nodes][value='{node_a.pk}']")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=提交审核")

    # Submitting alone is refused, and the page says exactly what is missing (R16).
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=缺少解读方案")
    assert page.is_visible("text=缺少解读材料")
    shot("1-gate-refuses")

    page.click("a:has-text('编写解读方案')")
    page.fill("#id_planned_on", "2026-11-20")
    page.fill("#id_channels", "政府网站、政务新媒体")
    page.check("input[name=forms][value=qa]")
    page.fill("#id_outline", "一、出台背景\n二、主要措施")
    page.click("input[type=submit]")
    page.wait_for_selector("text=解读方案已保存")

    page.click("a:has-text('新增解读')")
    page.fill("#id_title", "个体工商户发展措施问答")
    page.check("input[name=form][value=qa]")
    page.fill("#id_questions-0-question", "哪些个体工商户可以减免租金？")
    page.fill("#id_questions-0-answer", "在本县登记、租用国有经营用房的个体工商户。")
    shot("2-interpretation-form")
    page.click("input[name=_save]")
    page.wait_for_selector("text=个体工商户发展措施问答")
    policy = Document.objects.get(title=TITLE)
    page.goto(f"{live_server.url}/admin/disclosure/document/{policy.pk}/change/")
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交审核")
    assert Interpretation.objects.get().status == Interpretation.Status.IN_REVIEW

    # The reviewer sees the policy with its plan and interpretation and approves them at once.
    sign_in(page, live_server, reviewer_a.username)
    page.goto(f"{live_server.url}/admin/disclosure/reviewitem/")
    page.click(f"tr:has-text('{TITLE}') >> text=审核")
    page.wait_for_selector("text=哪些个体工商户可以减免租金？")
    page.check("input[name=decision][value=approve]")
    page.check("#id_confidentiality_checked")
    shot("3-reviewer-approves-both")
    page.click("input[type=submit][value=提交审核意见]")
    page.wait_for_selector("text=已审定")
    interpretation = Interpretation.objects.get()
    policy.refresh_from_db()
    assert interpretation.status == "published" and interpretation.published_at == policy.published_at

    # The citizen: policy → interpretation → policy, by keyboard-reachable links.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/documents/{policy.index_path[0]}/{policy.index_path[1]}/")
    page.click("section.doc-interpretations-box >> text=个体工商户发展措施问答")
    page.wait_for_selector("text=哪些个体工商户可以减免租金？")
    shot("4-citizen-interpretation")
    page.click(f".policy-link >> text={TITLE}")
    page.wait_for_selector(f"h1:has-text('{TITLE}')")
    page.goto(f"{live_server.url}/interpretations/?form=qa")
    assert page.is_visible("text=个体工商户发展措施问答")
    shot("5-citizen-list")
