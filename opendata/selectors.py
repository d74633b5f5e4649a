"""Reads of the open-data export: the records of each public file, built only from the public selectors, and the
files currently published.

The records are generated one at a time from a database cursor, so an export of a million documents holds one chunk
of rows in memory, never the whole set."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.selectors import published_reports
from audits.tables import (
    APPLICANT_COLUMNS,
    CARRIED_IN,
    CARRIED_OUT,
    NEW,
    RESULT_GROUPS,
    RESULT_TOTAL,
    REVIEW_RESULTS,
    TABLE_FOUR_PARTS,
    TOTAL,
    column_label,
)
from catalog.models import CatalogueNode, Section
from disclosure.models import Document
from disclosure.selectors import public_documents
from opendata.models import ExportFile, ExportKind

CHUNK_SIZE = 2000  # rows fetched from the cursor at a time; the catalogue items of each chunk are one more query
LIST_SEPARATOR = "；"  # between the values of a list in a CSV cell (JSON Lines keeps a list)


@dataclass(frozen=True)
class Field:
    """One column of a file: the JSON key, the CSV header (the words of the public pages) and what it holds."""

    key: str
    label: str
    description: str


DOCUMENT_FIELDS = [
    Field("index_no", gettext_lazy("索引号"), gettext_lazy("信息索引号：机构代码/年份-五位序号，唯一。")),
    Field("title", gettext_lazy("标题"), gettext_lazy("文件标题。")),
    Field("organisation_code", gettext_lazy("机构代码"), gettext_lazy("发布机构的代码，即索引号的第一部分。")),
    Field("organisation_name", gettext_lazy("发布机构"), gettext_lazy("发布该信息的公开主体。")),
    Field("issuer", gettext_lazy("发文机关"), gettext_lazy("与发布机构不同时填写（联合发文、上级来文），否则为空。")),
    Field("document_number", gettext_lazy("文号"), gettext_lazy("发文字号，没有的为空。")),
    Field("written_on", gettext_lazy("成文日期"), gettext_lazy("YYYY-MM-DD，没有的为空。")),
    Field("published_on", gettext_lazy("发布日期"), gettext_lazy("YYYY-MM-DD，北京时间。")),
    Field(
        "published_at",
        gettext_lazy("发布时间"),
        gettext_lazy("ISO 8601 格式的北京时间，例如 2026-11-30T09:30:00+08:00。"),
    ),
    Field("topic", gettext_lazy("主题分类"), gettext_lazy("主题分类名称，没有的为空。")),
    Field(
        "sections",
        gettext_lazy("公开类别"),
        gettext_lazy(
            "所属目录事项的公开类别（决策公开、执行公开、管理公开、服务公开、结果公开、重点领域信息公开、法定主动公开内容）；"
            "CSV 中多个值以全角分号“；”分隔，JSON Lines 中为数组。"
        ),
    ),
    Field(
        "catalogue_items",
        gettext_lazy("目录事项"),
        gettext_lazy("文件所属的政府信息公开目录事项名称；CSV 中多个值以全角分号“；”分隔，JSON Lines 中为数组。"),
    ),
    Field("validity", gettext_lazy("有效性"), gettext_lazy("有效、失效、废止或已修订。")),
    Field("repealed_on", gettext_lazy("废止日期"), gettext_lazy("废止或失效的日期（YYYY-MM-DD），没有的为空。")),
    Field("keywords", gettext_lazy("主题词"), gettext_lazy("主题词，没有的为空。")),
    Field("summary", gettext_lazy("内容概述"), gettext_lazy("一两句话的内容概述，没有的为空。")),
    Field("url", gettext_lazy("网址"), gettext_lazy("该信息在本平台的网址。")),
]

REPORT_CELL_FIELDS = [
    Field("organisation_code", gettext_lazy("机构代码"), gettext_lazy("报告机构的代码。")),
    Field("organisation_name", gettext_lazy("报告机构"), gettext_lazy("发布年度报告的机构。")),
    Field("year", gettext_lazy("年度"), gettext_lazy("报告年度。")),
    Field("report_url", gettext_lazy("报告网址"), gettext_lazy("年度报告在本平台的网址。")),
    Field("published_at", gettext_lazy("报告发布时间"), gettext_lazy("ISO 8601 格式的北京时间。")),
    Field("table", gettext_lazy("表"), gettext_lazy("表二、表三或表四（国办公开办函〔2021〕30号的格式）。")),
    Field("row_code", gettext_lazy("行代码"), gettext_lazy("行的代码，各年度、各机构相同，便于程序比较。")),
    Field("row", gettext_lazy("行"), gettext_lazy("行的名称，与年度报告表格中的文字相同。")),
    Field("column_code", gettext_lazy("列代码"), gettext_lazy("列的代码，各年度、各机构相同。")),
    Field("column", gettext_lazy("列"), gettext_lazy("列的名称，与年度报告表格中的文字相同。")),
    Field("unit", gettext_lazy("单位"), gettext_lazy("件；表二行政事业性收费为万元。")),
    Field("value", gettext_lazy("数值"), gettext_lazy("发布时固定的数值；未填写的为空（JSON 中为 null）。")),
]

FIELDS = {ExportKind.DOCUMENTS: DOCUMENT_FIELDS, ExportKind.REPORT_CELLS: REPORT_CELL_FIELDS}


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _document_url_template() -> str:
    # The 索引号 is the document's URL path ({code}/{YYYY-NNNNN}): reverse once, not once per row.
    return settings.GOVOPEN_SITE_URL + reverse("disclosure:document", args=["X", "0000-00000"]).replace(
        "X/0000-00000", "{}", 1
    )


def _document_rows(*, now: dt.datetime) -> QuerySet:
    # The narrow columns of the 信息索引 table only: never the body, its search text or workflow fields.
    return (
        public_documents(now=now)
        .order_by("pk")
        .values_list(
            "pk",
            "index_no",
            "title",
            "organisation__code",
            "organisation__name",
            "issuer",
            "document_number",
            "written_on",
            "published_at",
            "topic__name",
            "validity",
            "repealed_on",
            "keywords",
            "summary",
        )
    )


def _catalogue_items(document_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(section, item name) of each document's active catalogue items, in catalogue order (as its page lists them)."""
    links = (
        CatalogueNode.documents.through.objects.filter(document_id__in=document_ids, cataloguenode__is_active=True)
        .order_by("document_id", "cataloguenode__section", "cataloguenode__sort_order", "cataloguenode_id")
        .values_list("document_id", "cataloguenode__section", "cataloguenode__name")
    )
    items: dict[int, list[tuple[str, str]]] = {}
    for document_id, section, name in links:
        items.setdefault(document_id, []).append((section, name))
    return items


