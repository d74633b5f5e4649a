"""Reads shared by views, the admin, tasks and reports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from catalog.models import DISCLOSURE_SUBJECT, Organisation
from catalog.roles import OFFICE_PERMISSIONS, OfficeRole


def public_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).select_related("parent").order_by("sort_order", "name")


def disclosure_subjects() -> QuerySet[Organisation]:
    """Active 公开主体: the organisations with their own guide, catalogue and page, offered as 受理机关."""
    return public_organisations().filter(DISCLOSURE_SUBJECT)


def office_emails() -> list[str]:
    """E-mail addresses of the active members of the disclosure office (and of superusers)."""
    app_label, codename = OFFICE_PERMISSIONS[OfficeRole.OFFICE].split(".")
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(
        Q(is_superuser=True)
        | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    )
    return sorted(set(users.values_list("email", flat=True)))


def role_member_emails(organisation: Organisation, role: str) -> list[str]:
    """E-mail addresses of the active staff holding ``role`` at ``organisation``."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__role_group__organisation=organisation, groups__role_group__role=role)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))
