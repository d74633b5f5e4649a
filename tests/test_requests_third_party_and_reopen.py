"""Art 15 and 32 when a third party was consulted, and Art 30's reopening of an abandoned case (R23, R22)."""

from __future__ import annotations

import datetime as dt

import pytest

from requests_app.models import InformationRequest, Outcome, RequestEvent
from requests_app.services import (
    RequestError,
    deadline_of,
    request_consultation_answer,
    request_consultation_start,
    request_correction_answer,
    request_correction_ask,
    request_reopen,
    request_reply,
)
from requests_app.sweep import requests_sweep
from tests.conftest import refused as refused_because

D = dt.date.fromisoformat
Status = InformationRequest.Status
Action = RequestEvent.Action


@pytest.fixture
def consulted(org_a, handler_a, filed, clock):
    """A case received 2026-03-02 whose third party answered on 2026-03-09."""

    def make(answer: str) -> InformationRequest:
        case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
        clock("2026-03-03 10:00")
        consultation = request_consultation_start(
            request=case, actor=handler_a, kind="third_party", party="某某科技有限公司", on=D("2026-03-03")
        )
        clock("2026-03-09 10:00")
        request_consultation_answer(consultation=consultation, actor=handler_a, answer=answer, on=D("2026-03-09"))
        clock("2026-03-10 10:00")
        return InformationRequest.objects.get(pk=case.pk)

    return make


def test_r23_art32_withholding_for_a_third_party_that_agreed_needs_a_recorded_reason(consulted, handler_a):
    case = consulted("agrees")
    with refused_because(RequestError, "reason_missing"):
        request_reply(request=case, actor=handler_a, outcome=Outcome.WITHHELD_THIRD_PARTY, letter="不予公开。")
    case = request_reply(
        request=case,
        actor=handler_a,
        outcome=Outcome.WITHHELD_THIRD_PARTY,
        letter="不予公开。",
        third_party_reason="第三方同意后经核实，该信息还涉及其他自然人的个人隐私。",
    )
    replied = case.events.get(action=Action.REPLIED)
    assert "其他自然人的个人隐私" in replied.note


def test_r23_art15_disclosing_over_an_objection_needs_the_public_interest_reason_and_notice_first(
    consulted,
    handler_a,
):
    case = consulted("objects")
    with pytest.raises(RequestError) as refused:
        request_reply(request=case, actor=handler_a, outcome=Outcome.OPEN, letter="予以公开。")
    assert any("公共利益" in p for p in refused.value.problems)
    assert any("书面告知第三方" in p for p in refused.value.problems)
    reason = "涉及食品安全，不公开可能对公共利益造成重大影响。"
    with refused_because(RequestError, "third_party_notice_late"):
        request_reply(
            request=case,
            actor=handler_a,
            outcome=Outcome.OPEN,
            letter="予以公开。",
            on=D("2026-03-10"),
            third_party_reason=reason,
            third_party_notified_on=D("2026-03-11"),
        )
    case = request_reply(
        request=case,
        actor=handler_a,
        outcome=Outcome.OPEN,
        letter="予以公开。",
        on=D("2026-03-10"),
        third_party_reason=reason,
        third_party_notified_on=D("2026-03-10"),
    )
    notice = case.events.get(action=Action.THIRD_PARTY_NOTIFIED)
    assert notice.on == D("2026-03-10") and "食品安全" in notice.note
    assert notice.pk < case.events.get(action=Action.REPLIED).pk


def test_r23_withholding_the_objecting_third_party_s_part_needs_no_public_interest_reason(consulted, handler_a):
    case = consulted("objects")
    case = request_reply(
        request=case,
        actor=handler_a,
        outcome=Outcome.PARTIAL,
        letter="部分公开。",
        withheld_parts=[{"part": "第三方经营数据", "ground": "third_party", "reason": "商业秘密"}],
    )
    assert case.status == Status.REPLIED


def test_r23_the_reply_page_warns_of_the_third_party_s_answer(consulted, handler_a, login):
    case = consulted("objects")
    page = login(handler_a).get(f"/admin/requests_app/informationrequest/{case.pk}/reply/").content.decode()
    assert "第三方不同意公开" in page and 'name="third_party_notified_on"' in page


def test_r22_art30_the_office_reopens_an_abandoned_case_once_and_the_clock_restarts_from_the_late_correction(
    org_a,
    handler_a,
    office,
    filed,
    clock,
    login,
):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-03 10:00")
    request_correction_ask(
        request=case, actor=handler_a, items="请写明所需文件的名称。", period_days=5, on=D("2026-03-03")
    )
    clock("2026-03-12 08:00")  # the period ended 03-10
    requests_sweep()
    case.refresh_from_db()
    assert case.status == Status.ABANDONED and case.outcome == Outcome.NO_CORRECTION

    url = f"/admin/requests_app/informationrequest/{case.pk}/do/reopen/"
    assert login(handler_a).get(url).status_code == 404
    with refused_because(RequestError, "forbidden"):
        request_reopen(request=case, actor=handler_a, reason="邮路延误")
    refused = login(office).post(url, {"reason": "迟"})
    assert refused.status_code == 400 and "至少 4 个字" in refused.content.decode()
    assert login(office).post(url, {"reason": "补正材料 03-09 已寄出，因邮路延误 03-12 才送达。"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CORRECTION and case.outcome == "" and case.closed_on is None
    assert case.correction_requested_on == D("2026-03-03")  # the original dates stay

    requests_sweep()  # reopened once: the lapsed period no longer abandons it
    case.refresh_from_db()
    assert case.status == Status.AWAITING_CORRECTION
    assert login(office).get(url).status_code == 404  # not offered again

    case = request_correction_answer(
        request=case, actor=handler_a, answer="所需文件为《停放点位方案》。", on=D("2026-03-12")
    )
    assert deadline_of(case).due == D("2026-04-10")  # 20 working days after the corrected application (R22)
    with refused_because(RequestError, "wrong_state"):
        request_reopen(request=case, actor=office, reason="再次开启的理由")
