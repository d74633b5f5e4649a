"""Reads shared by the admin pages, the public report page and the exports."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from audits.layout import html_grid, table_four_grid, table_three_grid, table_two_grid
from audits.models import AnnualReport, AuditRun, Finding, FindingKind
from audits.tables import RESULT_GROUPS
from core.charts import columns, horizontal_bars


def published_reports() -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(
        status=AnnualReport.Status.PUBLISHED, organisation__is_active=True
    ).select_related("organisation")


def run_kind_rows(run: AuditRun) -> list[tuple[str, int, int | None, int | None]]:
    """(kind label, count in this run, count in the previous run, change) for every kind of R36; the last two
    are None for a first run."""
    now = run.summary.get("by_kind", {})
    before = run.previous.summary.get("by_kind", {}) if run.previous_id and run.previous else None
    return [
        (
            str(label),
            now.get(kind, 0),
            None if before is None else before.get(kind, 0),
            None if before is None else now.get(kind, 0) - before.get(kind, 0),
        )
        for kind, label in FindingKind.choices
    ]


def run_findings(run: AuditRun) -> QuerySet[Finding]:
    return run.found.select_related("organisation").order_by("organisation__sort_order", "kind", "pk")


def findings_chart(run: AuditRun) -> SafeString:
    items = [(label.split("（")[0], now) for label, now, _b, _d in run_kind_rows(run)]
    return horizontal_bars(chart_id=f"run-{run.pk}-kinds", title=_("按类型统计的问题数"), items=items, unit=_("项"))


def outcome_items(data: dict) -> list[tuple[str, int]]:
    """Table 三's 办理结果 by group, total column: 予以公开, 部分公开, 不予公开, ..."""
    rows = data["table_three"]
    items = []
    for group, label, subs in RESULT_GROUPS:
        codes = [code for code, _l in subs] or [group]
        items.append((label[3:7], sum(rows[code][-1] for code in codes)))  # "（一）予以公开" → 予以公开
    return items


def report_charts(report: AnnualReport, data: dict) -> list[tuple[SafeString, list[tuple[str, int]], str]]:
    """The two charts of R30's report page, each with its numbers for the table beside it."""
    outcomes = outcome_items(data)
    months = [(_("%(m)s月") % {"m": index + 1}, n) for index, n in enumerate(data["proactive_by_month"])]
    return [
        (
            horizontal_bars(
                chart_id=f"report-{report.pk}-outcomes",
                title=_("政府信息公开申请办理结果"),
                items=outcomes,
                unit=_("件"),
            ),
            outcomes,
            _("办理结果"),
        ),
        (
            columns(
                chart_id=f"report-{report.pk}-months", title=_("各月主动公开政府信息数量"), items=months, unit=_("条")
            ),
            months,
            _("月份"),
        ),
    ]


def report_grids(report: AnnualReport, data: dict) -> list[tuple[str, list]]:
    """Tables 二–四 as titled grids of cells (the XLSX export writes these)."""
    fees = data.get("admin_fees_wan")
    return [
        (_("二、主动公开政府信息情况"), table_two_grid(data, fees)),
        (_("三、收到和处理政府信息公开申请情况"), table_three_grid(data)),
        (_("四、政府信息公开行政复议、行政诉讼情况"), table_four_grid(data)),
    ]


def report_tables(report: AnnualReport, data: dict) -> list[tuple[str, list]]:
    """``report_grids`` for the HTML page: every data cell with its header cells (``audits.layout.html_grid``)."""
    return [
        (title, html_grid(grid, prefix=f"t{number}"))
        for number, (title, grid) in enumerate(report_grids(report, data), start=2)
    ]


def fees_sentence(data: dict) -> str:
    fees = data["fees"]
    if not fees["count"]:
        return _("本年度未收取信息处理费。")
    return _("本年度依据《政府信息公开信息处理费管理办法》收取信息处理费 %(n)s 件，共计 %(a)s 元。") % {
        "n": fees["count"],
        "a": fees["amount"],
    }


def report_notes(data: dict) -> list[str]:
    """The counting rules the numbers were computed by, as stored with them (none for reports published before the
    notes were kept)."""
    return list(data.get("notes", []))
