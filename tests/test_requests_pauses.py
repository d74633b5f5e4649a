"""The reply clock's pauses on the cases real offices meet (R22–R24, R26): overlapping pauses count once, time after
the deadline cannot be excluded, a restart after correction forgets earlier pauses, and only the due date's own
calendar makes it 暂定. Each example is an application received in person on Monday 2025-03-03, due 2025-03-31."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail

from requests_app.deadlines import Clock, compute_deadline
from requests_app.models import Channel, Consultation, InformationRequest
from requests_app.services import (
    deadline_of,
    request_consultation_answer,
    request_consultation_start,
    request_register,
)
from requests_app.sweep import requests_sweep
from tests.conftest import applicant_values

D = dt.date.fromisoformat
Status = InformationRequest.Status


def received(on: str = "2025-03-03", **facts: object) -> InformationRequest:
    return InformationRequest(channel=Channel.IN_PERSON, received_on=D(on), status=Status.ACCEPTED, **facts)


def consulted(kind: str, started: str, answered: str | None = None) -> Consultation:
    return Consultation(
        kind=kind,
        party="某公司",
        started_on=D(started),
        answered_on=D(answered) if answered else None,
        answer=Consultation.Answer.AGREES if answered else "",
    )


def test_r23_without_a_pause_the_reply_is_due_after_20_working_days(work_calendar):
    deadline = compute_deadline(received(), today=D("2025-03-04"), consultations=[])
    assert deadline.due == D("2025-03-31") and deadline.clock == Clock.RUNNING


def test_r23_two_consultations_over_the_same_days_exclude_each_day_once(work_calendar):
    both = [consulted("third_party", "2025-03-10", "2025-03-17"), consulted("co_issuer", "2025-03-10", "2025-03-17")]
    deadline = compute_deadline(received(), today=D("2025-03-18"), consultations=both)
    assert deadline.excluded_days == 5  # 03-11..03-14 and 03-17, once
    assert deadline.due == D("2025-04-08")  # not 04-15: 清明 (04-04) is no working day
    assert any("同一天只扣除一次" in step.text for step in deadline.steps)


def test_r26_a_fee_pause_merges_with_a_consultation(work_calendar):
    case = received(fee_notified_on=D("2025-03-10"), fee_paid_on=D("2025-03-17"), fee_amount=Decimal("100"))
    deadline = compute_deadline(
        case, today=D("2025-03-20"), consultations=[consulted("third_party", "2025-03-12", "2025-03-19")]
    )
    assert deadline.excluded_days == 7  # 03-11..03-14, 03-17..03-19: the union, not 5 + 5
    assert deadline.due == D("2025-04-10")


def test_r23_a_consultation_started_after_the_deadline_does_not_move_it(work_calendar):
    late = consulted("third_party", "2025-04-07")
    deadline = compute_deadline(received(), today=D("2025-04-10"), consultations=[late])
    assert deadline.due == D("2025-03-31") and deadline.excluded_days == 0
    assert deadline.clock == Clock.RUNNING  # overdue, not "征求意见中，暂停计时"
    assert any("期限届满后的时间不能扣除" in step.text for step in deadline.steps)
    answered = compute_deadline(
        received(), today=D("2025-04-15"), consultations=[consulted("third_party", "2025-04-07", "2025-04-14")]
    )
    assert answered.due == D("2025-03-31")


def test_r23_a_consultation_before_the_last_day_pauses_and_one_on_the_last_day_is_too_late(work_calendar):
    deadline = compute_deadline(
        received(), today=D("2025-04-03"), consultations=[consulted("third_party", "2025-03-28", "2025-04-02")]
    )
    assert deadline.excluded_days == 3 and deadline.due == D("2025-04-03")  # 03-31..04-02 paused, 04-03 the 20th
    # Sent on 03-31, the 20th working day: the days it would hold all come after the period has run out.
    last_day = compute_deadline(
        received(), today=D("2025-04-03"), consultations=[consulted("third_party", "2025-03-31", "2025-04-02")]
    )
    assert last_day.excluded_days == 0 and last_day.due == D("2025-03-31")


def test_r22_pauses_before_a_correction_do_not_count_after_the_clock_restarts(work_calendar):
    case = received(
        correction_requested_on=D("2025-03-07"),
        correction_period_days=10,
        correction_answered_on=D("2025-03-14"),
    )
    deadline = compute_deadline(
        case, today=D("2025-03-17"), consultations=[consulted("third_party", "2025-03-04", "2025-03-06")]
    )
    assert deadline.due == D("2025-04-14") and deadline.excluded_days == 0  # 20 working days after 03-14
    assert any("重新起算" in step.text and "不再扣除" in step.text for step in deadline.steps)


def test_r2_a_consultation_limit_in_an_unloaded_year_does_not_make_the_date_provisional(work_calendar):
    case = received("2026-11-20")
    deadline = compute_deadline(
        case, today=D("2026-12-17"), consultations=[consulted("third_party", "2026-12-15", "2026-12-16")]
    )
    assert deadline.due == D("2026-12-21") and not deadline.provisional
    silent = compute_deadline(case, today=D("2026-12-17"), consultations=[consulted("third_party", "2026-12-15")])
    assert silent.provisional  # an open consultation may run to its limit in 2027: the date depends on 2027


def test_r23_the_sweep_escalates_a_case_whose_consultation_began_after_the_deadline(
    org_a,
    handler_a,
    office,
    clock,
    work_calendar,
    django_capture_on_commit_callbacks,
):
    clock("2025-03-03 09:00")
    case, _secret = request_register(
        organisation=org_a,
        actor=handler_a,
        channel=Channel.IN_PERSON,
        arrived_on=D("2025-03-03"),
        values=applicant_values(),
    )
    assert case.due_on == D("2025-03-31")
    clock("2025-04-07 10:00")
    consultation = request_consultation_start(
        request=case, actor=handler_a, kind="third_party", party="某科技有限公司", on=D("2025-04-07")
    )
    clock("2025-04-10 10:00")
    case.refresh_from_db()
    assert case.clock == Clock.RUNNING and case.due_on == D("2025-03-31")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        requests_sweep()
    overdue = [m for m in mail.outbox if "逾期" in m.subject]
    assert len(overdue) == 1 and office.email in overdue[0].to
    clock("2025-04-14 10:00")
    request_consultation_answer(consultation=consultation, actor=handler_a, answer="agrees")
    case.refresh_from_db()
    assert case.due_on == D("2025-03-31") and deadline_of(case).clock == Clock.RUNNING
