"""R21–R24, R26 and R2 on the legal clock: lifecycle tests that move time across weekends and the 调休 days of R4."""

import datetime as dt

import pytest
from django.core import mail

from catalog.models import WorkCalendarYear
from catalog.services import calendar_year_replace
from core.actors import Applicant
from requests_app.deadlines import Clock
from requests_app.models import Channel, InformationRequest, Outcome
from requests_app.services import (
    RequestError,
    deadline_of,
    request_accept,
    request_consultation_answer,
    request_consultation_start,
    request_correction_answer,
    request_correction_ask,
    request_extension_approve,
    request_extension_propose,
    request_fee_notice,
    request_fee_paid,
    request_register,
    request_reply,
)
from requests_app.sweep import requests_sweep
from tests.conftest import SYSTEM, applicant_values, refused

D = dt.date.fromisoformat
Status = InformationRequest.Status


def test_r21_online_application_is_received_on_the_day_the_office_accepts(org_a, handler_a, filed):
    case = filed(org_a, moment="2026-02-11 22:00")
    assert case.status == Status.SUBMITTED and case.received_on is None
    assert deadline_of(case).clock == Clock.NOT_STARTED
    case = filed(org_a, moment="2026-02-11 22:00", accepted="2026-02-12", handler=handler_a)
    assert case.received_on == D("2026-02-12")
    assert case.handler == handler_a  # the accepting handler takes the case
    assert case.due_on == D("2026-03-18")  # R4: 2026-02-12 + 20


@pytest.mark.parametrize("channel", [Channel.IN_PERSON, Channel.POST, Channel.ORAL])
def test_r21_in_person_signed_post_and_oral_are_received_on_arrival(org_a, handler_a, clock, work_calendar, channel):
    clock("2026-02-13 09:00")
    case, secret = request_register(
        organisation=org_a, actor=handler_a, channel=channel, arrived_on=D("2026-02-12"), values=applicant_values()
    )
    assert case.status == Status.ACCEPTED and case.received_on == D("2026-02-12")
    assert case.due_on == D("2026-03-18")
    assert len(secret) >= 12


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.FAX])
def test_r21_ordinary_letter_and_fax_wait_for_confirmation(org_a, handler_a, clock, work_calendar, channel):
    clock("2026-02-13 09:00")
    case, _secret = request_register(
        organisation=org_a, actor=handler_a, channel=channel, arrived_on=D("2026-02-12"), values=applicant_values()
    )
    assert case.status == Status.SUBMITTED and case.received_on is None
    with refused(RequestError, "implausible_date"):
        request_accept(request=case, actor=handler_a, received_on=D("2026-02-11"))
    case = request_accept(request=case, actor=handler_a, received_on=D("2026-02-13"))
    assert case.received_on == D("2026-02-13")


def test_r24_r4_vectors_reply_due_and_extended_due(org_a, handler_a, office_head, filed, clock):
    case = filed(org_a, moment="2025-09-26 09:00", accepted="2025-09-26", handler=handler_a)
    assert case.due_on == D("2025-10-30")  # 2025-09-26 + 20 over 国庆
    clock("2025-10-20 10:00")
    request_extension_propose(request=case, actor=handler_a, days=20, reason="需要调取多个年度的档案")
    case = request_extension_approve(request=case, actor=office_head)
    assert case.due_on == D("2025-11-27")  # + 40


def test_r24_only_the_office_head_approves_and_only_once(org_a, handler_a, office, office_head, filed, clock):
    case = filed(org_a, moment="2026-02-12 09:00", accepted="2026-02-12", handler=handler_a)
    clock("2026-03-02 10:00")
    with refused(RequestError, "extension_limit"):
        request_extension_propose(request=case, actor=handler_a, days=21, reason="档案量大")
    request_extension_propose(request=case, actor=handler_a, days=10, reason="档案量大")
    with refused(RequestError, "forbidden"):
        request_extension_approve(request=case, actor=handler_a)
    with refused(RequestError, "forbidden"):
        request_extension_approve(request=case, actor=office)  # the office, but not its head
    mail.outbox.clear()
    case = request_extension_approve(request=case, actor=office_head)
    assert case.extension_days == 10 and case.extension_approved_by == office_head
    assert case.due_on == D("2026-04-01")
    with refused(RequestError, "extension_once"):
        request_extension_propose(request=case, actor=handler_a, days=5, reason="再延")
    explanation = " ".join(step.text for step in deadline_of(case).steps)
    assert "延长 10 个工作日" in explanation


