"""Roles change only through the services: the user admin cannot tick a group, and the office role it offers is
granted and revoked with its RoleEvent."""

from __future__ import annotations

from django.contrib.auth.models import Group

from catalog.models import RoleEvent
from catalog.permissions import is_disclosure_office, is_disclosure_office_head


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
        "office_role": "",
    }
    data.update(changes)
    return data


def test_a_group_ticked_in_the_user_admin_grants_nothing(make_user, login, drafter_a, org_a):
    root = make_user("root", is_superuser=True, is_staff=True)
    office_group = Group.objects.get_or_create(name="政务公开办")[0]
    response = login(root).post(
        f"/admin/auth/user/{drafter_a.pk}/change/", _user_form(drafter_a, groups=[office_group.pk])
    )
    assert response.status_code == 302
    drafter_a.refresh_from_db()
    assert not is_disclosure_office(drafter_a)
    assert not RoleEvent.objects.filter(user=drafter_a, role="office").exists()


def test_the_office_role_set_in_the_user_admin_goes_through_the_services(make_user, login, drafter_a):
    root = make_user("root", is_superuser=True, is_staff=True)
    client = login(root)
    url = f"/admin/auth/user/{drafter_a.pk}/change/"
    assert 'name="office_role"' in client.get(url).content.decode()

    assert client.post(url, _user_form(drafter_a, office_role="head")).status_code == 302
    drafter_a = type(drafter_a).objects.get(pk=drafter_a.pk)
    assert is_disclosure_office(drafter_a) and is_disclosure_office_head(drafter_a)
    granted = RoleEvent.objects.filter(user=drafter_a, action=RoleEvent.Action.GRANTED, actor=root)
    assert sorted(granted.values_list("role", flat=True)) == ["head", "office"]

    assert client.post(url, _user_form(drafter_a, office_role="")).status_code == 302
    drafter_a = type(drafter_a).objects.get(pk=drafter_a.pk)
    assert not is_disclosure_office(drafter_a)
    revoked = RoleEvent.objects.filter(user=drafter_a, action=RoleEvent.Action.REVOKED, actor=root)
    assert sorted(revoked.values_list("role", flat=True)) == ["head", "office"]


def test_groups_cannot_be_edited_by_hand(make_user, login):
    root = make_user("root", is_superuser=True, is_staff=True)
    group = Group.objects.create(name="审核人组")
    client = login(root)
    assert client.post("/admin/auth/group/add/", {"name": "自建组"}).status_code == 403
    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.name == "审核人组"


def test_making_a_superuser_or_deactivating_an_account_is_in_the_audit_log(make_user, login, drafter_a):
    from auditlog.models import AuditEvent

    root = make_user("root", is_superuser=True, is_staff=True)
    url = f"/admin/auth/user/{drafter_a.pk}/change/"
    form = _user_form(drafter_a, is_superuser="on")
    assert login(root).post(url, form).status_code == 302
    form.pop("is_active")
    assert login(root).post(url, form).status_code == 302
    rows = AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLE_CHANGED, object_pk=str(drafter_a.pk), actor=root)
    summaries = list(rows.values_list("summary", flat=True))
    assert any("超级用户状态：是" in s for s in summaries) and any("有效：否" in s for s in summaries), summaries


def test_an_mfa_reset_by_the_office_is_in_the_audit_log(office, reviewer_a):
    from accounts.models import SecurityEvent
    from accounts.services import mfa_reset
    from auditlog.models import AuditEvent

    mfa_reset(user=reviewer_a, actor=office)
    assert SecurityEvent.objects.filter(user=reviewer_a, kind=SecurityEvent.Kind.MFA_RESET).exists()
    assert AuditEvent.objects.filter(actor=office, object_pk=str(reviewer_a.pk), summary__contains="重置").exists()
