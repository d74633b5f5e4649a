"""Pages of the staff sign-in security: the lockout page, MFA verification, enrolment and self-service.

The MFA pages are admin views (``accounts.admin.StaffAccountAdmin.get_urls``), so they sit under /admin/ with the
admin's login check, CSRF and never-cache. No JavaScript: the QR code is inline SVG and the secret is shown as text.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import services
from accounts.addresses import axes_client_ip
from accounts.forms import EnrolmentForm, TokenForm
from accounts.selectors import has_confirmed_device, mfa_required_for


def _lockout_minutes(request: HttpRequest, username: str) -> int:
    """Minutes until the newest failure counted against this account or this address leaves the window."""
    from axes.models import AccessAttempt

    cool_off = settings.AXES_COOLOFF_TIME
    latest = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=axes_client_ip(request))).aggregate(
        latest=Max("attempt_time")
    )["latest"]
    remaining = (latest + cool_off - timezone.now()) if latest else cool_off
    return max(1, math.ceil(remaining.total_seconds() / 60))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the admin login page again, with the username kept and the wait in Chinese."""
    username = str((credentials or {}).get("username") or request.POST.get("username") or "")[:150]
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
    context = {
        **admin.site.each_context(request),
        "title": _("登录"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": "",
        "next": next_url,
        "form": AdminAuthenticationForm(request, initial={"username": username}),
        "lockout_message": _("登录失败次数过多，该账号或当前网络地址已被暂时锁定，请 %(minutes)d 分钟后再试。")
        % {"minutes": _lockout_minutes(request, username)},
    }
    return render(request, "admin/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> TemplateResponse:
    return TemplateResponse(request, template, {**admin.site.each_context(request), **context}, status=status)


def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login for a user with a confirmed device: a TOTP code or one recovery code."""
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not has_confirmed_device(request.user):
        return redirect("admin:accounts_mfa")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        device = services.mfa_token_check(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, _("您使用了一个恢复码，还剩 %(count)d 个。") % {"count": left})
            return redirect(_safe_next(request))
        form.add_error("token", _("验证码不正确或已使用；多次输错后需稍候再试。"))
    if form.errors:
        status = 400
    return _page(
        request,
        "accounts/mfa_verify.html",
        {"title": _("双因素认证"), "form": form, "next": _safe_next(request)},
        status=status,
    )


def _qr_svg(device: Any) -> str:
    # segno writes a standalone <svg> with no script; it is our own markup from the provisioning URI.
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


def _secret_text(device: Any) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def mfa_manage(request: HttpRequest) -> HttpResponse:
    """Enrolment when the user has no confirmed device; otherwise new recovery codes or a reset, each after a code."""
    user = request.user
    if not has_confirmed_device(user):
        return _enrol(request)
    if not user.is_verified():
        return redirect(f"{reverse('admin:accounts_mfa_verify')}?next={reverse('admin:accounts_mfa')}")
    action = request.POST.get("action") if request.method == "POST" else None
    regenerate_form = TokenForm(request.POST if action == "regenerate" else None, prefix="regenerate")
    reset_form = TokenForm(request.POST if action == "reset" else None, prefix="reset")
    form = {"regenerate": regenerate_form, "reset": reset_form}.get(action or "")
    if form is not None and form.is_valid():
        try:
            if action == "regenerate":
                codes = services.mfa_recovery_codes_regenerate(user=user, token=form.cleaned_data["token"])
                return _page(request, "accounts/mfa_codes.html", {"title": _("恢复码"), "codes": codes})
            services.mfa_reset(user=user, actor=user, token=form.cleaned_data["token"])
            messages.success(request, _("已重置双因素认证。"))
            return redirect("admin:accounts_mfa")
        except services.AccountSecurityError as error:
            form.add_error("token", error.message)
    recovery_left = sum(d.token_set.count() for d in user.staticdevice_set.filter(confirmed=True))
    return _page(
        request,
        "accounts/mfa_manage.html",
        {
            "title": _("双因素认证"),
            "regenerate_form": regenerate_form,
            "reset_form": reset_form,
            "recovery_left": recovery_left,
            "required": mfa_required_for(user),
        },
        status=400 if form is not None and form.errors else 200,
    )


def _enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = services.mfa_enrolment_begin(user=user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.mfa_enrolment_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except services.AccountSecurityError as error:
            form.add_error("token", error.message)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            return _page(request, "accounts/mfa_codes.html", {"title": _("恢复码"), "codes": codes, "enrolled": True})
    return _page(
        request,
        "accounts/mfa_enrol.html",
        {
            "title": _("启用双因素认证"),
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _secret_text(device),
            "required": mfa_required_for(user),
        },
        status=400 if form.errors else 200,
    )
