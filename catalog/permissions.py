"""Who may do what, in pairs: ``can_x(user, obj)`` beside ``x_for(user)``. Nothing else calls guardian to check.

Roles per organisation are object permissions on ``Organisation`` held through groups (see ``catalog.roles``);
the disclosure office holds global permissions. A superuser counts as the office.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from catalog.models import Organisation
from catalog.roles import OFFICE_PERMISSIONS, ROLE_PERMISSIONS, OfficeRole, Role

User = AbstractBaseUser | AnonymousUser


def _active_staff(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_disclosure_office(user: User) -> bool:
    return _active_staff(user) and (user.is_superuser or user.has_perm(OFFICE_PERMISSIONS[OfficeRole.OFFICE]))


def is_disclosure_office_head(user: User) -> bool:
    return _active_staff(user) and (user.is_superuser or user.has_perm(OFFICE_PERMISSIONS[OfficeRole.HEAD]))


# Where a user object keeps the role permissions it holds at each organisation, once read (as Django keeps a user's
# global permissions in ``_perm_cache``): a page or a step asks several times, and each read is two queries.
ROLE_CACHE = "_govopen_role_perms"


def has_role(user: User, organisation: Organisation, role: str) -> bool:
    if not _active_staff(user):
        return False
    if getattr(user, "is_superuser", False):
        return True  # as ``has_perm`` answers for an active superuser
    held: dict[object, frozenset[str]] = user.__dict__.setdefault(ROLE_CACHE, {})
    if organisation.pk not in held:
        held[organisation.pk] = frozenset(ObjectPermissionChecker(cast(Model, user)).get_perms(organisation))
    return ROLE_PERMISSIONS[Role(role)] in held[organisation.pk]


def forget_roles(user: object) -> None:
    """Drop what ``user`` (this object) remembers of its roles: after a grant or a revocation."""
    getattr(user, "__dict__", {}).pop(ROLE_CACHE, None)


def organisations_with_role(user: User, role: str) -> QuerySet[Organisation]:
    if not _active_staff(user):
        return Organisation.objects.none()
    return get_objects_for_user(
        user,
        f"catalog.{ROLE_PERMISSIONS[Role(role)]}",
        klass=Organisation,
        with_superuser=False,
        accept_global_perms=False,
    )


def roles_at(user: User, organisation: Organisation) -> list[str]:
    return [role.value for role in Role if has_role(user, organisation, role)]


def staff_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations where ``user`` holds any role."""
    if not _active_staff(user):
        return Organisation.objects.none()
    return get_objects_for_user(
        user,
        [f"catalog.{codename}" for codename in ROLE_PERMISSIONS.values()],
        klass=Organisation,
        any_perm=True,
        with_superuser=False,
        accept_global_perms=False,
    )


# --- Organisation records ---------------------------------------------------------------------------------------


def can_view_organisation(user: User, organisation: Organisation) -> bool:
    return is_disclosure_office(user) or bool(roles_at(user, organisation))


def viewable_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.all()
    return staff_organisations(user)


def can_edit_organisation(user: User, organisation: Organisation | None = None) -> bool:
    """Only the disclosure office creates organisations, changes their codes and assigns roles."""
    return is_disclosure_office(user)


def editable_organisations(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.all() if is_disclosure_office(user) else Organisation.objects.none()


# --- Calendar -----------------------------------------------------------------------------------------------------


def can_view_calendar(user: User) -> bool:
    return _active_staff(user) and user.is_staff


def can_edit_calendar(user: User) -> bool:
    return is_disclosure_office(user)


def can_view_job_runs(user: User) -> bool:
    return is_disclosure_office(user)


# --- Catalogue and topics (R33–R35) ----------------------------------------------------------------------------------


def can_edit_catalogue(user: User, organisation: Organisation | None = None) -> bool:
    """The office keeps every catalogue; an organisation's reviewers keep their own (items, "本期无" notices)."""
    if is_disclosure_office(user):
        return True
    if organisation is None:
        return organisations_with_role(user, Role.REVIEWER).exists()
    return has_role(user, organisation, Role.REVIEWER)


def catalogue_editable_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.all()
    return organisations_with_role(user, Role.REVIEWER)


def can_view_catalogue(user: User, organisation: Organisation | None = None) -> bool:
    if organisation is None:
        return is_disclosure_office(user) or staff_organisations(user).exists()
    return can_view_organisation(user, organisation)


def catalogue_viewable_organisations(user: User) -> QuerySet[Organisation]:
    return viewable_organisations(user)


def can_edit_topics(user: User) -> bool:
    return is_disclosure_office(user)


def can_view_topics(user: User) -> bool:
    return _active_staff(user) and user.is_staff
