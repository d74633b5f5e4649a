"""R1–R4: the working-day calendar."""

import datetime as dt

import pytest

from catalog.models import CalendarDay, WorkCalendarYear
from catalog.services import calendar_load_package, calendar_year_replace, package_calendar_years
from catalog.workdays import (
    WorkCalendar,
    add_working_days,
    is_working_day,
    statutory_holidays,
    working_days_between,
)
from tests.conftest import SYSTEM, refused

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2025-09-26", 20, "2025-10-30"),
        ("2025-09-26", 40, "2025-11-27"),
        ("2026-02-12", 7, "2026-02-28"),
        ("2026-02-12", 20, "2026-03-18"),
        ("2025-12-31", 20, "2026-01-29"),
    ],
)
def test_r4_official_vectors(work_calendar, start, days, expected):
    result = add_working_days(D(start), days)
    assert result.value == D(expected)
    assert not result.provisional


def test_r4_saturday_makeup_day_is_reached(work_calendar):
    # 2026-02-28 is a Saturday and a 调休 working day: the 7th working day after 2026-02-12.
    assert D("2026-02-28").weekday() == 5
    assert is_working_day(D("2026-02-28"))
    assert add_working_days(D("2026-02-12"), 7).value == D("2026-02-28")


def test_r1_weekday_holiday_is_not_a_working_day(work_calendar):
    assert D("2025-10-01").weekday() == 2
    assert not is_working_day(D("2025-10-01"))
    assert is_working_day(D("2025-10-09"))  # Thursday after the National Day week
    assert not is_working_day(D("2025-11-22"))  # an ordinary Saturday


def test_r3_start_day_is_not_counted(work_calendar):
    # Friday 2025-11-21 + 1 working day is Monday, not Friday itself.
    assert add_working_days(D("2025-11-21"), 1).value == D("2025-11-24")
    assert add_working_days(D("2025-11-21"), 0).value == D("2025-11-21")


def test_r3_receipt_on_a_non_working_day_is_day_zero(work_calendar):
    # Received on Saturday 2025-11-22: Monday is day 1 and the 20th working day is 2025-12-19.
    assert add_working_days(D("2025-11-22"), 1).value == D("2025-11-24")
    assert add_working_days(D("2025-11-22"), 20).value == D("2025-12-19")
    assert add_working_days(D("2025-11-23"), 20).value == D("2025-12-19")


def test_r3_between_counts_after_start_up_to_and_including_end(work_calendar):
    assert working_days_between(D("2025-09-26"), D("2025-10-30")).value == 20
    assert working_days_between(D("2025-10-30"), D("2025-09-26")).value == -20
    assert working_days_between(D("2025-10-01"), D("2025-10-01")).value == 0


def test_r3_between_inverts_add_over_two_official_years(work_calendar):
    calendar = WorkCalendar()
    start = D("2025-01-01")
    while start < D("2026-12-01"):
        for days in (1, 7, 20, 40):
            end = calendar.add_working_days(start, days).value
            assert calendar.working_days_between(start, end).value == days, (start, days)
        start += dt.timedelta(days=3)


def test_r2_deadline_into_2027_is_marked_provisional(work_calendar):
    # Late 2026: the package knows no 2027, so a December start runs into a provisional year.
    result = add_working_days(D("2026-12-10"), 20)
    assert result.value == D("2027-01-08")  # 2027-01-01 元旦 is skipped
    assert result.provisional
    assert result.provisional_years == (2027,)
    assert str(result) == "2027-01-08 provisional"
    assert not add_working_days(D("2026-11-02"), 20).provisional


def test_r2_provisional_year_has_the_statutory_holidays_of_2027():
    holidays = statutory_holidays(2027)
    assert len(holidays) == 13
    expected = {
        "2027-01-01": "元旦",
        "2027-02-05": "春节",  # 除夕
        "2027-02-06": "春节",  # 初一
        "2027-02-08": "春节",  # 初三
        "2027-04-05": "清明节",
        "2027-05-01": "劳动节",
        "2027-05-02": "劳动节",
        "2027-06-09": "端午节",
        "2027-09-15": "中秋节",
        "2027-10-03": "国庆节",
    }
    for day, name in expected.items():
        assert holidays[D(day)] == name


