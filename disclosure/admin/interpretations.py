"""The staff side of policy interpretations 政策解读 (R15–R17): drafting with media and Q&A, and, for a policy already
published, their own submit / review / withdraw. Before that they travel with the policy (see the document admin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.permissions import is_disclosure_office, viewable_organisations
from core.admin_base import PolicyAdmin, UserFormAdmin
from disclosure import permissions
from disclosure.bundle import material_problems
from disclosure.content import MEDIA_TYPES
from disclosure.fields import MultipleFileField
from disclosure.interpretations import (
    EDITABLE_FIELDS,
    interpretation_approve,
    interpretation_available_actions,
    interpretation_create,
    interpretation_media_add,
    interpretation_parts_save,
    interpretation_return,
    interpretation_submit,
    interpretation_update,
    interpretation_withdraw,
)
from disclosure.models import Interpretation, InterpretationMedia, InterpretationQuestion
from disclosure.services import DocumentError


class InterpretationAdminForm(forms.ModelForm):
    new_media = MultipleFileField(
        label=gettext_lazy("上传图片、音频、视频"),
        required=False,
        types=MEDIA_TYPES,
        help_text=gettext_lazy(
            "可多选：JPG、PNG、GIF、MP3、M4A、MP4、WEBM、PDF、TXT。上传后请在下方为每个文件填写文字说明。"
        ),
    )
    new_media_alt = forms.CharField(
        label=gettext_lazy("新文件的文字说明"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("图片的替代文字或音视频的内容简介，供读屏软件使用（无障碍）。"),
    )

    class Meta:
        model = Interpretation
        fields = ("policy", *EDITABLE_FIELDS)
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14, "cols": 90}),
            "form": forms.RadioSelect,
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_media"].limit = settings.GOVOPEN_MEDIA_MAX_BYTES
        if "policy" in self.fields:
            self.fields["policy"].queryset = permissions.interpretable_policies(user).order_by("-created_at")
            self.fields["policy"].help_text = _("谁起草谁解读：只能解读本机构起草的政策性文件。")

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in EDITABLE_FIELDS}


class QuestionInline(admin.TabularInline):
    model = InterpretationQuestion
    fields = ("question", "answer", "sort_order")
    extra = 1
    formfield_overrides = {}

    def _editable(self, request: HttpRequest, obj: Any) -> bool:
        return obj is None or permissions.can_edit_interpretation(request.user, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)


class MediaInline(QuestionInline):
    model = InterpretationMedia
    fields = ("kind", "name", "alt_text", "sort_order")
    readonly_fields = ("kind", "name")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # files come through the upload field, which checks them


class ActionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核意见"),
        widget=forms.RadioSelect,
        choices=[("approve", gettext_lazy("同意并发布")), ("return", gettext_lazy("退回拟稿人"))],
    )
    confidentiality_checked = forms.BooleanField(
        label=gettext_lazy("已完成保密审查（《条例》第十七条）"), required=False
    )
    reason = forms.CharField(label=gettext_lazy("退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def interpretation_badge(obj: Interpretation) -> str:
    return format_html('<span class="badge badge-{}">{}</span>', obj.status, obj.get_status_display())


@admin.register(Interpretation)
class InterpretationAdmin(UserFormAdmin, PolicyAdmin):
    form = InterpretationAdminForm
    inlines = [QuestionInline, MediaInline]
    change_form_template = "admin/disclosure/interpretation/change_form.html"
    list_display = ["title", "policy", "form", "organisation", "badge", "published_at"]
    list_filter = ["status", "form", "organisation"]
    search_fields = ["title", "policy__title", "speaker"]
    list_select_related = ["policy", "organisation"]

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def badge(self, obj: Interpretation) -> str:
        return interpretation_badge(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Interpretation | None = None) -> tuple:
        return ("policy",) if obj is not None else ()

    def get_fieldsets(self, request: HttpRequest, obj: Interpretation | None = None) -> list:
        editable = obj is None or self.policy_change(request, obj)
        media = ["new_media", "new_media_alt"] if editable else []
        return [
            (_("所解读的政策"), {"fields": ["policy"]}),
            (_("解读材料"), {"fields": ["title", "form", "speaker", "summary", "body", "link", *media]}),
        ]

    # Policies
    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_interpretations(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or viewable_organisations(request.user).exists()
        return permissions.can_view_interpretation(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.interpretable_policies(request.user).exists()

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.editable_interpretations(request.user).exists()
        return permissions.can_edit_interpretation(request.user, obj)

    # Writes through the services
    def save_model(self, request: HttpRequest, obj: Interpretation, form: Any, change: bool) -> None:
        if change:
            saved = interpretation_update(interpretation=obj, actor=request.user, changes=form.changes())
        else:
            saved = interpretation_create(
                policy=form.cleaned_data["policy"], actor=request.user, changes=form.changes()
            )
        form.instance = saved
        # The admin goes on with ``obj`` (redirects, permission checks): give it what the service decided.
        obj.pk, obj.organisation_id, obj.status, obj.policy_id = (
            saved.pk,
            saved.organisation_id,
            saved.status,
            saved.policy_id,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        interpretation = form.instance
        questions: list[dict[str, Any]] = []
        media_texts: dict[int, dict[str, Any]] = {}
        removed: list[int] = []
        for formset in formsets:
            for item in formset.forms:
                data = getattr(item, "cleaned_data", None) or {}
                deleting = data.get("DELETE")
                if formset.model is InterpretationQuestion:
                    if data and not deleting:
                        questions.append(data)
                elif item.instance.pk:
                    (removed.append(item.instance.pk) if deleting else media_texts.__setitem__(item.instance.pk, data))
        interpretation_parts_save(
            interpretation=interpretation,
            actor=request.user,
            questions=questions,
            media_texts=media_texts,
            media_removed=removed,
        )
        for upload in form.cleaned_data.get("new_media") or []:
            interpretation_media_add(
                interpretation=interpretation,
                actor=request.user,
                upload=upload,
                alt_text=form.cleaned_data.get("new_media_alt") or "",
            )

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any, add: bool = False) -> list:
        # The inline rows are saved by the service, not by the formsets; the event table records what changed.
        return super().construct_change_message(request, form, None, add)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DocumentError as exc:  # a rule the form could not know (R15), reported on the page
            for problem in exc.problems:
                messages.error(request, problem)
            target = request.path
            return HttpResponseRedirect(target)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        interpretation = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if interpretation is not None:
            actions = interpretation_available_actions(interpretation, request.user)
            extra.update(
                interpretation=interpretation,
                missing=material_problems(interpretation) if interpretation.status != "published" else [],
                may_submit="submit" in actions,
                may_review="review" in actions,
                may_withdraw="withdraw" in actions,
                events=interpretation.events.select_related("actor").order_by("at", "pk"),
            )
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/do/submit/", view(self.submit_view), name="disclosure_interpretation_submit"),
            path("<int:pk>/do/review/", view(self.review_view), name="disclosure_interpretation_review"),
            path("<int:pk>/do/withdraw/", view(self.withdraw_view), name="disclosure_interpretation_withdraw"),
            *super().get_urls(),
        ]

    def _get(self, request: HttpRequest, pk: int) -> Interpretation:
        interpretation = get_object_or_404(Interpretation.objects.select_related("policy", "organisation"), pk=pk)
        if not permissions.can_view_interpretation(request.user, interpretation):
            raise Http404
        return interpretation

    def _back(self, interpretation: Interpretation) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:disclosure_interpretation_change", args=[interpretation.pk]))

    def _page(
        self, request: HttpRequest, interpretation: Interpretation, form: forms.Form, title: str, problems: list[str]
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "back_label": interpretation.title,
            "back_url": reverse("admin:disclosure_interpretation_change", args=[interpretation.pk]),
            "intro": _("所解读的政策：%(policy)s") % {"policy": interpretation.policy.title},
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/govopen/action.html", context, status=status)

    def submit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        interpretation = self._get(request, pk)
        if request.method != "POST" or "submit" not in interpretation_available_actions(interpretation, request.user):
            raise Http404
        try:
            interpretation_submit(interpretation=interpretation, actor=request.user)
            messages.success(request, _("已提交审核。"))
        except DocumentError as exc:
            for problem in exc.problems:
                messages.error(request, problem)
        return self._back(interpretation)

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        interpretation = self._get(request, pk)
        if "review" not in interpretation_available_actions(interpretation, request.user):
            raise Http404
        form = ReviewForm(request.POST or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    interpretation_approve(
                        interpretation=interpretation,
                        actor=request.user,
                        confidentiality_checked=data["confidentiality_checked"],
                    )
                    messages.success(request, _("解读已审定并发布，与政策文件互相链接。"))
                else:
                    interpretation_return(interpretation=interpretation, actor=request.user, reason=data["reason"])
                    messages.success(request, _("已退回拟稿人。"))
                return self._back(interpretation)
            except DocumentError as exc:
                problems = exc.problems
        return self._page(request, interpretation, form, _("审核解读"), problems)

    def withdraw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        interpretation = self._get(request, pk)
        if "withdraw" not in interpretation_available_actions(interpretation, request.user):
            raise Http404
        form = ActionForm(request.POST or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                interpretation_withdraw(
                    interpretation=interpretation, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("解读已撤回。"))
                return self._back(interpretation)
            except DocumentError as exc:
                problems = exc.problems
        return self._page(request, interpretation, form, _("撤回解读"), problems)
