"""R20, R25, R26, R28, R29: what an application must contain, how it is answered, fees, Art 44 and review records."""

import datetime as dt

import pytest
from django.core import mail

from core.actors import Applicant
from disclosure.models import Document
from requests_app.fees import fee_by_volume, fee_per_request
from requests_app.identity import mask_email, mask_identity, mask_phone, uscc_valid
from requests_app.letters import draft_letter
from requests_app.models import REPORT_ROWS, InformationRequest, Outcome, ReviewCase
from requests_app.selectors import art44_clusters
from requests_app.services import (
    RequestError,
    application_check,
    art44_propose,
    request_abandon,
    request_close,
    request_extension_propose,
    request_link_document,
    request_reply,
    request_withdraw,
    review_case_save,
)
from tests.conftest import VALID_RESIDENT_ID, applicant_values, refused

D = dt.date.fromisoformat
Status = InformationRequest.Status
VALID_USCC = "91350100M000100Y43"


def problems_of(**overrides):
    with pytest.raises(RequestError) as caught:
        application_check(applicant_values(**overrides))
    return caught.value.fields


def test_r20_valid_application_passes_and_is_normalised(db):
    cleaned = application_check(applicant_values(id_number=" 110105 19491231 002x "))
    assert cleaned["id_number"] == VALID_RESIDENT_ID


@pytest.mark.parametrize(
    "number, message",
    [
        ("110105194912310021", "校验位"),
        ("11010519491331002X", "出生日期不存在"),
        ("1101051949123100", "18 位"),
        ("11010521491231002X", "出生日期"),  # born in 2149
    ],
)
def test_r20_resident_id_is_checked_with_its_check_digit_and_birth_date(db, number, message):
    assert message in problems_of(id_number=number)["id_number"][0]


def test_r20_uscc_check_character(db):
    assert uscc_valid(VALID_USCC)
    assert not uscc_valid(VALID_USCC[:-1] + "2")
    organisation = {
        "applicant_type": "business",
        "applicant_name": "甲科技有限公司",
        "id_type": "uscc",
        "legal_representative": "李四",
        "contact_person": "王五",
    }
    application_check(applicant_values(**organisation, id_number=VALID_USCC))
    assert "校验码" in problems_of(**organisation, id_number=VALID_USCC[:-1] + "2")["id_number"][0]
    assert "不含 I、O、S、V、Z" in problems_of(**organisation, id_number="91350100M000100YI3")["id_number"][0]


def test_r20_passports_and_other_documents_are_accepted_as_typed(db):
    application_check(applicant_values(id_type="passport", id_number="E12345678"))
    application_check(applicant_values(id_type="hk_macao", id_number="H1234567801"))
    assert "字母、数字" in problems_of(id_type="passport", id_number="E1234 5678!")["id_number"][0]


def test_r20_organisations_need_a_representative_and_a_contact_and_a_uscc(db):
    fields = problems_of(applicant_type="research", applicant_name="某研究院", id_type="resident_id")
    assert "统一社会信用代码" in fields["id_type"][0]
    fields = problems_of(applicant_type="research", applicant_name="某研究院", id_type="uscc", id_number=VALID_USCC)
    assert set(fields) == {"legal_representative", "contact_person"}


def test_r20_missing_and_contradictory_fields_each_get_a_message(db):
    fields = problems_of(
        applicant_name="",
        phone="",
        description="",
        information_form="paper",
        delivery="email",
        email="",
        fee_waiver_requested=True,
    )
    assert set(fields) >= {"applicant_name", "phone", "description", "delivery", "email", "fee_waiver_reason"}
    assert all("\u4e00" <= message[0] <= "\u9fff" for messages in fields.values() for message in messages)


@pytest.mark.parametrize("field", ["description", "applicant_name", "address", "document_title"])
@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)"])
def test_r20_markup_and_script_are_refused_in_every_text_field(db, field, text):
    assert "网页标记或脚本" in problems_of(**{field: "正常文字" + text})[field][0]


def test_r27_masks_keep_only_the_ends():
    assert mask_identity(VALID_RESIDENT_ID) == "1101**********002X"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_email("zhangsan@example.com") == "z***@example.com"


