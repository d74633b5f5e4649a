"""A visitor's display preferences (适老化 and 无障碍): 大字号, 高对比度, 长者模式, and 繁體 characters.

The choice is one cookie, ``govopen_display`` ("large.contrast" …), set by plain links to ``/display/`` (no
JavaScript): the header offers each switch, the page ``/display/`` explains them all. A public page is rendered and
cached once, the same for everybody; this middleware, outside the page cache, adapts the HTML on its way out: it adds
the preferences as classes of ``<html>`` (the style sheet does the rest: larger type and targets, higher contrast, a
simpler layout), and for 繁體 converts the page's characters with zhconv and marks the page ``lang="zh-Hant"``.
An adapted page is the visitor's own: it is sent ``Cache-Control: private`` without validators, and a conditional
request for it is answered in full, so neither a shared cache nor the browser's copy of the plain page is mixed up
with it. The cookie identifies no one, so the page cache ignores it (``core/pagecache.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

COOKIE = "govopen_display"
COOKIE_AGE = 365 * 24 * 3600
# Each preference, in the order the cookie and the classes list them: (name, label, what it does).
PREFERENCES = (
    ("elder", _("长者模式"), _("大字号、高对比度、更大的点击区域和更简洁的版面，适合老年人和视力不佳的读者。")),
    ("large", _("大字号"), _("正文至少 20 像素，标题相应加大，行距加宽。")),
    ("contrast", _("高对比度"), _("黑底黄白字，链接加下划线，边框加粗。")),
    ("hant", _("繁體"), _("以繁体字显示页面，检索时繁体字和简体字都可以输入。")),
)
NAMES = tuple(name for name, _label, _help in PREFERENCES)
_HTML_TAG = re.compile(rb"<html\b([^>]*)>")
_TYPED = re.compile(r"""(\svalue="[^"]*"|<textarea\b[^>]*>.*?</textarea>)""", re.DOTALL | re.IGNORECASE)


def preferences(request: HttpRequest) -> tuple[str, ...]:
    """The visitor's preferences: known names only, in canonical order."""
    given = set((request.COOKIES.get(COOKIE) or "").split("."))
    return tuple(name for name in NAMES if name in given)


def adapt(body: bytes, chosen: tuple[str, ...]) -> bytes:
    """The HTML of a page with the classes of the chosen preferences on ``<html>``, and in 繁體 characters if asked."""
    classes = " ".join(f"display-{name}" for name in chosen)

    def tag(found: re.Match[bytes]) -> bytes:
        attributes = found.group(1)
        if "hant" in chosen:
            attributes = attributes.replace(b'lang="zh-Hans"', b'lang="zh-Hant"')
        return b"<html" + attributes + b' class="' + classes.encode() + b'">'

    body = _HTML_TAG.sub(tag, body, count=1)
    if "hant" in chosen:
        from zhconv import zhconv

        # What the visitor typed (a field's value, a text area) stays as typed: a form shown again keeps it.
        parts = _TYPED.split(body.decode("utf-8"))
        body = "".join(part if n % 2 else zhconv.convert(part, "zh-hant") for n, part in enumerate(parts)).encode(
            "utf-8"
        )
    return body


class DisplayPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = preferences(request)
        if not chosen or request.path_info.startswith("/admin/"):
            return self.get_response(request)
        # The visitor's copy differs from the one a validator names: always answer in full.
        request.META.pop("HTTP_IF_NONE_MATCH", None)
        request.META.pop("HTTP_IF_MODIFIED_SINCE", None)
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        response.content = adapt(response.content, chosen)
        if response.has_header("Content-Length"):  # set by CommonMiddleware, or kept with a cached page
            response["Content-Length"] = str(len(response.content))
        for header in ("ETag", "Last-Modified"):
            if response.has_header(header):
                del response[header]
        response["Cache-Control"] = "private, no-cache"
        return response


def _back(request: HttpRequest) -> str | None:
    """Where the visitor came from on this site, if it can be told: ``next``, else the Referer."""
    for candidate in (request.GET.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return None


@require_safe
def display(request: HttpRequest) -> HttpResponse:
    """``/display/``: the switches explained, as a form; ``?large=1`` (or ``0``, and the others) sets them and goes
    back to ``next`` or to the page the link was on."""
    chosen = list(preferences(request))
    changes = {name: request.GET[name] for name in NAMES if request.GET.get(name) in ("0", "1")}
    if not changes:
        response = render(
            request,
            "display.html",
            {
                "options": [(name, label, help_text, name in chosen) for name, label, help_text in PREFERENCES],
                "back": _back(request),
            },
        )
        response["Cache-Control"] = "private, no-cache"
        return response
    for name, value in changes.items():
        if value == "1" and name not in chosen:
            chosen.append(name)
        elif value == "0" and name in chosen:
            chosen.remove(name)
    response = HttpResponseRedirect(_back(request) or request.path)
    value = ".".join(name for name in NAMES if name in chosen)
    if value:
        response.set_cookie(
            COOKIE,
            value,
            max_age=COOKIE_AGE,
            path=settings.SESSION_COOKIE_PATH,
            samesite="Lax",
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(COOKIE, path=settings.SESSION_COOKIE_PATH, samesite="Lax")
    return response
