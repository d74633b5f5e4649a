"""The staff side of applications: intake, the case page with its deadline explanation and timeline, one page
per action, the lists by deadline / handler / organisation, review and litigation records, and the Art 44 list.

Every change goes through ``requests_app.services``; who may do what comes from ``requests_app.permissions``;
identity numbers and contacts are masked unless ``can_see_personal_data`` (R27).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Case, F, Model, Q, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from auditlog.services import audit_personal_data_view
from catalog.models import Organisation
from catalog.permissions import is_disclosure_office
from catalog.workdays import add_working_days
from core.admin_base import PolicyAdmin
from requests_app import forms as f
from requests_app import permissions, services, steps
from requests_app.deadlines import Clock
from requests_app.identity import applicant_name_shown, mask_email, mask_identity, mask_phone, mask_text
from requests_app.letter_document import FormalLetter
from requests_app.letter_pdf import PdfUnavailable, pdf_available, render_letter_pdf
from requests_app.letters import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    Sample,
    draft_letter,
    formal_letter,
    has_letter,
    letter_filename,
    preview_letter,
    remedy_text,
    upcoming_reply_number,
)
from requests_app.models import (
    ApplicantType,
    InformationRequest,
    LetterKind,
    LetterTemplate,
    Outcome,
    RequestFile,
    ReviewCase,
)
from requests_app.selectors import art44_clusters
from requests_app.views import pdf_response

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Status = InformationRequest.Status


def status_badge(case: InformationRequest) -> str:
    return format_html('<span class="badge badge-req-{}">{}</span>', case.status, case.get_status_display())


# --- Staff actions: one form, one permission check, one service call each ----------------------------------------


@dataclass(frozen=True)
class StaffAction:
    """A staff step's page: its title, form and service call. Whether it is offered is the step's own check in
    requests_app/steps.py (``available_actions``), the one the service applies too."""

    title: StrOrPromise
    form: type[forms.Form]
    run: Callable[[InformationRequest, Any, dict], Any]
    done: StrOrPromise
    form_takes_case: bool = False
    # What cannot be undone, said on the action's page before the button (办结, 撤回): empty for ordinary steps.
    warning: StrOrPromise = ""


def _decide_extension(case: InformationRequest, user: Any, data: dict) -> Any:
    if data["decision"] == "approve":
        return services.request_extension_approve(request=case, actor=user, note=data["note"])
    return services.request_extension_decline(request=case, actor=user, note=data["note"])


def _save_review(case: InformationRequest, user: Any, data: dict) -> Any:
    return services.review_case_save(case=ReviewCase(request=case, organisation=case.organisation, **data), actor=user)


ACTIONS: dict[str, StaffAction] = {
    "accept": StaffAction(
        gettext_lazy("受理"),
        f.AcceptForm,
        lambda c, u, d: services.request_accept(request=c, actor=u, received_on=d["received_on"]),
        gettext_lazy("已受理，答复期限开始计算。"),
    ),
    "assign": StaffAction(
        gettext_lazy("指定承办人"),
        f.AssignForm,
        lambda c, u, d: services.request_assign(request=c, actor=u, handler=d["handler"]),
        gettext_lazy("已指定承办人。"),
        form_takes_case=True,
    ),
    "link": StaffAction(
        gettext_lazy("关联政府信息"),
        f.LinkDocumentForm,
        lambda c, u, d: services.request_link_document(request=c, actor=u, document=d["document"]),
        gettext_lazy("已关联。"),
        form_takes_case=True,
    ),
    "correction": StaffAction(
        gettext_lazy("告知补正"),
        f.CorrectionAskForm,
        lambda c, u, d: services.request_correction_ask(
            request=c, actor=u, items=d["items"], period_days=d["period_days"], on=d["on"]
        ),
        gettext_lazy("已告知补正，答复期限暂停，收到补正后重新起算。"),
    ),
    "correction_answer": StaffAction(
        gettext_lazy("登记补正材料"),
        f.StaffCorrectionForm,
        lambda c, u, d: services.request_correction_answer(
            request=c, actor=u, answer=d["answer"], files=d["files"], on=d["on"]
        ),
        gettext_lazy("已登记补正，答复期限重新起算。"),
    ),
    "consult": StaffAction(
        gettext_lazy("征求意见"),
        f.ConsultationForm,
        lambda c, u, d: services.request_consultation_start(
            request=c, actor=u, kind=d["kind"], party=d["party"], matter=d["matter"], on=d["on"]
        ),
        gettext_lazy("已记录征求意见，期间不计入答复期限。"),
    ),
    "consult_answer": StaffAction(
        gettext_lazy("记录对方意见"),
        f.ConsultationAnswerForm,
        lambda c, u, d: services.request_consultation_answer(
            consultation=d["consultation"], actor=u, answer=d["answer"], note=d["note"], on=d["on"]
        ),
        gettext_lazy("已记录意见，答复期限恢复计算。"),
        form_takes_case=True,
    ),
    "extension": StaffAction(
        gettext_lazy("申请延期"),
        f.ExtensionProposeForm,
        lambda c, u, d: services.request_extension_propose(request=c, actor=u, days=d["days"], reason=d["reason"]),
        gettext_lazy("已提交政务公开办负责人审批。"),
    ),
    "extension_decide": StaffAction(
        gettext_lazy("延期审批"),
        f.ExtensionDecideForm,
        _decide_extension,
        gettext_lazy("已审批。"),
    ),
    "fee": StaffAction(
        gettext_lazy("收费通知"),
        f.FeeNoticeForm,
        lambda c, u, d: services.request_fee_notice(
            request=c, actor=u, method=d["method"], pages=d["pages"], on=d["on"]
        ),
        gettext_lazy("已发出收费通知，缴费期间不计入答复期限。"),
    ),
    "fee_paid": StaffAction(
        gettext_lazy("登记缴费"),
        f.DateForm,
        lambda c, u, d: services.request_fee_paid(request=c, actor=u, on=d["on"]),
        gettext_lazy("已登记缴费。"),
    ),
    "close": StaffAction(
        gettext_lazy("办结"),
        f.NoteForm,
        lambda c, u, d: services.request_close(request=c, actor=u, note=d["note"]),
        gettext_lazy("已办结。"),
        warning=gettext_lazy(
            "办结后案件归档，不能再修改答复或登记办理事项（行政复议或诉讼仍可记录）。此操作不能撤销。"
        ),
    ),
    "withdraw": StaffAction(
        gettext_lazy("登记撤回"),
        f.WithdrawForm,
        lambda c, u, d: services.request_withdraw(request=c, actor=u, note=d["note"], on=d["on"]),
        gettext_lazy("已登记撤回。"),
        warning=gettext_lazy("登记撤回后停止办理、停止计时，在年度报告中计入“申请人撤回”。此操作不能撤销。"),
    ),
    "reopen": StaffAction(
        gettext_lazy("重新开启（逾期补正有正当理由）"),
        f.ReopenForm,
        lambda c, u, d: services.request_reopen(request=c, actor=u, reason=d["reason"]),
        gettext_lazy("已重新开启，等待申请人补正；收到补正材料后答复期限重新起算。"),
    ),
    "review": StaffAction(
        gettext_lazy("记录行政复议或诉讼"),
        f.ReviewCaseForm,
        _save_review,
        gettext_lazy("已记录。"),
        form_takes_case=True,
    ),
}


# --- List filters ---------------------------------------------------------------------------------------------------


class DeadlineFilter(admin.SimpleListFilter):
    title = gettext_lazy("期限")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [
            ("soon", _("3 个工作日内到期")),
            ("overdue", _("已逾期")),
            ("correction", _("等待补正")),
            ("consultation", _("征求意见中")),
            ("unaccepted", _("待受理")),
            ("extension", _("延期待审批")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        value = self.value()
        if value == "soon":
            limit = add_working_days(today, 3).value
            return queryset.filter(status=Status.ACCEPTED, clock=Clock.RUNNING, due_on__gte=today, due_on__lte=limit)
        if value == "overdue":
            return queryset.filter(status=Status.ACCEPTED, clock=Clock.RUNNING, due_on__lt=today)
        if value == "correction":
            return queryset.filter(status=Status.AWAITING_CORRECTION)
        if value == "consultation":
            return queryset.filter(status=Status.ACCEPTED, clock=Clock.PAUSED_CONSULTATION)
        if value == "unaccepted":
            return queryset.filter(status=Status.SUBMITTED)
        if value == "extension":
            return queryset.filter(
                status=Status.ACCEPTED, extension_proposed_days__isnull=False, extension_approved_by__isnull=True
            )
        return queryset


class HandlerFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        # Each handler once (the list's own ordering would make every case a row of DISTINCT), by name.
        handler_ids = model_admin.get_queryset(request).exclude(handler=None).order_by().values("handler").distinct()
        users = get_user_model().objects.filter(pk__in=handler_ids).order_by("first_name", "username")
        return [(user.pk, user.get_full_name() or user.get_username()) for user in users]


# --- Applications ---------------------------------------------------------------------------------------------------


@admin.register(InformationRequest)
class InformationRequestAdmin(PolicyAdmin):
    list_display = [
        "tracking_code",
        "applicant",
        "organisation",
        "badge",
        "received_on",
        "due",
        "handler_name",
        "outcome",
    ]
    list_filter = [
        DeadlineFilter,
        "status",
        ("handler", HandlerFilter),
        "organisation",
        "channel",
        "applicant_type",
        "outcome",
    ]
    list_select_related = ["organisation", "handler"]
    search_fields = ["tracking_code", "description", "document_title", "document_number"]
    # New applications waiting to be accepted first (oldest first: acceptance starts the legal clock), then the
    # running cases by their reply day, nearest first.
    ordering = [
        Case(When(status=Status.SUBMITTED, then=Value(0)), default=Value(1)).asc(),
        F("due_on").asc(nulls_last=True),
        "submitted_at",
    ]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}

    # Columns
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        request.personal_data_ids = set(permissions.personal_data_requests(request.user).values_list("pk", flat=True))
        extra = {**(extra_context or {}), "may_register": permissions.can_register_request(request.user)}
        return super().changelist_view(request, extra)

    @admin.display(description=gettext_lazy("申请人"))
    def applicant(self, obj: InformationRequest) -> str:
        return f"{obj.applicant_name}（{obj.get_applicant_type_display()}）"

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def badge(self, obj: InformationRequest) -> str:
        return status_badge(obj)

    @admin.display(description=gettext_lazy("答复期限"), ordering="due_on")
    def due(self, obj: InformationRequest) -> str:
        if obj.due_on is None:
            return "—"
        label = str(obj.due_on) + (_("（暂定）") if obj.due_provisional else "")
        if obj.clock in (Clock.PAUSED_CONSULTATION, Clock.PAUSED_FEE):
            label += _("（暂停）")
        overdue = obj.status == Status.ACCEPTED and obj.due_on < timezone.localdate() and obj.clock == Clock.RUNNING
        return format_html('<span class="{}">{}</span>', "overdue" if overdue else "", label)

    @admin.display(description=gettext_lazy("承办人"), ordering="handler")
    def handler_name(self, obj: InformationRequest) -> str:
        if obj.handler is None:
            return "—"
        return obj.handler.get_full_name() or obj.handler.get_username()

    # Policies
    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_requests(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.viewable_requests(request.user).exists() or permissions.can_register_request(
                request.user
            )
        return permissions.can_view_request(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_register_request(request.user)

    # Pages
    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("register/", view(self.register_view), name="requests_app_informationrequest_register"),
            path("art44/", view(self.art44_view), name="requests_app_informationrequest_art44"),
            path("<int:pk>/reply/", view(self.reply_view), name="requests_app_informationrequest_reply"),
            path("<int:pk>/files/<int:file_id>/", view(self.file_view), name="requests_app_informationrequest_file"),
            path("<int:pk>/letter/", view(self.letter_view), name="requests_app_informationrequest_letter"),
            path("<int:pk>/letter.pdf", view(self.letter_pdf_view), name="requests_app_informationrequest_letter_pdf"),
            path("<int:pk>/do/<slug:action>/", view(self.action_view), name="requests_app_informationrequest_action"),
            *super().get_urls(),
        ]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:requests_app_informationrequest_register"))

    def _case(self, request: HttpRequest, pk: Any) -> InformationRequest:
        case = get_object_or_404(
            InformationRequest.objects.select_related("organisation", "handler", "linked_document"), pk=pk
        )
        if not permissions.can_view_request(request.user, case):
            raise Http404
        return case

    def _page(self, request: HttpRequest, template: str, context: dict, status: int = 200) -> TemplateResponse:
        base = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return TemplateResponse(request, f"admin/requests_app/{template}", {**base, **context}, status=status)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        case = self._case(request, object_id)
        user = request.user
        show_personal = permissions.can_see_personal_data(user, case)
        deadline = services.deadline_of(case)
        available = steps.available_actions(case, user)
        actions = [(name, ACTIONS[name].title) for name in available if name in ACTIONS]
        may_reply = "reply" in available
        fee_options = None
        if "fee" in available:
            fee_options = services.fee_options(case, pages=None)
        files = [file for file in case.files.all() if show_personal or file.kind != RequestFile.Kind.IDENTITY]
        if show_personal:
            audit_personal_data_view(request=request, case=case, what=_("打开案件页（未遮蔽）"))
        return self._page(
            request,
            "case.html",
            {
                "title": _("申请 %(code)s") % {"code": case.tracking_code},
                "case": case,
                "deadline": deadline,
                "show_personal": show_personal,
                "contact": _contact(case, show_personal),
                "actions": actions,
                "may_reply": may_reply,
                "events": case.events.select_related("actor"),
                "consultations": case.consultations.all(),
                "files": files,
                "review_cases": case.review_cases.all(),
                "fee_options": fee_options,
                "report_row": case.report_row,
                "pdf_available": pdf_available(),
            },
        )

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        case = self._case(request, pk)
        spec = ACTIONS.get(action)
        if spec is None or steps.STEPS[action](case, request.user):
            raise Http404
        kwargs = {"case": case} if spec.form_takes_case else {}
        form = spec.form(request.POST or None, request.FILES or None, **kwargs)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                spec.run(case, request.user, form.cleaned_data)
            except services.RequestError as exc:
                problems = exc.problems
            else:
                messages.success(request, str(spec.done))
                return HttpResponseRedirect(reverse("admin:requests_app_informationrequest_change", args=[case.pk]))
        status = 400 if request.method == "POST" else 200
        title = f"{spec.title}：{case.tracking_code}"
        subject = f"{case.tracking_code} · {case.organisation.display_name} · {case.get_status_display()}"
        if case.due_on:
            subject += f" · {_('答复期限')} {case.due_on:%Y-%m-%d}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "case": case,
            "form": form,
            "problems": problems,
            "subject": subject,
            "warning": spec.warning,
            "submit_label": _("确认%(action)s") % {"action": spec.title} if spec.warning else _("确定"),
            "trail": [(reverse("admin:requests_app_informationrequest_changelist"), _("政府信息公开申请"))],
            "back_url": reverse("admin:requests_app_informationrequest_change", args=[case.pk]),
            "back_label": case.tracking_code,
        }
        return TemplateResponse(request, "admin/govopen/action.html", context, status=status)

    def reply_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        if steps.request_reply_problems(case, request.user):
            raise Http404
        data = request.POST if request.method == "POST" else None
        form = f.ReplyForm(data, request.FILES or None)
        preview = None
        parts = f.WithheldPartFormSet(data, prefix="parts")
        problems: list[str] = []
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid() and parts.is_valid():
                values = form.cleaned_data
                withheld = [p for p in parts.cleaned_data if p]
                if "draft" in request.POST:
                    form = _with_draft(form, case, withheld)
                    status = 200
                elif "preview" in request.POST:
                    preview = _preview(
                        case, values, show_personal=permissions.can_see_personal_data(request.user, case)
                    )
                    status = 200
                else:
                    try:
                        services.request_reply(
                            request=case,
                            actor=request.user,
                            outcome=values["outcome"],
                            letter=values["letter"],
                            withheld_parts=withheld,
                            referral_organisation=values["referral_organisation"],
                            referral_contact=values["referral_contact"],
                            files=values["files"],
                            on=values["on"],
                            third_party_reason=values["third_party_reason"],
                            third_party_notified_on=values["third_party_notified_on"],
                        )
                    except services.RequestError as exc:
                        problems = exc.problems
                    else:
                        messages.success(request, _("已答复，申请人可在查询页面查看答复书。"))
                        return HttpResponseRedirect(
                            reverse("admin:requests_app_informationrequest_change", args=[case.pk])
                        )
        agreed, objected = services.third_party_positions(case)
        return self._page(
            request,
            "reply.html",
            {
                "title": _("答复：%(code)s") % {"code": case.tracking_code},
                "case": case,
                "form": form,
                "parts": parts,
                "third_party_agreed": agreed,
                "third_party_objected": objected,
                "problems": problems,
                "deadline": services.deadline_of(case),
                "preview": preview,
                "letter_settings_missing": "、".join(case.organisation.letter_settings_missing),
                "next_number": upcoming_reply_number(case.organisation, timezone.localdate().year),
            },
            status,
        )

    def _letter(self, request: HttpRequest, pk: int) -> tuple[InformationRequest, FormalLetter]:
        case = self._case(request, pk)
        if not has_letter(case):
            raise Http404
        letter = formal_letter(case)
        if permissions.can_see_personal_data(request.user, case):
            audit_personal_data_view(request=request, case=case, what=_("查看答复书（未遮蔽）"))
        else:
            letter = replace(letter, addressee=applicant_name_shown(case, full=False))
        return case, letter

    def letter_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The letter as issued, printable; the same words and frame as the applicant's page and the PDF."""
        case, letter = self._letter(request, pk)
        response = self._page(
            request,
            "letter.html",
            {
                "title": _("答复书：%(code)s") % {"code": case.tracking_code},
                "case": case,
                "letter": letter,
                "pdf_available": pdf_available(),
            },
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def letter_pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        case, letter = self._letter(request, pk)
        try:
            content = render_letter_pdf(letter)
        except PdfUnavailable:
            messages.warning(
                request,
                _("服务器未安装中文字体，暂时无法生成 PDF 文件；请使用打印功能，或请系统管理员安装 fonts-noto-cjk。"),
            )
            return HttpResponseRedirect(reverse("admin:requests_app_informationrequest_letter", args=[case.pk]))
        return pdf_response(content, letter_filename(case))

    def file_view(self, request: HttpRequest, pk: int, file_id: int) -> FileResponse:
        case = self._case(request, pk)
        record = get_object_or_404(RequestFile, pk=file_id, request=case)
        if record.kind == RequestFile.Kind.IDENTITY and not permissions.can_see_personal_data(request.user, case):
            raise Http404
        if record.kind == RequestFile.Kind.IDENTITY:
            audit_personal_data_view(request=request, case=case, what=_("下载身份证明文件"))
        return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.name)

    @method_decorator(sensitive_post_parameters("id_number", "phone", "email", "address"))
    def register_view(self, request: HttpRequest) -> HttpResponse:
        if not permissions.can_register_request(request.user):
            raise Http404
        organisations = permissions.registrable_organisations(request.user)
        form = f.RegisterForm(request.POST or None, request.FILES or None, organisations=organisations)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                case, secret = services.request_register(
                    organisation=data["organisation"],
                    actor=request.user,
                    channel=data["channel"],
                    arrived_on=data["arrived_on"],
                    values=form.application,
                    files=data["files"],
                    note=data["note"],
                )
            except services.RequestError as exc:
                for name, errors in exc.fields.items():
                    if name in form.fields:
                        form.add_error(name, errors)
                problems = [p for n, ps in exc.fields.items() if n not in form.fields for p in ps] or (
                    [] if exc.fields else exc.problems
                )
            else:
                return self._page(
                    request,
                    "receipt.html",
                    {
                        "title": _("登记回执"),
                        "case": case,
                        "secret": secret,
                        "deadline": services.deadline_of(case),
                    },
                )
        status = 400 if request.method == "POST" else 200
        return self._page(
            request, "register.html", {"title": _("登记申请"), "form": form, "problems": problems}, status
        )

    def art44_view(self, request: HttpRequest) -> HttpResponse:
        if not permissions.can_view_art44(request.user):
            raise Http404
        scope = InformationRequest.objects.filter(organisation__in=permissions.art44_organisations(request.user))
        clusters = art44_clusters(scope)
        if request.method == "POST":
            form = f.Art44ProposeForm(request.POST)
            cluster = next((c for c in clusters if form.is_valid() and c.key == form.cleaned_data["cluster"]), None)
            if cluster is None:
                messages.error(request, _("这组申请已有变化，请刷新后重试。"))
            else:
                try:
                    messages.success(
                        request,
                        services.art44_propose(cluster=cluster, actor=request.user, note=form.cleaned_data["note"]),
                    )
                except services.RequestError as exc:
                    for problem in exc.problems:
                        messages.error(request, problem)
            return HttpResponseRedirect(reverse("admin:requests_app_informationrequest_art44"))
        rows = [(c, permissions.can_propose_art44(request.user, c.organisation)) for c in clusters]
        return self._page(request, "art44.html", {"title": _("重复申请与转为主动公开（第四十四条）"), "rows": rows})


