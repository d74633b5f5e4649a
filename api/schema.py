"""The OpenAPI schema class of every DRF view (``DEFAULT_SCHEMA_CLASS``): each operation also documents the errors
every API response may be (400 bad parameter, 404 missing or not public, 429 rate limit), with their JSON shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.errors import ErrorSerializer

ERRORS = {
    "400": "参数有误（中文说明在 detail，逐项说明在 errors）",
    "404": "不存在或未公开（两者相同）",
    "429": "请求过于频繁（Retry-After 头给出等待秒数）",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    direction=direction,
                )
        return responses
