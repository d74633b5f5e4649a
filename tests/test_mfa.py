"""Two-factor sign-in for staff: TOTP with single-use recovery codes, required for the office and reviewers by
default (GOVOPEN_MFA_REQUIRED_ROLES), enrolment from the admin, verification after the password, resets."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityEvent
from accounts.services import AccountSecurityError, mfa_enrolment_begin, mfa_enrolment_confirm, mfa_reset
from tests.conftest import PASSWORD

pytestmark = pytest.mark.staff_security

ENROL = "/admin/accounts/staffaccount/mfa/"
VERIFY = "/admin/accounts/staffaccount/mfa/verify/"


def enrol(user, totp_code) -> list[str]:
    device = mfa_enrolment_begin(user=user)
    return mfa_enrolment_confirm(user=user, device=device, token=totp_code(device))


def password_step(username: str) -> Client:
    client = Client()
    response = client.post(reverse("admin:login"), {"username": username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    return client


def test_mfa_urls_are_the_admin_ones():
    assert reverse("admin:accounts_mfa") == ENROL and reverse("admin:accounts_mfa_verify") == VERIFY


def test_it_sends_the_office_without_a_device_to_enrolment_from_every_admin_page(login, office, org_a):
    client = login(office)
    for url in (
        reverse("admin:index"),
        reverse("admin:catalog_organisation_changelist"),
        reverse("admin:catalog_organisation_change", args=[org_a.pk]),
        reverse("admin:password_change"),
        reverse("clocks"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == ENROL, url
    page = client.get(ENROL)
    assert page.status_code == 200
    text = page.content.decode()
    assert re.search(r'id="mfa-qr"><svg', text)
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # no inline script: the coming CSP forbids it
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', text).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert "岗位要求启用双因素认证" in text


def test_it_enrols_with_a_code_from_the_app_and_shows_recovery_codes_once(login, office, totp_code, clock):
    clock("2026-11-30 09:00")
    client = login(office)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=office, confirmed=False)
    wrong = client.post(ENROL, {"token": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    clock("2026-11-30 09:01")
    response = client.post(ENROL, {"token": totp_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert StaticDevice.objects.get(user=office).token_set.count() == 10
    assert client.get(reverse("admin:index")).status_code == 200  # verified in this session
    # The codes are never shown again: the page now offers to regenerate them instead.
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", client.get(ENROL).content.decode()))
    assert SecurityEvent.objects.filter(user=office, kind=SecurityEvent.Kind.MFA_ENROLLED).count() == 1


def test_it_asks_for_the_code_after_the_password_and_refuses_a_wrong_one(office, totp_code, clock):
    clock("2026-11-30 09:00")
    enrol(office, totp_code)
    clock("2026-11-30 10:00")
    client = password_step("office")
    response = client.get(reverse("admin:catalog_organisation_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=office)
    code = totp_code(device)
    wrong = client.post(VERIFY, {"token": f"{(int(code) + 1) % 1_000_000:06d}", "next": "/admin/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    clock("2026-11-30 10:01")  # past the throttle's wait after one failure
    ok = client.post(VERIFY, {"token": totp_code(device), "next": reverse("admin:catalog_organisation_changelist")})
    assert ok.status_code == 302 and ok["Location"] == reverse("admin:catalog_organisation_changelist")
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_accepts_a_recovery_code_once_only(office, totp_code, clock):
    clock("2026-11-30 09:00")
    codes = enrol(office, totp_code)
    first = password_step("office")
    assert first.post(VERIFY, {"token": codes[0].upper(), "next": "/admin/"}).status_code == 302
    assert first.get(reverse("admin:index")).status_code == 200
    clock("2026-11-30 09:05")
    second = password_step("office")
    refused = second.post(VERIFY, {"token": codes[0], "next": "/admin/"})
    assert refused.status_code == 400
    assert second.get(reverse("admin:index")).status_code == 302
    assert StaticDevice.objects.get(user=office).token_set.count() == 9


def test_it_does_not_require_mfa_of_a_drafter_by_default_but_of_a_reviewer(login, drafter_a, reviewer_a):
    assert login(drafter_a).get(reverse("admin:index")).status_code == 200
    assert login(reviewer_a).get(reverse("admin:index"))["Location"] == ENROL


def test_it_follows_the_roles_in_the_setting(login, drafter_a, office, handler_a, settings):
    settings.GOVOPEN_MFA_REQUIRED_ROLES = ["drafter"]
    assert login(drafter_a).get(reverse("admin:index"))["Location"] == ENROL
    assert login(office).get(reverse("admin:index")).status_code == 200
    assert login(handler_a).get(reverse("admin:index")).status_code == 200
    settings.GOVOPEN_MFA_REQUIRED_ROLES = []
    assert login(drafter_a).get(reverse("admin:index")).status_code == 200


def test_it_still_verifies_a_user_who_enrolled_though_not_required(drafter_a, totp_code, clock):
    clock("2026-11-30 09:00")
    enrol(drafter_a, totp_code)
    client = password_step("drafter_a")
    assert client.get(reverse("admin:index"))["Location"].startswith(VERIFY)


def test_the_office_resets_a_lost_device_from_the_staff_list(login, office, reviewer_a, totp_code, clock):
    clock("2026-11-30 09:00")
    enrol(reviewer_a, totp_code)
    office.is_superuser = False
    client = login(office)
    enrol(office, totp_code)
    clock("2026-11-30 09:01")
    client.post(VERIFY, {"token": totp_code(TOTPDevice.objects.get(user=office)), "next": "/admin/"})
    changelist = reverse("admin:accounts_staffaccount_changelist")
    assert "reviewer_a" in client.get(changelist).content.decode()
    response = client.post(changelist, {"action": "reset_mfa", "_selected_action": [reviewer_a.pk]}, follow=True)
    assert "已重置 reviewer_a 的双因素认证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer_a).exists()
    assert not StaticDevice.objects.filter(user=reviewer_a).exists()
    event = SecurityEvent.objects.get(user=reviewer_a, kind=SecurityEvent.Kind.MFA_RESET)
    assert event.actor == office
    # At the next login the reviewer goes straight to enrolment again.
    reviewer = password_step("reviewer_a")
    assert reviewer.get(reverse("admin:index"))["Location"] == ENROL


def test_only_the_office_resets_someone_else(login, drafter_a, reviewer_a, totp_code, clock):
    clock("2026-11-30 09:00")
    enrol(reviewer_a, totp_code)
    assert login(drafter_a).get(reverse("admin:accounts_staffaccount_changelist")).status_code == 403
    with pytest.raises(AccountSecurityError):
        mfa_reset(user=reviewer_a, actor=drafter_a)
    assert TOTPDevice.objects.filter(user=reviewer_a, confirmed=True).exists()


def test_a_user_resets_the_own_device_after_giving_a_code(office, totp_code, clock):
    clock("2026-11-30 09:00")
    codes = enrol(office, totp_code)
    client = password_step("office")
    client.post(VERIFY, {"token": codes[0], "next": "/admin/"})
    refused = client.post(ENROL, {"action": "reset", "reset-token": "wrongcod"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=office).exists()
    clock("2026-11-30 09:02")
    response = client.post(ENROL, {"action": "reset", "reset-token": codes[1]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=office, confirmed=True).exists()
    assert client.get(reverse("admin:index"))["Location"] == ENROL


def test_a_user_regenerates_recovery_codes_and_the_old_ones_stop_working(office, totp_code, clock):
    clock("2026-11-30 09:00")
    old = enrol(office, totp_code)
    client = password_step("office")
    client.post(VERIFY, {"token": old[0], "next": "/admin/"})
    clock("2026-11-30 09:02")
    response = client.post(
        ENROL, {"action": "regenerate", "regenerate-token": totp_code(TOTPDevice.objects.get(user=office))}
    )
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(new) == 10
    assert set(StaticDevice.objects.get(user=office).token_set.values_list("token", flat=True)) == set(new)
