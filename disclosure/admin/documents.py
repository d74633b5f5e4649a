"""The staff side of documents: drafting, the review queue, approve / return / withdraw, and the timeline (R6–R14).

Every state change goes through ``disclosure.services``; permissions come from ``disclosure.permissions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CatalogueNode
from catalog.permissions import catalogue_editable_organisations, is_disclosure_office, viewable_organisations
from core.admin_base import PolicyAdmin, UserFormAdmin
from disclosure import permissions
from disclosure.bundle import needs_interpretation, policy_problems
from disclosure.content import body_for_editing, sanitise_body
from disclosure.fields import MultipleFileField
from disclosure.grounds import Ground
from disclosure.interpretations import interpretation_plan_save
from disclosure.models import (
    Attachment,
    Document,
    DocumentEvent,
    InterpretationForm,
    InterpretationPlan,
    NegativeListEntry,
    ReviewItem,
    ValidityProposal,
)
from disclosure.services import (
    DocumentError,
    attachment_add,
    attachment_remove,
    document_approve,
    document_available_actions,
    document_check,
    document_create,
    document_interpretation_waive,
    document_interpretation_waive_problems,
    document_rereview,
    document_return,
    document_scan,
    document_submit,
    document_update,
    document_validity_propose,
    document_validity_set,
    document_withdraw,
    negative_list_entry_save,
    validity_proposal_approve,
    validity_proposal_return,
)
from disclosure.timeline import document_timeline

Status = Document.Status


def status_badge(document: Document) -> str:
    return format_html('<span class="badge badge-{}">{}</span>', document.status, document.get_status_display())


def waiting_time(since: dt.datetime | None) -> str:
    if since is None:
        return "—"
    delta = timezone.now() - since
    days, hours = delta.days, delta.seconds // 3600
    return _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours} if days else _("%(h)s 小时") % {"h": hours}


# --- Forms -------------------------------------------------------------------------------------------------------------


DOCUMENT_FIELDS = (
    "title",
    "document_number",
    "issuer",
    "written_on",
    "keywords",
    "summary",
    "topic",
    "catalogue_nodes",
    "body",
    "attribute",
    "ground",
    "reason",
    "negative_list_entry",
    "is_policy",
    "validity",
    "successor",
    "repealed_on",
    "legal_form",
    "decision_kind",
    "decision_count",
)


class DocumentForm(forms.ModelForm):
    new_attachments = MultipleFileField(
        label=gettext_lazy("上传附件"),
        required=False,
        help_text=gettext_lazy("可多选。PDF、DOCX、XLSX、DOC、XLS、WPS、OFD、ZIP、JPG、PNG、TXT，"),
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("删除附件"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Document
        fields = ("organisation", *DOCUMENT_FIELDS)
        widgets = {
            "attribute": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 18, "cols": 90}),
            "reason": forms.Textarea(attrs={"rows": 3, "cols": 90}),
            "written_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "repealed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if "body" in self.fields and self.instance.pk and not self.is_bound:
            self.initial["body"] = body_for_editing(self.instance.body)
        if "decision_count" in self.fields:
            self.fields["decision_count"].required = False  # empty means none; only a decision list needs it
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = permissions.creatable_organisations(user)
        organisations = (
            [self.instance.organisation_id] if self.instance.pk else permissions.creatable_organisations(user)
        )
        if "catalogue_nodes" in self.fields:
            self.fields["catalogue_nodes"].queryset = CatalogueNode.objects.filter(
                organisation__in=organisations, is_active=True
            ).select_related("parent")
            self.fields["catalogue_nodes"].help_text = _("只能选择发布机构自己的目录事项。")
            self.fields["catalogue_nodes"].widget = forms.CheckboxSelectMultiple()
            self.fields["catalogue_nodes"].widget.choices = self.fields["catalogue_nodes"].choices
        if "negative_list_entry" in self.fields:
            self.fields["negative_list_entry"].queryset = NegativeListEntry.objects.filter(
                organisation__in=organisations, is_active=True
            )
        if "successor" in self.fields:
            self.fields["successor"].queryset = Document.objects.filter(
                organisation__in=organisations, status=Status.PUBLISHED
            ).exclude(pk=self.instance.pk)
        if "attribute" in self.fields:
            self.fields["attribute"].choices = [c for c in self.fields["attribute"].choices if c[0]]
            self.fields["attribute"].required = False
        self.fields["remove_attachments"].queryset = (
            self.instance.attachments.all() if self.instance.pk else Attachment.objects.none()
        )

    def clean_decision_count(self) -> int:
        return self.cleaned_data.get("decision_count") or 0

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in DOCUMENT_FIELDS if name != "catalogue_nodes"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organisation = cleaned.get("organisation") or (self.instance.organisation if self.instance.pk else None)
        if organisation is None:
            return cleaned
        try:
            document_check(
                document=self.instance if self.instance.pk else None,
                organisation=organisation,
                changes=self.changes(),
                catalogue_nodes=cleaned.get("catalogue_nodes") or [],
            )
        except DocumentError as exc:
            raise ValidationError(exc.problems) from exc
        return cleaned


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核意见"),
        widget=forms.RadioSelect,
        choices=[("approve", gettext_lazy("同意（确认公开属性）")), ("return", gettext_lazy("退回拟稿人"))],
    )
    confidentiality_checked = forms.BooleanField(
        label=gettext_lazy("已完成保密审查（《条例》第十七条）"), required=False
    )
    personal_data_note = forms.CharField(
        label=gettext_lazy("个人信息可以公开的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("仅在确有法定理由时填写，例如经本人同意或依法应当公开。"),
    )
    publish_at = forms.DateTimeField(
        label=gettext_lazy("定时发布时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("留空则审定后立即发布（仅主动公开文件）。"),
    )
    reason = forms.CharField(label=gettext_lazy("退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, allowed: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [c for c in self.fields["decision"].choices if c[0] in allowed]
        if allowed == {"return"}:
            self.fields["decision"].initial = "return"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤回理由"), widget=forms.Textarea(attrs={"rows": 4}))


class PlanForm(forms.ModelForm):
    """解读方案 (R16): time, channels, forms, outline."""

    forms = forms.MultipleChoiceField(
        label=gettext_lazy("解读形式"),
        choices=InterpretationForm.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = InterpretationPlan
        fields = ("planned_on", "channels", "forms", "outline")
        widgets = {
            "planned_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "channels": forms.Textarea(attrs={"rows": 2, "cols": 80}),
            "outline": forms.Textarea(attrs={"rows": 8, "cols": 80}),
        }


def bundle_context(document: Document, user: Any, *, show_material: bool) -> dict[str, Any]:
    """What the change page and the review page show of a policy's plan and interpretations (R16)."""
    waived = bool(document.interpretation_waiver)
    if not document.is_policy or not (needs_interpretation(document) or waived):
        return {}
    open_statuses = (Status.DRAFT, Status.RETURNED, Status.IN_REVIEW)
    return {
        "bundle": True,
        "plan": InterpretationPlan.objects.filter(policy=document).first(),
        "interpretations": list(document.interpretations.prefetch_related("questions", "media").order_by("pk")),
        "bundle_problems": policy_problems(document) if document.status in open_statuses and not waived else [],
        "may_waive": not document_interpretation_waive_problems(document, user),
        "may_edit_plan": permissions.can_edit_document(user, document),
        "may_add_interpretation": permissions.can_create_interpretation(user, document),
        "show_material": show_material,
    }


