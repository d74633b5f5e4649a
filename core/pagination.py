"""Cursor pagination, the default of every DRF list (``DEFAULT_PAGINATION_CLASS``): the client follows ``next`` and
``previous``; page 1,000 costs what page 1 costs and a publication between two requests neither repeats nor skips a
row. Each view names its stable order in ``cursor_ordering`` (newest first, the primary key last), else
``-published_at, -pk``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class PublicCursorPagination(CursorPagination):
    ordering = ("-published_at", "-pk")
    page_size_query_param = "page_size"
    page_size_query_description = "每页条数（默认 20，最多 100）"
    cursor_query_description = "翻页游标：取自上一次响应的 next 或 previous 链接，不要自行拼写"

    def __init__(self) -> None:
        # Read per request (a paginator is made for each), so the settings may change without a restart of tests.
        self.page_size = settings.GOVOPEN_API_PAGE_SIZE
        self.max_page_size = settings.GOVOPEN_API_MAX_PAGE_SIZE

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("应为 1 到 %(n)s 之间的整数。") % {"n": self.max_page_size}]}
            )
        return int(raw)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:  # a cursor we did not write is a bad parameter, not a missing page
            raise exceptions.ValidationError({self.cursor_query_param: [_("翻页游标无效。")]}) from exc

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        # A well-formed cursor may still carry a position that is not a value of the ordering field (p=abc for a
        # date or a number): the database layer refuses it while the page is read.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            raise exceptions.ValidationError({self.cursor_query_param: [_("翻页游标无效。")]}) from exc
