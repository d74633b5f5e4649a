"""``/api/v1/statistics/`` and ``/api/v1/statistics/<code>/``: the numbers of the statistics pages, from the same
snapshot. The global REST_FRAMEWORK defaults (caching, throttling, errors) apply."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from performance.selectors import RECENT, snapshot_period, statistics_organisation, statistics_snapshot
from performance.serializers import StatisticsSerializer
from performance.views import snapshot_payload

PERIOD = OpenApiParameter(
    "period",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="统计期间：recent（近12个月，默认）或年份，如 2025；可选值见返回的 periods。",
)


def _answer(request: Request, code: str | None) -> Response:
    organisation = None
    if code is not None:
        organisation = statistics_organisation(code)
        if organisation is None:
            raise NotFound(_("没有这个机构。"))
    snapshot = statistics_snapshot(organisation)
    if snapshot is None:
        raise NotFound(_("统计数据尚未生成。"))
    key = request.query_params.get("period", RECENT)
    period = snapshot_period(snapshot, key)
    if period is None:
        raise ValidationError({"period": [_("没有这个统计期间，可选值见 periods。")]})
    return Response(StatisticsSerializer(snapshot_payload(snapshot, organisation, period)).data)


class StatisticsView(APIView):
    @extend_schema(
        operation_id="statistics_all",
        parameters=[PERIOD],
        responses=StatisticsSerializer,
        summary="政务公开工作统计（全部机构）",
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        return _answer(request, None)


class OrganisationStatisticsView(APIView):
    @extend_schema(
        operation_id="statistics_organisation",
        parameters=[PERIOD],
        responses=StatisticsSerializer,
        summary="一个机构的政务公开工作统计",
        tags=["statistics"],
    )
    def get(self, request: Request, code: str) -> Response:
        return _answer(request, code)