def _contact(case: InformationRequest, show: bool) -> dict[str, str]:
    if show:
        return {"id_number": case.id_number, "phone": case.phone, "email": case.email, "address": case.address}
    return {
        "id_number": mask_identity(case.id_number),
        "phone": mask_phone(case.phone),
        "email": mask_email(case.email),
        "address": mask_text(case.address),
    }


def _preview(case: InformationRequest, values: dict, *, show_personal: bool) -> FormalLetter:
    """The letter the reply would issue, from the form as typed: the body, the remedy for the chosen outcome and
    the number the next reply would take (another reply in between may take it first)."""
    outcome = values["outcome"] or Outcome.OTHER
    name = applicant_name_shown(case, full=show_personal)
    return FormalLetter(
        issuer=case.organisation.name,
        number=upcoming_reply_number(case.organisation, (values["on"] or timezone.localdate()).year),
        addressee=name,
        paragraphs=[line.strip() for line in (values["letter"] or "").splitlines() if line.strip()],
        remedy=remedy_text(case, outcome=outcome),
        signed_on=values["on"] or timezone.localdate(),
        tracking_code=case.tracking_code,
        attachments=[upload.name for upload in values.get("files") or []],
    )


def _with_draft(form: f.ReplyForm, case: InformationRequest, withheld: list[dict]) -> f.ReplyForm:
    """The same form, its letter replaced by the template's draft for the chosen outcome."""
    values = form.cleaned_data
    document_url = ""
    if case.linked_document_id and case.linked_document.is_public:
        document_url = settings.GOVOPEN_SITE_URL + reverse("disclosure:document", args=case.linked_document.index_path)
    letter = draft_letter(
        case,
        outcome=values["outcome"] or Outcome.OTHER,
        withheld_parts=withheld,
        referral_organisation=values["referral_organisation"],
        referral_contact=values["referral_contact"],
        document_url=document_url,
    )
    data = form.data.copy()
    data["letter"] = letter
    return f.ReplyForm(data)


