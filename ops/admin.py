from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from catalog.permissions import can_view_job_runs
from govopen.admin_base import PolicyAdmin
from ops.models import JobRun, Notification


@admin.register(JobRun)
class JobRunAdmin(PolicyAdmin):
    list_display = ["name", "started_at", "finished_at", "status", "summary"]
    list_filter = ["status", "name"]
    search_fields = ["name", "summary"]
    date_hierarchy = "started_at"

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if can_view_job_runs(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return can_view_job_runs(request.user)


@admin.register(Notification)
class NotificationAdmin(PolicyAdmin):
    list_display = ["subject", "created_at", "sent_at", "attempts", "last_error"]
    search_fields = ["subject", "key"]

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if can_view_job_runs(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return can_view_job_runs(request.user)
