"""Working-day arithmetic on the Chinese calendar (R1–R4). Every deadline in the portal goes through here.

A day is a working day iff it is a make-up working day (调休上班) or it is Monday–Friday and not a public holiday
(R1). Years loaded from the official notice are exact; a year with no loaded calendar is computed *provisionally*
from the statutory holidays of the 全国年节及纪念日放假办法 (2024 revision), and every result that relied on such a
year says so (R2). Counting never includes the start day (R3, 民法典 Art 201).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

ONE_DAY = dt.timedelta(days=1)
# A sanity bound on one computation; the longest legal clock is well under a year of working days.
MAX_WORKING_DAYS = 1000


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: dict[dt.date, str]
    makeup_workdays: dict[dt.date, str]
    provisional: bool

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


@dataclass(frozen=True)
class WorkdayDate:
    """A date reached by counting working days; ``provisional_years`` lists the unloaded years it relied on."""

    value: dt.date
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    def __str__(self) -> str:
        return self.value.isoformat() + (" provisional" if self.provisional else "")


@dataclass(frozen=True)
class WorkdayCount:
    value: int
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    def __str__(self) -> str:
        return str(self.value) + (" provisional" if self.provisional else "")


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The 13 statutory holiday days of ``year`` under the 放假办法 (2024 revision), lunar dates computed (R2)."""
    from lunar_python import Lunar

    def solar(lunar_month: int, lunar_day: int) -> dt.date:
        s = Lunar.fromYmd(year, lunar_month, lunar_day).getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    spring = solar(1, 1)
    qingming_solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    qingming = dt.date(qingming_solar.getYear(), qingming_solar.getMonth(), qingming_solar.getDay())
    days: dict[dt.date, str] = {dt.date(year, 1, 1): _("元旦")}
    for offset in range(-1, 3):  # 除夕 to 初三
        days[spring + dt.timedelta(days=offset)] = _("春节")
    days[qingming] = _("清明节")
    days[dt.date(year, 5, 1)] = _("劳动节")
    days[dt.date(year, 5, 2)] = _("劳动节")
    days[solar(5, 5)] = _("端午节")
    days[solar(8, 15)] = _("中秋节")
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = _("国庆节")
    return days


def provisional_year(year: int) -> YearCalendar:
    return YearCalendar(year=year, holidays=statutory_holidays(year), makeup_workdays={}, provisional=True)


def load_year(year: int) -> YearCalendar | None:
    """The loaded calendar of ``year`` from the database, or ``None`` when the year is not loaded."""
    from catalog.models import CalendarDay, WorkCalendarYear

    if not WorkCalendarYear.objects.filter(year=year).exists():
        return None
    holidays: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for day, kind, name in CalendarDay.objects.filter(calendar__year=year).values_list("date", "kind", "name"):
        (makeup if kind == CalendarDay.Kind.MAKEUP_WORKDAY else holidays)[day] = name
    return YearCalendar(year=year, holidays=holidays, makeup_workdays=makeup, provisional=False)


@dataclass
class WorkCalendar:
    """Working-day arithmetic over a snapshot of the calendar.

    Years are read from the database on first use and kept for the life of the object, so a sweep over many
    cases builds one ``WorkCalendar`` and pays one or two queries per year it touches.
    """

    _years: dict[int, YearCalendar] = field(default_factory=dict)

    def year(self, year: int) -> YearCalendar:
        if year not in self._years:
            self._years[year] = load_year(year) or provisional_year(year)
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        return self.year(day.year).is_working_day(day)

    def add_working_days(self, start: dt.date, days: int) -> WorkdayDate:
        """The ``days``-th working day after ``start`` (R3); ``start`` itself is never counted."""
        if days < 0 or days > MAX_WORKING_DAYS:
            raise ValueError(f"working days must be between 0 and {MAX_WORKING_DAYS}, got {days}")
        day = start
        provisional: set[int] = set()
        remaining = days
        while remaining:
            day += ONE_DAY
            year = self.year(day.year)
            if year.provisional:
                provisional.add(day.year)
            if year.is_working_day(day):
                remaining -= 1
        return WorkdayDate(day, tuple(sorted(provisional)))

    def subtract_working_days(self, end: dt.date, days: int) -> WorkdayDate:
        """The ``days``-th working day before ``end`` (``end`` itself is never counted): where a warning before a
        deadline starts."""
        if days < 0 or days > MAX_WORKING_DAYS:
            raise ValueError(f"working days must be between 0 and {MAX_WORKING_DAYS}, got {days}")
        day = end
        provisional: set[int] = set()
        remaining = days
        while remaining:
            day -= ONE_DAY
            year = self.year(day.year)
            if year.provisional:
                provisional.add(day.year)
            if year.is_working_day(day):
                remaining -= 1
        return WorkdayDate(day, tuple(sorted(provisional)))

    def working_days_between(self, start: dt.date, end: dt.date) -> WorkdayCount:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is before ``start``."""
        if end < start:
            count = self.working_days_between(end, start)
            return WorkdayCount(-count.value, count.provisional_years)
        day = start
        provisional: set[int] = set()
        count = 0
        while day < end:
            day += ONE_DAY
            year = self.year(day.year)
            if year.provisional:
                provisional.add(day.year)
            if year.is_working_day(day):
                count += 1
        return WorkdayCount(count, tuple(sorted(provisional)))


def is_working_day(day: dt.date, *, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or WorkCalendar()).is_working_day(day)


def add_working_days(start: dt.date, days: int, *, calendar: WorkCalendar | None = None) -> WorkdayDate:
    return (calendar or WorkCalendar()).add_working_days(start, days)


def working_days_between(start: dt.date, end: dt.date, *, calendar: WorkCalendar | None = None) -> WorkdayCount:
    return (calendar or WorkCalendar()).working_days_between(start, end)
