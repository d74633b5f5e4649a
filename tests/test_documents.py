"""Documents and their disclosure attribute: R5–R14, each transition one service writing an event and history."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from disclosure.content import AttachmentRejected, check_upload, sanitise_body
from disclosure.grounds import Ground
from disclosure.models import Document, DocumentEvent, NegativeListEntry
from disclosure.personal_data import id_check_digit_valid, luhn_valid, scan_text
from disclosure.selectors import on_request_directory, public_documents
from disclosure.services import (
    DocumentError,
    attachment_add,
    document_approve,
    document_create,
    document_return,
    document_submit,
    document_update,
    document_validity_propose,
    document_validity_set,
    document_withdraw,
    documents_publish_due,
    validity_proposal_approve,
    validity_proposal_return,
)
from tests.conftest import SYSTEM, refused
from tests.test_upload_limits import pdf

VALID_ID = "11010519491231002X"  # the textbook example: check character X
INVALID_ID = "110105194912310021"
CARD = "6222021234567890128"  # 19 digits, passes Luhn


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer holds ``text`` (ASCII), written by hand to avoid a PDF-writing dependency."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf(objects)


def docx_with_text(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes):
    return check_upload(SimpleUploadedFile(name, data))


# --- R12 metadata and 索引号 --------------------------------------------------------------------------------------------


def test_r12_index_number_is_code_year_serial_per_organisation_and_year(
    org_a, org_b, drafter_a, drafter_b, make_document
):
    first = make_document(org_a, drafter_a)
    second = make_document(org_a, drafter_a)
    older = make_document(org_a, drafter_a, written_on=dt.date(2025, 3, 1))
    other = make_document(org_b, drafter_b)
    assert first.index_no == "A001/2026-00001"
    assert second.index_no == "A001/2026-00002"
    assert older.index_no == "A001/2025-00001"
    assert other.index_no == "B002/2026-00001"


@pytest.mark.django_db(transaction=True)
def test_r12_index_numbers_stay_unique_when_drafters_create_at_the_same_moment(org_a, drafter_a):
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait()
            document_create(
                organisation=org_a,
                actor=drafter_a,
                changes={"title": "并发创建", "written_on": dt.date(2026, 5, 1), "attribute": "proactive"},
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    serials = sorted(Document.objects.values_list("index_serial", flat=True))
    assert serials == [1, 2, 3, 4, 5, 6]


def test_r12_validity_amended_needs_a_successor_and_valid_clears_it(
    org_a, drafter_a, reviewer_a, make_document, publish
):
    old = publish(make_document(org_a, drafter_a, title="旧办法"), drafter_a, reviewer_a)
    new = publish(make_document(org_a, drafter_a, title="新办法"), drafter_a, reviewer_a)
    with refused(DocumentError, "successor_missing"):
        document_validity_set(document=old, actor=reviewer_a, validity="amended")
    with refused(DocumentError, "repeal_date_missing"):
        document_validity_set(document=old, actor=reviewer_a, validity="repealed")
    document_validity_set(document=old, actor=reviewer_a, validity="amended", successor=new)
    old.refresh_from_db()
    assert (old.validity, old.successor) == ("amended", new)
    assert old.events.filter(action=DocumentEvent.Action.VALIDITY).exists()
    document_validity_set(document=old, actor=reviewer_a, validity="valid")
    old.refresh_from_db()
    assert (old.validity, old.successor) == ("valid", None)


def test_r12_a_drafter_alone_cannot_repeal_a_published_document_the_reviewer_decides(
    org_a, drafter_a, reviewer_a, make_document, publish
):
    document = publish(make_document(org_a, drafter_a, title="旧办法"), drafter_a, reviewer_a)
    with pytest.raises(DocumentError) as refused:
        document_validity_set(document=document, actor=drafter_a, validity="repealed", repealed_on=dt.date(2026, 11, 1))
    assert refused.value.codes == ["forbidden"]
    with pytest.raises(DocumentError) as refused:
        document_validity_propose(
            document=document, actor=drafter_a, validity="repealed", repealed_on=dt.date(2026, 11, 1), reason=" "
        )
    assert refused.value.codes == ["reason_missing"]
    proposal = document_validity_propose(
        document=document,
        actor=drafter_a,
        validity="repealed",
        repealed_on=dt.date(2026, 11, 1),
        reason="已被新办法取代",
    )
    document.refresh_from_db()
    assert document.validity == "valid"  # nothing changes on the public page yet
    with pytest.raises(DocumentError) as refused:
        document_validity_propose(
            document=document, actor=drafter_a, validity="expired", repealed_on=dt.date(2026, 11, 1), reason="又一次"
        )
    assert refused.value.codes == ["duplicate"]
    with pytest.raises(DocumentError) as refused:
        document_validity_set(document=document, actor=reviewer_a, validity="valid")
    assert refused.value.codes == ["wrong_state"]
    with pytest.raises(DocumentError) as refused:
        validity_proposal_approve(proposal=proposal, actor=drafter_a)
    assert refused.value.codes == ["forbidden"]
    validity_proposal_approve(proposal=proposal, actor=reviewer_a, note="同意")
    document.refresh_from_db()
    assert (document.validity, document.repealed_on) == ("repealed", dt.date(2026, 11, 1))
    actions = list(document.events.values_list("action", flat=True))
    assert actions[-2:] == [DocumentEvent.Action.VALIDITY_PROPOSED, DocumentEvent.Action.VALIDITY]
    with pytest.raises(DocumentError):
        validity_proposal_approve(proposal=proposal, actor=reviewer_a)


def test_r12_a_returned_request_changes_nothing_and_needs_a_reason_and_nobody_decides_their_own(
    org_a, drafter_a, reviewer_a, make_document, publish
):
    from catalog.roles import Role
    from catalog.services import role_grant

    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    role_grant(organisation=org_a, user=reviewer_a, role=Role.DRAFTER, actor=SYSTEM)
    proposal = document_validity_propose(
        document=document, actor=reviewer_a, validity="expired", repealed_on=dt.date(2026, 10, 1), reason="到期"
    )
    with pytest.raises(DocumentError) as refused:
        validity_proposal_approve(proposal=proposal, actor=reviewer_a)  # four eyes, even for a reviewer
    assert refused.value.codes == ["forbidden"]
    role_grant(organisation=org_a, user=drafter_a, role=Role.REVIEWER, actor=SYSTEM)
    with pytest.raises(DocumentError) as refused:
        validity_proposal_return(proposal=proposal, actor=drafter_a, note="")
    assert refused.value.codes == ["reason_missing"]
    validity_proposal_return(proposal=proposal, actor=drafter_a, note="有效期尚未届满")
    document.refresh_from_db()
    proposal.refresh_from_db()
    assert document.validity == "valid" and proposal.outcome == "returned"
    assert document.events.filter(action=DocumentEvent.Action.VALIDITY_RETURNED, note="有效期尚未届满").exists()


# --- R6 / R7: the attribute at source ----------------------------------------------------------------------------------


def test_r6_a_document_without_attribute_cannot_be_submitted(org_a, drafter_a, make_document):
    document = make_document(org_a, drafter_a, attribute="")
    with pytest.raises(DocumentError) as refused:
        document_submit(document=document, actor=drafter_a)
    assert "未明确公开属性" in str(refused.value)
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT


@pytest.mark.parametrize("attribute", ["on_request", "withheld"])
def test_r6_r7_withholding_needs_a_legal_ground_and_a_written_reason(org_a, drafter_a, make_document, attribute):
    document = make_document(org_a, drafter_a, attribute=attribute)
    with pytest.raises(DocumentError) as refused:
        document_submit(document=document, actor=drafter_a)
    assert len(refused.value.problems) == 2
    assert "法定理由" in refused.value.problems[0] and "理由" in refused.value.problems[1]
    document_update(document=document, actor=drafter_a, changes={"ground": Ground.PROCESS})
    with pytest.raises(DocumentError) as refused:
        document_submit(document=document, actor=drafter_a)
    assert refused.value.problems == ["公开属性为“%s”时，必须写明不公开的理由。" % document.get_attribute_display()]
    document_update(document=document, actor=drafter_a, changes={"reason": "属于过程性信息。"})
    assert document_submit(document=document, actor=drafter_a).status == Document.Status.IN_REVIEW


def test_r5_a_proactive_document_carries_no_ground_for_withholding(org_a, drafter_a, make_document):
    document = make_document(org_a, drafter_a, attribute="on_request", ground=Ground.PROCESS, reason="过程稿")
    document = document_update(document=document, actor=drafter_a, changes={"attribute": "proactive"})
    assert (document.ground, document.reason) == ("", "")


def test_r14_a_withheld_document_cites_its_own_organisations_negative_list(org_a, org_b, drafter_a, make_document):
    foreign = NegativeListEntry.objects.create(organisation=org_b, matter="统计调查对象资料", ground=Ground.THIRD_PARTY)
    own = NegativeListEntry.objects.create(
        organisation=org_a, matter="执法人员考核结果", ground=Ground.INTERNAL_AFFAIRS
    )
    document = make_document(org_a, drafter_a, attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部事务")
    with refused(DocumentError, "negative_list_foreign"):
        document_update(document=document, actor=drafter_a, changes={"negative_list_entry": foreign})
    document = document_update(document=document, actor=drafter_a, changes={"negative_list_entry": own})
    assert document.negative_list_entry == own


# --- R8: review by the issuing organisation, returns, the disclosure office -------------------------------------------


def test_r8_review_cycle_writes_an_event_and_a_history_reason_per_transition(
    org_a, drafter_a, reviewer_a, make_document
):
    document = make_document(org_a, drafter_a, attribute="")
    document_update(document=document, actor=drafter_a, changes={"attribute": "proactive"})
    document_submit(document=document, actor=drafter_a)
    document_return(document=document, actor=reviewer_a, reason="请补充整治范围。")
    document.refresh_from_db()
    assert document.status == Document.Status.RETURNED and document.return_reason == "请补充整治范围。"
    document_update(document=document, actor=drafter_a, changes={"body": "整治范围：全市主次干道。"})
    document_submit(document=document, actor=drafter_a)
    document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    actions = list(document.events.values_list("action", flat=True))
    assert actions == ["created", "edited", "submitted", "returned", "edited", "submitted", "approved", "published"]
    reasons = list(document.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[0] == "创建" and "退回：请补充整治范围。" in reasons and reasons[-1] == "发布"
    assert document.history.filter(history_user=reviewer_a).exists()


def test_r8_a_reviewer_acts_only_for_her_own_organisation(org_a, org_b, drafter_b, reviewer_a, make_document):
    document = make_document(org_b, drafter_b)
    document_submit(document=document, actor=drafter_b)
    with refused(DocumentError, "forbidden"):
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    with refused(DocumentError, "forbidden"):
        document_return(document=document, actor=reviewer_a, reason="越权")
    document.refresh_from_db()
    assert document.status == Document.Status.IN_REVIEW


def test_r8_a_drafter_of_another_organisation_can_neither_create_edit_nor_submit(
    org_a, drafter_a, drafter_b, make_document
):
    with pytest.raises(DocumentError):
        document_create(organisation=org_a, actor=drafter_b, changes={"title": "越权"})
    document = make_document(org_a, drafter_a)
    with pytest.raises(DocumentError):
        document_update(document=document, actor=drafter_b, changes={"title": "越权修改"})
    with pytest.raises(DocumentError):
        document_submit(document=document, actor=drafter_b)


def test_r8_a_return_needs_a_reason(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    with refused(DocumentError, "reason_missing"):
        document_return(document=document, actor=reviewer_a, reason="   ")


def test_r8_the_disclosure_office_may_return_any_document_in_review_or_approved(
    org_a, drafter_a, reviewer_a, office, make_document, publish
):
    in_review = make_document(org_a, drafter_a)
    document_submit(document=in_review, actor=drafter_a)
    assert document_return(document=in_review, actor=office, reason="理由不合法").status == Document.Status.RETURNED
    on_request = make_document(org_a, drafter_a, attribute="on_request", ground=Ground.PROCESS, reason="过程稿")
    on_request = publish(on_request, drafter_a, reviewer_a)
    assert on_request.status == Document.Status.APPROVED
    assert document_return(document=on_request, actor=office, reason="应主动公开").status == Document.Status.RETURNED


def test_r8_approval_needs_the_confidentiality_review(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    with refused(DocumentError, "confidentiality_unchecked"):
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=False)


def test_r8_a_returned_document_notifies_its_drafter_once(
    org_a, drafter_a, reviewer_a, make_document, mailoutbox, django_capture_on_commit_callbacks
):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    with django_capture_on_commit_callbacks(execute=True):
        document_return(document=document, actor=reviewer_a, reason="请补充依据。")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["drafter_a@example.org"] and "请补充依据。" in mailoutbox[0].body
    assert f"http://127.0.0.1:8000/admin/disclosure/document/{document.pk}/change/" in mailoutbox[0].body


# --- R9: publication, at once or scheduled -----------------------------------------------------------------------------


def test_r9_an_approved_proactive_document_is_published_at_once(org_a, drafter_a, reviewer_a, make_document, publish):
    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    assert document.status == Document.Status.PUBLISHED
    assert document.published_at is not None
    assert public_documents().filter(pk=document.pk).exists()


def test_r9_scheduled_publication_waits_for_its_time_and_the_job_runs_twice_safely(
    org_a, drafter_a, reviewer_a, make_document, publish
):
    at = timezone.now() + dt.timedelta(hours=2)
    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a, publish_at=at)
    assert document.status == Document.Status.APPROVED and document.scheduled_at == at
    assert not public_documents().filter(pk=document.pk).exists()
    assert documents_publish_due() == []
    later = at + dt.timedelta(minutes=1)
    assert documents_publish_due(now=later) == [document.pk]
    assert documents_publish_due(now=later) == []
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    assert document.events.filter(action="published").count() == 1


def test_r9_only_proactive_documents_can_be_scheduled(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a, attribute="on_request", ground=Ground.PROCESS, reason="过程稿")
    document_submit(document=document, actor=drafter_a)
    with refused(DocumentError, "schedule_proactive_only"):
        document_approve(
            document=document,
            actor=reviewer_a,
            confidentiality_checked=True,
            publish_at=timezone.now() + dt.timedelta(days=1),
        )


def test_withdrawal_needs_a_reason_and_takes_the_document_off_the_public_site(
    org_a, drafter_a, reviewer_a, make_document, publish
):
    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    with refused(DocumentError, "reason_missing"):
        document_withdraw(document=document, actor=reviewer_a, reason="")
    document_withdraw(document=document, actor=reviewer_a, reason="内容有误")
    assert not public_documents().filter(pk=document.pk).exists()


# --- R10: the on-request directory ------------------------------------------------------------------------------------


def test_r10_on_request_documents_are_listed_by_metadata_only(org_a, drafter_a, reviewer_a, make_document, publish):
    document = make_document(
        org_a,
        drafter_a,
        title="某小区违法建设处置报告",
        attribute="on_request",
        ground=Ground.THIRD_PARTY,
        reason="涉及第三方",
        document_number="厦执法〔2026〕9号",
    )
    document = publish(document, drafter_a, reviewer_a)
    today = timezone.localdate()
    rows = on_request_directory(start=today.replace(day=1), end=today)
    assert rows == [
        {
            "title": "某小区违法建设处置报告",
            "index_no": document.index_no,
            "document_number": "厦执法〔2026〕9号",
            "summary": "",
            "organisation__name": org_a.name,
            "written_on": document.written_on,
            "decided_at": document.decided_at,
        }
    ]
    assert not public_documents().filter(pk=document.pk).exists()


# --- R13: personal data ------------------------------------------------------------------------------------------------


def test_r13_identity_numbers_need_a_valid_check_digit():
    assert id_check_digit_valid(VALID_ID) and not id_check_digit_valid(INVALID_ID)
    assert [f.kind for f in scan_text(f"身份证 {VALID_ID}。", where="正文")] == ["id"]
    assert scan_text(f"编号 {INVALID_ID}", where="正文") == []
    assert scan_text(f"身份证 {VALID_ID}", where="正文")[0].masked == "110105********002X"


def test_r13_mobile_and_bank_card_numbers_are_found_with_common_separators():
    found = scan_text("电话 139-1234-5678，卡号 6222 0212 3456 7890 128，座机 0592-1234567", where="正文")
    assert [(f.kind, f.masked) for f in found] == [("mobile", "139****5678"), ("card", "6222***********0128")]
    assert luhn_valid(CARD) and not luhn_valid("6222021234567890123")
    assert scan_text("统计数据 12345678901234567 和 2026 年", where="正文") == []


def test_r13_personal_data_blocks_approval_until_redacted_or_justified(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a, body=f"领取人身份证号 {VALID_ID}，电话 13912345678。")
    document_submit(document=document, actor=drafter_a)
    with pytest.raises(DocumentError) as refused:
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    message = str(refused.value)
    assert "居民身份证号 110105********002X（正文）" in message and "手机号码 139****5678（正文）" in message
    assert VALID_ID not in message
    document_update(document=document, actor=reviewer_a, changes={"body": "领取人身份证号 110105********002X。"})
    document = document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    assert document.status == Document.Status.PUBLISHED


def test_r13_a_reviewer_may_record_why_personal_data_may_stand(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a, body="举报电话 13912345678（本人同意公开）。")
    document_submit(document=document, actor=drafter_a)
    document = document_approve(
        document=document, actor=reviewer_a, confidentiality_checked=True, personal_data_note="本人书面同意公开。"
    )
    assert document.personal_data_note == "本人书面同意公开。"
    assert "本人书面同意公开" in document.events.get(action="approved").note


@pytest.mark.parametrize("name,maker", [("名单.pdf", pdf_with_text), ("名单.docx", docx_with_text)])
def test_r13_attachments_are_scanned_too(org_a, drafter_a, reviewer_a, make_document, name, maker):
    document = make_document(org_a, drafter_a)
    attachment_add(document=document, actor=drafter_a, upload=upload(name, maker(f"ID {VALID_ID} phone 13912345678")))
    document_submit(document=document, actor=drafter_a)
    with pytest.raises(DocumentError) as refused:
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    assert f"附件“{name}”" in str(refused.value)


# --- Content: sanitised bodies, checked attachments ---------------------------------------------------------------------


def test_bodies_are_sanitised_and_plain_text_becomes_paragraphs():
    assert sanitise_body("第一段\n\n第二段 <不是标签") == "<p>第一段</p>\n<p>第二段 &lt;不是标签</p>"
    cleaned = sanitise_body('<p onclick="x()">正文<script>alert(1)</script><a href="javascript:x()">链接</a></p>')
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert cleaned.startswith("<p>正文")


def test_attachments_are_refused_by_type_content_and_size(settings):
    with pytest.raises(AttachmentRejected, match="不支持"):
        upload("run.exe", b"MZ\x90\x00")
    with pytest.raises(AttachmentRejected, match="内容与扩展名 .pdf 不符"):
        upload("report.pdf", b"<html>not a pdf</html>")
    with pytest.raises(AttachmentRejected, match="空文件"):
        check_upload(SimpleUploadedFile("empty.txt", b""))
    settings.GOVOPEN_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(AttachmentRejected, match="超过 1 MB"):
        upload("big.txt", b"a" * (1024 * 1024 + 1))
    assert upload("名单.pdf", pdf_with_text("hello")).content_type == "application/pdf"


def test_attachments_cannot_change_once_the_document_is_approved(org_a, drafter_a, reviewer_a, make_document, publish):
    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    with refused(DocumentError, "wrong_state"):
        attachment_add(document=document, actor=drafter_a, upload=upload("a.txt", b"hello"))


def test_a_failed_transition_leaves_the_document_as_it_was(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a, body=f"身份证号 {VALID_ID}")
    document_submit(document=document, actor=drafter_a)
    events = document.events.count()
    with pytest.raises(DocumentError):
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    document.refresh_from_db()
    assert document.status == Document.Status.IN_REVIEW and document.decided_at is None
    assert document.events.count() == events


def test_the_scheduled_publishing_task_records_only_runs_that_publish(
    org_a, drafter_a, reviewer_a, make_document, publish
):
    from disclosure.tasks import publish_scheduled_documents
    from ops.models import JobRun

    publish_scheduled_documents()
    assert not JobRun.objects.exists()
    document = publish(
        make_document(org_a, drafter_a), drafter_a, reviewer_a, publish_at=timezone.now() + dt.timedelta(seconds=1)
    )
    Document.objects.filter(pk=document.pk).update(scheduled_at=timezone.now() - dt.timedelta(minutes=1))
    publish_scheduled_documents()
    assert JobRun.objects.get(name="documents-publish-due").details == {"published": [document.pk]}
