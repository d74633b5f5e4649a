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
        head + [Cell(_("本年制发件数"), header=True), Cell(_("本年废止件数"), header=True), Cell(_("现行有效件数"), header=True)],
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
    grid.append([Cell(_("行政事业性收费"), header=True), Cell(admin_fees_wan if admin_fees_wan is not None else "—", colspan=3, number=True)])
    return grid


def table_three_grid(data: dict) -> Grid:
    rows = data["table_three"]
    grid: Grid = [
        [
            Cell(_("申请人情况"), colspan=3, rowspan=2, header=True), Cell(_("自然人"), rowspan=2, header=True),
            Cell(_("法人或其他组织"), colspan=5, header=True), Cell(_("总计"), rowspan=2, header=True),
        ],
        [Cell(label, header=True) for label in (_("商业企业"), _("科研机构"), _("社会公益组织"), _("法律服务机构"), _("其他"))],
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
            Cell(_("未经复议直接起诉"), colspan=5, header=True), Cell(_("复议后起诉"), colspan=5, header=True),
        ],
        [Cell(label, header=True) for label in results * 2],
        [_n(v) for part in TABLE_FOUR_PARTS for v in parts[part]],
    ]
