"""The statistics of one period as a workbook: the same numbers as the page, one sheet per table."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audits.xlsx import BOLD, _save
from performance.models import StatisticsSnapshot


def _table(sheet: Worksheet, header: list[str], rows: list[list[object]], *, widths: tuple[int, ...] = ()) -> None:
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for row in rows:
        sheet.append(["—" if value is None else value for value in row])
    for column, width in enumerate(widths or (14,) * len(header), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def statistics_xlsx(*, snapshot: StatisticsSnapshot, period: dict, title: str) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = _("概况")
    summary.append([title])
    summary["A1"].font = BOLD
    summary.append([_("统计期间"), period["label"]])
    summary.append([_("数据截至"), timezone.localtime(snapshot.computed_at).strftime("%Y-%m-%d %H:%M")])
    a, d, i = period["applications"], period["documents"], period["interpretations"]
    opened = snapshot.data.get("open", {})
    _table(
        summary,
        [_("项目"), _("数值")],
        [
            [_("收到申请（件）"), a["received"]],
            [_("办结（件）"), a["concluded"]],
            [_("答复（件）"), a["replied"]],
            [_("按期答复（件）"), a["on_time"]],
            [_("逾期答复（件）"), a["late"]],
            [_("按期答复率（%）"), a["on_time_percent"]],
            [_("答复用时中位数（工作日）"), a["median_days"]],
            [_("答复用时第90百分位（工作日）"), a["p90_days"]],
            [_("延期答复（件）"), a["extensions"]],
            [_("告知补正（件）"), a["corrections"]],
            [_("统计时在办申请（件）"), opened.get("open", 0)],
            [_("其中已逾期（件）"), opened.get("overdue", 0)],
            [_("主动公开政府信息（条）"), d["total"]],
            [_("有成文日期的（条）"), d["dated"]],
            [_("成文至发布平均用时（工作日）"), d["average_delay_days"]],
            [_("20个工作日内发布（条）"), d["within_limit"]],
            [_("20个工作日内发布占比（%）"), d["within_limit_percent"]],
            [_("发布的政策文件（件）"), i["policies"]],
            [_("其中有解读的（件）"), i["interpreted"]],
            [_("其中无解读的（件）"), i["uninterpreted"]],
            [_("解读材料（篇）"), i["interpretations"]],
        ],
        widths=(34, 20),
    )
    months = book.create_sheet(_("按月"))
    sections = [row["label"] for row in d["by_section"]]
    _table(
        months,
        [
            _("月份"),
            _("收到申请"),
            _("答复"),
            _("按期答复"),
            _("逾期答复"),
            _("延期"),
            _("补正"),
            _("主动公开"),
            *sections,
        ],
        [
            [
                row["month"],
                row["received"],
                row["replied"],
                row["on_time"],
                row["late"],
                row["extensions"],
                row["corrections"],
                row["documents"],
                *row["sections"].values(),
            ]
            for row in period["months"]
        ],
    )
    outcomes = book.create_sheet(_("办理结果"))
    _table(
        outcomes,
        [_("表三行次"), _("办理结果"), _("数量")],
        [[row["code"], row["label"], row["count"]] for row in period["outcomes"]],
        widths=(10, 70, 10),
    )
    reviews = book.create_sheet(_("复议诉讼"))
    _table(
        reviews,
        [_("类型"), _("结果维持"), _("结果纠正"), _("其他结果"), _("尚未审结"), _("总计")],
        [
            [row["label"], row["upheld"], row["corrected"], row["other"], row["pending"], row["total"]]
            for row in period["reviews"]
        ],
        widths=(30, 12, 12, 12, 12, 12),
    )
    if period.get("organisations") is not None:
        organisations = book.create_sheet(_("各机构"))
        _table(
            organisations,
            [
                _("机构"),
                _("代码"),
                _("收到申请"),
                _("答复"),
                _("按期答复"),
                _("逾期答复"),
                _("按期答复率（%）"),
                _("答复用时中位数"),
                _("主动公开"),
                _("成文至发布平均用时"),
            ],
            [
                [
                    row["name"],
                    row["code"],
                    row["received"],
                    row["replied"],
                    row["on_time"],
                    row["late"],
                    row["on_time_percent"],
                    row["median_days"],
                    row["documents"],
                    row["average_delay_days"],
                ]
                for row in period["organisations"]
            ],
            widths=(30, 10, 10, 10, 10, 10, 14, 14, 10, 16),
        )
    return _save(book)
