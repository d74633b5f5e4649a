"""The subscription pages in Chromium without JavaScript, each checked by axe-core (all rules, every impact): the
form and its error summary, "check your mail", confirm, confirmed, unsubscribe, unsubscribed and a bad link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.test_browser_access import axe_context, axe_violations

pytestmark = pytest.mark.browser


def test_subscription_pages_work_without_javascript_and_pass_axe(transactional_db, live_server, browser, org_a):
    from django.core.cache import cache

    cache.clear()
    context = axe_context(browser)  # the pages have no script of their own
    page = context.new_page()
    failures: list[str] = []

    def check(name: str) -> None:
        assert page.locator("script[src]:not([src*=axe])").count() == 0  # the pages need no JavaScript
        failures.extend(f"{name}: {v}" for v in axe_violations(page))

    page.goto(live_server.url + reverse("catalog:organisation", args=[org_a.code]))
    page.get_by_role("link", name="邮件订阅").click()
    check("subscribe")
    page.get_by_role("button", name="订阅").click()
    assert "请填写电子邮箱" in page.content()
    check("subscribe_errors")
    page.get_by_label("电子邮箱").fill("li.ming@example.com")
    page.get_by_role("button", name="订阅").click()
    assert "请查收确认邮件" in page.content()
    check("sent")
    confirm = re.search(r"https?://\S+/subscriptions/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", confirm))
    check("confirm")
    page.get_by_role("button", name="确认订阅").click()
    assert "订阅已确认" in page.content()
    check("confirmed")
    from subscriptions.models import Subscription
    from subscriptions.selectors import unsubscribe_url

    unsubscribe = re.sub(r"^https?://[^/]+", "", unsubscribe_url(Subscription.objects.get()))
    page.goto(live_server.url + unsubscribe)
    check("unsubscribe")
    page.get_by_role("button", name="确认退订").click()
    assert "已退订" in page.content()
    check("unsubscribed")
    page.goto(live_server.url + "/subscriptions/confirm/damaged/")
    check("link_problem")
    context.close()
    assert failures == []
