"""The office's queue of error reports: the list (status, due times, overdue first), the report page with its clocks
and timeline, and one page per action (acknowledge, answer publicly, decline), each calling its service.

Every change goes through ``errorreports.services``; who may do what comes from ``errorreports.permissions``. There
is no add, change or delete form, no bulk action and no editable column; the history is read-only (``PolicyAdmin``).
The reporter's contact is shown to the office only, and each unmasked view is recorded in the audit log; staff of the
page's organisation read the report with the contact masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from auditlog.services import audit_personal_data_view
from core.admin_base import PolicyAdmin
from errorreports import permissions, services
from errorreports.clocks import report_clocks_of
from errorreports.forms import AcknowledgeForm, AnswerForm, DeclineForm
from errorreports.models import ErrorReport
from errorreports.selectors import next_due
from ops.clocks import remaining_text
from requests_app.identity import mask_email, mask_name, mask_phone

Status = ErrorReport.Status


@dataclass(frozen=True)
class OfficeAction:
    title: str
    form: type[forms.Form]
    allowed: Callable[[Any, ErrorReport], bool]
    run: Callable[[ErrorReport, Any, dict], Any]
    done: str
    submit: str


ACTIONS: dict[str, OfficeAction] = {
    "acknowledge": OfficeAction(
        gettext_lazy("确认收到"),
        AcknowledgeForm,
        permissions.can_acknowledge_report,
        lambda r, u, d: services.report_acknowledge(report=r, actor=u),
        gettext_lazy("已确认收到，请在答复期限前答复。"),
        gettext_lazy("确认收到"),
    ),
    "answer": OfficeAction(
        gettext_lazy("答复"),
        AnswerForm,
        permissions.can_answer_report,
        lambda r, u, d: services.report_answer(report=r, actor=u, answer=d["answer"]),
        gettext_lazy("已答复，答复已在网站公开。"),
        gettext_lazy("发布答复"),
    ),
    "decline": OfficeAction(
        gettext_lazy("不予处理"),
        DeclineForm,
        permissions.can_answer_report,
        lambda r, u, d: services.report_decline(report=r, actor=u, reason=d["reason"]),
        gettext_lazy("已办结（不予处理），留言人可在查询页面看到理由。"),
        gettext_lazy("不予处理"),
    ),
}


def contact_shown(report: ErrorReport, *, full: bool) -> dict[str, str]:
    if full:
        return {"name": report.contact_name, "phone": report.contact_phone, "email": report.contact_email}
    return {
        "name": mask_name(report.contact_name),
        "phone": mask_phone(report.contact_phone),
        "email": mask_email(report.contact_email),
    }


class DueFilter(admin.SimpleListFilter):
    title = gettext_lazy("期限")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            ("open", _("未办结")),
            ("today", _("今日到期")),
            ("ack_overdue", _("确认已逾期")),
            ("answer_overdue", _("答复已逾期")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        value = self.value()
        if value == "open":
            return queryset.filter(status__in=ErrorReport.OPEN_STATUSES)
        if value == "today":
            end = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
            return queryset.filter(
                Q(status=Status.RECEIVED, ack_due_at__range=(now, end))
                | Q(status__in=ErrorReport.OPEN_STATUSES, answer_due_at__range=(now, end))
            )
        if value == "ack_overdue":
            return queryset.filter(status=Status.RECEIVED, ack_due_at__lt=now)
        if value == "answer_overdue":
            return queryset.filter(status__in=ErrorReport.OPEN_STATUSES, answer_due_at__lt=now)
        return queryset


@admin.register(ErrorReport)
class ErrorReportAdmin(PolicyAdmin):
    list_display = [
        "tracking_code",
        "kind",
        "page",
        "organisation_name",
        "badge",
        "received_at",
        "ack_due",
        "answer_due",
    ]
    list_filter = [DueFilter, "status", "kind"]
    list_select_related = ["organisation"]
    # The contact is encrypted and never searched; the code, the page and the description are.
    search_fields = ["tracking_code", "page_url", "description"]
    actions = None  # no bulk action: each report moves through its services one at a time
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}

    # The queue: open reports by the deadline they are worked against (overdue first), then the closed ones.
    def get_ordering(self, request: HttpRequest) -> list:
        return [next_due().asc(nulls_last=True), "-received_at"]

    @admin.display(description=gettext_lazy("出错页面"), ordering="page_url")
    def page(self, obj: ErrorReport) -> str:
        text = obj.page_url if len(obj.page_url) <= 60 else obj.page_url[:57] + "…"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.page_url, text)

    @admin.display(description=gettext_lazy("页面所属机构"), ordering="organisation__name")
    def organisation_name(self, obj: ErrorReport) -> str:
        return obj.organisation.name if obj.organisation_id else "—"

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def badge(self, obj: ErrorReport) -> str:
        return format_html('<span class="badge badge-jc-{}">{}</span>', obj.status, obj.get_status_display())

    def _due(self, due: Any, done: Any, *, running: bool) -> str:
        if done:
            return format_html("{}（{}）", _("已办"), timezone.localtime(done).strftime("%m-%d %H:%M"))
        if not running:
            return "—"
        late = timezone.now() > due
        label = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
        return format_html(
            '<span class="{}">{}{}</span>', "overdue" if late else "", label, _("（已逾期）") if late else ""
        )

    @admin.display(description=gettext_lazy("确认期限"), ordering="ack_due_at")
    def ack_due(self, obj: ErrorReport) -> str:
        return self._due(obj.ack_due_at, obj.acknowledged_at, running=obj.status == Status.RECEIVED)

    @admin.display(description=gettext_lazy("答复期限"), ordering="answer_due_at")
    def answer_due(self, obj: ErrorReport) -> str:
        return self._due(obj.answer_due_at, obj.answered_at, running=obj.is_open)

    # Policies
    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_reports(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.can_view_any_report(request.user)
        return permissions.can_view_report(request.user, obj)

    # Pages
    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/do/<slug:action>/", view(self.action_view), name="errorreports_errorreport_action"),
            *super().get_urls(),
        ]

    def _report(self, request: HttpRequest, object_id: Any) -> ErrorReport:
        # Through the policy's queryset: a report the user may not see answers like a missing one; a bad id too.
        report = self.get_object(request, unquote(str(object_id)))
        if report is None or not permissions.can_view_report(request.user, report):
            raise Http404
        return report

    def _page(self, request: HttpRequest, template: str, context: dict, status: int = 200) -> TemplateResponse:
        base = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return TemplateResponse(request, template, {**base, **context}, status=status)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        report = self._report(request, object_id)
        if request.method not in ("GET", "HEAD"):
            # Not a form: every change is one of the action pages, each calling its service.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        user = request.user
        show_contact = permissions.can_see_report_contact(user, report)
        if show_contact and report.has_contact:
            audit_personal_data_view(request=request, case=report, what=_("查看找错留言的联系方式（未遮蔽）"))
        now = timezone.now()
        clocks = [(c, c.state(now), remaining_text(c.due_at - now)) for c in report_clocks_of(report)]
        return self._page(
            request,
            "admin/errorreports/report.html",
            {
                "title": _("找错留言 %(code)s") % {"code": report.tracking_code},
                "report": report,
                "show_contact": show_contact,
                "contact": contact_shown(report, full=show_contact),
                "clocks": clocks,
                "actions": [(name, a.title) for name, a in ACTIONS.items() if a.allowed(user, report)],
                "events": report.events.select_related("actor"),
            },
        )

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        raise Http404  # reports come from the public form only

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        report = self._report(request, pk)
        spec = ACTIONS.get(action)
        if spec is None or not spec.allowed(request.user, report):
            raise Http404
        form = spec.form(request.POST if request.method == "POST" else None)
        problems: list[str] = []
        back = reverse("admin:errorreports_errorreport_change", args=[report.pk])
        if request.method == "POST" and form.is_valid():
            try:
                spec.run(report, request.user, form.cleaned_data)
            except services.ErrorReportError as exc:
                problems = exc.problems
            else:
                messages.success(request, str(spec.done))
                return HttpResponseRedirect(back)
        return self._page(
            request,
            "admin/govopen/action.html",
            {
                "title": f"{spec.title}：{report.tracking_code}",
                "form": form,
                "problems": problems,
                "back_url": back,
                "back_label": report.tracking_code,
                "intro": f"{report.get_kind_display()} · {report.page_url}",
                "preview": report.description,
                "submit_label": spec.submit,
            },
            status=400 if request.method == "POST" else 200,
        )
