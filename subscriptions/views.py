"""The public pages of the subscriptions: the form (reached from a page's 订阅 link, with what is followed named
in its parameters), "check your mail", confirm and unsubscribe by signed link. No account, no JavaScript.

Every page answers ``Cache-Control: private, no-store`` (they are a visitor's own, never the page cache's). A link
that was altered answers 400, an expired confirmation link 400 with its own message, a link whose subscription is
gone (unsubscribed, or asked again since) 404 — never a 500.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from core import ratelimit
from subscriptions import services
from subscriptions.forms import SubscribeForm
from subscriptions.selectors import (
    CONFIRM_SALT,
    UNSUBSCRIBE_SALT,
    LinkError,
    address_digest,
    subscription_by_link,
    target_from_params,
    target_of,
    unsign,
)

IP_SCOPE = "subscribe-ip"
ADDRESS_SCOPE = "subscribe-address"


@never_cache
@sensitive_post_parameters("email")
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    target = target_from_params(params)
    if target is None:
        raise Http404
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        ip = ratelimit.client_ip(request)
        if form.is_trapped():
            form.is_valid()
            form.add_error(None, _("提交未成功，请清空“请勿填写此项”后重试。"))
        elif ratelimit.count(IP_SCOPE, ip) >= settings.GOVOPEN_SUBSCRIPTION_LIMIT_PER_IP_HOUR:
            form.is_valid()  # bound, so the page shows back what was typed
            form.add_error(None, _("同一网络在一小时内提交的订阅申请过多，请稍后再试。您填写的内容已保留。"))
            status = 429
        elif form.is_valid():
            digest = address_digest(form.cleaned_data["email"])
            if ratelimit.count(ADDRESS_SCOPE, digest) >= settings.GOVOPEN_SUBSCRIPTION_LIMIT_PER_ADDRESS_DAY:
                form.add_error("email", _("这个邮箱今天已多次申请订阅，请先查收之前的确认邮件，或明天再试。"))
                status = 429
            else:
                ratelimit.hit(IP_SCOPE, ip, window_seconds=3600)
                ratelimit.hit(ADDRESS_SCOPE, digest, window_seconds=86_400)
                services.subscription_request(email=form.cleaned_data["email"], target=target)
                return HttpResponseRedirect(f"{reverse('subscriptions:sent')}?{urlencode(target.form_params())}")
    context = {
        "form": form,
        "target": target,
        "target_params": target.form_params(),
        "confirm_days": settings.GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS,
    }
    return render(request, "subscriptions/subscribe.html", context, status=status)


@never_cache
@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    target = target_from_params(request.GET)
    return render(
        request,
        "subscriptions/sent.html",
        {
            "target": target,
            "confirm_days": settings.GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS,
        },
    )


def _link_problem(request: HttpRequest, error: LinkError, *, confirming: bool) -> HttpResponse:
    if error.expired:
        message = _("这个确认链接已过期（有效期 %(days)s 天）。请回到要订阅的页面重新申请订阅。") % {
            "days": settings.GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS,
        }
    elif confirming:
        message = _("这个确认链接不完整或已被改动，无法使用。请从邮件中完整复制链接后再打开。")
    else:
        message = _("这个退订链接不完整或已被改动，无法使用。请从邮件中完整复制链接后再打开。")
    return render(request, "subscriptions/link_problem.html", {"message": message}, status=400)


def _gone(request: HttpRequest, *, confirming: bool) -> HttpResponse:
    message = (
        _("这个确认链接已失效：订阅可能已退订，或您之后又申请过一次（请使用最新一封确认邮件中的链接）。")
        if confirming
        else _("这个订阅已经退订，或已被删除，您不会再收到它的邮件。")
    )
    return render(request, "subscriptions/link_problem.html", {"message": message, "gone": True}, status=404)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: a mail scanner that opens every link does not confirm on its own."""
    max_age = dt.timedelta(days=settings.GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS)
    try:
        subscription_id, nonce = unsign(token, salt=CONFIRM_SALT, max_age=max_age)
    except LinkError as error:
        return _link_problem(request, error, confirming=True)
    if request.method == "POST":
        subscription = services.subscription_confirm(subscription_id=subscription_id, nonce=nonce)
    else:
        subscription = subscription_by_link(subscription_id, nonce)
    if subscription is None:
        return _gone(request, confirming=True)
    context = {"subscription": subscription, "target": target_of(subscription), "token": token}
    template = "subscriptions/confirmed.html" if request.method == "POST" else "subscriptions/confirm.html"
    return render(request, template, context)


@csrf_exempt  # RFC 8058: the mail provider POSTs the one-click unsubscribe without any token of ours
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (the button, or a mail provider's one-click request with the body
    ``List-Unsubscribe=One-Click``) unsubscribes. The signed token is the authority, so no CSRF token is needed:
    forging the request would only unsubscribe the holder of the link."""
    try:
        subscription_id, nonce = unsign(token, salt=UNSUBSCRIBE_SALT)
    except LinkError as error:
        return _link_problem(request, error, confirming=False)
    if request.method == "POST":
        services.subscription_unsubscribe(subscription_id=subscription_id, nonce=nonce)
        return render(request, "subscriptions/unsubscribed.html")
    subscription = subscription_by_link(subscription_id, nonce)
    if subscription is None:
        return _gone(request, confirming=False)
    return render(request, "subscriptions/unsubscribe.html", {"target": target_of(subscription), "token": token})
