"""The official layout of Tables 二, 三 and 四 (国办公开办函〔2021〕30号) as grids of cells, shared by the HTML page
and the XLSX export, so both follow the same rows, spans and labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from audits.tables import (
    CARRIED_IN,
    CARRIED_OUT,
    NEW,
    RESULT_GROUPS,
    RESULT_TOTAL,
    TABLE_FOUR_PARTS,
)


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    number: bool = False


Grid = list[list[Cell]]


def _n(value: object) -> Cell:
    return Cell(str(value), number=True)


def table_two_grid(data: dict, admin_fees_wan: str | None) -> Grid:
    forms, decisions = data["table_two"]["forms"], data["table_two"]["decisions"]
    head = [Cell(_("信息内容"), header=True)]
    grid: Grid = [
        [Cell(_("第二十条第（一）项"), colspan=4, header=True)],
        head
        + [
            Cell(_("本年制发件数"), header=True),
            Cell(_("本年废止件数"), header=True),
            Cell(_("现行有效件数"), header=True),
        ],
    ]
    for code, label in (("rule", _("规章")), ("normative", _("行政规范性文件"))):
        row = forms[code]
        grid.append([Cell(label, header=True), _n(row["issued"]), _n(row["repealed"]), _n(row["valid"])])
    sections = [
        (_("第二十条第（五）项"), _("本年处理决定数量"), [("licensing", _("行政许可"))]),
        (_("第二十条第（六）项"), _("本年处理决定数量"), [("penalty", _("行政处罚")), ("coercion", _("行政强制"))]),
    ]
    for title, measure, rows in sections:
        grid.append([Cell(title, colspan=4, header=True)])
        grid.append(head + [Cell(measure, colspan=3, header=True)])
        for code, label in rows:
            grid.append([Cell(label, header=True), Cell(str(decisions[code]), colspan=3, number=True)])
    grid.append([Cell(_("第二十条第（八）项"), colspan=4, header=True)])
    grid.append(head + [Cell(_("本年收费金额（单位：万元）"), colspan=3, header=True)])
    grid.append(
        [
            Cell(_("行政事业性收费"), header=True),
            Cell(admin_fees_wan if admin_fees_wan is not None else "—", colspan=3, number=True),
        ]
    )
    return grid


def table_three_grid(data: dict) -> Grid:
    rows = data["table_three"]
    grid: Grid = [
        [
            Cell(_("申请人情况"), colspan=3, rowspan=2, header=True),
            Cell(_("自然人"), rowspan=2, header=True),
            Cell(_("法人或其他组织"), colspan=5, header=True),
            Cell(_("总计"), rowspan=2, header=True),
        ],
        [
            Cell(label, header=True)
            for label in (_("商业企业"), _("科研机构"), _("社会公益组织"), _("法律服务机构"), _("其他"))
        ],
    ]

    def numbers(code: str) -> list[Cell]:
        return [_n(v) for v in rows[code]]

    grid.append([Cell(_("一、本年新收政府信息公开申请数量"), colspan=3, header=True), *numbers(NEW)])
    grid.append([Cell(_("二、上年结转政府信息公开申请数量"), colspan=3, header=True), *numbers(CARRIED_IN)])
    result_rows = sum(max(len(subs), 1) for _g, _l, subs in RESULT_GROUPS) + 1
    first = True
    for group, label, subs in RESULT_GROUPS:
        lead = [Cell(_("三、本年度办理结果"), rowspan=result_rows, header=True)] if first else []
        first = False
        if not subs:
            grid.append([*lead, Cell(label, colspan=2, header=True), *numbers(group)])
            continue
        for index, (code, sub_label) in enumerate(subs):
            group_cell = [Cell(label, rowspan=len(subs), header=True)] if index == 0 else []
            grid.append([*(lead if index == 0 else []), *group_cell, Cell(sub_label, header=True), *numbers(code)])
    grid.append([Cell(_("（七）总计"), colspan=2, header=True), *numbers(RESULT_TOTAL)])
    grid.append([Cell(_("四、结转下年度继续办理"), colspan=3, header=True), *numbers(CARRIED_OUT)])
    return grid


def table_four_grid(data: dict) -> Grid:
    results = [_("结果维持"), _("结果纠正"), _("其他结果"), _("尚未审结"), _("总计")]
    parts = data["table_four"]
    return [
        [Cell(_("行政复议"), colspan=5, header=True), Cell(_("行政诉讼"), colspan=10, header=True)],
        [
            *[Cell(label, rowspan=2, header=True) for label in results],
            Cell(_("未经复议直接起诉"), colspan=5, header=True),
            Cell(_("复议后起诉"), colspan=5, header=True),
        ],
        [Cell(label, header=True) for label in results * 2],
        [_n(v) for part in TABLE_FOUR_PARTS for v in parts[part]],
    ]


@dataclass(frozen=True)
class HtmlCell:
    """A cell placed for HTML: its header cells' ids (``headers``) for a data cell, its own ``id`` for a header."""

    cell: Cell
    id: str = ""
    headers: str = ""


