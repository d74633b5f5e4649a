"""Security response headers: Content-Security-Policy, Permissions-Policy, Cross-Origin-Opener-Policy.

The policy allows no inline script and no inline style: our templates carry neither (styles live in static/css),
and Django 5.2's admin loads its scripts from files and passes data in ``data-`` attributes. Its one inline
``<style>`` (change list without any action bar) is not used by our admins. A deployment may add sources
(an analytics host, say) with ``GOVOPEN_CSP_EXTRA_SOURCES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# interest-cohort (FLoC) is left out: Chromium no longer knows it and reports it on every page; its successor
# browsing-topics is denied instead.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


def content_security_policy(extra_sources: Iterable[str] = ()) -> str:
    extra = "".join(f" {source}" for source in extra_sources)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'" + extra,
        "style-src": "'self'",
        "img-src": "'self' data:" + extra,
        "connect-src": "'self'" + extra,
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Built once: settings do not change while the process runs.
        self.csp = content_security_policy(settings.GOVOPEN_CSP_EXTRA_SOURCES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # setdefault: a view that needs a narrower policy (a file served inline, say) may set its own.
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
