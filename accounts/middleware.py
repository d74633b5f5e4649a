"""Staff sessions: idle and absolute limits, the MFA gate and the 等保 password expiry, for signed-in users.

Anonymous visitors (applicants following their case) are never touched: every check starts from an
authenticated user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.selectors import has_confirmed_device, mfa_required_for, password_expired

LOGIN_AT = "accounts_login_at"
ACTIVE_AT = "accounts_active_at"
# The activity stamp is rewritten at most this often, so an active session is not saved on every request.
ACTIVITY_RESOLUTION_SECONDS = 60

# Admin pages (url names) a signed-in user may open before each gate is passed.
_ALWAYS_OPEN = {"login", "logout"}
_OPEN_BEFORE_VERIFY = _ALWAYS_OPEN | {"accounts_mfa_verify"}
_OPEN_BEFORE_ENROL = _ALWAYS_OPEN | {"accounts_mfa", "accounts_mfa_verify"}
_OPEN_WITH_EXPIRED_PASSWORD = _OPEN_BEFORE_ENROL | {"password_change", "password_change_done"}


def _now() -> float:
    return timezone.now().timestamp()


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and LOGIN_AT not in request.session:
            # The login request itself (the session was just cycled), or a session from before these limits.
            now = _now()
            request.session[LOGIN_AT] = now
            request.session[ACTIVE_AT] = now
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # By path, not namespace: staff pages such as /admin/clocks/ live beside the admin site's own URLs.
        is_admin = request.path_info.startswith(reverse("admin:index"))
        ended = self._end_expired_session(request, is_admin=is_admin)
        if ended is not None or not is_admin:
            return ended
        match = request.resolver_match
        url_name = (match.url_name or "") if match is not None and "admin" in match.namespaces else ""
        return self._admin_gate(request, url_name)

    def _end_expired_session(self, request: HttpRequest, *, is_admin: bool) -> HttpResponse | None:
        session = request.session
        login_at = session.get(LOGIN_AT)
        if login_at is None:
            return None
        now = _now()
        active_at = session.get(ACTIVE_AT, login_at)
        if now - login_at > settings.GOVOPEN_SESSION_MAX_HOURS * 3600:
            notice = _("登录已超过 %(hours)d 小时，为保障账户安全已自动退出，请重新登录。") % {
                "hours": settings.GOVOPEN_SESSION_MAX_HOURS
            }
        elif now - active_at > settings.GOVOPEN_SESSION_IDLE_MINUTES * 60:
            notice = _("您已 %(minutes)d 分钟未操作，为保障账户安全已自动退出，请重新登录。") % {
                "minutes": settings.GOVOPEN_SESSION_IDLE_MINUTES
            }
        else:
            if now - active_at >= ACTIVITY_RESOLUTION_SECONDS:
                session[ACTIVE_AT] = now
            return None
        logout(request)
        if not is_admin:
            return None  # a public page goes on for the now anonymous visitor
        messages.warning(request, notice)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    def _admin_gate(self, request: HttpRequest, url_name: str) -> HttpResponse | None:
        user = request.user
        if not user.is_verified():
            if has_confirmed_device(user):
                if url_name in _OPEN_BEFORE_VERIFY:
                    return None
                return _redirect_with_next("admin:accounts_mfa_verify", request)
            if mfa_required_for(user):
                if url_name in _OPEN_BEFORE_ENROL:
                    return None
                messages.warning(request, _("您的岗位要求启用双因素认证，请先完成设置后再继续。"))
                return redirect("admin:accounts_mfa")
        if url_name not in _OPEN_WITH_EXPIRED_PASSWORD and password_expired(user):
            messages.warning(
                request,
                _("您的密码已超过 %(days)d 天未更换，请先修改密码。")
                % {"days": settings.GOVOPEN_PASSWORD_MAX_AGE_DAYS},
            )
            return redirect("admin:password_change")
        return None


def _redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
