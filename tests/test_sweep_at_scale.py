"""The deadline sweep at scale (issue 15): a run reads only the cases that cross a threshold, so its queries do not
grow with the open cases that sit quietly; a second run sends nothing; and the stored due date still moves where
no event moves it — a consultation day passing (R23) or a calendar year loaded (R2)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import WorkCalendarYear
from catalog.services import calendar_year_replace
from catalog.workdays import WorkCalendar
from ops.models import Notification
from requests_app.deadlines import Clock, compute_deadline
from requests_app.models import Channel, InformationRequest
from requests_app.services import request_consultation_start, request_register
from requests_app.sweep import requests_sweep
from tests.conftest import SYSTEM, applicant_values

D = dt.date.fromisoformat
# A run with nothing to send: the calendar's signature, the paused cases (a savepoint around them), the lapse
# candidates, the unaccepted and the reply-clock selections, and the calendar years the run touches. Not one per case.
QUIET_RUN_QUERIES = 12


def register(organisation, handler, clock, arrived: str, n: int = 1) -> list[InformationRequest]:
    """``n`` cases received on ``arrived`` through the service (which stores their due date)."""
    clock(f"{arrived} 09:00")
    return [
        request_register(
            organisation=organisation,
            actor=handler,
            channel=Channel.IN_PERSON,
            arrived_on=D(arrived),
            values=applicant_values(id_type="passport", id_number=f"E{arrived.replace('-', '')}{i:04d}"),
        )[0]
        for i in range(n)
    ]


def sweep_queries() -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        counts = requests_sweep()
    return len(queries), dict(counts)


def sent() -> list[str]:
    return sorted(
        Notification.objects.filter(key__regex=r"^request:\d+:(due-in|overdue)").values_list("key", flat=True)
    )


def test_it_reads_as_many_queries_for_200_quiet_cases_as_for_5(org_a, handler_a, clock, work_calendar):
    early = register(org_a, handler_a, clock, "2026-03-02", 3)  # due 2026-03-30
    later = register(org_a, handler_a, clock, "2026-03-03", 3)  # due 2026-03-31
    register(org_a, handler_a, clock, "2026-03-16", 5)  # quiet: due in April
    clock("2026-03-16 12:00")
    requests_sweep()  # the first run of this database remembers the calendar
    assert sent() == []

    clock("2026-03-23 09:00")  # 5 working days before 03-30
    with_5, counts = sweep_queries()
    assert counts.get("due_in_5") == 3 and len(sent()) == 3

    register(org_a, handler_a, clock, "2026-03-16", 195)
    clock("2026-03-24 09:00")  # 5 working days before 03-31; the first three are reminded already
    with_200, counts = sweep_queries()
    assert counts.get("due_in_5") == 3 and len(sent()) == 6
    assert {k.split(":")[1] for k in sent()} == {str(c.pk) for c in early + later}
    assert with_200 == with_5


def test_it_sends_nothing_on_a_second_run_and_reads_nothing_then(org_a, handler_a, clock, work_calendar):
    register(org_a, handler_a, clock, "2026-03-02", 4)
    register(org_a, handler_a, clock, "2026-03-20", 40)
    clock("2026-03-31 08:00")  # the first four are overdue
    first = requests_sweep()
    assert first["overdue"] == 4
    before = Notification.objects.count()
    queries, second = sweep_queries()
    assert not {k: n for k, n in second.items() if k not in ("recomputed",) and n}
    assert Notification.objects.count() == before
    assert queries <= QUIET_RUN_QUERIES


def test_r23_a_paused_case_still_moves_with_each_day_while_quiet_cases_are_not_read(
    org_a, handler_a, clock, work_calendar
):
    case = register(org_a, handler_a, clock, "2026-03-02")[0]
    register(org_a, handler_a, clock, "2026-03-03", 30)
    clock("2026-03-04 10:00")
    request_consultation_start(
        request=case, actor=handler_a, kind="third_party", party="某科技公司", on=D("2026-03-04")
    )
    clock("2026-03-05 10:00")
    requests_sweep()
    case.refresh_from_db()
    stored = case.due_on
    assert case.clock == Clock.PAUSED_CONSULTATION
    clock("2026-03-12 10:00")  # five more working days of the consultation: the date moves five days later
    queries, counts = sweep_queries()
    case.refresh_from_db()
    expected = compute_deadline(case, today=D("2026-03-12"))
    assert case.due_on == expected.due and case.due_on > stored and counts["recomputed"] == 1
    assert queries <= QUIET_RUN_QUERIES
    clock("2026-03-26 10:00")  # the 15 days are over: the pause ends by itself and the clock runs again
    requests_sweep()
    case.refresh_from_db()
    assert case.clock == Clock.RUNNING and case.due_on == compute_deadline(case, today=D("2026-03-26")).due


def test_r2_loading_next_year_moves_the_provisional_dates_once_then_nothing_is_read(
    org_a, handler_a, clock, work_calendar
):
    december = register(org_a, handler_a, clock, "2026-12-10")[0]  # due in January 2027: provisional
    others = register(org_a, handler_a, clock, "2026-12-15", 30)
    assert december.due_provisional
    clock("2026-12-16 09:00")
    requests_sweep()
    calendar_year_replace(  # the official 2027 calendar, with a longer 元旦 break than the provisional one
        year=2027,
        days={D(f"2027-01-0{d}"): ("holiday", "元旦") for d in (1, 4, 5)},
        source=WorkCalendarYear.Source.MANUAL,
        actor=SYSTEM,
        notice_number="国办发明电〔2026〕演示号",
    )
    before = december.due_on
    _queries, counts = sweep_queries()
    for case in (december, *others):
        case.refresh_from_db()
        expected = compute_deadline(case, today=D("2026-12-16"), calendar=WorkCalendar())
        assert (case.due_on, case.due_provisional) == (expected.due, False)
    assert december.due_on > before and counts["recomputed"] == 31
    again, counts = sweep_queries()  # the calendar is known now: nothing is recomputed, no quiet case is read
    assert not counts.get("recomputed") and again <= QUIET_RUN_QUERIES


def test_r2_replacing_a_loaded_year_moves_a_running_date_it_changes(org_a, handler_a, clock, work_calendar):
    case = register(org_a, handler_a, clock, "2026-03-02")[0]
    register(org_a, handler_a, clock, "2026-03-03", 30)
    assert (case.due_on, case.due_provisional) == (D("2026-03-30"), False)
    clock("2026-03-05 09:00")
    requests_sweep()
    days = {d.date: (d.kind, d.name) for d in WorkCalendarYear.objects.get(year=2026).days.all()}
    days[D("2026-03-20")] = ("holiday", "演示调整")  # the year's arrangement corrected by hand
    calendar_year_replace(year=2026, days=days, source=WorkCalendarYear.Source.MANUAL, actor=SYSTEM)
    requests_sweep()
    case.refresh_from_db()
    assert case.due_on == D("2026-03-31")
    queries, counts = sweep_queries()
    assert not counts.get("recomputed") and queries <= QUIET_RUN_QUERIES
