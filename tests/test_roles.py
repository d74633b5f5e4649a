"""Organisations and roles: guardian object permissions through one group per role and organisation."""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from guardian.shortcuts import get_perms

from catalog import permissions
from catalog.models import Organisation, RoleEvent, RoleGroup
from catalog.roles import ROLE_PERMISSIONS, Role
from catalog.services import role_grant, role_revoke
from tests.conftest import SYSTEM


def test_each_organisation_has_one_group_per_role_with_its_object_permission(org_a):
    groups = {rg.role: rg.group for rg in RoleGroup.objects.filter(organisation=org_a)}
    assert set(groups) == {"drafter", "reviewer", "handler"}
    assert get_perms(groups["drafter"], org_a) == ["act_as_drafter"]
    assert get_perms(groups["reviewer"], org_a) == ["act_as_reviewer"]
    assert get_perms(groups["handler"], org_a) == ["act_as_handler"]


def test_roles_hold_at_their_own_organisation_only(drafter_a, reviewer_a, handler_a, drafter_b, org_a, org_b):
    assert permissions.has_role(drafter_a, org_a, Role.DRAFTER)
    assert not permissions.has_role(drafter_a, org_a, Role.REVIEWER)
    assert not permissions.has_role(drafter_a, org_b, Role.DRAFTER)
    assert permissions.has_role(reviewer_a, org_a, Role.REVIEWER)
    assert permissions.has_role(handler_a, org_a, Role.HANDLER)
    assert permissions.has_role(drafter_b, org_b, Role.DRAFTER)
    assert not permissions.has_role(drafter_b, org_a, Role.DRAFTER)


def test_paired_helpers_agree(drafter_a, drafter_b, office, org_a, org_b):
    for user in (drafter_a, drafter_b, office):
        visible = set(permissions.viewable_organisations(user))
        for organisation in (org_a, org_b):
            assert permissions.can_view_organisation(user, organisation) == (organisation in visible)
    assert list(permissions.organisations_with_role(drafter_a, Role.DRAFTER)) == [org_a]
    assert list(permissions.organisations_with_role(drafter_a, Role.REVIEWER)) == []
    assert set(permissions.viewable_organisations(office)) == {org_a, org_b}


def test_disclosure_office_is_a_global_role(office, office_head, drafter_a):
    assert permissions.is_disclosure_office(office)
    assert not permissions.is_disclosure_office_head(office)
    assert permissions.is_disclosure_office(office_head) and permissions.is_disclosure_office_head(office_head)
    assert not permissions.is_disclosure_office(drafter_a)
    assert Group.objects.filter(name="政务公开办").exists()


def test_inactive_users_hold_no_role(drafter_a, org_a):
    drafter_a.is_active = False
    drafter_a.save()
    assert not permissions.has_role(drafter_a, org_a, Role.DRAFTER)
    assert not permissions.staff_organisations(drafter_a).exists()


def test_grants_and_revocations_are_rows(make_user, office, org_a):
    user = make_user("newcomer")
    assert role_grant(organisation=org_a, user=user, role=Role.REVIEWER, actor=office)
    assert not role_grant(organisation=org_a, user=user, role=Role.REVIEWER, actor=office)  # idempotent
    user.refresh_from_db()
    assert user.is_staff
    assert role_revoke(organisation=org_a, user=user, role=Role.REVIEWER, actor=office)
    events = list(RoleEvent.objects.filter(user=user).order_by("at").values_list("action", "role", "actor"))
    assert events == [("granted", "reviewer", office.pk), ("revoked", "reviewer", office.pk)]
    assert not permissions.has_role(user, org_a, Role.REVIEWER)


def test_renaming_an_organisation_renames_its_groups(org_a):
    from catalog.services import organisation_save

    org_a.name = "甲市城市管理和综合执法局"
    organisation_save(organisation=org_a, actor=SYSTEM)
    names = sorted(RoleGroup.objects.filter(organisation=org_a).values_list("group__name", flat=True))
    assert all("甲市城市管理和综合执法局" in name for name in names)
    assert RoleGroup.objects.filter(organisation=org_a).count() == 3


def test_organisation_history_records_reason_and_user(office):
    from catalog.services import organisation_save

    organisation = organisation_save(
        organisation=Organisation(code="C003", name="丙县人民政府", kind="government"), actor=office
    )
    organisation.phone = "0000-1234567"
    organisation_save(organisation=organisation, actor=office, reason="更新联系电话")
    reasons = list(organisation.history.values_list("history_change_reason", flat=True))
    assert reasons == ["更新联系电话", "新建机构"]
    assert organisation.history.first().history_user == office


