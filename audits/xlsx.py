"""XLSX exports: the annual report's tables in the official layout, and a self-audit's report with its findings."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audits.layout import Grid
from audits.models import AnnualReport, AuditRun, Finding
from audits.reports import report_data
from audits.selectors import fees_sentence, report_grids, report_notes

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download; ``filename`` is ASCII (organisation code, year), so no header encoding can go wrong."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _cell_value(text: str, number: bool) -> object:
    if number:
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text
    return text


def write_grid(sheet: Worksheet, grid: Grid, *, top: int) -> int:
    """Write a grid of cells with its spans merged, from row ``top``; returns the next free row."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            target = sheet.cell(row=top + r, column=c + 1, value=_cell_value(cell.text, cell.number))
            target.border, target.alignment = BOX, CENTRE if cell.number or (cell.header and cell.colspan > 1) else WRAP
            if cell.header:
                target.font = BOLD
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
                    sheet.cell(row=top + r + dr, column=c + dc + 1).border = BOX
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=top + r,
                    start_column=c + 1,
                    end_row=top + r + cell.rowspan - 1,
                    end_column=c + cell.colspan,
                )
            c += cell.colspan
    return top + len(grid) + 1


def _title(sheet: Worksheet, row: int, text: str) -> int:
    sheet.cell(row=row, column=1, value=text).font = Font(bold=True, size=12)
    return row + 1


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_workbook(*, title: str, sections: list[tuple[str, str]], tables: list[tuple[str, Grid]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("统计表")
    row = _title(sheet, 1, title)
    for table_title, grid in tables:
        row = _title(sheet, row + 1, table_title)
        row = write_grid(sheet, grid, top=row)
    for column in range(1, 16):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.column_dimensions["A"].width = 22
    text = book.create_sheet(_("文字部分"))
    text.column_dimensions["A"].width = 24
    text.column_dimensions["B"].width = 100
    for index, (heading, body) in enumerate(sections, start=1):
        text.cell(row=index, column=1, value=heading).font = BOLD
        text.cell(row=index, column=2, value=body).alignment = WRAP
    return _save(book)


def audit_workbook(
    *, run: AuditRun, kinds: list[tuple[str, int, int | None, int | None]], findings: list[Finding]
) -> bytes:
    """Sheet 1: counts by kind (with the previous run's) and by organisation; sheet 2: every finding of the run."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("汇总")
    row = _title(sheet, 1, _("%(d)s 政府信息公开自查报告") % {"d": run.audit_date.isoformat()})
    header = [_("问题类型"), _("本次"), _("上次"), _("变化")]
    for column, text in enumerate(header, start=1):
        sheet.cell(row=row + 1, column=column, value=text).font = BOLD
    row += 2
    for label, now, before, delta in kinds:
        sheet.append([label, now, "—" if before is None else before, "—" if delta is None else delta])
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=_("责任机构")).font = BOLD
    sheet.cell(row=row, column=2, value=_("问题数")).font = BOLD
    for _pk, name, count in run.summary.get("by_org", []):
        row += 1
        sheet.cell(row=row, column=1, value=name)
        sheet.cell(row=row, column=2, value=count)
    sheet.column_dimensions["A"].width = 44
    detail = book.create_sheet(_("问题清单"))
    detail.append(
        [
            _("问题类型"),
            _("严重程度"),
            _("责任机构"),
            _("问题"),
            _("情况说明"),
            _("整改状态"),
            _("整改措施或保留理由"),
            _("首次发现"),
        ]
    )
    for cell in detail[1]:
        cell.font = BOLD
    for finding in findings:
        detail.append(
            [
                finding.get_kind_display(),
                finding.get_severity_display(),
                finding.organisation.name,
                finding.title,
                finding.detail,
                finding.get_status_display(),
                finding.status_note,
                timezone.localtime(finding.first_found_at).strftime("%Y-%m-%d"),
            ]
        )
    for letter, width in zip("ABCDEFGH", (30, 10, 24, 44, 60, 12, 40, 12)):
        detail.column_dimensions[letter].width = width
    return _save(book)


def report_xlsx(report: AnnualReport) -> bytes:
    """The annual report as a workbook: the three tables in the official layout, then the written sections."""
    data = report_data(report)
    sections = [
        (_("一、总体情况"), report.overview),
        (_("五、存在的主要问题及改进情况"), report.problems),
        (_("六、其他需要报告的事项"), "\n".join(filter(None, [fees_sentence(data), report.other_matters]))),
    ]
    notes = report_notes(data)
    if notes:
        sections.append((_("统计说明"), "\n".join(notes)))
    return report_workbook(title=report.title, sections=sections, tables=report_grids(report, data))
