"""Refuse requests carrying control characters in the path or the query string, with a 400 in Chinese.

The rules and the reasons for them are in ``core/params.py`` (rule 1). This middleware sits right after the
security headers, so the refusal still carries them, and before sessions, authentication and every view, so no
database query ever sees such a value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.params import path_has_control_characters, query_has_control_characters
from govopen.views import bad_request

logger = logging.getLogger("django.security.hostile_input")


def hostile_part(request: HttpRequest) -> str:
    """Which part of the URL carries a control character ("path" or "query"), or "" when none does.

    Reading ``request.GET`` may raise ``TooManyFieldsSent``; Django's exception handling around this middleware turns
    it into a 400 through ``handler400``, the same page."""
    if path_has_control_characters(request.path_info) or path_has_control_characters(request.path):
        return "path"
    for name, values in request.GET.lists():
        if query_has_control_characters(name) or any(query_has_control_characters(value) for value in values):
            return "query"
    return ""


class RejectHostileInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        part = hostile_part(request)
        if part:
            # The offending URL is not logged: it is attacker-controlled text full of control characters.
            logger.warning("Refused a request with a control character in its %s", part)
            return bad_request(request)
        return self.get_response(request)