@admin.register(ReviewCase)
class ReviewCaseAdmin(PolicyAdmin):
    """行政复议 and 行政诉讼 records (R29), listed here for Table 四. About a reply they are entered from the case
    page; one about a failure to reply or another act of an organisation can be added here, with or without a
    case. Every save goes through ``review_case_save``."""

    list_display = [
        "organisation",
        "subject",
        "request",
        "kind",
        "after_review",
        "filed_on",
        "authority",
        "case_number",
        "result",
        "concluded_on",
    ]
    list_filter = ["kind", "subject", "result", "after_review", "organisation"]
    list_select_related = ["request", "organisation"]
    search_fields = ["case_number", "request__tracking_code", "authority"]
    fields = [
        "organisation",
        "request",
        "subject",
        "kind",
        "after_review",
        "filed_on",
        "authority",
        "case_number",
        "result",
        "concluded_on",
        "note",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["organisation", "request"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "request":
            kwargs["queryset"] = permissions.review_recordable_requests(request.user).order_by("-submitted_at")
            kwargs["help_text"] = _(
                "针对答复或未按期答复的，选择所涉申请（被申请机关随申请确定）；针对其他行为的可不选。"
            )
        if db_field.name == "organisation":
            kwargs["queryset"] = permissions.registrable_organisations(request.user)
            kwargs["required"] = False
            kwargs["help_text"] = _("选择了申请的，可以不填。")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)

        class Checked(base):
            def clean(self) -> dict:
                cleaned = super().clean()
                case = self.instance
                # The model form copies the values onto the record only after clean(); the checks need them now.
                for name, value in cleaned.items():
                    if name not in ("request", "organisation"):
                        setattr(case, name, value)
                if case.pk is None:
                    case.request = cleaned.get("request")
                    if case.request is not None:
                        case.organisation = case.request.organisation
                    elif cleaned.get("organisation") is not None:
                        case.organisation = cleaned["organisation"]
                    else:
                        self.add_error("organisation", _("请选择被申请机关。"))
                        return cleaned
                for problem in services.review_case_problems(case):
                    self.add_error(None, problem)
                return cleaned

            def _post_clean(self) -> None:
                # The organisation is filled from the case in clean(); the model check must not see it as missing.
                if self.instance.organisation_id is not None:
                    self.cleaned_data.pop("organisation", None)
                super()._post_clean()

        return Checked

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(
            Q(request__in=permissions.viewable_requests(request.user))
            | Q(organisation__in=permissions.registrable_organisations(request.user))
        )

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or permissions.viewable_requests(request.user).exists()
        if obj.request_id:
            return permissions.can_view_request(request.user, obj.request)
        return permissions.registrable_organisations(request.user).filter(pk=obj.organisation_id).exists()

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_register_request(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.can_register_request(request.user)
        if obj.request_id:
            return permissions.can_record_review(request.user, obj.request)
        return permissions.registrable_organisations(request.user).filter(pk=obj.organisation_id).exists()

    def save_model(self, request: HttpRequest, obj: ReviewCase, form: Any, change: bool) -> None:
        services.review_case_save(case=obj, actor=request.user)


# --- Reply letter templates -----------------------------------------------------------------------------------------


class _PlaceholderHelp:
    """The placeholders and the built-in wording, shown beside the template editor."""

    @staticmethod
    def context(kind: str | None) -> dict:
        return {
            "placeholders": sorted(PLACEHOLDERS.items(), key=lambda item: list(PLACEHOLDERS).index(item[0])),
            "default_text": DEFAULT_TEMPLATES.get(kind, "") if kind else "",
        }


@admin.register(LetterTemplate)
class LetterTemplateAdmin(PolicyAdmin):
    """The office's wording of the 答复书, per outcome and for the remedy paragraph, for all organisations or one.
    Saved and deleted through ``letter_template_save`` / ``letter_template_delete``; the preview button shows the
    whole letter on a sample case (a natural person and an organisation) before anything is saved."""

    list_display = ["kind_label", "scope", "updated_by", "updated_at"]
    list_filter = ["kind", "organisation"]
    list_select_related = ["organisation", "updated_by"]
    fields = ["organisation", "kind", "body"]
    change_form_template = "admin/requests_app/lettertemplate/change_form.html"
    change_list_template = "admin/requests_app/lettertemplate/change_list.html"
    actions = None

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=gettext_lazy("答复书类型"), ordering="kind")
    def kind_label(self, obj: LetterTemplate) -> str:
        return obj.get_kind_display()

    @admin.display(description=gettext_lazy("适用机构"), ordering="organisation")
    def scope(self, obj: LetterTemplate) -> str:
        return obj.organisation.name if obj.organisation_id else _("全部机构")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "body":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 12, "cols": 90})
            kwargs["help_text"] = _("用花括号写占位符，例如 {收到日期}；可用的占位符见下方。每一行是答复书中的一段。")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        kind = request.GET.get("kind", "")
        if kind in LetterKind.values:
            initial.setdefault("body", DEFAULT_TEMPLATES[kind])
        return initial

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)

        class Checked(base):
            def clean(self) -> dict:
                cleaned = super().clean()
                template = LetterTemplate(
                    pk=self.instance.pk,
                    organisation=cleaned.get("organisation"),
                    kind=cleaned.get("kind") or "",
                    body=cleaned.get("body") or "",
                )
                for problem in services.letter_template_problems(template):
                    self.add_error(None, problem)
                return cleaned

        return Checked

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        kind = request.POST.get("kind") or request.GET.get("kind")
        if object_id and not kind:
            kind = LetterTemplate.objects.filter(pk=object_id).values_list("kind", flat=True).first()
        extra = {**(extra_context or {}), **_PlaceholderHelp.context(kind)}
        return super().changeform_view(request, object_id, form_url, extra)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        customised = {(kind, org) for kind, org in LetterTemplate.objects.values_list("kind", "organisation_id")}
        kinds = [(kind, kind.label, (kind.value, None) in customised) for kind in LetterKind]
        extra = {
            **(extra_context or {}),
            "kinds": kinds,
            "may_edit": permissions.can_edit_letter_templates(request.user),
        }
        return super().changelist_view(request, extra)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="requests_app_lettertemplate_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The letters a template would give, as typed in the editor (POST) or as saved (GET ?id=), not saved."""
        if not self.policy_view(request, None):
            raise Http404
        if request.method == "POST":
            data = request.POST
        else:
            raw = request.GET.get("id", "")
            if not raw.isdigit() or len(raw) > 12:
                raise Http404
            saved = get_object_or_404(self.get_queryset(request), pk=int(raw))
            data = {"kind": saved.kind, "organisation": saved.organisation_id or "", "body": saved.body}
        kind = data.get("kind", "")
        organisation_id = str(data.get("organisation") or "")
        problems: list[str] = []
        if kind not in LetterKind.values:
            problems.append(_("请选择答复书类型。"))
        organisations = Organisation.objects.order_by("sort_order", "name")
        organisation = organisations.filter(pk=organisation_id).first() if organisation_id.isdigit() else None
        organisation = organisation or organisations.first()
        if organisation is None:
            problems.append(_("还没有机构，无法预览。"))
        template = LetterTemplate(kind=kind, body=data.get("body", ""), organisation=organisation)
        if not problems:
            problems = services.letter_template_problems(template, for_preview=True)
        letters = []
        if not problems:
            letters = [
                preview_letter(kind, template.body, Sample(organisation, applicant_type=applicant_type))
                for applicant_type in (ApplicantType.NATURAL, ApplicantType.BUSINESS)
            ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("答复书模板预览：%(kind)s")
            % {"kind": LetterKind(kind).label if kind in LetterKind.values else "—"},
            "letters": letters,
            "problems": problems,
            "organisation": organisation,
        }
        return TemplateResponse(
            request, "admin/requests_app/lettertemplate/preview.html", context, status=400 if problems else 200
        )

    def save_model(self, request: HttpRequest, obj: LetterTemplate, form: Any, change: bool) -> None:
        services.letter_template_save(template=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: LetterTemplate) -> None:
        services.letter_template_delete(template=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for template in queryset:
            services.letter_template_delete(template=template, actor=request.user)

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_letter_templates(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.can_view_letter_templates(request.user)
        return permissions.viewable_letter_templates(request.user).filter(pk=obj.pk).exists()

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_letter_templates(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_letter_templates(request.user)

    def policy_delete(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_letter_templates(request.user)
