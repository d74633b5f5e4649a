"""The integrity log in the JSON API (``/api/v1/integrity/``): the same entries, fields and values as the export
(``integrity/export.jsonl``), newest first with cursor pagination along the primary key."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.cache import patch_cache_control
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.pagination import PublicCursorPagination
from integrity.models import Entry
from integrity.selectors import entry, head


class FileSerializer(serializers.Serializer):
    size = serializers.IntegerField(help_text="字节数")
    sha256 = serializers.CharField(help_text="文件的 SHA-256")


class EntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="链上序号，从 1 起连续")
    at = serializers.CharField(help_text="记录时间，UTC，YYYY-MM-DDTHH:MM:SS.ffffffZ")
    kind = serializers.ChoiceField(choices=Entry.Kind.choices, help_text="事件")
    type = serializers.ChoiceField(choices=Entry.RecordType.choices, help_text="记录类型")
    path = serializers.CharField(help_text="记录在本站的网址（不含挂载前缀）")
    version = serializers.IntegerField(help_text="该网址的第几条存证")
    content_sha256 = serializers.CharField(allow_blank=True, help_text="规范内容的 SHA-256；撤回时为空")
    files = FileSerializer(many=True)
    prev_hash = serializers.CharField(help_text="前一条存证的哈希；第 1 条为 64 个 0")
    hash = serializers.CharField(help_text="本条哈希：除 hash 外各项的规范 JSON 的 SHA-256")

    def to_representation(self, instance: Entry) -> dict[str, Any]:
        return {**instance.public_fields(), "hash": instance.hash}


class EntryCursor(PublicCursorPagination):
    """The API's cursor pages (a bad cursor is a 400), 50 entries a page, newest first."""

    ordering = ("-seq",)

    def __init__(self) -> None:
        super().__init__()
        self.page_size = 50


class _Cached:
    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=60)
        return response


class EntryList(_Cached, generics.ListAPIView):
    """发布存证，最新在前（游标分页）。"""

    serializer_class = EntrySerializer
    pagination_class = EntryCursor
    queryset = Entry.objects.all()


class EntryDetail(_Cached, generics.RetrieveAPIView):
    """发布存证的一条。"""

    serializer_class = EntrySerializer
    lookup_field = "seq"

    def get_object(self) -> Entry:
        found = entry(self.kwargs["seq"])
        if found is None:
            raise Http404
        return found


class EntryHead(_Cached, generics.RetrieveAPIView):
    """当前链头（最新的一条存证）；尚无存证时 404。"""

    serializer_class = EntrySerializer

    def get_object(self) -> Entry:
        found = head()
        if found is None:
            raise Http404
        return found
