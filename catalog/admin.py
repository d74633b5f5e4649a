from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog import permissions
from catalog.models import (
    CalendarDay,
    CatalogueNode,
    Channel,
    Level,
    NilNotice,
    Organisation,
    RoleEvent,
    Topic,
    WorkCalendarYear,
)
from catalog.roles import Role
from catalog.services import (
    calendar_load_package,
    calendar_missing_next_year,
    catalogue_node_save,
    nil_notice_save,
    organisation_save,
    role_members_set,
    topic_save,
)
from catalog.workdays import WorkCalendar
from core.admin_base import PolicyAdmin

admin.site.site_header = gettext_lazy("政务公开平台管理")
admin.site.site_title = gettext_lazy("政务公开平台管理")
admin.site.index_title = gettext_lazy("工作台")

ROLE_FIELDS = {"drafters": Role.DRAFTER, "reviewers": Role.REVIEWER, "handlers": Role.HANDLER}


class OrganisationAdminForm(forms.ModelForm):
    drafters = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("拟稿人"),
        widget=FilteredSelectMultiple(gettext_lazy("拟稿人"), is_stacked=False),
    )
    reviewers = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("审核人"),
        widget=FilteredSelectMultiple(gettext_lazy("审核人"), is_stacked=False),
    )
    handlers = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("申请承办人"),
        widget=FilteredSelectMultiple(gettext_lazy("申请承办人"), is_stacked=False),
    )

    website = forms.URLField(label=gettext_lazy("网站"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = "__all__"  # noqa: DJ007 - the admin's own fieldsets choose what is shown

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        for field_name, role in ROLE_FIELDS.items():
            self.fields[field_name].queryset = users
            if self.instance.pk:
                self.fields[field_name].initial = users.filter(
                    groups__role_group__organisation=self.instance, groups__role_group__role=role
                )


BASIC_FIELDS = ("parent", "name", "short_name", "code", "kind", "authorised", "sort_order", "is_active")
GUIDE_FIELDS = ("office_name", "address", "postcode", "office_hours", "phone", "fax", "email", "website")
LETTER_FIELDS = ("letter_code", "review_body", "court")


@admin.register(Organisation)
class OrganisationAdmin(PolicyAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "code", "kind", "parent", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    ordering = ["sort_order", "name"]

    def get_fieldsets(self, request: HttpRequest, obj: Organisation | None = None) -> list:
        staff_fields = tuple(ROLE_FIELDS) if self.policy_change(request, obj) else ("role_members",)
        return [
            (_("基本信息"), {"fields": BASIC_FIELDS}),
            (_("政府信息公开指南联系方式"), {"fields": GUIDE_FIELDS}),
            (_("答复书：文号和救济途径"), {"fields": LETTER_FIELDS}),
            (_("岗位人员"), {"fields": staff_fields}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None) -> tuple:
        return () if self.policy_change(request, obj) else ("role_members",)

    @admin.display(description=gettext_lazy("岗位人员"))
    def role_members(self, obj: Organisation) -> str:
        rows = []
        for role_group in obj.role_groups.select_related("group").prefetch_related("group__user_set"):
            names = "、".join(u.get_full_name() or u.username for u in role_group.group.user_set.all()) or "—"
            rows.append((role_group.get_role_display(), names))
        return format_html_join("", "<p><strong>{}</strong>：{}</p>", rows) if rows else "—"

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_organisations(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return permissions.is_disclosure_office(request.user) or permissions.has_any_role(request.user)
        return permissions.can_view_organisation(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_organisation(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_organisation(request.user, obj)

    def save_model(self, request: HttpRequest, obj: Organisation, form: forms.Form, change: bool) -> None:
        organisation_save(organisation=obj, actor=request.user)

    def save_related(self, request: HttpRequest, form: forms.Form, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        for field_name, role in ROLE_FIELDS.items():
            role_members_set(
                organisation=form.instance, role=role, users=form.cleaned_data[field_name], actor=request.user
            )


@admin.register(RoleEvent)
class RoleEventAdmin(PolicyAdmin):
    list_display = ["at", "action", "user", "organisation", "role", "actor"]
    list_filter = ["action", "role"]
    search_fields = ["user__username", "organisation__name"]

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if permissions.is_disclosure_office(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.is_disclosure_office(request.user)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name"]
    ordering = ["date"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_view_calendar(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_edit_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_edit_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_edit_calendar(request.user)


class WorkdayCalculatorForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("起算日"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=gettext_lazy("工作日数"), min_value=0, max_value=1000, initial=20)


@admin.register(WorkCalendarYear)
class WorkCalendarYearAdmin(PolicyAdmin):
    inlines = [CalendarDayInline]
    list_display = ["year", "source", "notice_number", "holiday_count", "makeup_count", "updated_at"]
    fields = ["year", "source", "notice_number", "notice_title", "notice_published_on"]
    readonly_fields = ["source"]
    change_list_template = "admin/catalog/workcalendaryear/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_holidays=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
                n_makeup=Count("days", filter=Q(days__kind=CalendarDay.Kind.MAKEUP_WORKDAY)),
            )
        )

    @admin.display(description=gettext_lazy("放假天数"), ordering="n_holidays")
    def holiday_count(self, obj: WorkCalendarYear) -> int:
        return obj.n_holidays

    @admin.display(description=gettext_lazy("调休上班天数"), ordering="n_makeup")
    def makeup_count(self, obj: WorkCalendarYear) -> int:
        return obj.n_makeup

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if permissions.can_view_calendar(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_view_calendar(request.user)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_calendar(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_calendar(request.user)

    def policy_delete(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_calendar(request.user)

    def save_model(self, request: HttpRequest, obj: WorkCalendarYear, form: forms.Form, change: bool) -> None:
        # Anything staff type here is the official notice as entered by hand; package loads will not overwrite it.
        obj.source = WorkCalendarYear.Source.MANUAL
        obj._change_reason = _("人工录入或修改")
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list:
        return [
            path(
                "load-package/",
                self.admin_site.admin_view(require_POST(self.load_package_view)),
                name="catalog_workcalendaryear_load_package",
            ),
        ] + super().get_urls()

    def load_package_view(self, request: HttpRequest) -> HttpResponse:
        if not permissions.can_edit_calendar(request.user):
            messages.error(request, _("只有政务公开办可以载入工作日历。"))
        else:
            report = calendar_load_package(actor=request.user)
            messages.success(request, _("工作日历载入完成：%(report)s") % {"report": report})
        return HttpResponseRedirect(reverse("admin:catalog_workcalendaryear_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        missing = calendar_missing_next_year(today=timezone.localdate())
        if missing:
            messages.warning(
                request,
                _(
                    "%(year)s 年的工作日历尚未录入。跨入 %(year)s 年的期限暂按法定节假日推算并标注“暂定”，"
                    "国务院办公厅通知发布后请及时录入。"
                )
                % {"year": missing},
            )
        # The calculator's fields are not changelist filters: take them out before the changelist reads the query.
        query = request.GET.copy()
        calculator_data = {name: query.pop(name)[-1] for name in ("start", "days") if name in query}
        request.GET = query
        calculator = WorkdayCalculatorForm(calculator_data or None)
        result = None
        if calculator.is_bound and calculator.is_valid():
            result = WorkCalendar().add_working_days(calculator.cleaned_data["start"], calculator.cleaned_data["days"])
        context = {
            "calculator": calculator,
            "calculator_result": result,
            "can_load_package": permissions.can_edit_calendar(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)


# --- Topics and the five-disclosure catalogue ------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(PolicyAdmin):
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if permissions.can_view_topics(request.user) else queryset.none()

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_view_topics(request.user)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_topics(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_topics(request.user)

    def save_model(self, request: HttpRequest, obj: Topic, form: forms.Form, change: bool) -> None:
        topic_save(topic=obj, actor=request.user)


class CatalogueNodeForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("公开渠道和载体"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    levels = forms.MultipleChoiceField(
        label=gettext_lazy("公开层级"), choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CatalogueNode
        fields = "__all__"  # noqa: DJ007 - the admin's own fieldsets choose what is shown


class NilNoticeInline(admin.TabularInline):
    model = NilNotice
    extra = 0
    fields = ["period_start", "period_end", "note"]

    def _may_edit(self, request: HttpRequest, obj: CatalogueNode | None) -> bool:
        return permissions.can_edit_catalogue(request.user, obj.organisation if obj else None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_view_catalogue(request.user, obj.organisation if obj else None)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)


@admin.register(CatalogueNode)
class CatalogueNodeAdmin(PolicyAdmin):
    form = CatalogueNodeForm
    inlines = [NilNoticeInline]
    list_display = [
        "name",
        "organisation",
        "section",
        "parent",
        "subject",
        "time_limit_display",
        "freshness",
        "is_active",
    ]
    list_filter = ["section", "organisation", "freshness", "statutory_class", "is_active"]
    search_fields = ["name", "elements", "basis"]
    list_select_related = ["organisation", "parent", "subject"]
    fieldsets = [
        (
            gettext_lazy("位置"),
            {"fields": ["organisation", "section", "parent", "name", "statutory_class", "sort_order", "is_active"]},
        ),
        (
            gettext_lazy("目录要素"),
            {
                "fields": [
                    "elements",
                    "basis",
                    ("time_limit_days", "time_limit_event"),
                    "subject",
                    "channels",
                    "audience",
                    "mode",
                    "levels",
                ]
            },
        ),
        (gettext_lazy("更新要求"), {"fields": ["freshness"]}),
    ]

    @admin.display(description=gettext_lazy("公开时限"))
    def time_limit_display(self, obj: CatalogueNode) -> str:
        return obj.time_limit_text or "—"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = permissions.catalogue_editable_organisations(request.user)
        if db_field.name == "parent":
            kwargs["queryset"] = CatalogueNode.objects.filter(
                parent__isnull=True, organisation__in=permissions.catalogue_editable_organisations(request.user)
            ).select_related("organisation")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(organisation__in=permissions.catalogue_viewable_organisations(request.user))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_view_catalogue(request.user, obj.organisation if obj else None)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_catalogue(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_catalogue(request.user, obj.organisation if obj else None)

    def save_model(self, request: HttpRequest, obj: CatalogueNode, form: forms.Form, change: bool) -> None:
        catalogue_node_save(node=obj, actor=request.user)

    def save_formset(self, request: HttpRequest, form: forms.Form, formset: Any, change: bool) -> None:
        notices = formset.save(commit=False)
        for notice in formset.deleted_objects:
            notice._history_user = request.user
            notice.delete()
        for notice in notices:
            nil_notice_save(notice=notice, actor=request.user)
