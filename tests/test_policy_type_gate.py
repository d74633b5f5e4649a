"""R15/R16: a 行政规范性文件 brings the 三同步 gate with its type; the office may waive it per document, with a reason
on record."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from disclosure.models import Document, DocumentEvent
from disclosure.services import DocumentError, document_import, document_interpretation_waive, document_submit
from tests.conftest import SYSTEM, refused

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_r16_a_normative_document_needs_its_interpretation_even_unticked(org_a, drafter_a, make_document):
    document = make_document(org_a, drafter_a, title="关于规范户外广告设施设置的通知", legal_form="normative")
    assert document.is_policy  # the type makes it a policy; the drafter did not tick 政策性文件
    with pytest.raises(DocumentError) as refused:
        document_submit(document=document, actor=drafter_a)
    assert any("解读方案" in problem for problem in refused.value.problems)


def test_r16_the_office_waives_the_interpretation_with_a_recorded_reason(
    org_a,
    drafter_a,
    reviewer_a,
    office,
    make_document,
    publish,
):
    document = make_document(org_a, drafter_a, title="关于修改户外广告设置通知中一处文字的通知", legal_form="normative")
    with refused(DocumentError, "forbidden"):
        document_interpretation_waive(document=document, actor=reviewer_a, reason="仅作文字性修改")
    with refused(DocumentError, "reason_missing"):
        document_interpretation_waive(document=document, actor=office, reason="  ")
    document_interpretation_waive(document=document, actor=office, reason="仅改正一处文字错误，内容未作实质调整。")
    document = publish(document, drafter_a, reviewer_a)
    assert document.status == Document.Status.PUBLISHED and not document.interpretations.exists()
    event = document.events.get(action=DocumentEvent.Action.WAIVED)
    assert event.actor == office and "文字错误" in event.note
    assert document.interpretation_waived_by == office


def test_r16_the_waiver_page_is_the_office_s_and_keeps_what_was_typed(
    org_a,
    drafter_a,
    office,
    make_document,
    login,
):
    document = make_document(org_a, drafter_a, title="关于规范共享单车停放的通知", legal_form="normative")
    url = f"/admin/disclosure/document/{document.pk}/waive/"
    assert login(drafter_a).get(url).status_code == 404
    client = login(office)
    change = client.get(f"/admin/disclosure/document/{document.pk}/change/").content.decode()
    assert url in change
    refused = client.post(url, {"reason": "改"})
    assert refused.status_code == 400 and "至少 4 个字" in refused.content.decode()
    assert client.post(url, {"reason": "技术性修改，无需解读。"}).status_code == 302
    page = client.get(f"/admin/disclosure/document/{document.pk}/change/").content.decode()
    assert "已批准免于同步解读" in page and "技术性修改，无需解读。" in page
    assert client.get(url).status_code == 404  # waived once


def test_r16_a_historical_import_keeps_its_record(org_a):
    document = document_import(
        organisation=org_a,
        actor=SYSTEM,
        published_at=dt.datetime(2024, 9, 2, 10, tzinfo=SH),
        changes={
            "title": "关于共享单车停放管理的通知",
            "attribute": "proactive",
            "body": "正文",
            "legal_form": "normative",
        },
    )
    assert not document.is_policy  # published before the platform: not re-judged by today's gate
