"""Who may change another staff member's sign-in security, in a pair."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from catalog.permissions import is_disclosure_office

User = AbstractBaseUser | AnonymousUser


def can_reset_mfa(user: User, target: AbstractBaseUser) -> bool:
    """The 政务公开办 resets a colleague's lost device; everyone else resets only their own, after a code."""
    return is_disclosure_office(user) and user.is_staff


def mfa_resettable_users(user: User) -> QuerySet:
    if not (is_disclosure_office(user) and user.is_staff):
        return get_user_model().objects.none()
    return get_user_model().objects.filter(is_staff=True)
