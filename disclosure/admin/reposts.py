"""The staff side of reposts 转载 (R18): the queue with its clocks, registering by hand, drafting the repost
document, declining with a reason; and the superior feeds the importer polls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.permissions import is_disclosure_office, viewable_organisations
from core.admin_base import PolicyAdmin, UserFormAdmin
from disclosure import permissions
from disclosure.clocks import repost_clock
from disclosure.feeds import feed_poll
from disclosure.models import FeedSource, Repost
from disclosure.reposts import find_duplicate, registration_problems, repost_dismiss, repost_draft, repost_register
from disclosure.services import DocumentError
from ops.clocks import remaining_text

REGISTER_FIELDS = ("organisation", "level", "kind", "source_organisation", "source_url", "title", "source_published_at")


class RepostForm(forms.ModelForm):
    # The admin would split date and time into two inputs; one local date-time input is clearer (and keyboard-able).
    source_published_at = forms.DateTimeField(
        label=gettext_lazy("来源发布时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("上级网站上的发布时间；转载期限由此起算。"),
    )

    class Meta:
        model = Repost
        fields = REGISTER_FIELDS

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "organisation" in self.fields:  # the change page shows a registered repost read-only
            self.fields["organisation"].queryset = permissions.repost_organisations(user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        at, organisation = cleaned.get("source_published_at"), cleaned.get("organisation")
        if self.errors:
            return cleaned
        problems = registration_problems(
            source_url=cleaned.get("source_url") or "",
            title=cleaned.get("title") or "",
            source_organisation=cleaned.get("source_organisation") or "",
            at=at,
            level=cleaned.get("level") or "",
        )
        if problems:
            raise ValidationError(problems)
        if organisation:
            duplicate = find_duplicate(
                organisation=organisation, source_url=cleaned["source_url"], title=cleaned["title"], at=at
            )
            if duplicate is not None:
                raise ValidationError(
                    _("已登记过：《%(title)s》（%(status)s）。")
                    % {"title": duplicate.title, "status": duplicate.get_status_display()}
                )
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("不予转载的理由"), widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(Repost)
class RepostAdmin(UserFormAdmin, PolicyAdmin):
    form = RepostForm
    change_form_template = "admin/disclosure/repost/change_form.html"
    list_display = ["title", "organisation", "level", "source_organisation", "source_time", "due", "clock", "status"]
    list_filter = ["status", "level", "kind", "organisation"]
    search_fields = ["title", "source_organisation", "source_url"]
    list_select_related = ["organisation"]
    ordering = ["due_at", "pk"]

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description=gettext_lazy("来源发布时间"), ordering="source_published_at")
    def source_time(self, obj: Repost) -> str:
        return timezone.localtime(obj.source_published_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=gettext_lazy("转载期限"), ordering="due_at")
    def due(self, obj: Repost) -> str:
        text = timezone.localtime(obj.due_at).strftime("%Y-%m-%d %H:%M")
        return text + (_("（暂定）") if obj.due_provisional else "")

    @admin.display(description=gettext_lazy("计时"))
    def clock(self, obj: Repost) -> str:
        now = timezone.now()
        if obj.is_open:
            clock = repost_clock(obj)
            return format_html(
                '<span class="clock clock-{}">{}（{}）</span>',
                clock.state(now),
                clock.state_label(now),
                remaining_text(obj.due_at - now),
            )
        if obj.status == Repost.Status.PUBLISHED:
            late = obj.reposted_at > obj.due_at
            return format_html(
                '<span class="clock clock-{}">{}</span>',
                "overdue" if late else "running",
                _("逾期转载") if late else _("按时转载"),
            )
        return "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Repost | None = None) -> tuple:
        if obj is None:
            return ()
        return (
            *REGISTER_FIELDS,
            "due_at",
            "deadline_rule",
            "status",
            "document",
            "reposted_at",
            "dismiss_reason",
            "feed",
            "registered_by",
            "registered_at",
        )

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.viewable_reposts(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return is_disclosure_office(request.user) or viewable_organisations(request.user).exists()
        return permissions.can_view_repost(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_register_repost(request.user)

    def save_model(self, request: HttpRequest, obj: Repost, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        saved = repost_register(actor=request.user, **{name: data[name] for name in REGISTER_FIELDS})
        form.instance, obj.pk = saved, saved.pk
        deadline = timezone.localtime(saved.due_at).strftime("%Y-%m-%d %H:%M")
        messages.info(request, _("转载期限：%(due)s（%(rule)s）。") % {"due": deadline, "rule": saved.deadline_rule})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        repost = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if repost is not None:
            now = timezone.now()
            clock = repost_clock(repost) if repost.is_open else None
            extra.update(
                repost=repost,
                may_draft=permissions.can_handle_repost(request.user, repost) and repost.status == Repost.Status.QUEUED,
                may_dismiss=permissions.can_dismiss_repost(request.user, repost),
                clock=clock,
                clock_state=clock.state(now) if clock else "",
                remaining=remaining_text(repost.due_at - now),
                events=repost.events.select_related("actor"),
            )
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/do/draft/", view(self.draft_view), name="disclosure_repost_draft"),
            path("<int:pk>/do/dismiss/", view(self.dismiss_view), name="disclosure_repost_dismiss"),
            *super().get_urls(),
        ]

    def _get(self, request: HttpRequest, pk: int) -> Repost:
        repost = get_object_or_404(Repost.objects.select_related("organisation"), pk=pk)
        if not permissions.can_view_repost(request.user, repost):
            raise Http404
        return repost

    def draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        repost = self._get(request, pk)
        if request.method != "POST" or not permissions.can_handle_repost(request.user, repost):
            raise Http404
        try:
            document = repost_draft(repost=repost, actor=request.user)
        except DocumentError as exc:
            for problem in exc.problems:
                messages.error(request, problem)
            return HttpResponseRedirect(reverse("admin:disclosure_repost_change", args=[repost.pk]))
        messages.success(request, _("已建立转载稿，请补充正文或附件后提交审核；发布即完成转载。"))
        return HttpResponseRedirect(reverse("admin:disclosure_document_change", args=[document.pk]))

    def dismiss_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        repost = self._get(request, pk)
        if not permissions.can_dismiss_repost(request.user, repost):
            raise Http404
        form = ReasonForm(request.POST or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                repost_dismiss(repost=repost, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("已记录不予转载。"))
                return HttpResponseRedirect(reverse("admin:disclosure_repost_change", args=[repost.pk]))
            except DocumentError as exc:
                problems = exc.problems
        context = {
            **self.admin_site.each_context(request),
            "title": _("不予转载"),
            "opts": self.model._meta,
            "form": form,
            "problems": problems,
            "back_label": repost.title,
            "back_url": reverse("admin:disclosure_repost_change", args=[repost.pk]),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/govopen/action.html", context, status=status)


@admin.register(FeedSource)
class FeedSourceAdmin(PolicyAdmin):
    list_display = [
        "name",
        "level",
        "organisation",
        "is_active",
        "last_polled_at",
        "last_new",
        "last_duplicates",
        "error",
    ]
    list_filter = ["level", "is_active"]
    readonly_fields = ["last_polled_at", "last_new", "last_duplicates", "last_error"]
    actions = ["poll_now"]

    @admin.display(description=gettext_lazy("最近错误"))
    def error(self, obj: FeedSource) -> str:
        return obj.last_error[:80] or "—"

    @admin.action(description=gettext_lazy("立即抓取所选订阅源"))
    def poll_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        for source in queryset.select_related("organisation"):
            result = feed_poll(source=source)
            if result.error:
                messages.error(request, f"{source.name}：{result.error}")
            else:
                messages.success(
                    request,
                    _("%(name)s：新增 %(new)s 条，重复 %(dup)s 条。")
                    % {"name": source.name, "new": len(result.new), "dup": result.duplicates},
                )

    def policy_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(pk__in=permissions.editable_feed_sources(request.user).values("pk"))

    def policy_view(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_feed_source(request.user, obj)

    def policy_add(self, request: HttpRequest) -> bool:
        return permissions.can_edit_feed_source(request.user)

    def policy_change(self, request: HttpRequest, obj: Model | None) -> bool:
        return permissions.can_edit_feed_source(request.user, obj)