def html_grid(grid: Grid, *, prefix: str) -> list[list[HtmlCell]]:
    """``grid`` with explicit header associations: the tables have headers that span several rows and columns, which
    ``scope`` cannot describe, so every data cell names its header cells (WCAG 1.3.1, technique H43).

    A data cell's headers are the header cells to its left in its rows, the nearest block of header cells above it in
    its columns (a section's title and its column heads, not an earlier section's), and the corner header cells of
    the top block that stand above no data (e.g. 申请人情况 of Table 三, naming what the columns are)."""
    placed: dict[tuple[int, int], tuple[int, int]] = {}  # (row, column) → the cell's (row, index in its row)
    origin: dict[tuple[int, int], tuple[int, int]] = {}  # (row, index) → its top-left (row, column)
    for r, row in enumerate(grid):
        column = 0
        for i, cell in enumerate(row):
            while (r, column) in placed:
                column += 1
            origin[(r, i)] = (r, column)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    placed[(r + dr, column + dc)] = (r, i)
            column += cell.colspan

    def header_id(key: tuple[int, int]) -> str:
        top, left = origin[key]
        return f"{prefix}-{top}-{left}"

    def is_header(key: tuple[int, int]) -> bool:
        return grid[key[0]][key[1]].header

    # Blocks of rows made of header cells only (a section's title and its column heads). A header cell of a block
    # that stands above no data until the next block (信息内容, 申请人情况) names the columns of that section: it is a
    # header of every data cell of the section.
    rows = range(len(grid))
    header_only = [all(is_header(key) for (r2, _c), key in placed.items() if r2 == r) for r in rows]
    block_start = [0] * len(grid)  # for each row, the first row of the nearest block at or above it
    for r in rows:
        block_start[r] = (
            (block_start[r - 1] if r and header_only[r - 1] else r)
            if header_only[r]
            else (block_start[r - 1] if r else 0)
        )
    section_corners: dict[int, list[tuple[int, int]]] = {}
    for r in rows:
        if not header_only[r] or (r and header_only[r - 1]):
            continue
        end = r
        while end < len(grid) and header_only[end]:
            end += 1
        next_block = next((r2 for r2 in range(end, len(grid)) if header_only[r2]), len(grid))
        data_columns = {c for (r2, c), key in placed.items() if end <= r2 < next_block and not is_header(key)}
        section_corners[r] = sorted(
            {key for (r2, c), key in placed.items() if r <= r2 < end and is_header(key)}
            - {key for (r2, c), key in placed.items() if r <= r2 < end and c in data_columns},
            key=lambda key: origin[key],
        )

    out: list[list[HtmlCell]] = []
    for r, row in enumerate(grid):
        cells = []
        for i, cell in enumerate(row):
            if cell.header:
                cells.append(HtmlCell(cell, id=header_id((r, i))))
                continue
            top, left = origin[(r, i)]
            found: list[tuple[int, int]] = []

            def add(key: tuple[int, int], found: list[tuple[int, int]] = found) -> None:
                if key not in found:
                    found.append(key)

            for key in section_corners.get(block_start[top], []):
                add(key)
            for c in range(left, left + cell.colspan):  # up: the nearest block of header cells, read top down
                above: list[tuple[int, int]] = []
                for r2 in range(top - 1, -1, -1):
                    key = placed.get((r2, c))
                    if key is None:
                        continue
                    if is_header(key):
                        above.append(key)
                    elif above:
                        break
                for key in reversed(above):
                    add(key)
            for r2 in range(top, top + cell.rowspan):  # left: every header cell in its rows
                for c in range(left):
                    key = placed.get((r2, c))
                    if key is not None and is_header(key):
                        add(key)
            cells.append(HtmlCell(cell, headers=" ".join(header_id(key) for key in found)))
        out.append(cells)
    return out
