"""The staff side of emergencies (R19): register the event, write updates, publish them against the clocks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.permissions import is_disclosure_office, viewable_organisations
from core.admin_base import PolicyAdmin, UserFormAdmin
from emergencies import permissions
from emergencies.clocks import emergency_clocks
from emergencies.models import Emergency, EmergencyUpdate
from emergencies.services import (
    EmergencyError,
    emergency_available_actions,
    emergency_edit,
    emergency_problems,
    emergency_register,
    update_available_actions,
    update_draft,
    update_edit,
    update_problems,
    update_publish,
)
from ops.clocks import remaining_text

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def local_datetime(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    """One local date-time input instead of the admin's split date and time."""
    return forms.DateTimeField(
        label=label, required=required, input_formats=DATETIME_FORMATS, widget=DATETIME, help_text=help_text
    )


EMERGENCY_FIELDS = ("title", "level", "category", "location", "started_at")


class EmergencyForm(forms.ModelForm):
    started_at = local_datetime(
        gettext_lazy("事发时间"),
        help_text=gettext_lazy("发布时限从事发时间起算：权威信息 5 小时内，新闻发布会 24 小时内。"),
    )

    class Meta:
        model = Emergency
        fields = ("organisation", *EMERGENCY_FIELDS)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = permissions.registrable_organisations(user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            names = ("title", "level", "category", "started_at")
            problems = emergency_problems(
                **{k: cleaned[k] if k in cleaned else getattr(self.instance, k) for k in names}
            )
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


class UpdateForm(forms.ModelForm):
    held_at = local_datetime(
        gettext_lazy("发布会举行时间"), required=False, help_text=gettext_lazy("类型为新闻发布会时必填。")
    )

    class Meta:
        model = EmergencyUpdate
        fields = ("emergency", "kind", "title", "body", "held_at")
        widgets = {"body": forms.Textarea(attrs={"rows": 12, "cols": 90})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "emergency" in self.fields:
            self.fields["emergency"].queryset = permissions.writable_emergencies(user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        emergency = cleaned.get("emergency") or (self.instance.emergency if self.instance.emergency_id else None)
        if not self.errors and emergency is not None:
            problems = update_problems(
                emergency=emergency, **{k: cleaned.get(k) for k in ("kind", "title", "body", "held_at")}
            )
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


class PublishForm(forms.Form):
    confidentiality_checked = forms.BooleanField(
        label=gettext_lazy("已完成保密审查（《条例》第十七条）"), required=False
    )


@admin.register(Emergency)
class EmergencyAdmin(UserFormAdmin, PolicyAdmin):
    form = EmergencyForm
    change_form_template = "admin/emergencies/emergency/change_form.html"
    list_display = ["title", "organisation", "level", "started_at", "clocks", "status"]
    list_filter = ["status", "level", "category", "organisation"]
    search_fields = ["title", "location"]
    list_select_related = ["organisation"]

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=gettext_lazy("计时"))
    def clocks(self, obj: Emergency) -> str:
        if not obj.has_clocks:
            return _("无法定时限")
        now = timezone.now()
        parts = []
        for label, due, done in (
            (_("权威信息"), obj.info_due_at, obj.first_info_at),
            (_("发布会"), obj.press_due_at, obj.press_held_at),
        ):
            if done:
                parts.append(_("%(l)s：%(s)s") % {"l": label, "s": _("逾期完成") if done > due else _("按时")})
            elif obj.status == Emergency.Status.OPEN:
                parts.append(_("%(l)s：%(s)s") % {"l": label, "s": remaining_text(due - now)})
        return "；".join(parts) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Emergency | None = None) -> tuple:
        base = ("info_due_at", "press_due_at", "first_info_at", "press_held_at", "status")
        if obj is None:
            return ()
        if not self.policy_change(request, obj):
            return ("organisation", *EMERGENCY_FIELDS, *base)
        return ("organisation", *base)

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_emergencies(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or viewable_organisations(request.user).exists()
        return permissions.can_view_emergency(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_register_emergency(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.can_register_emergency(request.user)
        return isinstance(obj, Emergency) and "edit" in emergency_available_actions(obj, request.user)

    def save_model(self, request: HttpRequest, obj: Emergency, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = emergency_edit(emergency=obj, actor=request.user, changes={k: data[k] for k in EMERGENCY_FIELDS})
        else:
            saved = emergency_register(
                organisation=data["organisation"], actor=request.user, **{k: data[k] for k in EMERGENCY_FIELDS}
            )
        form.instance, obj.pk = saved, saved.pk

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        emergency = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if emergency is not None:
            now = timezone.now()
            clocks = [
                c
                for c in emergency_clocks(organisations=[emergency.organisation_id])
                if c.key.startswith(f"emergency:{emergency.pk}:")
            ]
            extra.update(
                emergency=emergency,
                clocks=[(c, c.state(now), remaining_text(c.due_at - now)) for c in clocks],
                updates=emergency.updates.select_related("author", "publisher").order_by("created_at"),
                may_write="write_update" in emergency_available_actions(emergency, request.user),
                events=emergency.events.select_related("actor"),
            )
        return super().change_view(request, object_id, form_url, extra)


@admin.register(EmergencyUpdate)
class EmergencyUpdateAdmin(UserFormAdmin, PolicyAdmin):
    form = UpdateForm
    list_display = ["title", "emergency", "kind", "status", "published_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["emergency"]
    change_form_template = "admin/emergencies/emergencyupdate/change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: EmergencyUpdate | None = None) -> tuple:
        if obj is None:
            return ()
        if not self.policy_change(request, obj):
            return ("emergency", "kind", "title", "body", "held_at")
        return ("emergency",)

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(emergency__in=permissions.viewable_emergencies(request.user))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or viewable_organisations(request.user).exists()
        return permissions.can_view_emergency(request.user, obj.emergency)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.writable_emergencies(request.user).exists()

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return self.policy_add(request)
        return isinstance(obj, EmergencyUpdate) and "edit" in update_available_actions(obj, request.user)

    def save_model(self, request: HttpRequest, obj: EmergencyUpdate, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {k: data.get(k) for k in ("kind", "title", "body", "held_at")}
        if change:
            saved = update_edit(update=obj, actor=request.user, changes=values)
        else:
            saved = update_draft(emergency=data["emergency"], actor=request.user, **values)
        form.instance, obj.pk = saved, saved.pk

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        update = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if update is not None:
            extra.update(update=update, may_publish="publish" in update_available_actions(update, request.user))
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/do/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="emergencies_emergencyupdate_publish",
            ),
            *super().get_urls(),
        ]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        update = get_object_or_404(EmergencyUpdate.objects.select_related("emergency__organisation"), pk=pk)
        if "publish" not in update_available_actions(update, request.user):
            raise Http404
        form = PublishForm(request.POST or None)
        problems: list[str] = []
        back = reverse("admin:emergencies_emergency_change", args=[update.emergency_id])
        if request.method == "POST" and form.is_valid():
            try:
                update_publish(
                    update=update,
                    actor=request.user,
                    confidentiality_checked=form.cleaned_data["confidentiality_checked"],
                )
                messages.success(request, _("已发布到事件时间线。"))
                return HttpResponseRedirect(back)
            except EmergencyError as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "title": _("审核发布：%(t)s") % {"t": update.title},
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "back_url": back,
            "back_label": update.emergency.title,
            "intro": update.get_kind_display(),
            "preview": update.body,
            "submit_label": _("发布"),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/govopen/action.html", context, status=status)