# --- R25 replies ---------------------------------------------------------------------------------------------------


def test_r25_every_outcome_is_a_row_of_table_three():
    assert set(REPORT_ROWS) == set(Outcome.values)
    rows = set(REPORT_ROWS.values())
    assert {"（一）", "（二）"} <= rows
    assert {f"（三）{n}" for n in range(1, 9)} <= rows
    assert {f"（四）{n}" for n in range(1, 4)} <= rows
    assert {f"（五）{n}" for n in range(1, 6)} <= rows
    assert {f"（六）{n}" for n in range(1, 4)} <= rows


@pytest.fixture
def accepted(org_a, handler_a, filed):
    return filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)


def test_r25_partial_disclosure_needs_a_ground_for_each_withheld_part(accepted, handler_a, clock):
    clock("2026-03-10 10:00")
    with refused(RequestError, "withheld_parts_missing"):
        request_reply(request=accepted, actor=handler_a, outcome=Outcome.PARTIAL, letter="部分公开。")
    with refused(RequestError, "withheld_part_incomplete"):
        request_reply(
            request=accepted,
            actor=handler_a,
            outcome=Outcome.PARTIAL,
            letter="部分公开。",
            withheld_parts=[{"part": "附件 2 中的企业报价", "ground": ""}],
        )
    case = request_reply(
        request=accepted,
        actor=handler_a,
        outcome=Outcome.PARTIAL,
        letter="部分公开。",
        withheld_parts=[{"part": "附件 2 中的企业报价", "ground": "third_party", "reason": "商业秘密"}],
    )
    assert case.status == Status.REPLIED and case.report_row == "（二）"
    assert case.withheld_parts[0]["ground"] == "third_party"


def test_r25_referral_names_the_responsible_organisation(accepted, handler_a, clock):
    clock("2026-03-10 10:00")
    with refused(RequestError, "referral_missing"):
        request_reply(request=accepted, actor=handler_a, outcome=Outcome.NOT_HELD_REFERRAL, letter="非本机关负责。")
    case = request_reply(
        request=accepted,
        actor=handler_a,
        outcome=Outcome.NOT_HELD_REFERRAL,
        letter="非本机关负责。",
        referral_organisation="甲市交通运输局",
        referral_contact="010-0000009",
    )
    assert case.report_row == "（四）1" and case.referral_organisation == "甲市交通运输局"


def test_r25_still_unclear_only_after_a_correction(accepted, handler_a, clock):
    clock("2026-03-10 10:00")
    with refused(RequestError, "not_corrected"):
        request_reply(request=accepted, actor=handler_a, outcome=Outcome.STILL_UNCLEAR, letter="仍不明确。")


@pytest.mark.parametrize("outcome", [o for o in Outcome.values if o not in ("no_correction", "fee_unpaid")])
def test_r25_a_letter_is_drafted_for_every_outcome(accepted, outcome):
    """The body says when the application came and what it asked for; the addressee and the remedy are the frame
    of the formal letter (tests/test_reply_letters_formal.py), so the body repeats neither."""
    letter = draft_letter(
        accepted,
        outcome=outcome,
        withheld_parts=[{"part": "附件", "ground": "process"}],
        referral_organisation="甲市交通运输局",
    )
    assert accepted.tracking_code in letter and "2026年3月2日" in letter and "共享单车停放点位" in letter
    assert accepted.applicant_name not in letter and "行政复议" not in letter


def test_r25_withheld_letter_cites_the_ground_and_article(accepted):
    letter = draft_letter(accepted, outcome=Outcome.WITHHELD_PROCESS)
    assert "过程性信息" in letter and "第十六条" in letter


def test_r25_a_letter_with_blanks_left_is_refused(accepted, handler_a, clock):
    clock("2026-03-10 10:00")
    letter = draft_letter(accepted, outcome=Outcome.OTHER)
    with refused(RequestError, "letter_unfinished"):
        request_reply(request=accepted, actor=handler_a, outcome=Outcome.OTHER, letter=letter)


