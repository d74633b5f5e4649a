"""Security response headers: a Content-Security-Policy without inline script or style, Permissions-Policy and
Cross-Origin-Opener-Policy on every public page and in the admin; in Chromium no page trips the policy."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

PUBLIC_PATHS = [
    "/",
    "/xxgk/",
    "/xxgk/rules/",
    "/xxgk/statutory/",
    "/xxgk/ysqgk/",
    "/search/?q=通知",
    "/interpretations/",
    "/apply/",
    "/apply/status/",
    "/emergencies/",
    "/xxgk/reports/",
    "/no-such-page/",
]
# An inline <script> (one without src) or an inline style attribute or block: what the policy would block.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)|\sstyle=\"|<style[\s>]|\son[a-z]+=\"")


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


def assert_secure_headers(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'" and policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in permissions
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.fixture
def published(org_a, drafter_a, reviewer_a, make_document, publish):
    return publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)


def test_it_sends_the_policy_on_every_public_page(citizen, org_a, published):
    paths = [
        *PUBLIC_PATHS,
        reverse("disclosure:document", args=published.index_path),
        reverse("catalog:organisation", args=[org_a.code]),
        f"/xxgk/{org_a.code}/guide/",
        f"/xxgk/{org_a.code}/catalogue/",
    ]
    for path in paths:
        response = citizen.get(path)
        assert response.status_code in (200, 404), path
        assert_secure_headers(response)
        assert not INLINE.search(response.content.decode()), path


def test_it_sends_the_policy_in_the_admin_whose_pages_carry_no_inline_code(
    citizen, office, drafter_a, login, work_calendar
):
    assert_secure_headers(citizen.get(reverse("admin:login")))
    client = login(office)
    pages = [
        (client, "admin:index"),
        (client, "admin:catalog_workcalendaryear_changelist"),
        (client, "admin:auditlog_auditevent_changelist"),
        (login(drafter_a), "admin:disclosure_document_add"),
    ]
    for user, name in pages:
        response = user.get(reverse(name))
        assert response.status_code == 200, name
        assert_secure_headers(response)
        html = response.content.decode()
        assert not INLINE.search(html), (name, INLINE.search(html))
    calculated = client.get(reverse("admin:catalog_workcalendaryear_changelist"), {"start": "2030-01-01", "days": "3"})
    assert "暂定" in calculated.content.decode() and not INLINE.search(calculated.content.decode())


@override_settings(GOVOPEN_CSP_EXTRA_SOURCES=["https://stats.example.gov.cn"])
def test_a_deployment_may_add_a_source_for_scripts_and_images(db):
    policy = directives(Client().get("/"))
    assert policy["script-src"] == "'self' https://stats.example.gov.cn"
    assert policy["img-src"] == "'self' data: https://stats.example.gov.cn"
    assert policy["style-src"] == "'self'"


@pytest.mark.browser
def test_no_page_violates_the_policy_in_chromium(browser, live_server, org_a, drafter_a, published):
    context = browser.new_context(locale="zh-CN")
    staff = Client()
    staff.force_login(drafter_a)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": staff.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    document = reverse("disclosure:document", args=published.index_path)
    for path in [
        "/",
        document,
        "/search/?q=整治",
        "/apply/",
        "/admin/",
        "/admin/catalog/workcalendaryear/",
        "/admin/disclosure/document/add/",
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert "/login/" not in page.url, path  # the staff pages were really seen, not the login form
        page.wait_for_load_state("load")
    # The admin login as a visitor sees it, with the staff session gone.
    context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.wait_for_load_state("load")
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == []

    # The listener does catch a violation: an inline style set from the page is refused and reported.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    context.close()


def test_a_malformed_extra_source_stops_start_up_with_its_name():
    from tests.test_settings import manage

    result = manage("check", GOVOPEN_CSP_EXTRA_SOURCES="https://ok.example 'unsafe-inline'", DEBUG="1")
    assert result.returncode == 2 and "GOVOPEN_CSP_EXTRA_SOURCES" in result.stderr
