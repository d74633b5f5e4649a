"""A ModelAdmin whose permissions come from the apps' permission policies instead of Django's model permissions.

Staff hold roles per organisation (object permissions), which Django's admin does not understand; each admin
subclass answers the four questions by calling its app's ``permissions.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin


class PolicyAdmin(SimpleHistoryAdmin):
    """Denies everything by default: a log admin overrides only ``policy_queryset`` and ``policy_view``."""

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return False

    def policy_add(self, request: HttpRequest) -> bool:
        return False

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return False

    def policy_delete(self, request: HttpRequest, obj: Model | None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.policy_queryset(request, super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.policy_view(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.policy_view(request, obj) or self.policy_change(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.policy_add(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.policy_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.policy_delete(request, obj)



class UserFormAdmin:
    """Mixin before ``PolicyAdmin``: builds the form with ``user=request.user``, so a form can limit its choices to
    what the signed-in user may act for (their organisations, their policies, their open events)."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)

        class FormWithUser(base):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=request.user, **kw)

        return FormWithUser
