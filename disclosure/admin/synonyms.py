"""检索同义词 in the admin: the disclosure office keeps the groups of words a search treats as one (R39)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from core.admin_base import PolicyAdmin
from disclosure import permissions
from disclosure.models import SearchSynonym
from disclosure.synonyms import search_synonym_save


@admin.register(SearchSynonym)
class SearchSynonymAdmin(PolicyAdmin):
    list_display = ["terms", "is_active", "changed_by", "changed_at"]
    list_filter = ["is_active"]
    search_fields = ["terms"]
    fields = ["terms", "is_active", "changed_by", "changed_at"]
    readonly_fields = ["changed_by", "changed_at"]
    list_select_related = ["changed_by"]

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.editable_search_synonyms(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_search_synonyms(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_search_synonyms(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_search_synonyms(request.user, obj)

    # No delete (PolicyAdmin's default): a group no longer wanted is switched off, and its history stays.

    def save_model(self, request: HttpRequest, obj: SearchSynonym, form: forms.Form, change: bool) -> None:
        search_synonym_save(group=obj, actor=request.user)