def test_a_user_reads_its_roles_everywhere_once_and_sees_a_grant_or_revocation_at_once(
    make_user, org_a, org_b, django_assert_num_queries
):
    user = make_user("handler")
    role_grant(organisation=org_a, user=user, role=Role.DRAFTER, actor=SYSTEM)
    ContentType.objects.get_for_model(Organisation)  # cached for the process, as on a running server
    # Its own and its groups' role permissions at every organisation, in one query, for every question after it: an
    # admin page's menu asks each registered model, a dozen questions.
    with django_assert_num_queries(1):
        assert permissions.roles_at(user, org_a) == ["drafter"]
        assert permissions.roles_at(user, org_a) == ["drafter"]
        assert not permissions.has_role(user, org_b, Role.DRAFTER)
        assert permissions.has_role_anywhere(user, Role.DRAFTER)
        assert not permissions.has_role_anywhere(user, Role.REVIEWER)
        assert permissions.has_any_role(user) and permissions.has_any_role(user, at=org_a.pk)
        assert not permissions.has_any_role(user, at=org_b.pk)
        assert not permissions.organisations_with_role(user, Role.HANDLER).exists()  # an empty IN (): no query
    assert list(permissions.organisations_with_role(user, Role.DRAFTER)) == [org_a]
    assert list(permissions.staff_organisations(user)) == [org_a]
    role_grant(organisation=org_a, user=user, role=Role.HANDLER, actor=SYSTEM)
    assert permissions.roles_at(user, org_a) == ["drafter", "handler"]
    assert list(permissions.organisations_with_role(user, Role.HANDLER)) == [org_a]
    role_revoke(organisation=org_a, user=user, role=Role.DRAFTER, actor=SYSTEM)
    assert permissions.roles_at(user, org_a) == ["handler"]
    assert not permissions.has_role_anywhere(user, Role.DRAFTER)
    assert not permissions.organisations_with_role(user, Role.DRAFTER).exists()


def test_roles_held_through_a_group_and_directly_count_alike_and_a_superuser_only_where_granted(
    make_user, org_a, org_b, db
):
    from guardian.shortcuts import assign_perm

    direct = make_user("direct")
    assign_perm(ROLE_PERMISSIONS[Role.REVIEWER], direct, org_b)  # held by the user itself, not through a group
    assert permissions.has_role(direct, org_b, Role.REVIEWER) and permissions.has_role_anywhere(direct, Role.REVIEWER)
    assert list(permissions.organisations_with_role(direct, Role.REVIEWER)) == [org_b]
    root = make_user("root", is_superuser=True)
    assert permissions.has_role(root, org_a, Role.HANDLER)  # as has_perm answers for an active superuser
    assert not permissions.organisations_with_role(root, Role.HANDLER).exists()  # lists only what was granted
    role_grant(organisation=org_a, user=root, role=Role.HANDLER, actor=SYSTEM)
    assert list(permissions.organisations_with_role(root, Role.HANDLER)) == [org_a]
    gone = make_user("gone")
    role_grant(organisation=org_a, user=gone, role=Role.HANDLER, actor=SYSTEM)
    gone.is_active = False
    assert not permissions.has_any_role(gone) and not permissions.organisations_with_role(gone, Role.HANDLER).exists()


def test_a_new_organisation_gets_its_groups_and_permissions_in_a_few_statements(django_assert_max_num_queries, db):
    from catalog.services import organisation_save

    # The organisation's own five (two uniqueness checks, the row, its history, its audit row), then its groups: which
    # exist, the groups, their links, the permission rows, the content type and the permissions, in one statement
    # each; and the savepoint around it all (each group took half a dozen before).
    with django_assert_max_num_queries(13):
        organisation = organisation_save(organisation=Organisation(code="C003", name="丙市民政局"), actor=SYSTEM)
    groups = {rg.role: rg.group for rg in RoleGroup.objects.filter(organisation=organisation)}
    assert {role: get_perms(group, organisation) for role, group in groups.items()} == {
        "drafter": ["act_as_drafter"],
        "reviewer": ["act_as_reviewer"],
        "handler": ["act_as_handler"],
    }
    assert set(Group.objects.filter(role_group__organisation=organisation).values_list("name", flat=True)) == {
        "C003 丙市民政局 · 拟稿人",
        "C003 丙市民政局 · 审核人",
        "C003 丙市民政局 · 申请承办人",
    }
