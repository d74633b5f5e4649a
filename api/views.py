"""Version 1 of the read-only JSON API (``/api/v1/``). Every read goes through the public selectors the pages use,
so the API shows exactly what the site shows and nothing else; anything missing or not public is the same 404.

Lists are paged by a cursor (``core.pagination``); the search is ranked, so it is paged by number, at most up to the
search's bound, as on the search page. Caching, the rate limit and the error format are the project-wide defaults
(``REST_FRAMEWORK`` in settings, ``api.middleware``), so they apply to these views without anything here."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as api_serializers
from api.selectors import DOCUMENT_SUMMARY_FIELDS, document_summaries, public_reposts, public_successor
from audits.selectors import fees_sentence, published_reports, report_grids, report_notes
from catalog.models import Organisation, Section
from catalog.selectors import disclosure_subjects
from core.params import bounded_int
from disclosure.models import Document, InterpretationForm
from disclosure.search import backends
from disclosure.search.query import FIELD_LABELS, FILTER_LABELS, PAGE_SIZE, PARAMS, clean_filters, search_documents
from disclosure.selectors import (
    catalogue_tree,
    directory_issues,
    document_catalogue_items,
    document_files,
    interpretation_search,
    interpretations_of_public_document,
    node_document_count,
    node_documents,
    node_nil_notices,
    on_request_directory,
    public_document,
    public_interpretation,
    public_interpretation_list,
    public_nodes,
    sub_items,
    without_blank_columns,
)
from emergencies.selectors import public_emergencies, public_emergency

TAG_DOCUMENTS, TAG_CATALOGUE, TAG_INTERPRETATIONS = "文件", "机构和五公开目录", "政策解读"
TAG_DIRECTORY, TAG_REPORTS, TAG_EMERGENCIES, TAG_REPOSTS = "依申请公开目录", "年度报告", "突发事件", "转载"


def _path_id(description: str) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=description)


CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="机构代码（字母、数字和连字符）", pattern=r"^[A-Za-z0-9-]+$"
)
NUMBER = OpenApiParameter(
    "number",
    str,
    OpenApiParameter.PATH,
    description="索引号中年度和序号的部分：YYYY-NNNNN",
    pattern=r"^[0-9]{4}-[0-9]{5}$",
)


def _not_found() -> Http404:
    return Http404()


# --- Documents ---------------------------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_DOCUMENTS],
    summary="文件列表",
    description=(
        "全部主动公开的文件，最新发布的在前（发布日期、编号倒序），用游标翻页。需要检索或筛选时用 /api/v1/documents/search/。"
    ),
)
class DocumentList(generics.ListAPIView):
    serializer_class = api_serializers.DocumentSummarySerializer
    cursor_ordering = ("-published_at", "-pk")

    def get_queryset(self) -> Any:
        return document_summaries()


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q", str, description="检索词（与网页检索相同：切词后全部命中；含数字时也按整体匹配文号、索引号）"
    ),
    OpenApiParameter("org", str, description="发布机构代码"),
    OpenApiParameter("topic", int, description="主题分类编号（取自分面 topic 的 value）"),
    OpenApiParameter("section", str, enum=Section.values, description="公开类别"),
    OpenApiParameter("year", int, description="发布年份（1900–2999）"),
    OpenApiParameter("validity", str, enum=Document.Validity.values, description="有效性"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="发布日期起（含当日，北京时间，YYYY-MM-DD）"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="发布日期止（含当日，北京时间，YYYY-MM-DD）"),
    OpenApiParameter(
        "field", str, enum=[k for k in FIELD_LABELS if k], description="只检索：title 标题；number 文号或索引号"
    ),
    OpenApiParameter(
        "sort", str, enum=["date"], description="date：按发布日期排序；不填按相关度（标题命中在前，再按日期）"
    ),
    OpenApiParameter(
        "page", int, description=f"页码（1 起，每页 {PAGE_SIZE} 条，最多 {backends.BOUND // PAGE_SIZE} 页）"
    ),
]


def _search_arguments(request: Request) -> tuple[dict[str, str], int]:
    """The search's parameters as the page reads them; a value the page would drop with a notice is a 400 here."""
    params = {name: request.query_params.get(name, "") for name in PARAMS}
    _filters, ignored = clean_filters(params)
    errors = {name: [_("“%(label)s”的取值无效。") % {"label": FILTER_LABELS[name]}] for name in ignored}
    sort = request.query_params.get("sort", "")
    if sort not in ("", "date"):
        errors["sort"] = [_("只能是 date，或不填。")]
    last_page = max(1, -(-backends.BOUND // PAGE_SIZE))
    raw_page = request.query_params.get("page")
    page = 1 if raw_page is None else bounded_int(raw_page, minimum=1, maximum=last_page)
    if page is None:
        errors["page"] = [_("应为 1 到 %(n)s 之间的整数。") % {"n": last_page}]
    if errors:
        raise exceptions.ValidationError(errors)
    return params, page


def _page_link(request: Request, page: int) -> str:
    pairs = [(k, v) for k, values in request.query_params.lists() for v in values if k != "page"]
    return request.build_absolute_uri(request.path + "?" + urlencode([*pairs, ("page", str(page))]))


@extend_schema(
    tags=[TAG_DOCUMENTS],
    summary="检索文件",
    parameters=SEARCH_PARAMETERS,
    responses=api_serializers.SearchSerializer,
    description=(
        "与网页“检索”相同的检索、筛选、分面和排序，结果也相同。按相关度排序，因此用页码翻页：计数、分面和翻页最多覆盖最新的 "
        f"{backends.BOUND} 条结果，超过时 total 为估计数（exact 为 false）。不带 q 时按筛选条件列出文件。"
    ),
)
class DocumentSearch(APIView):
    def get(self, request: Request) -> Response:
        params, number = _search_arguments(request)
        result = search_documents(
            query=request.query_params.get("q", ""),
            params=params,
            page_number=number,
            sort=request.query_params.get("sort", ""),
        )
        page = result.page
        interpretations = interpretation_search(result.words, policy_ids=result.policies) if page.number == 1 else []
        data = {
            "query": result.query,
            "words": result.words,
            "also": result.also,
            "total": result.total,
            "exact": result.exact,
            "bound": result.bound,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "page_size": PAGE_SIZE,
            "next": _page_link(request, page.number + 1) if page.has_next() else None,
            "previous": _page_link(request, page.number - 1) if page.has_previous() else None,
            "filters": result.filters,
            "messages": result.messages,
            "facets": result.facets,
            "results": [
                {"document": hit.document, "title_html": str(hit.title_html), "snippet_html": str(hit.snippet_html)}
                for hit in result.hits
            ],
            "interpretations": interpretations,
        }
        return Response(api_serializers.SearchSerializer(data, context={"request": request}).data)


@extend_schema(
    tags=[TAG_DOCUMENTS],
    summary="文件详情",
    parameters=[CODE, NUMBER],
    responses=api_serializers.DocumentDetailSerializer,
    description="信息索引（索引号、发布机构、成文日期、文号、主题分类、有效性……）、正文、附件、现行文件、政策解读和转载来源。",
)
class DocumentDetail(APIView):
    def get(self, request: Request, code: str, number: str) -> Response:
        document = public_document(code=code, number=number)
        if document is None:
            raise _not_found()
        context = {
            "request": request,
            "successor": public_successor(document),
            "attachments": document_files(document),
            "nodes": document_catalogue_items(document),
            "interpretations": interpretations_of_public_document(document),
        }
        return Response(api_serializers.DocumentDetailSerializer(document, context=context).data)


# --- Organisations and catalogues --------------------------------------------------------------------------------


def _organisation(code: str) -> Organisation:
    organisation = disclosure_subjects().filter(code=code).first()
    if organisation is None:
        raise _not_found()
    return organisation


@extend_schema(
    tags=[TAG_CATALOGUE], summary="机构列表", description="有政府信息公开指南和五公开目录的机构（公开主体）。"
)
class OrganisationList(generics.ListAPIView):
    serializer_class = api_serializers.OrganisationSerializer
    cursor_ordering = ("sort_order", "pk")

    def get_queryset(self) -> Any:
        return disclosure_subjects()


@extend_schema(
    tags=[TAG_CATALOGUE],
    summary="机构及其政府信息公开指南",
    parameters=[CODE],
    responses=api_serializers.OrganisationDetailSerializer,
)
class OrganisationDetail(APIView):
    def get(self, request: Request, code: str) -> Response:
        organisation = _organisation(code)
        sections = [(section, [node for node, _c in nodes]) for section, nodes in catalogue_tree(organisation) if nodes]
        context = {"request": request, "sections": sections}
        return Response(api_serializers.OrganisationDetailSerializer(organisation, context=context).data)


@extend_schema(
    tags=[TAG_CATALOGUE],
    summary="机构的五公开目录",
    parameters=[CODE],
    responses=api_serializers.CatalogueSerializer,
    description="与网页相同：没有公开内容（也没有“本期无”说明）的事项和类别不列出。",
)
class OrganisationCatalogue(APIView):
    def get(self, request: Request, code: str) -> Response:
        organisation = _organisation(code)
        sections = []
        for section, items in without_blank_columns(catalogue_tree(organisation)):
            nodes = []
            for node, children in items:
                node.tree_children = children
                nodes.append(node)
            sections.append({"section": section.value, "label": str(section.label), "items": nodes})
        data = {"organisation": organisation, "sections": sections}
        return Response(api_serializers.CatalogueSerializer(data, context={"request": request}).data)


def _node(pk: int) -> Any:
    node = public_nodes().select_related("organisation", "parent", "subject").filter(pk=pk).first()
    if node is None:
        raise _not_found()
    return node


@extend_schema(
    tags=[TAG_CATALOGUE],
    summary="五公开目录事项",
    parameters=[_path_id("目录事项编号")],
    responses=api_serializers.CatalogueItemSerializer,
)
class CatalogueItemDetail(APIView):
    def get(self, request: Request, pk: int) -> Response:
        node = _node(pk)
        children = sub_items(node)
        context = {
            "request": request,
            "children": [child for child in children if child.is_active],
            "document_count": node_document_count(node, children=children),
            "nil_notices": list(node_nil_notices(node)[:12]),
        }
        return Response(api_serializers.CatalogueItemSerializer(node, context=context).data)


@extend_schema(
    tags=[TAG_CATALOGUE],
    summary="目录事项的文件",
    parameters=[_path_id("目录事项编号")],
    description="该事项及其二级事项下已公开的文件，最新的在前。",
)
class CatalogueItemDocuments(generics.ListAPIView):
    serializer_class = api_serializers.DocumentSummarySerializer
    cursor_ordering = ("-published_at", "-pk")

    def get_queryset(self) -> Any:
        node = _node(self.kwargs["pk"])
        return node_documents(node).only(*DOCUMENT_SUMMARY_FIELDS)


# --- Interpretations ---------------------------------------------------------------------------------------------


@extend_schema(
    tags=[TAG_INTERPRETATIONS],
    summary="政策解读列表",
    parameters=[
        OpenApiParameter("form", str, enum=InterpretationForm.values, description="解读形式"),
        OpenApiParameter("org", str, description="解读机构代码"),
    ],
)
class InterpretationList(generics.ListAPIView):
    serializer_class = api_serializers.InterpretationSummarySerializer

    def get_queryset(self) -> Any:
        form = self.request.query_params.get("form", "")
        if form and form not in InterpretationForm.values:
            raise exceptions.ValidationError({"form": [_("不是已知的解读形式。")]})
        organisation = self.request.query_params.get("org", "")[:40]
        return public_interpretation_list(form=form, organisation=organisation).only(
            "pk",
            "title",
            "form",
            "published_at",
            "organisation__code",
            "organisation__name",
            "policy__title",
            "policy__index_no",
        )


@extend_schema(
    tags=[TAG_INTERPRETATIONS],
    summary="政策解读详情",
    parameters=[_path_id("解读编号")],
    responses=api_serializers.InterpretationDetailSerializer,
)
class InterpretationDetail(APIView):
    def get(self, request: Request, pk: int) -> Response:
        interpretation = public_interpretation(pk)
        if interpretation is None:
            raise _not_found()
        data = api_serializers.InterpretationDetailSerializer(interpretation, context={"request": request}).data
        return Response(data)


# --- 依申请公开目录 ----------------------------------------------------------------------------------------------


@extend_schema(tags=[TAG_DIRECTORY], summary="依申请公开目录（各期）", description="已发布的各期目录，最新的在前。")
class DirectoryIssueList(generics.ListAPIView):
    serializer_class = api_serializers.DirectoryIssueSerializer
    cursor_ordering = ("-period_start", "-pk")

    def get_queryset(self) -> Any:
        return directory_issues()


@extend_schema(
    tags=[TAG_DIRECTORY],
    summary="一期依申请公开目录",
    parameters=[_path_id("目录期号")],
    responses=api_serializers.DirectoryIssueDetailSerializer,
    description="只有目录信息（标题、索引号、文号、内容概述、机构、日期），没有正文和附件。",
)
class DirectoryIssueDetail(APIView):
    def get(self, request: Request, pk: int) -> Response:
        issue = directory_issues().filter(pk=pk).first()
        if issue is None:
            raise _not_found()
        return Response(api_serializers.DirectoryIssueDetailSerializer(issue, context={"request": request}).data)


@extend_schema(
    tags=[TAG_DIRECTORY],
    summary="尚未编入目录的条目",
    responses=inline_serializer(
        "DirectoryPending",
        {
            "since": serializers.DateField(allow_null=True, help_text="自这一天起审定的（上一期目录之后）"),
            "rows": api_serializers.DirectoryRowSerializer(many=True, help_text="下一期目录将编入的条目"),
        },
    ),
)
class DirectoryPending(APIView):
    def get(self, request: Request) -> Response:
        latest = directory_issues().first()
        since = latest.period_end + dt.timedelta(days=1) if latest else None
        rows = on_request_directory(start=since or dt.date(2000, 1, 1), end=timezone.localdate())
        return Response(
            {
                "since": since.isoformat() if since else None,
                "rows": [
                    {
                        "index_no": row["index_no"],
                        "title": row["title"],
                        "document_number": row["document_number"],
                        "summary": row["summary"],
                        "organisation": row["organisation__name"],
                        "written_on": row["written_on"].isoformat() if row["written_on"] else "",
                        "decided_on": timezone.localtime(row["decided_at"]).date().isoformat(),
                    }
                    for row in rows
                ],
            }
        )


# --- Annual reports ----------------------------------------------------------------------------------------------


@extend_schema(tags=[TAG_REPORTS], summary="政府信息公开工作年度报告", description="已发布的年度报告，年度倒序。")
class AnnualReportList(generics.ListAPIView):
    serializer_class = api_serializers.AnnualReportSerializer
    cursor_ordering = ("-year", "-pk")

    def get_queryset(self) -> Any:
        return published_reports()


@extend_schema(
    tags=[TAG_REPORTS],
    summary="年度报告详情",
    parameters=[_path_id("年度报告编号")],
    responses=api_serializers.AnnualReportDetailSerializer,
    description="正文各部分，和表二至表四的每一个单元格（与网页、Excel 文件相同的格式）。",
)
class AnnualReportDetail(APIView):
    def get(self, request: Request, pk: int) -> Response:
        report = published_reports().filter(pk=pk).first()
        if report is None:
            raise _not_found()
        data = report.data
        report.grids = report_grids(report, data)
        report.fees_sentence = fees_sentence(data)
        report.notes = report_notes(data)
        return Response(api_serializers.AnnualReportDetailSerializer(report, context={"request": request}).data)


# --- Emergencies and reposts -------------------------------------------------------------------------------------


@extend_schema(tags=[TAG_EMERGENCIES], summary="突发事件", description="已发布权威信息的突发事件，事发时间倒序。")
class EmergencyList(generics.ListAPIView):
    serializer_class = api_serializers.EmergencySerializer
    cursor_ordering = ("-started_at", "-pk")

    def get_queryset(self) -> Any:
        return public_emergencies()


@extend_schema(
    tags=[TAG_EMERGENCIES],
    summary="突发事件及其信息发布时间线",
    parameters=[_path_id("突发事件编号")],
    responses=api_serializers.EmergencyDetailSerializer,
)
class EmergencyDetail(APIView):
    def get(self, request: Request, pk: int) -> Response:
        emergency = public_emergency(pk)
        if emergency is None:
            raise _not_found()
        return Response(api_serializers.EmergencyDetailSerializer(emergency, context={"request": request}).data)


@extend_schema(
    tags=[TAG_REPOSTS],
    summary="转载的上级文件",
    description="本站转载发布的上级政策文件和解读，及其来源（机构、层级、原文链接、原文发布时间），最新的在前。",
)
class RepostList(generics.ListAPIView):
    serializer_class = api_serializers.RepostSerializer
    cursor_ordering = ("-published_at", "-pk")

    def get_queryset(self) -> Any:
        return public_reposts()
