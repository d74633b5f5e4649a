"""Bar charts drawn on the server as SVG: no JavaScript, printable, and readable by screen readers.

Each chart is an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` say what it shows and list every value, so
the text alternative carries the same numbers as the bars; pages also print the numbers in a table beside it.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1f4e79"  # 8.6:1 on white
TEXT = "#1a1a1a"
GRID = "#767676"
FONT = 'font-family="sans-serif" font-size="13"'


def _describe(items: list[tuple[str, int | float]], unit: str) -> str:
    return "；".join(f"{label} {value}{unit}" for label, value in items)


def _open(
    chart_id: str, title: str, items: list[tuple[str, int | float]], unit: str, width: int, height: int
) -> list[str]:
    """The root element with its accessible name and description, and the visible title."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(items, unit) or "无数据")}</desc>',
        f'<text x="0" y="18" {FONT} font-weight="bold" fill="{TEXT}">{escape(title)}</text>',
    ]


def horizontal_bars(*, chart_id: str, title: str, items: list[tuple[str, int | float]], unit: str = "") -> SafeString:
    """One bar per item, labels on the left; for long Chinese labels (outcomes, finding kinds)."""
    label_width = min(max((len(label) for label, _v in items), default=4) * 14 + 16, 420)
    bar_space, row, top = 360, 26, 34
    width = label_width + bar_space + 70
    height = top + row * max(len(items), 1) + 10
    peak = max((value for _l, value in items), default=0) or 1
    parts = [
        *_open(chart_id, title, items, unit, width, height),
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - 6}" stroke="{GRID}"/>',
    ]
    for index, (label, value) in enumerate(items):
        y = top + index * row
        length = round(bar_space * value / peak) if value else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" {FONT} fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 8}" fill="{BAR}">'
            f"<title>{escape(label)}：{value}{escape(unit)}</title></rect>"
            f'<text x="{label_width + length + 6}" y="{y + 15}" {FONT} fill="{TEXT}">{value}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label and title went through escape()


def columns(*, chart_id: str, title: str, items: list[tuple[str, int | float]], unit: str = "") -> SafeString:
    """Vertical columns with labels below; for series in time order (documents by month)."""
    column, gap, left, top, plot = 34, 10, 10, 34, 160
    width = left + len(items) * (column + gap) + 10
    height = top + plot + 40
    peak = max((value for _l, value in items), default=0) or 1
    base = top + plot
    parts = [
        *_open(chart_id, title, items, unit, width, height),
        f'<line x1="{left}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="{GRID}"/>',
    ]
    for index, (label, value) in enumerate(items):
        x = left + index * (column + gap)
        length = round(plot * value / peak) if value else 0
        middle = x + column / 2
        parts.append(
            f'<rect x="{x}" y="{base - length}" width="{column}" height="{length}" fill="{BAR}">'
            f"<title>{escape(label)}：{value}{escape(unit)}</title></rect>"
            f'<text x="{middle}" y="{base - length - 5}" text-anchor="middle" {FONT} fill="{TEXT}">{value}</text>'
            f'<text x="{middle}" y="{base + 18}" text-anchor="middle" {FONT} fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label and title went through escape()