class WaiveForm(forms.Form):
    """R16: the office lets one policy go without its 三同步 interpretation."""

    reason = forms.CharField(
        label=gettext_lazy("免于同步解读的理由"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=gettext_lazy("例如：仅作文字性、技术性修改，内容未作实质调整。理由将记入文件操作记录。"),
    )


class RereviewForm(forms.Form):
    """R11: the yearly re-review of a withheld document."""

    attribute = forms.ChoiceField(
        label=gettext_lazy("复核结论"),
        widget=forms.RadioSelect,
        choices=[
            ("keep", gettext_lazy("不予公开的理由仍然存在，维持不予公开")),
            (Document.Attribute.PROACTIVE, gettext_lazy("理由已消失，转为主动公开（送审核人审定）")),
            (Document.Attribute.ON_REQUEST, gettext_lazy("理由已消失，转为依申请公开（送审核人审定）")),
        ],
    )
    ground = forms.ChoiceField(
        label=gettext_lazy("依申请公开的法定理由"), required=False, choices=[("", "—"), *Ground.choices]
    )
    reason = forms.CharField(
        label=gettext_lazy("依申请公开的理由说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=gettext_lazy("复核意见"), widget=forms.Textarea(attrs={"rows": 4}))


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(label=gettext_lazy("有效性"), choices=Document.Validity.choices)
    successor = forms.ModelChoiceField(
        label=gettext_lazy("修订后的文件"), queryset=Document.objects.none(), required=False
    )
    repealed_on = forms.DateField(
        label=gettext_lazy("废止（失效）日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = Document.objects.filter(
            organisation=document.organisation, status=Status.PUBLISHED
        ).exclude(pk=document.pk)


class ValidityProposalForm(ValidityForm):
    reason = forms.CharField(
        label=gettext_lazy("申请理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如废止的依据（文号）、修订后的文件名称；审核人批准后才生效。"),
    )


class ValidityDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核结果"),
        choices=[("approve", gettext_lazy("批准，立即生效")), ("return", gettext_lazy("退回申请"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("退回时必填。"),
    )


# --- Documents ---------------------------------------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(UserFormAdmin, PolicyAdmin):
    form = DocumentForm
    change_form_template = "admin/disclosure/document/change_form.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    list_display = ["index_no", "title", "organisation", "badge", "attribute", "updated_at"]
    list_filter = ["status", "attribute", "organisation", "validity", "is_policy"]
    search_fields = ["title", "index_no", "document_number"]
    list_select_related = ["organisation"]
    ordering = ["-updated_at"]

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def badge(self, obj: Document) -> str:
        return status_badge(obj)

    @admin.display(description=gettext_lazy("状态"))
    def status_display(self, obj: Document) -> str:
        return status_badge(obj)

    @admin.display(description=gettext_lazy("现有附件"))
    def attachment_links(self, obj: Document) -> str:
        # Each name is escaped once by format_html_join; the joined rows are never passed through str.format again,
        # where a name such as "brace{0}.pdf" would be read as a placeholder (and answer 500 for good).
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>（{} KB）</li>',
            (
                (reverse("admin:disclosure_document_attachment", args=[obj.pk, a.pk]), a.name, max(1, a.size // 1024))
                for a in obj.attachments.all()
            ),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "—"

    def get_fieldsets(self, request: HttpRequest, obj: Document | None = None) -> list:
        editable = obj is None or self.policy_change(request, obj)
        first = ["organisation"] if obj is None else ["index_no", "status_display", "organisation"]
        if obj is not None and obj.return_reason and obj.status == Status.RETURNED:
            first.append("return_reason")
        files = ["attachment_links", "new_attachments", "remove_attachments"] if editable else ["attachment_links"]
        if obj is None:
            files = ["new_attachments"]
        return [
            (
                _("基本信息"),
                {
                    "fields": first
                    + [
                        "title",
                        "document_number",
                        "issuer",
                        "written_on",
                        "topic",
                        "keywords",
                        "summary",
                        "is_policy",
                    ]
                },
            ),
            (_("公开属性"), {"fields": ["attribute", "ground", "reason", "negative_list_entry"]}),
            (_("目录"), {"fields": ["catalogue_nodes"]}),
            (_("正文"), {"fields": ["body" if editable else "body_display"]}),
            (_("附件"), {"fields": files}),
            (_("有效性"), {"fields": ["validity", "successor", "repealed_on"], "classes": ["collapse"]}),
            (_("年度报告统计（表二）"), {"fields": ["legal_form", "decision_kind", "decision_count"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Document | None = None) -> tuple:
        if obj is not None and obj.pk and obj.organisation_id:
            return ("index_no", "status_display", "return_reason", "attachment_links", "organisation", "body_display")
        return ("index_no", "status_display", "return_reason", "attachment_links", "body_display")

    @admin.display(description=gettext_lazy("正文"))
    def body_display(self, obj: Document) -> str:
        """The body as the public page lays it out (it is sanitised again here: nothing but structural tags)."""
        return format_html('<div class="doc-body-preview">{}</div>', mark_safe(sanitise_body(obj.body)))

    # Policies
    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_documents(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or viewable_organisations(request.user).exists()
        return permissions.can_view_document(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_create_document(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.editable_documents(request.user).exists()
        return permissions.can_edit_document(request.user, obj)

    # Writes go through the services
    def save_model(self, request: HttpRequest, obj: Document, form: DocumentForm, change: bool) -> None:
        nodes = form.cleaned_data.get("catalogue_nodes") or []
        if change:
            saved = document_update(document=obj, actor=request.user, changes=form.changes(), catalogue_nodes=nodes)
        else:
            saved = document_create(
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                changes=form.changes(),
                catalogue_nodes=nodes,
            )
        form.instance = saved
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: DocumentForm, formsets: Any, change: bool) -> None:
        document = form.instance
        for attachment in form.cleaned_data.get("remove_attachments") or []:
            attachment_remove(attachment=attachment, actor=request.user)
        for upload in form.cleaned_data.get("new_attachments") or []:
            attachment_add(document=document, actor=request.user, upload=upload)

    # Pages of their own
    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/submit/", view(self.submit_view), name="disclosure_document_submit"),
            path("<int:pk>/review/", view(self.review_view), name="disclosure_document_review"),
            path("<int:pk>/withdraw/", view(self.withdraw_view), name="disclosure_document_withdraw"),
            path("<int:pk>/validity/", view(self.validity_view), name="disclosure_document_validity"),
            path("<int:pk>/rereview/", view(self.rereview_view), name="disclosure_document_rereview"),
            path("<int:pk>/plan/", view(self.plan_view), name="disclosure_document_plan"),
            path("<int:pk>/waive/", view(self.waive_view), name="disclosure_document_waive"),
            path(
                "<int:pk>/attachments/<int:attachment_id>/",
                view(self.attachment_view),
                name="disclosure_document_attachment",
            ),
            *super().get_urls(),
        ]

    def _document(self, request: HttpRequest, pk: int) -> Document:
        document = get_object_or_404(Document.objects.select_related("organisation", "drafter"), pk=pk)
        if not permissions.can_view_document(request.user, document):
            raise Http404
        return document

    def _back(self, document: Document) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:disclosure_document_change", args=[document.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        document = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if document is not None and permissions.can_view_document(request.user, document):
            user = request.user
            actions = document_available_actions(document, user)
            extra.update(
                document=document,
                timeline=document_timeline(document),
                may_submit="submit" in actions,
                may_review=bool(actions & {"approve", "return"}),
                may_withdraw="withdraw" in actions,
                may_set_validity="set_validity" in actions,
                may_propose_validity="propose_validity" in actions,
                validity_pending=document.validity_proposals.filter(outcome=ValidityProposal.Outcome.PENDING).exists(),
                may_rereview="rereview" in actions,
                public_url=reverse("disclosure:document", args=document.index_path) if document.is_public else "",
                **bundle_context(document, user, show_material=False),
            )
        return super().change_view(request, object_id, form_url, extra)

    def submit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        if request.method != "POST" or "submit" not in document_available_actions(document, request.user):
            raise Http404
        try:
            document_submit(document=document, actor=request.user)
        except DocumentError as exc:
            for problem in exc.problems:
                messages.error(request, problem)
            return self._back(document)
        messages.success(request, _("已提交审核，等待审核人确认公开属性。"))
        return self._back(document)

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        allowed = set(document_available_actions(document, request.user) & {"approve", "return"})
        if not allowed:
            raise Http404
        form = ReviewForm(request.POST or None, allowed=allowed)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    document = document_approve(
                        document=document,
                        actor=request.user,
                        confidentiality_checked=data["confidentiality_checked"],
                        personal_data_note=data["personal_data_note"],
                        publish_at=data["publish_at"],
                    )
                    messages.success(request, _("已审定：%(state)s。") % {"state": document.get_status_display()})
                else:
                    document_return(document=document, actor=request.user, reason=data["reason"])
                    messages.success(request, _("已退回拟稿人。"))
                return HttpResponseRedirect(reverse("admin:disclosure_reviewitem_changelist"))
            except DocumentError as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "title": _("审核：%(title)s") % {"title": document.title},
            "opts": self.model._meta,
            "document": document,
            "form": form,
            "problems": problems,
            "findings": document_scan(document),
            "attachments": document.attachments.all(),
            "timeline": document_timeline(document),
            **bundle_context(document, request.user, show_material=True),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/disclosure/document/review.html", context, status=status)

    def plan_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """解读方案 of a policy (R16), written while the policy can be edited."""
        document = self._document(request, pk)
        if not document.is_policy or not permissions.can_edit_document(request.user, document):
            raise Http404
        plan = InterpretationPlan.objects.filter(policy=document).first() or InterpretationPlan(policy=document)
        form = PlanForm(request.POST or None, instance=plan)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                interpretation_plan_save(policy=document, actor=request.user, changes=form.cleaned_data)
                messages.success(request, _("解读方案已保存。"))
                return self._back(document)
            except DocumentError as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "title": _("解读方案"),
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "back_url": reverse("admin:disclosure_document_change", args=[document.pk]),
            "back_label": document.title,
            "intro": _("政策性文件须与解读方案、解读材料一并报送审核（三同步）。"),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/govopen/action.html", context, status=status)

    def _reason_page(
        self,
        request: HttpRequest,
        document: Document,
        form: forms.Form | None,
        title: str,
        problems: list[str],
        status: int,
        *,
        intro: list[str] | None = None,
        submit_label: str = "",
    ) -> HttpResponse:
        subject = f"{document.index_no} · {document.organisation.name} · {document.get_status_display()}"
        if document.status == Status.PUBLISHED:
            subject += f" · {_('当前有效性')}：{document.get_validity_display()}"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "document": document,
            "form": form,
            "problems": problems,
            "subject": subject,
            "intro_lines": intro or [],
            "submit_label": submit_label,
            "back_url": reverse("admin:disclosure_document_change", args=[document.pk]),
            "back_label": document.title,
        }
        return TemplateResponse(request, "admin/govopen/action.html", context, status=status)

    def _form_action(
        self,
        request: HttpRequest,
        document: Document,
        form: forms.Form,
        *,
        run: Callable[[dict], Any],
        done: str,
        title: str,
        intro: list[str] | None = None,
        submit_label: str = "",
    ) -> HttpResponse:
        """One reason-style page: a valid POST runs the service and goes back to the document; a refusal shows the
        service's problems beside what was typed (400)."""
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                run(form.cleaned_data)
                messages.success(request, done)
                return self._back(document)
            except DocumentError as exc:
                problems = exc.problems
        status = 400 if request.method == "POST" else 200
        return self._reason_page(
            request, document, form, title, problems, status, intro=intro, submit_label=submit_label
        )

    def withdraw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        if "withdraw" not in document_available_actions(document, request.user):
            raise Http404
        return self._form_action(
            request,
            document,
            ReasonForm(request.POST or None),
            run=lambda data: document_withdraw(document=document, actor=request.user, reason=data["reason"]),
            done=_("已撤回，公众将无法再访问该文件。"),
            title=_("撤回：%(t)s") % {"t": document.title},
        )

    def validity_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """有效性 (R12): the reviewer or the office decides a drafter's pending request, or sets it themselves; a
        drafter asks, and nothing changes on the public page until it is approved."""
        document = self._document(request, pk)
        user = request.user
        pending = (
            document.validity_proposals.filter(outcome=ValidityProposal.Outcome.PENDING)
            .select_related("proposed_by", "successor")
            .first()
        )
        title = _("有效性：%(t)s") % {"t": document.title}
        if pending is not None and permissions.can_decide_validity_proposal(user, pending):

            def decide(data: dict) -> Any:
                if data["decision"] == "approve":
                    return validity_proposal_approve(proposal=pending, actor=user, note=data["note"])
                return validity_proposal_return(proposal=pending, actor=user, note=data["note"])

            return self._form_action(
                request,
                document,
                ValidityDecisionForm(request.POST or None),
                run=decide,
                done=_("已审核有效性变更申请。"),
                title=title,
                intro=self._proposal_lines(pending),
            )
        if pending is None and permissions.can_set_validity(user, document):
            initial = {
                "validity": document.validity,
                "successor": document.successor,
                "repealed_on": document.repealed_on,
            }
            return self._form_action(
                request,
                document,
                ValidityForm(request.POST or None, initial=initial, document=document),
                run=lambda data: document_validity_set(document=document, actor=user, **data),
                done=_("有效性已更新。"),
                title=title,
                intro=[_("变更后立即在公开页面生效，并记入网站存证日志。")],
            )
        if permissions.can_propose_validity(user, document) or (
            pending is not None and permissions.can_set_validity(user, document)
        ):
            if pending is not None:  # waiting for someone else's decision: say so, offer nothing to submit
                lines = [*self._proposal_lines(pending), _("审核人批准或退回之前，不能再提出新的申请。")]
                return self._reason_page(request, document, None, title, [], 200, intro=lines)
            return self._form_action(
                request,
                document,
                ValidityProposalForm(request.POST or None, document=document),
                run=lambda data: document_validity_propose(document=document, actor=user, **data),
                done=_("已提交有效性变更申请，审核人批准后生效。"),
                title=_("申请变更有效性：%(t)s") % {"t": document.title},
                intro=[_("废止、失效或修订改变公众可以依据的内容，须经本机构审核人或政务公开办批准后才生效。")],
                submit_label=_("提交申请"),
            )
        raise Http404

    @staticmethod
    def _proposal_lines(proposal: ValidityProposal) -> list[str]:
        change = str(proposal.get_validity_display())
        if proposal.successor is not None:
            change += _("（修订后的文件：%(t)s）") % {"t": proposal.successor.title}
        if proposal.repealed_on:
            change += _("（自 %(d)s 起）") % {"d": proposal.repealed_on.isoformat()}
        return [
            _("%(who)s 于 %(when)s 申请将有效性变更为：%(change)s")
            % {
                "who": proposal.proposed_by.get_full_name() or proposal.proposed_by.get_username(),
                "when": timezone.localtime(proposal.proposed_at).strftime("%Y-%m-%d %H:%M"),
                "change": change,
            },
            _("理由：%(r)s") % {"r": proposal.reason},
        ]

    def rereview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        if "rereview" not in document_available_actions(document, request.user):
            raise Http404
        return self._form_action(
            request,
            document,
            RereviewForm(request.POST or None),
            run=lambda data: document_rereview(document=document, actor=request.user, **data),
            done=_("年度复核已记录。"),
            title=_("不予公开年度复核：%(t)s") % {"t": document.title},
        )

    def waive_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self._document(request, pk)
        if "waive_interpretation" not in document_available_actions(document, request.user):
            raise Http404
        return self._form_action(
            request,
            document,
            WaiveForm(request.POST or None),
            run=lambda data: document_interpretation_waive(
                document=document, actor=request.user, reason=data["reason"]
            ),
            done=_("已批准该文件免于同步解读，理由已记录。"),
            title=_("免于同步解读：%(t)s") % {"t": document.title},
        )

    def attachment_view(self, request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
        document = self._document(request, pk)
        attachment = get_object_or_404(Attachment, pk=attachment_id, document=document)
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@admin.register(ReviewItem)
class ReviewQueueAdmin(PolicyAdmin):
    """Oldest first, with how long each has waited (R8)."""

    class Media:
        css = {"all": ["css/admin.css"]}

    list_display = ["title", "organisation", "attribute", "drafter", "submitted_at", "waiting", "review_link"]
    list_display_links = None
    list_filter = ["organisation", "attribute", "status"]
    list_select_related = ["organisation", "drafter"]
    ordering = ["submitted_at", "pk"]
    search_fields = ["title", "index_no"]

    @admin.display(description=gettext_lazy("已等待"))
    def waiting(self, obj: Document) -> str:
        return waiting_time(obj.submitted_at)

    @admin.display(description=gettext_lazy("操作"))
    def review_link(self, obj: Document) -> str:
        return format_html(
            '<a class="button" href="{}">{}</a>', reverse("admin:disclosure_document_review", args=[obj.pk]), _("审核")
        )

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.review_queue_documents(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return obj is None and permissions.can_view_review_queue(request.user)


@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(PolicyAdmin):
    list_display = ["matter", "organisation", "ground", "is_active"]
    list_filter = ["organisation", "ground", "is_active"]
    search_fields = ["matter", "basis"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = catalogue_editable_organisations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_negative_list(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or viewable_organisations(request.user).exists()
        return permissions.can_view_negative_list(request.user, obj.organisation)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_negative_list(request.user, None)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return self.policy_add(request)
        return permissions.can_edit_negative_list(request.user, obj.organisation)

    def save_model(self, request: HttpRequest, obj: NegativeListEntry, form: forms.Form, change: bool) -> None:
        negative_list_entry_save(entry=obj, actor=request.user)


@admin.register(DocumentEvent)
class DocumentEventAdmin(PolicyAdmin):
    list_display = ["at", "document", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]
    list_select_related = ["document", "actor"]

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(document__in=permissions.viewable_documents(request.user))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return is_disclosure_office(request.user)


@admin.register(ValidityProposal)
class ValidityProposalAdmin(PolicyAdmin):
    """Drafters' requests to change 有效性 (R12): each row leads to the document's page that decides it."""

    list_display = ["document_link", "validity", "proposed_by_name", "proposed_at", "outcome", "decided_at"]
    list_filter = ["outcome", "validity"]
    list_select_related = ["document", "proposed_by"]
    ordering = ["-proposed_at", "-pk"]

    @admin.display(description=gettext_lazy("文件"))
    def document_link(self, proposal: ValidityProposal) -> str:
        url = reverse("admin:disclosure_document_validity", args=[proposal.document_id])
        return format_html('<a href="{}">{}</a>', url, proposal.document.title)

    @admin.display(description=gettext_lazy("申请人"))
    def proposed_by_name(self, proposal: ValidityProposal) -> str:
        return proposal.proposed_by.get_full_name() or proposal.proposed_by.get_username()

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        mine = Q(proposed_by=request.user) | Q(document__in=permissions.validity_settable_documents(request.user))
        return queryset.filter(mine, document__in=permissions.viewable_documents(request.user))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.validity_settable_documents(request.user).exists() or (
                permissions.creatable_organisations(request.user).exists()
            )
        return self.policy_queryset(request, ValidityProposal.objects.filter(pk=obj.pk)).exists()
