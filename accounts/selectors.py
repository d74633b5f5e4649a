"""Reads of the staff authentication work: is MFA required, is a device set up, has the password expired."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django_otp import user_has_device

from accounts.models import PasswordRecord
from catalog.permissions import has_role_anywhere, is_disclosure_office
from catalog.roles import Role


def mfa_required_for(user: AbstractBaseUser) -> bool:
    """True when one of the user's roles is in GOVOPEN_MFA_REQUIRED_ROLES (the office includes its head and
    superusers, as everywhere else)."""
    required = set(settings.GOVOPEN_MFA_REQUIRED_ROLES)
    if not required:
        return False
    if "office" in required and is_disclosure_office(user):
        return True
    return any(
        has_role_anywhere(user, role) for role in (Role.REVIEWER, Role.HANDLER, Role.DRAFTER) if role.value in required
    )


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    return user_has_device(user, confirmed=True)


def password_expired(user: AbstractBaseUser) -> bool:
    """Under the 等保 profile, a password set more than GOVOPEN_PASSWORD_MAX_AGE_DAYS ago. Without a record the
    account's creation counts: Django's create_user (and so createsuperuser) sets the password without the
    validators' hook, and for an older account the creation date can only make the password look older."""
    days = settings.GOVOPEN_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    changed_at = PasswordRecord.objects.filter(user_id=user.pk).values_list("changed_at", flat=True).first()
    return (changed_at or user.date_joined) < timezone.now() - dt.timedelta(days=days)