def test_r25_reply_reaches_the_applicant_once(accepted, handler_a, clock, django_capture_on_commit_callbacks):
    clock("2026-03-10 10:00")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_reply(request=accepted, actor=handler_a, outcome=Outcome.OPEN, letter="予以公开，见附件。")
    to_applicant = [m for m in mail.outbox if m.to == ["zhangsan@example.com"]]
    assert len(to_applicant) == 1 and "已答复" in to_applicant[0].subject
    assert "13812345678" not in to_applicant[0].body and VALID_RESIDENT_ID not in to_applicant[0].body


def test_withdrawal_counts_as_other_handling(accepted, clock):
    clock("2026-03-05 10:00")
    case = request_withdraw(request=accepted, actor=Applicant(accepted.pk))
    assert case.status == Status.WITHDRAWN and case.report_row == "（六）3"
    with refused(RequestError, "wrong_state"):
        request_withdraw(request=case, actor=Applicant(case.pk))


def test_the_actor_is_said_a_forgotten_one_is_refused_and_an_applicant_acts_only_on_their_own_case(
    accepted, handler_a, clock
):
    from core.actors import ActorRequired, System

    clock("2026-03-05 10:00")
    with pytest.raises(ActorRequired):
        request_withdraw(request=accepted, actor=None)  # type: ignore[arg-type]
    with refused(RequestError, "forbidden"):
        request_withdraw(request=accepted, actor=Applicant(accepted.pk + 1))  # another case's applicant
    with refused(RequestError, "forbidden"):
        request_extension_propose(request=accepted, actor=Applicant(accepted.pk), days=10, reason="档案多")
    with refused(RequestError, "forbidden"):
        request_abandon(request=accepted, actor=handler_a)  # 视为放弃 is the sweep's, never a person's
    with refused(RequestError, "not_lapsed"):
        request_abandon(request=accepted, actor=System("requests-sweep"))  # nothing has lapsed yet


# --- R26 fees -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pages, fee", [(1, 0), (30, 0), (31, 10), (100, 700), (150, 1700), (200, 2700), (201, 2740)])
def test_r26_by_volume(pages, fee):
    assert fee_by_volume(pages) == fee


@pytest.mark.parametrize("nth, fee", [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300)])
def test_r26_per_request(nth, fee):
    assert fee_per_request(nth) == fee


# --- R29 review and litigation ----------------------------------------------------------------------------------------


def test_r29_review_and_litigation_are_recorded_with_their_outcome(accepted, handler_a, drafter_b, clock):
    clock("2026-03-10 10:00")
    case = request_reply(request=accepted, actor=handler_a, outcome=Outcome.WITHHELD_PROCESS, letter="不予公开。")
    with refused(RequestError, "after_review_litigation_only"):
        review_case_save(
            case=ReviewCase(
                request=case, kind="review", after_review=True, filed_on=D("2026-03-10"), authority="甲市人民政府"
            ),
            actor=handler_a,
        )
    with refused(RequestError, "concluded_on_missing"):
        review_case_save(
            case=ReviewCase(
                request=case, kind="review", filed_on=D("2026-03-10"), authority="甲市人民政府", result="upheld"
            ),
            actor=handler_a,
        )
    with refused(RequestError, "forbidden"):
        review_case_save(
            case=ReviewCase(request=case, kind="review", filed_on=D("2026-03-10"), authority="甲市人民政府"),
            actor=drafter_b,
        )
    review = review_case_save(
        case=ReviewCase(
            request=case,
            kind="review",
            filed_on=D("2026-03-10"),
            authority="甲市人民政府",
            case_number="甲府复〔2026〕1号",
        ),
        actor=handler_a,
    )
    assert review.result == ReviewCase.Result.PENDING
    review.result, review.concluded_on = ReviewCase.Result.UPHELD, D("2026-03-10")
    review_case_save(case=review, actor=handler_a)
    litigation = review_case_save(
        case=ReviewCase(
            request=case, kind="litigation", after_review=True, filed_on=D("2026-03-10"), authority="甲市中级人民法院"
        ),
        actor=handler_a,
    )
    assert litigation.after_review
    assert case.events.filter(action="review_recorded").count() == 3


