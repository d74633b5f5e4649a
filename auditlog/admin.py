"""The audit log in the admin: read-only, for the disclosure office only; anyone else gets the same 404 as a
missing page, so the log's existence and size are not revealed to other staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from auditlog.models import AuditEvent
from catalog.permissions import is_disclosure_office
from core.admin_base import PolicyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(PolicyAdmin):
    list_display = ("seq", "position", "at", "kind", "actor_username", "object_label", "change", "summary", "client_ip")
    list_filter = ("kind", "at", "actor")
    search_fields = ("actor_username", "object_label", "object_pk", "summary")
    date_hierarchy = "at"
    list_select_related = False
    actions = None
    fields = (
        "seq",
        "position",
        "at",
        "kind",
        "actor_username",
        "object_type",
        "object_pk",
        "object_label",
        "change",
        "summary",
        "client_ip",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if is_disclosure_office(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return is_disclosure_office(request.user)

    def _office_or_404(self, request: HttpRequest) -> None:
        if not is_disclosure_office(request.user):
            raise Http404

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._office_or_404(request)
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        self._office_or_404(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        raise Http404

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # The log has no history of its own: its rows never change.
        raise Http404
