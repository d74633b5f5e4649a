"""Who may see and delete subscriptions: the disclosure office only, and never a full address (the admin masks it)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from catalog.permissions import is_disclosure_office
from subscriptions.models import Subscription


def can_view_subscriptions(user: Any) -> bool:
    return is_disclosure_office(user)


def viewable_subscriptions(user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.all() if can_view_subscriptions(user) else Subscription.objects.none()


def can_delete_subscription(user: Any, subscription: Subscription) -> bool:
    return is_disclosure_office(user)


def deletable_subscriptions(user: Any) -> QuerySet[Subscription]:
    return viewable_subscriptions(user)