def test_r29_only_after_a_reply(accepted, handler_a, clock):
    with refused(RequestError, "not_replied"):
        review_case_save(
            case=ReviewCase(request=accepted, kind="review", filed_on=D("2026-03-02"), authority="甲市人民政府"),
            actor=handler_a,
        )


# --- R28 Art 44 --------------------------------------------------------------------------------------------------------


def test_r28_three_requests_for_one_on_request_document_make_a_cluster_and_one_step_proposes_it(
    org_a,
    handler_a,
    drafter_a,
    reviewer_a,
    office,
    make_document,
    publish,
    filed,
    clock,
    django_capture_on_commit_callbacks,
):
    clock("2026-03-01 10:00")
    document = make_document(
        org_a,
        drafter_a,
        title="共享单车停放点位设置方案",
        attribute="on_request",
        ground="process",
        reason="方案尚在征求意见",
    )
    document = publish(document, drafter_a, reviewer_a)
    assert document.status == Document.Status.APPROVED
    cases = []
    for n, (name, number) in enumerate([("张三", VALID_RESIDENT_ID), ("李四", "E12345678"), ("王五", "E87654321")]):
        case = filed(
            org_a,
            moment=f"2026-03-0{n + 2} 09:00",
            accepted=f"2026-03-0{n + 2}",
            handler=handler_a,
            applicant_name=name,
            id_type="resident_id" if n == 0 else "passport",
            id_number=number,
            description=f"申请公开共享单车停放点位设置方案（{n}）",
        )
        cases.append(request_link_document(request=case, actor=handler_a, document=document))
    clusters = art44_clusters(InformationRequest.objects.all(), today=D("2026-03-10"))
    assert len(clusters) == 1 and len(clusters[0].requests) == 3 and clusters[0].applicants == 3
    assert clusters[0].document == document
    assert art44_clusters(InformationRequest.objects.all(), today=D("2026-03-10"), threshold=4) == []
    with django_capture_on_commit_callbacks(execute=True):
        message = art44_propose(cluster=clusters[0], actor=office)
    assert "提交审核" in message
    document.refresh_from_db()
    assert document.status == Document.Status.IN_REVIEW and document.attribute == Document.Attribute.PROACTIVE
    assert document.events.filter(action="reconsider").exists()
    assert any(m.to == [reviewer_a.email] and "主动公开" in m.subject for m in mail.outbox)


def test_r28_near_identical_descriptions_cluster_without_a_document(org_a, handler_a, drafter_a, office, filed, clock):
    for n, text in enumerate(
        ["请公开2026年城区占道经营整治方案", "请公开 2026 年城区占道经营整治方案。", "申请：2026年城区占道经营整治方案"]
    ):
        filed(
            org_a,
            moment=f"2026-03-0{n + 2} 09:00",
            accepted=f"2026-03-0{n + 2}",
            handler=handler_a,
            description=text,
            id_type="passport",
            id_number=f"E0000000{n}",
        )
    filed(
        org_a,
        moment="2026-03-05 09:00",
        description="请提供环卫车辆采购合同",
        id_type="passport",
        id_number="E00000009",
    )
    clusters = art44_clusters(InformationRequest.objects.all(), today=D("2026-03-10"))
    assert [len(c.requests) for c in clusters] == [3]
    assert "已通知" in art44_propose(cluster=clusters[0], actor=office)
    with refused(RequestError, "duplicate"):
        art44_propose(cluster=clusters[0], actor=office)


def test_r28_refusals_and_old_requests_do_not_count(org_a, handler_a, filed, clock):
    for n in range(3):
        case = filed(
            org_a,
            moment=f"2025-0{n + 1}-05 09:00",
            accepted=f"2025-0{n + 1}-06",
            handler=handler_a,
            description="请公开某年度的执法案卷",
            id_type="passport",
            id_number=f"E1000000{n}",
        )
    assert art44_clusters(InformationRequest.objects.all(), today=D("2026-03-10")) == []
    clock("2025-03-10 10:00")
    request_reply(request=case, actor=handler_a, outcome=Outcome.WITHHELD_ENFORCEMENT, letter="不予公开。")
    assert len(art44_clusters(InformationRequest.objects.all(), today=D("2025-03-10"))) == 0
    request_close(request=case, actor=handler_a)
