"""Errors of the API as JSON with a Chinese message: ``{"detail": …, "code": …}``, plus ``errors`` (the parameters
refused, each with its messages) on a 400 and ``retry_after`` (seconds) on a 429.

Missing and not public are the same 404. DRF's exceptions go through ``exception_handler`` (the
``EXCEPTION_HANDLER`` of ``REST_FRAMEWORK``, so every DRF view of every app answers this way);
``api.middleware.ApiMiddleware`` turns Django's own HTML 404 and 500 pages under ``/api/`` into the same shape."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def not_found_message() -> str:
    return _("未找到：该资源不存在或未公开。")


def throttled_message(wait: int) -> str:
    return _("请求过于频繁，请在 %(s)s 秒后再试。") % {"s": wait}


def json_error(
    status: int, *, detail: str, code: str, headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    """An error answered outside DRF (by the middleware), in the same shape as ``exception_handler``'s."""
    body = json.dumps({"detail": detail, "code": code, **extra}, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _messages(value: Any) -> Any:
    """DRF's error details as plain strings (lists and dicts kept)."""
    if isinstance(value, dict):
        return {str(key): _messages(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_messages(item) for item in value]
    return str(value)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, (Http404, PermissionDenied, exceptions.PermissionDenied, exceptions.NotAuthenticated)):
        exc = exceptions.NotFound()  # forbidden looks exactly like missing
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500, turned into JSON by the middleware
    if isinstance(exc, exceptions.NotFound):
        data: dict[str, Any] = {"detail": not_found_message(), "code": "not_found"}
    elif isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
        data = {"detail": _("请求参数有误。"), "code": "invalid", "errors": errors}
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        data = {"detail": throttled_message(wait), "code": "throttled", "retry_after": wait}
        response["Retry-After"] = str(wait)
    elif isinstance(exc, exceptions.MethodNotAllowed):
        data = {
            "detail": _("本接口只读，不接受 %(m)s 请求。") % {"m": context["request"].method},
            "code": "method_not_allowed",
        }
    elif isinstance(exc, exceptions.NotAcceptable):
        data = {"detail": _("本接口只提供 JSON 格式。"), "code": "not_acceptable"}
    else:
        detail = getattr(exc, "detail", "")
        data = {
            "detail": str(detail) if not isinstance(detail, (list, dict)) else _("请求有误。"),
            "code": str(getattr(exc, "default_code", "error")),
        }
    response.data = data
    return response


class ErrorSerializer(serializers.Serializer):
    """What every error answers (documented on every operation)."""

    detail = serializers.CharField(help_text="错误说明（中文）")
    code = serializers.CharField(help_text="错误代码：not_found、invalid、throttled、method_not_allowed 等")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="400 时：各个有误的参数及其说明",
    )
    retry_after = serializers.IntegerField(required=False, help_text="429 时：多少秒后可以再试")
