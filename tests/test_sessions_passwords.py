"""Staff sessions end after 30 idle minutes and 12 hours in all; passwords follow the profile in settings (ASVS by
default, 等保 with three character classes and a 90-day expiry)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.middleware import ACTIVE_AT
from accounts.models import PasswordRecord
from accounts.profiles import password_validators
from tests.conftest import PASSWORD, SYSTEM

pytestmark = pytest.mark.staff_security

INDEX = "/admin/"


def signed_in(drafter) -> Client:
    client = Client()
    response = client.post(reverse("admin:login"), {"username": drafter.username, "password": PASSWORD, "next": INDEX})
    assert response.status_code == 302
    return client


def test_it_ends_a_staff_session_after_thirty_idle_minutes(drafter_a, clock):
    clock("2026-11-30 09:00")
    client = signed_in(drafter_a)
    clock("2026-11-30 09:29")
    assert client.get(INDEX).status_code == 200
    clock("2026-11-30 09:58")
    assert client.get(INDEX).status_code == 200  # 29 minutes after the last request
    clock("2026-11-30 10:29")
    response = client.get(reverse("admin:catalog_organisation_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=/admin/catalog/organisation/")
    page = client.get(response["Location"]).content.decode()
    assert "您已 30 分钟未操作" in page
    assert "_auth_user_id" not in client.session


def test_it_ends_a_staff_session_twelve_hours_after_login_however_active(drafter_a, clock):
    clock("2026-11-30 08:00")
    client = signed_in(drafter_a)
    active = reverse("admin:jsi18n")  # a light staff page: the office home counts its queues every time
    for hour in range(8, 20):
        for minute in ("00", "25", "50"):
            clock(f"2026-11-30 {hour:02d}:{minute}")
            assert client.get(active).status_code == 200
    clock("2026-11-30 20:01")
    response = client.get(INDEX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert "登录已超过 12 小时" in client.get(response["Location"]).content.decode()


def test_it_takes_the_limits_from_settings(drafter_a, clock, settings):
    settings.GOVOPEN_SESSION_IDLE_MINUTES = 5
    clock("2026-11-30 09:00")
    client = signed_in(drafter_a)
    clock("2026-11-30 09:06")
    assert client.get(INDEX).status_code == 302


def test_it_writes_the_activity_stamp_at_most_once_a_minute(drafter_a, clock):
    clock("2026-11-30 09:00")
    client = signed_in(drafter_a)
    client.get(INDEX)
    stamp = client.session[ACTIVE_AT]
    clock("2026-11-30 09:00:30")
    client.get(INDEX)
    assert client.session[ACTIVE_AT] == stamp
    clock("2026-11-30 09:02")
    client.get(INDEX)
    assert client.session[ACTIVE_AT] > stamp


def test_it_leaves_anonymous_sessions_alone(db, clock):
    clock("2026-11-30 09:00")
    visitor = Client()
    session = visitor.session
    session["tracking"] = "kept"
    session.save()
    visitor.cookies["sessionid"] = session.session_key
    clock("2026-12-02 09:00")
    assert visitor.get("/").status_code == 200
    assert visitor.session["tracking"] == "kept"


# --- Passwords -------------------------------------------------------------------------------------------------------


def refused(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def test_asvs_profile_wants_twelve_characters_and_no_common_password(settings, drafter_a):
    settings.AUTH_PASSWORD_VALIDATORS = password_validators("asvs")
    assert any("至少" in message and "12" in message for message in refused("Kx9-wqPz7mL", drafter_a))
    assert any("常见" in message for message in refused("password1234", drafter_a))
    assert refused("river lantern quietly", drafter_a) == []  # no composition rules
    assert refused("riverlanternquietly", drafter_a) == []


def test_dengbao_profile_wants_three_kinds_of_character(settings, drafter_a):
    settings.AUTH_PASSWORD_VALIDATORS = password_validators("dengbao")
    assert "密码须包含大写字母、小写字母、数字、符号中的至少 3 类。" in refused("riverlanternquietly", drafter_a)
    assert refused("Rv7lantq", drafter_a) == []
    assert any("至少" in message and "8" in message for message in refused("Rv7!lq", drafter_a))


def test_it_records_when_a_password_was_set(drafter_a, clock):
    clock("2026-03-01 10:00")
    drafter_a.set_password("Another-Passw0rd!")
    drafter_a.save()
    record = PasswordRecord.objects.get(user=drafter_a)
    assert record.changed_at.date().isoformat() == "2026-03-01"


def test_dengbao_profile_forces_a_change_after_ninety_days(settings, make_user, org_a, clock):
    from catalog.roles import Role
    from catalog.services import role_grant

    settings.AUTH_PASSWORD_VALIDATORS = password_validators("dengbao")
    settings.GOVOPEN_PASSWORD_MAX_AGE_DAYS = 90
    clock("2026-01-05 09:00")
    user = make_user("drafter_old")
    role_grant(organisation=org_a, user=user, role=Role.DRAFTER, actor=SYSTEM)
    clock("2026-04-04 09:00")  # 89 days
    assert signed_in(user).get(INDEX).status_code == 200
    clock("2026-04-06 09:00")
    client = signed_in(user)
    response = client.get(reverse("admin:catalog_organisation_changelist"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:password_change")
    page = client.get(reverse("admin:password_change"))
    assert page.status_code == 200 and "您的密码已超过 90 天未更换" in page.content.decode()
    weak = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "riverlanternquietly", "new_password2": "riverlanternquietly"},
    )
    assert "至少 3 类" in weak.content.decode()
    assert client.get(INDEX).status_code == 302
    done = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "Rv7!lantern", "new_password2": "Rv7!lantern"},
    )
    assert done.status_code == 302
    assert client.get(INDEX).status_code == 200


def test_asvs_profile_never_expires_a_password(make_user, org_a, clock, settings):
    from catalog.roles import Role
    from catalog.services import role_grant

    assert settings.GOVOPEN_PASSWORD_MAX_AGE_DAYS == 0
    clock("2024-01-05 09:00")
    user = make_user("drafter_old")
    role_grant(organisation=org_a, user=user, role=Role.DRAFTER, actor=SYSTEM)
    clock("2026-11-30 09:00")
    assert signed_in(user).get(INDEX).status_code == 200