def test_r22_correction_may_be_asked_up_to_the_makeup_saturday_and_restarts_the_clock(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-02-12 09:00", accepted="2026-02-12", handler=handler_a)
    assert deadline_of(case).correction_window_end == D("2026-02-28")  # R4: a Saturday 调休 working day
    clock("2026-02-28 10:00")
    case = request_correction_ask(request=case, actor=handler_a, items="请写明所需方案的年度和区域。", period_days=10)
    assert case.status == Status.AWAITING_CORRECTION and case.due_on is None
    assert case.clock == Clock.PAUSED_CORRECTION
    assert deadline_of(case).correction_due == D("2026-03-13")
    clock("2026-03-05 15:00")
    case = request_correction_answer(request=case, actor=Applicant(case.pk), answer="2026 年，思明区。")
    assert case.status == Status.ACCEPTED
    assert case.due_on == D("2026-04-02")  # 20 working days after 2026-03-05, over 清明 (04-04..06 after it)
    steps = [step.text for step in deadline_of(case).steps]
    assert any("重新起算" in text for text in steps)


def test_r22_correction_after_seven_working_days_is_refused(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-02-12 09:00", accepted="2026-02-12", handler=handler_a)
    clock("2026-03-02 10:00")  # the Monday after the make-up Saturday: day 8
    with refused(RequestError, "correction_window_passed"):
        request_correction_ask(request=case, actor=handler_a, items="请写明年度。", period_days=10)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.correction_requested_on is None


def test_r22_correction_only_once(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-03 10:00")
    case = request_correction_ask(request=case, actor=handler_a, items="请写明年度。", period_days=10)
    case = request_correction_answer(request=case, actor=handler_a, answer="2025 年", on=D("2026-03-03"))
    with refused(RequestError, "correction_once"):
        request_correction_ask(request=case, actor=handler_a, items="请再写明区域。", period_days=10)


def test_r22_no_correction_in_time_is_abandoned_by_the_sweep(
    org_a, handler_a, filed, clock, django_capture_on_commit_callbacks
):
    case = filed(org_a, moment="2026-02-12 09:00", accepted="2026-02-12", handler=handler_a)
    clock("2026-02-13 10:00")
    case = request_correction_ask(request=case, actor=handler_a, items="请写明年度。", period_days=5)
    # 02-14 (调休 Saturday), then 02-24..02-27 after the 春节 holiday of 02-15..02-23
    assert deadline_of(case).correction_due == D("2026-02-27")
    clock("2026-02-27 18:00")
    requests_sweep()
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CORRECTION  # the last day is still the applicant's
    clock("2026-02-28 08:00")
    with django_capture_on_commit_callbacks(execute=True):
        counts = requests_sweep()
    case.refresh_from_db()
    assert counts["abandoned"] == 1
    assert case.status == Status.ABANDONED and case.outcome == Outcome.NO_CORRECTION
    assert case.report_row == "（六）1"
    assert any("视为放弃" in m.subject for m in mail.outbox if m.to == ["zhangsan@example.com"])


def test_r23_consultation_days_are_not_counted(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-02-12 09:00", accepted="2026-02-12", handler=handler_a)
    clock("2026-02-13 10:00")
    consultation = request_consultation_start(
        request=case, actor=handler_a, kind="third_party", party="某某科技有限公司", on=D("2026-02-13")
    )
    case.refresh_from_db()
    assert case.clock == Clock.PAUSED_CONSULTATION
    clock("2026-02-27 10:00")
    request_consultation_answer(consultation=consultation, actor=handler_a, answer="objects", note="涉及商业秘密")
    case.refresh_from_db()
    deadline = deadline_of(case)
    # Excluded: 02-14 (调休 Saturday) and 02-24..02-27, the 春节 holiday between them is not a working day.
    assert deadline.excluded_days == 5
    assert case.due_on == D("2026-03-25")  # 2026-02-12 + 25
    assert case.clock == Clock.RUNNING


def test_r23_a_silent_consultation_stops_pausing_after_15_working_days(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-03 10:00")
    request_consultation_start(request=case, actor=handler_a, kind="co_issuer", party="乙市统计局", on=D("2026-03-03"))
    clock("2026-04-30 10:00")
    deadline = deadline_of(case)
    assert deadline.clock == Clock.RUNNING
    assert deadline.excluded_days == 15
    assert deadline.consultation_dues and list(deadline.consultation_dues.values()) == [D("2026-03-24")]
    assert deadline.due == D("2026-04-21")  # 2026-03-02 + 35, over 清明 (04-04..04-06)


def test_r26_fee_period_pauses_and_unpaid_fee_ends_as_other_handling(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-04 10:00")
    with refused(RequestError, "fee_one_method"):
        request_fee_notice(request=case, actor=handler_a, method="both", pages=150)
    case = request_fee_notice(request=case, actor=handler_a, method="by_volume", pages=150)
    assert case.fee_amount == 1700
    assert case.clock == Clock.PAUSED_FEE
    with refused(RequestError, "fee_not_paid"):
        request_reply(request=case, actor=handler_a, outcome=Outcome.OPEN, letter="予以公开。")
    fee_due = deadline_of(case).fee_due
    clock(f"{fee_due + dt.timedelta(days=1)} 08:00")
    requests_sweep()
    case.refresh_from_db()
    assert case.status == Status.ABANDONED and case.outcome == Outcome.FEE_UNPAID and case.report_row == "（六）2"


def test_r26_paid_fee_resumes_the_clock(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-04 10:00")
    request_fee_notice(request=case, actor=handler_a, method="by_volume", pages=40)
    clock("2026-03-09 10:00")
    case = request_fee_paid(request=case, actor=handler_a)
    assert case.clock == Clock.RUNNING
    assert deadline_of(case).excluded_days == 3  # 03-05, 03-06, 03-09


def test_r2_deadline_into_2027_is_provisional_until_the_year_is_loaded(org_a, handler_a, filed, clock):
    case = filed(org_a, moment="2026-12-10 09:00", accepted="2026-12-10", handler=handler_a)
    assert case.due_provisional
    assert any("暂定" in step.text for step in deadline_of(case).steps)
    calendar_year_replace(
        year=2027,
        days={D("2027-01-01"): ("holiday", "元旦")},
        source=WorkCalendarYear.Source.MANUAL,
        actor=SYSTEM,
        notice_number="国办发明电〔2026〕演示号",
    )
    requests_sweep()  # open deadlines are recomputed once the official year is there
    case.refresh_from_db()
    assert not case.due_provisional
