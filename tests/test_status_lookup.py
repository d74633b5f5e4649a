"""The applicant's status lookup (R27): wrong secrets are braked per address and per code without letting a stranger
lock the owner out; the secret has no look-alike characters, is typed in any case with or without spaces, and can
be printed."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import reverse

from requests_app.identity import SECRET_ALPHABET, compact_secret, new_secret, secret_digest
from requests_app.models import InformationRequest
from tests.conftest import applicant_values

X, Y = "198.51.100.7", "203.0.113.9"


pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def case(org_a, handler_a, filed):
    return filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)


def lookup(address: str, code: str, secret: str):
    return Client(REMOTE_ADDR=address).post(reverse("requests:status"), {"code": code, "secret": secret})


@override_settings(GOVOPEN_STATUS_LIMIT_PER_CODE=5, GOVOPEN_STATUS_LIMIT_PER_IP=50)
def test_r27_a_strangers_wrong_secrets_do_not_lock_the_owner_out(case):
    for _ in range(5):
        assert lookup(X, case.tracking_code, "WRONG SECRET").status_code == 400
    assert lookup(Y, case.tracking_code, case.secret).status_code == 302  # the owner, at once
    refused = lookup(X, case.tracking_code, "ANOTHER TRY")
    assert refused.status_code == 429 and "该查询码近期多次输入错误" in refused.content.decode()
    assert lookup(X, case.tracking_code, case.secret).status_code == 429  # even the right secret waits
    # Another address with no failures on the code is always checked.
    assert lookup("192.0.2.1", case.tracking_code, "WRONG SECRET").status_code == 400


@override_settings(GOVOPEN_STATUS_LIMIT_PER_IP=3, GOVOPEN_STATUS_LIMIT_PER_CODE=100)
def test_r27_an_address_is_throttled_after_its_own_limit_of_wrong_secrets(case):
    for n in range(3):
        assert lookup(X, f"YS2026-AAAA-AAA{n + 2}", "WRONG").status_code == 400
    refused = lookup(X, case.tracking_code, case.secret)
    assert refused.status_code == 429 and "本网络查询次数过多" in refused.content.decode()
    assert lookup(Y, case.tracking_code, case.secret).status_code == 302


@override_settings(
    GOVOPEN_STATUS_LIMIT_PER_IP_CODE=3, GOVOPEN_STATUS_LIMIT_PER_CODE=100, GOVOPEN_STATUS_LIMIT_PER_IP=50
)
def test_r27_an_address_is_refused_for_a_code_it_keeps_getting_wrong(case):
    for _ in range(3):
        assert lookup(X, case.tracking_code, "WRONG").status_code == 400
    refused = lookup(X, case.tracking_code, case.secret)
    assert refused.status_code == 429 and "该查询码在本网络输错次数过多" in refused.content.decode()
    assert lookup(X, "YS2026-AAAA-AAA2", "WRONG").status_code == 400  # other codes are still checked


@override_settings(
    GOVOPEN_STATUS_LIMIT_PER_CODE=5, GOVOPEN_STATUS_LIMIT_PER_IP=50, GOVOPEN_STATUS_CODE_RETRY_SECONDS=60
)
def test_r27_the_wait_on_a_guessed_code_expires(case, clock):
    clock("2026-03-10 10:00")
    for _ in range(5):
        lookup(X, case.tracking_code, "WRONG")
    assert lookup(X, case.tracking_code, case.secret).status_code == 429
    clock("2026-03-10 10:03")  # two retry intervals later
    assert lookup(X, case.tracking_code, case.secret).status_code == 302


@override_settings(GOVOPEN_STATUS_LIMIT_PER_IP=3, GOVOPEN_STATUS_LIMIT_WINDOW_MINUTES=15)
def test_r27_the_per_address_limit_expires_with_its_window(case, clock):
    clock("2026-03-10 10:00")
    for n in range(3):
        lookup(X, f"YS2026-AAAA-AAA{n + 2}", "WRONG")
    assert lookup(X, case.tracking_code, case.secret).status_code == 429
    clock("2026-03-10 10:14")
    assert lookup(X, case.tracking_code, case.secret).status_code == 429
    clock("2026-03-10 10:31")  # the next window
    assert lookup(X, case.tracking_code, case.secret).status_code == 302


# --- The secret -------------------------------------------------------------------------------------------------


def test_r27_the_secret_has_no_look_alike_characters():
    assert not set("0O1Il") & set(SECRET_ALPHABET)  # shown in upper case, so no lower-case l either
    seen: set[str] = set()
    for _ in range(3000):
        secret = new_secret()
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4}", secret)
        seen.update(compact_secret(secret))
    assert seen == set(SECRET_ALPHABET)  # every symbol is drawn, so the alphabet is all there is


def test_r27_the_secret_is_accepted_in_lower_case_with_spaces_or_hyphens(case):
    compact = compact_secret(case.secret)
    assert case.secret == " ".join(compact[i : i + 4] for i in (0, 4, 8))
    for typed in (
        compact.lower(),
        f" {compact[:4].lower()} {compact[4:8]}  {compact[8:]} ",
        f"{compact[:4]}-{compact[4:8]}-{compact[8:]}".lower(),
    ):
        assert lookup(X, case.tracking_code, typed).status_code == 302, typed
    assert lookup(X, case.tracking_code.lower().replace("-", " "), compact).status_code == 302
    assert lookup(X, case.tracking_code, compact[:-1]).status_code == 400


def test_r27_a_secret_issued_before_the_new_alphabet_still_works(case):
    old_secret = "aB-3_xYz9Q0l"  # secrets.token_urlsafe(9): case-sensitive, may hold - and _
    InformationRequest.objects.filter(pk=case.pk).update(secret_hash=secret_digest(old_secret))
    assert lookup(X, case.tracking_code, old_secret).status_code == 302
    assert lookup(Y, case.tracking_code, old_secret.upper()).status_code == 400


def test_r27_the_secret_page_has_a_print_button_wired_by_an_external_script(citizen, org_a, work_calendar):
    data = {**applicant_values(), "organisation": org_a.pk, "pledge": "on"}
    data.pop("fee_waiver_requested")
    response = citizen.post(reverse("requests:apply"), data)
    assert response.status_code == 302
    html = citizen.get(response["Location"]).content.decode()
    assert re.search(r'<button type="button" data-print hidden>', html)
    assert re.search(r'<script src="[^"]*js/print\.js" defer></script>', html)
    assert "onclick" not in html and "<script>" not in html
    assert "浏览器菜单中的“打印”" in html  # without JavaScript the page still says how to print
    script = open(finders.find("js/print.js"), encoding="utf-8").read()
    assert "window.print()" in script and "data-print" in script


def test_r27_the_staff_receipt_has_the_print_button_too(login, org_a, handler_a, clock, work_calendar):
    clock("2026-03-04 10:00")
    data = {**applicant_values(), "organisation": org_a.pk, "channel": "post", "arrived_on": "2026-03-03"}
    data.pop("fee_waiver_requested")
    html = login(handler_a).post(reverse("admin:requests_app_informationrequest_register"), data).content.decode()
    assert re.search(r'<button type="button" class="button" data-print hidden>', html)
    assert "js/print.js" in html and "onclick" not in html
    secret = re.search(r"<strong>([2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4})</strong>", html).group(1)
    assert lookup(X, InformationRequest.objects.get().tracking_code, secret.lower()).status_code == 302


@pytest.mark.browser
def test_r27_the_print_button_prints_the_code_and_secret_cleanly(
    browser, live_server, org_a, work_calendar, artifacts_dir
):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/apply/?org={org_a.code}")
    page.check("input[name=applicant_type][value=natural]")
    page.fill("#id_applicant_name", "张三")
    page.select_option("#id_id_type", "resident_id")
    page.fill("#id_id_number", applicant_values()["id_number"])
    page.fill("#id_phone", "13812345678")
    page.fill("#id_description", "请提供共享单车停放点位方案。")
    page.check("#id_pledge")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=申请已提交")
    button = page.locator("button[data-print]")
    page.wait_for_selector("button[data-print]", state="visible")  # hidden in the HTML; print.js shows it
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    assert not button.is_visible() and not page.locator(".site-nav").is_visible()
    secret = page.locator("strong.code").all_inner_texts()[1]
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4}", secret)
    page.screenshot(path=f"{artifacts_dir}/request-secret-print.png", full_page=True)
