"""The public site in a real browser (Debian's Chromium), with screenshots kept as artifacts."""

import os

import pytest

pytestmark = pytest.mark.browser


def test_citizen_opens_the_home_page_and_an_organisation(browser, live_server, org_a, artifacts_dir):
    page = browser.new_page(locale="zh-CN")
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "政府信息公开"
    assert page.title().startswith("首页")
    page.screenshot(path=os.path.join(artifacts_dir, "home.png"), full_page=True)

    # Keyboard: the first Tab reaches the skip link, which leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"

    page.get_by_role("link", name=org_a.name).click()
    assert page.locator("h1").inner_text() == org_a.name
    assert page.get_by_role("cell", name="甲市中山路 1 号").is_visible()
    page.screenshot(path=os.path.join(artifacts_dir, "organisation.png"), full_page=True)

    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()


def test_staff_sign_in_to_the_chinese_admin(browser, live_server, office, artifacts_dir):
    from tests.conftest import PASSWORD

    page = browser.new_page(locale="zh-CN")
    page.goto(live_server.url + "/admin/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert "政务公开平台管理" in page.content()
    page.get_by_role("link", name="年度工作日历").click()
    page.screenshot(path=os.path.join(artifacts_dir, "admin-calendar.png"), full_page=True)
    assert page.locator("#calc-title").inner_text() == "工作日计算"