def _document_chunks(*, now: dt.datetime, chunk_size: int, keyset: bool | None) -> Iterator[list[tuple]]:
    """The public documents' rows, ``chunk_size`` at a time, in id order.

    One statement on a server-side cursor (at 1M documents on PostgreSQL: 16.5 s to read every row and its catalogue
    items, against 34.9 s for keyset pages of ``id > last``), unless the database has server-side cursors disabled
    (``DISABLE_SERVER_SIDE_CURSORS``, for pgbouncer in transaction mode), where the driver would fetch the whole
    result into memory: then keyset pages."""
    if keyset is None:
        keyset = bool(connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"))
    if not keyset:
        yield from _chunks(_document_rows(now=now).iterator(chunk_size=chunk_size), chunk_size)
        return
    last = 0
    while chunk := list(_document_rows(now=now).filter(pk__gt=last)[:chunk_size]):
        yield chunk
        if len(chunk) < chunk_size:
            return
        last = chunk[-1][0]


def document_records(*, now: dt.datetime, chunk_size: int = CHUNK_SIZE, keyset: bool | None = None) -> Iterator[dict]:
    """Every public document's 信息索引 metadata at ``now``, in id order, as dicts keyed like ``DOCUMENT_FIELDS``.

    On PostgreSQL, call inside a transaction: the rows then come from a server-side cursor ``chunk_size`` at a time
    (outside one, Django declares it WITH HOLD and the server materialises the whole result first)."""
    zone = _local_zone()
    url = _document_url_template()
    validity = {value: str(label) for value, label in Document.Validity.choices}
    sections = {value: str(label) for value, label in Section.choices}
    for chunk in _document_chunks(now=now, chunk_size=chunk_size, keyset=keyset):
        items = _catalogue_items([row[0] for row in chunk])
        for (
            pk,
            index_no,
            title,
            org_code,
            org_name,
            issuer,
            number,
            written_on,
            published_at,
            topic,
            valid,
            repealed_on,
            keywords,
            summary,
        ) in chunk:
            local = published_at.astimezone(zone)
            filed = items.get(pk, ())
            yield {
                "index_no": index_no,
                "title": title,
                "organisation_code": org_code,
                "organisation_name": org_name,
                "issuer": issuer,
                "document_number": number,
                "written_on": written_on.isoformat() if written_on else None,
                "published_on": local.date().isoformat(),
                "published_at": local.isoformat(timespec="seconds"),
                "topic": topic,
                "sections": list(dict.fromkeys(sections.get(section, section) for section, _name in filed)),
                "catalogue_items": [name for _section, name in filed],
                "validity": validity.get(valid, valid),
                "repealed_on": repealed_on.isoformat() if repealed_on else None,
                "keywords": keywords,
                "summary": summary,
                "url": url.format(index_no),
            }


# --- Annual reports -------------------------------------------------------------------------------------------------


def _number(value: object) -> int | float | None:
    """A count stays an integer; the fee amount (a decimal string of 万元) becomes the shortest exact JSON number."""
    if value is None or isinstance(value, int):
        return value
    amount = Decimal(str(value))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def report_cells(data: dict) -> Iterator[dict]:
    """Every number of Tables 二, 三 and 四 of a published report's stored ``data``, in the order the official grids
    (``audits.layout``) print them, with the row and column they stand in."""
    two, count, wan = _("表二"), _("件"), _("万元")
    forms, decisions = data["table_two"]["forms"], data["table_two"]["decisions"]
    form_columns = [("issued", _("本年制发件数")), ("repealed", _("本年废止件数")), ("valid", _("现行有效件数"))]
    for code, label in (("rule", _("规章")), ("normative", _("行政规范性文件"))):
        for column, column_text in form_columns:
            yield _cell(
                two, code, _("第二十条第（一）项 %(l)s") % {"l": label}, column, column_text, count, forms[code][column]
            )
    for code, item, label in (
        ("licensing", _("第二十条第（五）项"), _("行政许可")),
        ("penalty", _("第二十条第（六）项"), _("行政处罚")),
        ("coercion", _("第二十条第（六）项"), _("行政强制")),
    ):
        yield _cell(two, code, f"{item} {label}", "decisions", _("本年处理决定数量"), count, decisions[code])
    yield _cell(
        two,
        "admin_fees",
        _("第二十条第（八）项 行政事业性收费"),
        "amount",
        _("本年收费金额"),
        wan,
        data.get("admin_fees_wan"),
    )

    three, rows = _("表三"), data["table_three"]
    columns = [(column, column_label(column)) for column in [*APPLICANT_COLUMNS, TOTAL]]
    results = _("三、本年度办理结果")
    labelled = [(NEW, _("一、本年新收政府信息公开申请数量")), (CARRIED_IN, _("二、上年结转政府信息公开申请数量"))]
    for group, label, subs in RESULT_GROUPS:
        labelled += [(code, f"{results} {label} {sub}") for code, sub in subs] or [(group, f"{results} {label}")]
    labelled += [(RESULT_TOTAL, f"{results} {_('（七）总计')}"), (CARRIED_OUT, _("四、结转下年度继续办理"))]
    for code, label in labelled:
        for index, (column, column_text) in enumerate(columns):
            yield _cell(three, code, label, column, column_text, count, rows[code][index])

    four, parts = _("表四"), data["table_four"]
    part_labels = {
        "review": _("行政复议"),
        "litigation_direct": _("行政诉讼 未经复议直接起诉"),
        "litigation_after_review": _("行政诉讼 复议后起诉"),
    }
    result_columns = list(
        zip(
            [str(result) for result in REVIEW_RESULTS] + [TOTAL],
            [_("结果维持"), _("结果纠正"), _("其他结果"), _("尚未审结"), _("总计")],
            strict=True,
        )
    )
    for part in TABLE_FOUR_PARTS:
        for index, (column, column_text) in enumerate(result_columns):
            yield _cell(four, part, part_labels[part], column, column_text, count, parts[part][index])


def _cell(table: str, row_code: str, row: str, column_code: str, column: str, unit: str, value: object) -> dict:
    return {
        "table": table,
        "row_code": row_code,
        "row": row,
        "column_code": column_code,
        "column": column,
        "unit": unit,
        "value": _number(value),
    }


def report_cell_records(*, now: dt.datetime) -> Iterator[dict]:
    """Every cell of every annual report published by ``now``, report by report (oldest year first), keyed like
    ``REPORT_CELL_FIELDS``."""
    zone = _local_zone()
    reports = (
        published_reports()
        .filter(published_at__lte=now)
        .order_by("year", "organisation__sort_order", "organisation__code", "pk")
        .only("year", "published_at", "data", "organisation__code", "organisation__name")
    )
    for report in reports.iterator(chunk_size=50):
        head = {
            "organisation_code": report.organisation.code,
            "organisation_name": report.organisation.name,
            "year": report.year,
            "report_url": settings.GOVOPEN_SITE_URL + reverse("audits:report", args=[report.pk]),
            "published_at": report.published_at.astimezone(zone).isoformat(timespec="seconds"),
        }
        for cell in report_cells(report.data):
            yield {**head, **cell}


RECORDS = {ExportKind.DOCUMENTS: document_records, ExportKind.REPORT_CELLS: report_cell_records}


# --- The published files ---------------------------------------------------------------------------------------------


def integrity_head_seq() -> int:
    from integrity.selectors import head

    entry = head()
    return entry.seq if entry is not None else 0


# Which log entries make which data set stale: a document's withdrawal, or (should it ever happen) a report's.
_STALE_BY = {ExportKind.DOCUMENTS: "document", ExportKind.REPORT_CELLS: "annual_report"}


def stale_kinds() -> set[str]:
    """The data sets whose current files were made before a withdrawal of one of their records was logged: they may
    hold a record that is no longer public. One probe along the log's primary key per data set."""
    from integrity.models import Entry

    stale = set()
    for kind, seq in ExportFile.objects.values_list("kind", "log_seq").distinct():
        withdrawn = Entry.objects.filter(
            seq__gt=seq or 0, kind=Entry.Kind.WITHDRAWN, record_type=_STALE_BY.get(kind, "")
        )
        if withdrawn.exists():
            stale.add(kind)
    return stale


def export_files() -> QuerySet[ExportFile]:
    """The files of the open-data page, documents first, CSV before JSON Lines."""
    return ExportFile.objects.order_by("kind", "format")


def export_file(name: str) -> ExportFile | None:
    return ExportFile.objects.filter(name=name).first()
