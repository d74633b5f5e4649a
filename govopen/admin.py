from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.permissions import can_view_job_runs
from core.admin_base import PolicyAdmin
from ops.models import JobRun, Notification, OutboxMessage
from ops.outbox import OUTBOX_MAX_ATTEMPTS
from ops.services import job_runs_interrupted


class JobRunStateFilter(admin.SimpleListFilter):
    """Failed runs and runs whose worker stopped (still "running" past the timeout, before the reaper's next pass)."""

    title = _("需要关注")
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("failed", _("失败（含进程中断）")), ("stalled", _("超时仍在运行"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "failed":
            return queryset.filter(status=JobRun.Status.FAILED)
        if self.value() == "stalled":
            return queryset.filter(pk__in=job_runs_interrupted().values("pk"))
        return queryset


@admin.register(JobRun)
class JobRunAdmin(PolicyAdmin):
    list_display = ["name", "started_at", "finished_at", "status", "duration", "summary"]
    list_filter = [JobRunStateFilter, "status", "name"]
    search_fields = ["name", "summary"]
    date_hierarchy = "started_at"

    @admin.display(description=_("耗时"))
    def duration(self, obj: JobRun) -> str:
        end = obj.finished_at or timezone.now()
        minutes = int((end - obj.started_at).total_seconds() // 60)
        return _("%(minutes)d 分钟") % {"minutes": minutes}

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


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("pending", _("待执行")), ("dead", _("已停止重试")), ("done", _("已完成"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "pending":
            return queryset.filter(done_at__isnull=True, attempts__lt=OUTBOX_MAX_ATTEMPTS)
        if self.value() == "dead":
            return queryset.filter(done_at__isnull=True, attempts__gte=OUTBOX_MAX_ATTEMPTS)
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PolicyAdmin):
    list_display = ["task", "created_at", "done_at", "attempts", "last_error"]
    list_filter = [OutboxStateFilter, "task"]
    date_hierarchy = "created_at"

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if can_view_job_runs(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return can_view_job_runs(request.user)
