"""The site's own Chinese error pages in the demo, which runs with DEBUG on (``scripts/run``).

With DEBUG on, Django answers a missing page or a failing view with its English technical pages. A visitor trying
the demo should see what a deployed site shows: with ``GOVOPEN_DEBUG_SITE_ERROR_PAGES`` on, a missing address, a
missing object and a failing view get the site's 404 and 500 pages (``govopen/views.py``); the failure's traceback
still goes to the log. Off, and with DEBUG off, this middleware is not loaded (production uses the handlers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from govopen import views

logger = logging.getLogger("django.request")


class SiteErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not (settings.DEBUG and settings.GOVOPEN_DEBUG_SITE_ERROR_PAGES):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address no URL pattern matches never reaches a view (no resolver match): Django's page, replaced.
        if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return views.not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return views.not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # the handlers already answer it as production does
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return views.bad_request(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return views.server_error(request)