@pytest.mark.parametrize("year", [2025, 2026])
def test_r2_computed_holidays_match_the_official_calendars_under_the_2024_rules(year):
    official = {day for day, (kind, _name) in package_calendar_years()[year].items() if kind == "holiday"}
    assert set(statutory_holidays(year)) <= official


def test_r2_loading_the_official_year_replaces_the_provisional_one(work_calendar):
    before = add_working_days(D("2026-12-24"), 20)
    assert before.provisional
    # Staff enter 2027 by hand, with a (hypothetical) extra holiday on 2027-01-04.
    calendar_year_replace(
        year=2027,
        days={D("2027-01-01"): ("holiday", "元旦"), D("2027-01-04"): ("holiday", "元旦")},
        source=WorkCalendarYear.Source.MANUAL,
        actor=SYSTEM,
        notice_number="国办发明电〔2026〕演示号",
    )
    after = add_working_days(D("2026-12-24"), 20)
    assert not after.provisional
    assert before.value == D("2027-01-22")  # a Friday
    assert after.value == D("2027-01-25")  # one more working day, over the weekend


def test_r1_package_load_is_idempotent_and_keeps_manual_years(db):
    first = calendar_load_package(actor=SYSTEM)
    assert 2026 in first.created
    second = calendar_load_package(actor=SYSTEM)
    assert second.created == [] and second.updated == []
    assert 2026 in second.unchanged
    calendar_year_replace(
        year=2026,
        days={D("2026-01-01"): ("holiday", "元旦")},
        source=WorkCalendarYear.Source.MANUAL,
        actor=SYSTEM,
        overwrite_manual=True,
    )
    third = calendar_load_package(actor=SYSTEM)
    assert 2026 in third.kept_manual
    assert CalendarDay.objects.filter(calendar__year=2026).count() == 1


def test_r1_calendar_days_keep_history(db):
    calendar_load_package(actor=SYSTEM)
    day = CalendarDay.objects.get(date=D("2026-02-28"))
    assert day.kind == CalendarDay.Kind.MAKEUP_WORKDAY
    assert day.history.first().history_change_reason == "从 chinesecalendar 数据包载入"
    assert WorkCalendarYear.objects.get(year=2026).history.exists()


def test_calendar_snapshot_reads_each_year_once(work_calendar, django_assert_max_num_queries):
    calendar = WorkCalendar()
    with django_assert_max_num_queries(4):  # two queries per year: 2025 and 2026
        for offset in range(300):
            calendar.add_working_days(D("2025-06-01") + dt.timedelta(days=offset), 20)


def test_r1_the_package_loads_all_its_years_in_a_few_statements_and_reloads_with_two_reads(
    db, django_assert_max_num_queries
):
    years = package_calendar_years()
    # Per year one row, its history row and its audit row; the days of every year in one delete and one insert (and
    # their history in one insert): not a dozen statements per year.
    with django_assert_max_num_queries(3 * len(years) + 12):
        report = calendar_load_package(actor=SYSTEM)
    assert report.created == sorted(years)
    assert CalendarDay.objects.count() == sum(len(days) for days in years.values())
    with django_assert_max_num_queries(4):  # the years, locked, and their days; nothing to write
        assert calendar_load_package(actor=SYSTEM).unchanged == sorted(years)


def test_r1_a_bad_day_in_any_year_leaves_every_year_as_it_was(db):
    from catalog.services import CatalogError, calendar_years_replace

    calendar_load_package(actor=SYSTEM)
    before = list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name"))
    with refused(CatalogError, "makeup_on_weekday"):
        calendar_years_replace(
            years={
                2025: {D("2025-01-01"): ("holiday", "元旦")},
                2026: {D("2026-03-02"): (CalendarDay.Kind.MAKEUP_WORKDAY, "调休")},  # a Monday: not a make-up day
            },
            source=WorkCalendarYear.Source.MANUAL,
            actor=SYSTEM,
            overwrite_manual=True,
        )
    assert list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name")) == before
