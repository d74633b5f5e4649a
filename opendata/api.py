"""The open-data listing for programs: ``/api/v1/open-data/``, the same files and data dictionary as the page."""

from __future__ import annotations

from django.http import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opendata.models import ExportFormat, ExportKind
from opendata.views import listing


class OpenDataFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="文件名，例如 documents.csv")
    # Plain strings, not enums: the schema's enum components are named after the field, and other endpoints may
    # have a "format" of their own.
    dataset = serializers.CharField(help_text="数据集：" + "、".join(ExportKind.values))
    format = serializers.CharField(help_text="格式：" + "、".join(ExportFormat.values))
    url = serializers.URLField(help_text="下载地址")
    size = serializers.IntegerField(help_text="字节数")
    rows = serializers.IntegerField(help_text="数据行数（不含 CSV 的表头）")
    sha256 = serializers.CharField(help_text="文件的 SHA-256（十六进制）")
    generated_at = serializers.DateTimeField(help_text="生成时间（北京时间）")
    snapshot_at = serializers.DateTimeField(help_text="数据截至（北京时间）")
    available = serializers.BooleanField(help_text="能否下载：文件生成后有信息被撤回时为 false，几分钟内重新生成后恢复")


class OpenDataFieldSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="JSON Lines 中的键")
    csv_header = serializers.CharField(help_text="CSV 表头中的列名")
    description = serializers.CharField(help_text="说明")


class OpenDataDatasetSerializer(serializers.Serializer):
    dataset = serializers.CharField(help_text="数据集：" + "、".join(ExportKind.values))
    title = serializers.CharField()
    fields = OpenDataFieldSerializer(many=True)


class OpenDataListingSerializer(serializers.Serializer):
    files = OpenDataFileSerializer(many=True)
    datasets = OpenDataDatasetSerializer(many=True)
    page = serializers.URLField(help_text="开放数据页面")


class OpenDataListing(APIView):
    """开放数据文件列表：每个文件的格式、大小、行数、生成时间和 SHA-256，以及字段说明。"""

    # ETag, 304 and Cache-Control come from api.middleware like every /api/ answer: a new generation of files moves
    # the global publication version (opendata.services), and with it the ETag.
    @extend_schema(responses=OpenDataListingSerializer, operation_id="open_data_list", tags=["open-data"])
    def get(self, request: Request) -> HttpResponseBase:
        return Response(listing(request))
