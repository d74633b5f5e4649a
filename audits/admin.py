"""The disclosure office's side of self-audits (R36) and annual reports (R30–R32)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auditlog.services import audit_export
from audits import permissions
from audits.models import AnnualReport, AuditRun, Finding
from audits.reports import (
    ReportError,
    creation_problems,
    publication_problems,
    report_create,
    report_data,
    report_deadline,
    report_publish,
    report_update,
    report_warnings,
)
from audits.selectors import (
    fees_sentence,
    findings_chart,
    report_charts,
    report_notes,
    report_tables,
    run_findings,
    run_kind_rows,
)
from audits.services import AuditError, audit_run, finding_accept, finding_fix, finding_start
from audits.xlsx import audit_workbook, report_xlsx, xlsx_response
from core.admin_base import PolicyAdmin, UserFormAdmin

# --- Self-audits -----------------------------------------------------------------------------------------------------


@admin.register(AuditRun)
class AuditRunAdmin(PolicyAdmin):
    change_list_template = "admin/audits/auditrun/change_list.html"
    list_display = ["audit_date", "trigger", "actor", "total", "new", "resolved", "report_link"]
    list_filter = ["trigger"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if permissions.can_view_audit_runs(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_view_audit_runs(request.user)

    @admin.display(description=gettext_lazy("发现问题"))
    def total(self, run: AuditRun) -> int:
        return run.summary.get("total", 0)

    @admin.display(description=gettext_lazy("新增"))
    def new(self, run: AuditRun) -> int:
        return run.summary.get("new", 0)

    @admin.display(description=gettext_lazy("已解决"))
    def resolved(self, run: AuditRun) -> int:
        return run.summary.get("resolved", 0)

    @admin.display(description=gettext_lazy("自查报告"))
    def report_link(self, run: AuditRun) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:audits_auditrun_report", args=[run.pk]), _("查看"))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra = {**(extra_context or {}), "may_run": permissions.can_run_audit(request.user)}
        return super().changelist_view(request, extra)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("run/", view(self.run_view), name="audits_auditrun_run"),
            path("<int:pk>/report/", view(self.report_view), name="audits_auditrun_report"),
            path("<int:pk>/report.xlsx", view(self.xlsx_view), name="audits_auditrun_xlsx"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:audits_auditrun_report", args=[object_id]))

    def run_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not permissions.can_run_audit(request.user):
            raise Http404
        run = audit_run(trigger=AuditRun.Trigger.MANUAL, actor=request.user)
        messages.success(
            request,
            _("自查完成：发现问题 %(n)s 项，其中新增 %(new)s 项，已解决 %(res)s 项。")
            % {
                "n": run.summary["total"],
                "new": run.summary["new"],
                "res": run.summary["resolved"],
            },
        )
        return HttpResponseRedirect(reverse("admin:audits_auditrun_report", args=[run.pk]))

    def _run(self, request: HttpRequest, pk: int) -> AuditRun:
        if not permissions.can_view_audit_runs(request.user):
            raise Http404
        return get_object_or_404(AuditRun.objects.select_related("previous", "actor"), pk=pk)

    def report_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(run) + _("报告"),
            "run": run,
            "kinds": run_kind_rows(run),
            "chart": findings_chart(run),
            "findings": run_findings(run),
            "summary": run.summary,
        }
        return TemplateResponse(request, "admin/audits/run_report.html", context)

    def xlsx_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self._run(request, pk)
        content = audit_workbook(run=run, kinds=run_kind_rows(run), findings=list(run_findings(run)))
        filename = f"self-audit-{run.audit_date:%Y%m%d}.xlsx"
        audit_export(request=request, obj=run, filename=filename)
        return xlsx_response(content, filename)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


FINDING_ACTIONS: dict[str, tuple[Callable[..., Finding], str, Any, Any]] = {
    "start": (finding_start, "note", gettext_lazy("开始整改"), gettext_lazy("整改措施")),
    "fix": (finding_fix, "note", gettext_lazy("整改完成"), gettext_lazy("整改结果")),
    "accept": (finding_accept, "reason", gettext_lazy("说明理由后保留"), gettext_lazy("保留的理由")),
}


class ActiveFindingFilter(admin.SimpleListFilter):
    """Findings still to rectify (待整改 and 整改中): what the office home counts."""

    title = gettext_lazy("整改进度")
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", _("待整改或整改中"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status__in=Finding.ACTIVE_STATUSES) if self.value() == "1" else queryset


@admin.register(Finding)
class FindingAdmin(PolicyAdmin):
    change_form_template = "admin/audits/finding/change_form.html"
    list_display = ["title", "kind", "severity", "organisation", "status", "first_found_at", "last_found_at"]
    list_filter = [ActiveFindingFilter, "status", "kind", "severity", "organisation"]
    search_fields = ["title", "detail"]
    readonly_fields = [
        "kind",
        "severity",
        "organisation",
        "title",
        "detail",
        "evidence",
        "status",
        "status_note",
        "first_found_at",
        "last_found_at",
        "closed_at",
    ]
    fields = readonly_fields

    class Media:
        css = {"all": ["css/admin.css"]}

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_findings(request.user).values("pk")).select_related(
            "organisation"
        )

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.viewable_findings(request.user).exists() or permissions.can_run_audit(request.user)
        return permissions.can_view_finding(request.user, obj)

    @admin.display(description=gettext_lazy("证据"))
    def evidence(self, finding: Finding) -> str:
        return (
            format_html('<a href="{}">{}</a>', finding.evidence_url, _("查看相关记录")) if finding.evidence_url else "—"
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        finding = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if finding is not None:
            may = permissions.can_work_finding(request.user, finding)
            extra.update(
                finding=finding,
                events=finding.events.select_related("actor").order_by("at", "pk"),
                actions=[
                    (name, label)
                    for name, (_f, _a, label, _n) in FINDING_ACTIONS.items()
                    if may and (finding.status == Finding.Status.OPEN or (name != "start" and finding.is_active))
                ],
            )
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/do/<str:action>/", view(self.action_view), name="audits_finding_action"),
            *super().get_urls(),
        ]

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        finding = get_object_or_404(Finding.objects.select_related("organisation"), pk=pk)
        if action not in FINDING_ACTIONS or not permissions.can_work_finding(request.user, finding):
            raise Http404
        service, argument, label, note_label = FINDING_ACTIONS[action]
        form = NoteForm(request.POST or None)
        form.fields["note"].label = note_label
        problems: list[str] = []
        back = reverse("admin:audits_finding_change", args=[finding.pk])
        if request.method == "POST" and form.is_valid():
            try:
                service(finding=finding, actor=request.user, **{argument: form.cleaned_data["note"]})
                messages.success(request, _("已记录：%(a)s。") % {"a": label})
                return HttpResponseRedirect(back)
            except AuditError as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{label}：{finding.title}",
            "form": form,
            "problems": problems,
            "back_url": back,
            "back_label": finding.title,
            "intro": finding.detail,
            "submit_label": label,
        }
        return TemplateResponse(
            request, "admin/govopen/action.html", context, status=400 if request.method == "POST" else 200
        )


# --- Annual reports --------------------------------------------------------------------------------------------------


class ReportAddForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ("organisation", "year")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = permissions.report_organisations(user)
        self.fields["year"].initial = timezone.localdate().year - 1

    def clean(self) -> dict:
        data = super().clean()
        if data.get("organisation") and data.get("year"):
            for problem in creation_problems(organisation=data["organisation"], year=data["year"]):
                self.add_error(None, problem)
        return data


class ReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ("overview", "problems", "other_matters", "admin_fees_wan")
        widgets = {
            name: forms.Textarea(attrs={"rows": 8, "cols": 90}) for name in ("overview", "problems", "other_matters")
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


@admin.register(AnnualReport)
class AnnualReportAdmin(UserFormAdmin, PolicyAdmin):
    change_form_template = "admin/audits/annualreport/change_form.html"
    list_display = ["year", "organisation", "status", "deadline", "published_at"]
    list_filter = ["year", "status", "organisation"]

    class Media:
        css = {"all": ["css/admin.css", "css/report.css"]}

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = ReportForm if obj is not None else ReportAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: AnnualReport | None = None) -> list[str]:
        if obj is None:
            return ["organisation", "year"]
        return ["overview", "problems", "other_matters", "admin_fees_wan"]

    @admin.display(description=gettext_lazy("发布期限"))
    def deadline(self, report: AnnualReport) -> str:
        """The legal day (31 January / 31 March), marked in words when a draft is past it (R30)."""
        due = report_deadline(report.organisation, report.year)
        if not report.is_published and timezone.localdate() > due:
            late = (timezone.localdate() - due).days
            return format_html(
                '{} <span class="clock clock-overdue">{}</span>',
                due.isoformat(),
                _("已逾期 %(n)s 天") % {"n": late},
            )
        return due.isoformat()

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_reports(request.user).values("pk")).select_related(
            "organisation"
        )

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return (
                permissions.report_organisations(request.user).exists()
                or permissions.viewable_reports(request.user).exists()
            )
        return permissions.can_view_report(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.report_organisations(request.user).exists()

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.manageable_reports(request.user).exists()
        return not obj.is_published and permissions.can_manage_report(request.user, obj)

    def save_model(self, request: HttpRequest, obj: AnnualReport, form: forms.ModelForm, change: bool) -> None:
        if not change:
            saved = report_create(organisation=obj.organisation, year=obj.year, actor=request.user)
            obj.pk = saved.pk
            obj.status = saved.status
            return
        report_update(report=obj, actor=request.user, changes={n: form.cleaned_data[n] for n in form.changed_data})

    def construct_change_message(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, add: bool = False
    ) -> list:
        return [{"added": {}}] if add else [{"changed": {"fields": form.changed_data}}]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        report = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if report is not None and permissions.can_view_report(request.user, report):
            data = report_data(report)
            extra.update(
                report=report,
                tables=report_tables(report, data),
                charts=report_charts(report, data),
                fees_sentence=fees_sentence(data),
                notes=report_notes(data),
                problems=[] if report.is_published else publication_problems(report, data),
                warnings=report_warnings(report, data),
                may_publish=not report.is_published and permissions.can_manage_report(request.user, report),
            )
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/publish/", view(self.publish_view), name="audits_annualreport_publish"),
            path("<int:pk>/report.xlsx", view(self.xlsx_view), name="audits_annualreport_xlsx"),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """GET: what publishing will do, and a button to do it (publishing cannot be undone). POST: publish."""
        report = get_object_or_404(AnnualReport.objects.select_related("organisation"), pk=pk)
        if report.is_published or not permissions.can_manage_report(request.user, report):
            raise Http404
        back = reverse("admin:audits_annualreport_change", args=[pk])
        if request.method == "POST":
            try:
                report_publish(report=report, actor=request.user)
            except ReportError as exc:
                for problem in exc.problems:
                    messages.error(request, problem)
                return HttpResponseRedirect(back)
            messages.success(request, _("年度报告已发布，统计数据已固定。"))
            return HttpResponseRedirect(back)
        context = {
            **self.admin_site.each_context(request),
            "title": _("发布年度报告"),
            "subject": str(report),
            "back_url": back,
            "back_label": str(report),
            "problems": publication_problems(report, report_data(report)),
            "effects": [
                _("报告在门户网站“政府信息公开年度报告”栏目公开，并记入网站存证日志；"),
                _("统计表按此刻的记录固定，之后对申请或文件记录的修改不再影响本报告；"),
                _("报告的文字部分不能再修改，如需更正只能另行说明。"),
            ],
            "submit_label": _("确认发布"),
        }
        return TemplateResponse(request, "admin/govopen/confirm.html", context)

    def xlsx_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(AnnualReport.objects.select_related("organisation"), pk=pk)
        if not permissions.can_view_report(request.user, report):
            raise Http404
        content, filename = report_xlsx(report), f"annual-report-{report.organisation.code}-{report.year}.xlsx"
        audit_export(request=request, obj=report, filename=filename)
        return xlsx_response(content, filename)
