"""A ModelAdmin whose permissions come from the apps' permission policies instead of Django's model permissions.

Staff hold roles per organisation (object permissions), which Django's admin does not understand; each admin
subclass answers the four questions by calling its app's ``permissions.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


def has_history_table(model: type[Model]) -> bool:
    """Whether simple-history records this model itself (a proxy such as the review queue inherits the manager but
    has no ``simple_history_manager_attribute`` of its own)."""
    return getattr(model._meta, "simple_history_manager_attribute", None) is not None


class RefusedFormIs400:
    """Mixin before a ModelAdmin: a change form is shown again after a POST only when it was refused (a valid one
    redirects), so bad input answers 400, with what was typed kept."""

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        response = super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]
        if request.method == "POST":
            response.status_code = 400
        return response


class LabelledHistory(HistoricalRecordContextHelper):
    """A version's changes as staff read them: a choice by its Chinese label (受理, not ``accepted``), a yes/no in
    words, an empty value as a dash."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        field = self.model._meta.get_field(change.field)
        if getattr(field, "choices", None) and value not in (None, ""):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if value in (None, "") or (isinstance(value, DeletedObject) and value.pk is None):
            return "—"  # an empty foreign key comes as a "deleted object" with no key
        return super().prepare_delta_change_value(change, value)


class PolicyAdmin(RefusedFormIs400, SimpleHistoryAdmin):
    """Denies everything by default: a log admin overrides only ``policy_queryset`` and ``policy_view``.

    History is read-only: simple-history's per-version page is a full change form that saves whatever it is given
    (bypassing the services, their checks and event rows), so it answers 404 for everyone. The history list follows
    the change view's policy, and a model without a history table shows Django's own log instead.
    """

    # The list without links to the per-version form, which no longer exists.
    object_history_list_template = "simple_history/govopen_object_history_list.html"

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not has_history_table(model):
            # Django's history page (LogEntry rows) with its own template; simple-history's would crash (500).
            self.object_history_template = None

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

    # History

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> LabelledHistory:
        return LabelledHistory(self.model, historical_record)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # The same answer for a missing record and one the user may not see (no existence oracle): 404, never 403.
        # ``get_object`` reads through ``get_queryset``, so the policy's queryset applies; it also swallows bad ids.
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        if not has_history_table(self.model):
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """simple-history's revert form: gone for everyone, superusers included; the services are the only writes."""
        raise Http404

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


class UserFormAdmin:
    """Mixin before ``PolicyAdmin``: builds the form with ``user=request.user``, so a form can limit its choices to
    what the signed-in user may act for (their organisations, their policies, their open events)."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)

        class FormWithUser(base):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, user=request.user, **kw)

        return FormWithUser
