"""Who may do what with emergencies, in pairs. Staff of the organisation register events and draft updates;
its reviewers (or the disclosure office) publish them."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Organisation
from catalog.permissions import (
    User,
    has_any_role,
    has_role,
    is_disclosure_office,
    organisations_with_role,
    staff_organisations,
)
from catalog.roles import Role
from emergencies.models import Emergency, EmergencyUpdate

WRITING_ROLES = (Role.DRAFTER, Role.REVIEWER)


def _writes_for(user: User, organisation: Organisation) -> bool:
    return is_disclosure_office(user) or any(has_role(user, organisation, role) for role in WRITING_ROLES)


def writing_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.filter(is_active=True)
    return (
        (organisations_with_role(user, Role.DRAFTER) | organisations_with_role(user, Role.REVIEWER))
        .filter(is_active=True)
        .distinct()
    )


def can_register_emergency(user: User, organisation: Organisation | None = None) -> bool:
    if organisation is None:
        return writing_organisations(user).exists()
    return _writes_for(user, organisation)


def registrable_organisations(user: User) -> QuerySet[Organisation]:
    return writing_organisations(user)


def can_view_emergency(user: User, emergency: Emergency) -> bool:
    return is_disclosure_office(user) or has_any_role(user, at=emergency.organisation_id)


def viewable_emergencies(user: User) -> QuerySet[Emergency]:
    if is_disclosure_office(user):
        return Emergency.objects.all()
    return Emergency.objects.filter(organisation__in=staff_organisations(user))


def can_write_update(user: User, emergency: Emergency) -> bool:
    return emergency.status == Emergency.Status.OPEN and _writes_for(user, emergency.organisation)


def writable_emergencies(user: User) -> QuerySet[Emergency]:
    return Emergency.objects.filter(status=Emergency.Status.OPEN, organisation__in=writing_organisations(user))


def can_publish_update(user: User, update: EmergencyUpdate) -> bool:
    if update.status != EmergencyUpdate.Status.DRAFT or update.emergency.status != Emergency.Status.OPEN:
        return False
    return is_disclosure_office(user) or has_role(user, update.emergency.organisation, Role.REVIEWER)


def publishable_updates(user: User) -> QuerySet[EmergencyUpdate]:
    drafts = EmergencyUpdate.objects.filter(
        status=EmergencyUpdate.Status.DRAFT, emergency__status=Emergency.Status.OPEN
    )
    if is_disclosure_office(user):
        return drafts
    return drafts.filter(emergency__organisation__in=organisations_with_role(user, Role.REVIEWER))
