"""The office's view of the subscriptions: counts per target above the list, addresses masked, no add or change
form; deleting goes through ``subscriptions.services.subscription_delete``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from core.admin_base import PolicyAdmin
from requests_app.identity import mask_email
from subscriptions import permissions, services
from subscriptions.models import Subscription
from subscriptions.selectors import target_counts


@admin.register(Subscription)
class SubscriptionAdmin(PolicyAdmin):
    list_display = ("masked_email", "kind", "target_name", "status", "created_at", "confirmed_at")
    list_filter = ("kind", "status")
    fields = ("masked_email", "kind", "target_name", "status", "created_at", "confirmed_at", "digest_since")
    readonly_fields = fields
    change_list_template = "admin/subscriptions/subscription/change_list.html"
    actions = ["delete_selected"]

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_subscriptions(request.user).values("pk")).select_related(
            "organisation", "node", "topic"
        )

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_view_subscriptions(request.user)

    def policy_delete(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.can_view_subscriptions(request.user)
        return permissions.can_delete_subscription(request.user, obj)

    @admin.display(description=gettext_lazy("电子邮箱（已遮盖）"))
    def masked_email(self, obj: Subscription) -> str:
        return mask_email(obj.email)

    @admin.display(description=gettext_lazy("订阅对象"))
    def target_name(self, obj: Subscription) -> str:
        if obj.kind == Subscription.Kind.SEARCH:
            return f"“{obj.query}” {obj.filters or ''}".strip()
        named = obj.organisation or obj.node or obj.topic
        return str(getattr(named, "name", "") or obj.get_kind_display())

    def delete_model(self, request: HttpRequest, obj: Subscription) -> None:
        services.subscription_delete(subscription=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for subscription in queryset:
            services.subscription_delete(subscription=subscription, actor=request.user)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {**(extra_context or {})}
        if permissions.can_view_subscriptions(request.user):
            extra["target_counts"] = target_counts()
        return super().changelist_view(request, extra_context=extra)
