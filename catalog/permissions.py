"""Who may do what, in pairs: ``can_x(user, obj)`` beside ``x_for(user)``. Nothing else calls guardian to check.

Roles per organisation are object permissions on ``Organisation`` held through groups (see ``catalog.roles``);
the disclosure office holds global permissions. A superuser counts as the office.
"""

from __future__ import annotations

from collections import defaultdict
from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from guardian.models import GroupObjectPermission, UserObjectPermission

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
# global permissions in ``_perm_cache``): an admin page asks a dozen times (its menu asks every registered model),
# and guardian's own answers cost a query or two each time.
ROLE_CACHE = "_govopen_role_perms"


def _held_roles(user: User) -> dict[int, frozenset[str]]:
    """Organisation pk -> the role permissions ``user`` holds there, directly or through a group, read with one query
    the first time this user object is asked (``forget_roles`` drops it after a grant or a revocation)."""
    held: dict[int, frozenset[str]] | None = user.__dict__.get(ROLE_CACHE)
    if held is None:
        organisation_type = ContentType.objects.get_for_model(Organisation)
        codenames = list(ROLE_PERMISSIONS.values())
        user_pk = cast(int, user.pk)  # an active staff user's (the callers ask only for those)
        where = {"content_type": organisation_type, "permission__content_type": organisation_type}
        direct = UserObjectPermission.objects.filter(user_id=user_pk, permission__codename__in=codenames, **where)
        grouped = GroupObjectPermission.objects.filter(
            group__user__pk=user_pk, permission__codename__in=codenames, **where
        )
        found: dict[int, set[str]] = defaultdict(set)
        rows = direct.values_list("object_pk", "permission__codename").union(
            grouped.values_list("object_pk", "permission__codename")
        )
        for object_pk, codename in rows:
            found[int(object_pk)].add(codename)
        held = {pk: frozenset(granted) for pk, granted in found.items()}
        user.__dict__[ROLE_CACHE] = held
    return held


def _organisations_holding(user: User, role: str | None) -> list[int]:
    """The pks of the organisations where ``user`` holds ``role``, or any role when ``role`` is None."""
    if not _active_staff(user):
        return []
    codename = ROLE_PERMISSIONS[Role(role)] if role is not None else None
    return sorted(pk for pk, held in _held_roles(user).items() if held and (codename is None or codename in held))


def has_role(user: User, organisation: Organisation, role: str) -> bool:
    if not _active_staff(user):
        return False
    if getattr(user, "is_superuser", False):
        return True  # as ``has_perm`` answers for an active superuser
    return ROLE_PERMISSIONS[Role(role)] in _held_roles(user).get(organisation.pk, frozenset())


def has_role_anywhere(user: User, role: str) -> bool:
    """Whether ``user`` holds ``role`` at some organisation (a superuser only where it was granted, as
    ``organisations_with_role``)."""
    return bool(_organisations_holding(user, role))


def has_any_role(user: User, at: int | None = None) -> bool:
    """Whether ``user`` holds any role at the organisation numbered ``at``, or at any organisation when ``at`` is None
    (``staff_organisations`` without the query)."""
    if at is None:
        return bool(_organisations_holding(user, None))
    return _active_staff(user) and bool(_held_roles(user).get(at))


def forget_roles(user: object) -> None:
    """Drop what ``user`` (this object) remembers of its roles: after a grant or a revocation."""
    getattr(user, "__dict__", {}).pop(ROLE_CACHE, None)


def organisations_with_role(user: User, role: str) -> QuerySet[Organisation]:
    """Organisations where ``user`` holds ``role`` (granted: a superuser's implicit rights do not count here)."""
    return Organisation.objects.filter(pk__in=_organisations_holding(user, role))


def roles_at(user: User, organisation: Organisation) -> list[str]:
    return [role.value for role in Role if has_role(user, organisation, role)]


def staff_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations where ``user`` holds any role."""
    return Organisation.objects.filter(pk__in=_organisations_holding(user, None))


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
        return has_role_anywhere(user, Role.REVIEWER)
    return has_role(user, organisation, Role.REVIEWER)


def catalogue_editable_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.all()
    return organisations_with_role(user, Role.REVIEWER)


def can_view_catalogue(user: User, organisation: Organisation | None = None) -> bool:
    if organisation is None:
        return is_disclosure_office(user) or has_any_role(user)
    return can_view_organisation(user, organisation)


def catalogue_viewable_organisations(user: User) -> QuerySet[Organisation]:
    return viewable_organisations(user)


def can_edit_topics(user: User) -> bool:
    return is_disclosure_office(user)


def can_view_topics(user: User) -> bool:
    return _active_staff(user) and user.is_staff
