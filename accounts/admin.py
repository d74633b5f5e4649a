"""员工账户 for the 政务公开办 (MFA state, password age, resetting a lost device) and the MFA pages every staff
member reaches from the admin (their URLs hang off this admin so they inherit the admin's login check)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, views
from accounts.models import SecurityEvent, StaffAccount
from accounts.permissions import can_reset_mfa, mfa_resettable_users
from auditlog.models import AuditEvent
from auditlog.services import audit_record
from catalog.roles import OfficeRole
from catalog.services import office_role_grant, office_role_revoke
from core.admin_base import RefusedFormIs400

# Devices change only through accounts.services (with their event rows), never by editing rows in the admin.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing is added, changed or deleted from these lists: the services write them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffAccount)
class StaffAccountAdmin(ReadOnlyAdmin):
    list_display = ["username", "full_name", "mfa_enabled", "password_changed_at", "last_login", "is_active"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["username", "first_name", "email"]
    actions = ["reset_mfa"]
    ordering = ["username"]

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("mfa/", wrap(views.mfa_manage), name="accounts_mfa"),
            path("mfa/verify/", wrap(views.mfa_verify), name="accounts_mfa_verify"),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return mfa_resettable_users(request.user).annotate(has_mfa=Exists(confirmed)).select_related("password_record")

    @admin.display(description=gettext_lazy("姓名"))
    def full_name(self, obj: StaffAccount) -> str:
        return obj.get_full_name()

    @admin.display(description=gettext_lazy("双因素认证"), boolean=True)
    def mfa_enabled(self, obj: StaffAccount) -> bool:
        return obj.has_mfa

    @admin.display(description=gettext_lazy("密码设置时间"))
    def password_changed_at(self, obj: StaffAccount) -> Any:
        record = getattr(obj, "password_record", None)
        return record.changed_at if record else "—"

    @admin.action(description=gettext_lazy("重置所选员工的双因素认证（设备丢失时）"))
    def reset_mfa(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = []
        for user in queryset:
            try:
                services.mfa_reset(user=user, actor=request.user)
            except services.AccountSecurityError as error:
                messages.error(request, f"{user.username}：{error.message}")
            else:
                done.append(user.username)
        if done:
            messages.success(
                request,
                _("已重置 %(names)s 的双因素认证；需要时他们下次登录会被引导重新设置。") % {"names": "、".join(done)},
            )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_reset_mfa(request.user, request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_reset_mfa(request.user, obj) if obj is not None else can_reset_mfa(request.user, request.user)


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "actor", "note"]
    list_filter = ["kind"]
    search_fields = ["user__username"]
    list_select_related = ["user", "actor"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_reset_mfa(request.user, request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_reset_mfa(request.user, request.user)


# --- Users: group membership is a role, and roles change only through catalog.services ------------------------------

NO_OFFICE_ROLE = ""


def office_role_of(user: Any) -> str:
    names = set(user.groups.values_list("name", flat=True)) if user.pk else set()
    if str(OfficeRole.HEAD.label) in names:
        return OfficeRole.HEAD
    if str(OfficeRole.OFFICE.label) in names:
        return OfficeRole.OFFICE
    return NO_OFFICE_ROLE


class StaffUserChangeForm(UserChangeForm):
    office_role = forms.ChoiceField(
        label=gettext_lazy("政务公开办岗位"),
        required=False,
        choices=[(NO_OFFICE_ROLE, gettext_lazy("无")), *OfficeRole.choices],
        help_text=gettext_lazy(
            "各机构的拟稿人、审核人、申请承办人在机构页面的“岗位人员”中指定；每次变更都记入岗位变更记录。"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office_role"].initial = office_role_of(self.instance)
        if "first_name" in self.fields:
            # 姓名 is one field, written as it is written; auth's last_name stays empty (accounts migration 0002).
            self.fields["first_name"].label = gettext_lazy("姓名")
            self.fields["first_name"].help_text = gettext_lazy("按书写习惯填写全名，如“李娜”，最多 150 个字。")


class StaffUserAdmin(RefusedFormIs400, UserAdmin):
    """Django's user admin, except that groups and permissions are read-only: a group is a role (an organisation's
    拟稿人 / 审核人 / 申请承办人, or the office), and a role given by ticking a group would skip its RoleEvent and the
    audit log. The office roles are set here through ``office_role_grant`` / ``office_role_revoke``."""

    readonly_fields = ["groups", "user_permissions", "last_login", "date_joined"]
    list_display = ["username", "full_name", "email", "is_staff", "is_active"]
    search_fields = ["username", "first_name", "email"]

    form = StaffUserChangeForm

    @admin.display(description=gettext_lazy("姓名"), ordering="first_name")
    def full_name(self, obj: Any) -> str:
        return obj.get_full_name() or "—"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "last_name"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("政务公开办"), {"fields": ["office_role"]})]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Django's save, plus a row in the audit log for what makes or unmakes an account's powers: creating it,
        and switching 超级用户 / 职员 / 有效 (a superuser counts as the office)."""
        super().save_model(request, obj, form, change)
        flags = [name for name in ("is_superuser", "is_staff", "is_active") if name in form.changed_data]
        if change and not flags:
            return
        summary = (
            "；".join(
                f"{obj._meta.get_field(name).verbose_name}：{_('是') if getattr(obj, name) else _('否')}"
                for name in flags
            )
            if change
            else _("创建账户")
        )
        audit_record(
            kind=AuditEvent.Kind.ROLE_CHANGED,
            actor=request.user,
            object_type="auth.user",
            object_pk=obj.pk,
            object_label=obj.get_username(),
            change=AuditEvent.Change.CHANGED if change else AuditEvent.Change.CREATED,
            summary=summary,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change or "office_role" not in form.cleaned_data:
            return
        user, wanted, current = form.instance, form.cleaned_data["office_role"], office_role_of(form.instance)
        if wanted == current:
            return
        if wanted == NO_OFFICE_ROLE:
            office_role_revoke(user=user, role=OfficeRole.OFFICE, actor=request.user)
        elif wanted == OfficeRole.OFFICE:
            office_role_revoke(user=user, role=OfficeRole.HEAD, actor=request.user)
            office_role_grant(user=user, role=OfficeRole.OFFICE, actor=request.user)
        else:
            office_role_grant(user=user, role=OfficeRole.HEAD, actor=request.user)


class ReadOnlyGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    """Groups carry the roles' permissions; they are created and filled by catalog.services, never edited by hand."""


User = get_user_model()
for _model, _admin in ((User, StaffUserAdmin), (Group, ReadOnlyGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
