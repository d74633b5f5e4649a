"""``manage.py workdays add|between|load|show``: the working-day calendar for staff and scripts (R1–R4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR, CalendarDay, WorkCalendarYear, weekday_label
from catalog.services import calendar_load_package
from catalog.workdays import MAX_WORKING_DAYS, WorkCalendar, statutory_holidays
from core.actors import System


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def parse_date(raw: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise _fail(f"日期“{raw}”无效，应为 YYYY-MM-DD 格式的真实日期，例如 2025-09-26") from None
    if not CALENDAR_MIN_YEAR <= day.year <= CALENDAR_MAX_YEAR:
        raise _fail(f"日期“{raw}”超出支持范围（{CALENDAR_MIN_YEAR}–{CALENDAR_MAX_YEAR} 年）")
    return day


def parse_int(raw: str, *, label: str, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise _fail(f"{label}“{raw}”无效，应为 {minimum} 到 {maximum} 之间的整数")
    return value


def parse_days(raw: str) -> int:
    return parse_int(raw, label="工作日数", minimum=0, maximum=MAX_WORKING_DAYS)


def parse_year(raw: str) -> int:
    return parse_int(raw, label="年份", minimum=CALENDAR_MIN_YEAR, maximum=CALENDAR_MAX_YEAR)


class Command(BaseCommand):
    help = "工作日计算与工作日历维护。"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,between,load,show}")
        add = actions.add_parser("add", help="起算日之后第 N 个工作日（起算日不计入）")
        add.add_argument("start", help="起算日 YYYY-MM-DD")
        add.add_argument("days", help="工作日数")
        between = actions.add_parser("between", help="D1 之后到 D2（含）之间的工作日数")
        between.add_argument("start", help="D1 YYYY-MM-DD")
        between.add_argument("end", help="D2 YYYY-MM-DD")
        load = actions.add_parser("load", help="从 chinesecalendar 数据包载入它已知的全部年份")
        load.add_argument("--force", action="store_true", help="覆盖人工录入的年份")
        show = actions.add_parser("show", help="列出某年的放假日和调休上班日")
        show.add_argument("year", help="年份")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            result = WorkCalendar().add_working_days(parse_date(options["start"]), parse_days(options["days"]))
            self.stdout.write(str(result))
        elif action == "between":
            result = WorkCalendar().working_days_between(parse_date(options["start"]), parse_date(options["end"]))
            self.stdout.write(str(result))
        elif action == "load":
            self.stdout.write(str(calendar_load_package(actor=System("workdays load"), force=options["force"])))
        elif action == "show":
            self.show(parse_year(options["year"]))

    def show(self, year: int) -> None:
        calendar = WorkCalendarYear.objects.filter(year=year).first()
        if calendar is None:
            self.stdout.write(
                f"{year} 年工作日历尚未录入（provisional）。以下是按《全国年节及纪念日放假办法》推算的法定节假日，"
                "不含调休安排："
            )
            for day, name in sorted(statutory_holidays(year).items()):
                self.stdout.write(f"  {day.isoformat()} 周{weekday_label(day)} 放假 {name}")
            return
        self.stdout.write(
            f"{year} 年工作日历（来源：{calendar.get_source_display()}；通知文号：{calendar.notice_number or '—'}）"
        )
        for kind, label in CalendarDay.Kind.choices:
            days = [d for d in calendar.days.order_by("date") if d.kind == kind]
            self.stdout.write(f"{label}（{len(days)} 天）：")
            for day in days:
                self.stdout.write(f"  {day.date.isoformat()} 周{weekday_label(day.date)} {label} {day.name}")
