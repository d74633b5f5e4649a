"""Policy interpretations 政策解读: R15 谁起草谁解读, R16 三同步 gate, R17 two-way links; public list and search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.content import MEDIA_TYPES, check_upload
from disclosure.interpretations import (
    interpretation_approve,
    interpretation_create,
    interpretation_media_add,
    interpretation_parts_save,
    interpretation_plan_save,
    interpretation_submit,
    interpretation_withdraw,
)
from disclosure.models import Document, Interpretation
from disclosure.services import DocumentError, document_approve, document_return, document_submit, document_withdraw
from tests.conftest import refused

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PLAN = {
    "planned_on": dt.date(2026, 11, 20),
    "channels": "政府网站、政务新媒体",
    "forms": ["text"],
    "outline": "一、出台背景\n二、主要内容\n三、解读要点",
}


@pytest.fixture
def policy(make_document, org_a, drafter_a):
    return make_document(org_a, drafter_a, title="示范县促进民营经济发展若干措施", is_policy=True)


def text_interpretation(policy, drafter, **changes):
    values = {
        "title": "一图读懂：促进民营经济发展若干措施",
        "form": "text",
        "body": "一、出台背景。为贯彻落实上级部署，制定本措施。",
        **changes,
    }
    return interpretation_create(policy=policy, actor=drafter, changes=values)


def ready(policy, drafter):
    interpretation_plan_save(policy=policy, actor=drafter, changes=PLAN)
    return text_interpretation(policy, drafter)


# --- R15 ---------------------------------------------------------------------------------------------------------


def test_r15_only_the_drafting_organisation_interprets_its_policy(policy, drafter_a, drafter_b):
    with refused(DocumentError, "forbidden"):
        text_interpretation(policy, drafter_b)
    interpretation = text_interpretation(policy, drafter_a)
    assert interpretation.organisation_id == policy.organisation_id


def test_r15_a_document_not_flagged_as_policy_takes_no_interpretation(make_document, org_a, drafter_a):
    plain = make_document(org_a, drafter_a, is_policy=False)
    with refused(DocumentError, "not_policy"):
        text_interpretation(plain, drafter_a)


# --- R16: the gate names each missing piece ------------------------------------------------------------------


def test_r16_gate_refuses_a_policy_without_plan_and_interpretation(policy, drafter_a):
    with pytest.raises(DocumentError) as refused:
        document_submit(document=policy, actor=drafter_a)
    problems = refused.value.problems
    assert any("缺少解读方案" in p for p in problems)
    assert any("缺少解读材料" in p for p in problems)
    policy.refresh_from_db()
    assert policy.status == Document.Status.DRAFT


def test_r16_gate_names_the_missing_parts_of_the_plan(policy, drafter_a):
    interpretation_plan_save(policy=policy, actor=drafter_a, changes={"channels": "政府网站"})
    text_interpretation(policy, drafter_a)
    with pytest.raises(DocumentError) as refused:
        document_submit(document=policy, actor=drafter_a)
    assert refused.value.problems == ["解读方案缺少：解读时间、解读形式、解读提纲。"]


@pytest.mark.parametrize(
    ("form", "changes", "missing"),
    [
        ("text", {"body": ""}, "缺少解读正文或文字稿"),
        ("graphic", {}, "图表图解须上传至少一张图片"),
        ("av", {}, "音频视频解读须上传音频或视频文件"),
        ("qa", {"body": ""}, "政策问答须至少有一组问答"),
        ("expert", {"speaker": ""}, "缺少解读人"),
        ("h5", {}, "动漫/H5 解读须提供链接、图片或视频"),
    ],
)
def test_r16_gate_refuses_each_missing_piece_of_the_material(policy, drafter_a, form, changes, missing):
    interpretation_plan_save(policy=policy, actor=drafter_a, changes={**PLAN, "forms": [form]})
    interpretation = text_interpretation(policy, drafter_a, form=form, **changes)
    with pytest.raises(DocumentError) as refused:
        document_submit(document=policy, actor=drafter_a)
    assert refused.value.problems == [f"解读《{interpretation.title}》{missing}。"]


def test_r16_gate_wants_every_planned_form_and_alt_text_for_images(policy, drafter_a):
    interpretation_plan_save(policy=policy, actor=drafter_a, changes={**PLAN, "forms": ["text", "graphic"]})
    text_interpretation(policy, drafter_a)
    with pytest.raises(DocumentError) as refused:
        document_submit(document=policy, actor=drafter_a)
    assert refused.value.problems == ["解读方案计划了“图表图解”，但还没有这种形式的解读材料。"]
    graphic = text_interpretation(policy, drafter_a, form="graphic", title="图解")
    upload = check_upload(SimpleUploadedFile("tu.png", PNG), types=MEDIA_TYPES)
    interpretation_media_add(interpretation=graphic, actor=drafter_a, upload=upload)
    with pytest.raises(DocumentError) as refused:
        document_submit(document=policy, actor=drafter_a)
    assert refused.value.problems == ["解读《图解》“tu.png”缺少文字说明（供读屏软件使用）。"]
    media = graphic.media.get()
    interpretation_parts_save(
        interpretation=graphic,
        actor=drafter_a,
        questions=[],
        media_texts={media.pk: {"alt_text": "措施要点示意图", "sort_order": 10}},
    )
    assert document_submit(document=policy, actor=drafter_a).status == Document.Status.IN_REVIEW


def test_r16_reviewed_together_and_published_in_the_same_moment(
    policy, drafter_a, reviewer_a, django_capture_on_commit_callbacks
):
    qa = text_interpretation(policy, drafter_a, form="qa", title="政策问答", body="")
    interpretation_parts_save(
        interpretation=qa,
        actor=drafter_a,
        media_texts={},
        questions=[{"question": "哪些企业可以享受？", "answer": "在本县登记的民营企业。"}],
    )
    interpretation_plan_save(policy=policy, actor=drafter_a, changes={**PLAN, "forms": ["text", "qa"]})
    text = text_interpretation(policy, drafter_a)
    document_submit(document=policy, actor=drafter_a)
    assert {i.status for i in policy.interpretations.all()} == {Interpretation.Status.IN_REVIEW}
    document_return(document=policy, actor=reviewer_a, reason="请补充适用范围")
    assert {i.status for i in policy.interpretations.all()} == {Interpretation.Status.RETURNED}
    document_submit(document=Document.objects.get(pk=policy.pk), actor=drafter_a)
    with django_capture_on_commit_callbacks(execute=True):
        published = document_approve(document=policy, actor=reviewer_a, confidentiality_checked=True)
    assert published.status == Document.Status.PUBLISHED
    for interpretation in (qa, text):
        interpretation.refresh_from_db()
        assert interpretation.status == Interpretation.Status.PUBLISHED
        assert interpretation.published_at == published.published_at
        assert interpretation.reviewer == reviewer_a


def test_r16_a_scheduled_policy_publishes_its_interpretations_with_it(policy, drafter_a, reviewer_a, clock):
    from disclosure.services import documents_publish_due

    clock("2026-11-20 10:00")
    interpretation = ready(policy, drafter_a)
    document_submit(document=policy, actor=drafter_a)
    moment = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    document_approve(document=policy, actor=reviewer_a, confidentiality_checked=True, publish_at=moment)
    interpretation.refresh_from_db()
    assert interpretation.status == Interpretation.Status.APPROVED
    clock("2026-11-21 09:01")
    assert documents_publish_due() == [policy.pk]
    interpretation.refresh_from_db()
    policy.refresh_from_db()
    assert interpretation.status == Interpretation.Status.PUBLISHED
    assert interpretation.published_at == policy.published_at


def test_r16_a_later_interpretation_is_reviewed_on_its_own_and_the_last_one_stays(
    policy, drafter_a, reviewer_a, publish
):
    first = ready(policy, drafter_a)
    publish(policy, drafter_a, reviewer_a)
    media = text_interpretation(
        Document.objects.get(pk=policy.pk), drafter_a, form="media", title="媒体解读", speaker="示范日报"
    )
    interpretation_submit(interpretation=media, actor=drafter_a)
    interpretation_approve(interpretation=media, actor=reviewer_a, confidentiality_checked=True)
    media.refresh_from_db()
    assert media.status == Interpretation.Status.PUBLISHED
    interpretation_withdraw(interpretation=media, actor=reviewer_a, reason="转载来源有误")
    first.refresh_from_db()
    with refused(DocumentError, "last_interpretation"):
        interpretation_withdraw(interpretation=first, actor=reviewer_a, reason="测试")


# --- R17 and the public site -------------------------------------------------------------------------------------


@pytest.fixture
def published_policy(policy, drafter_a, reviewer_a, publish):
    interpretation = ready(policy, drafter_a)
    policy = publish(policy, drafter_a, reviewer_a)
    interpretation.refresh_from_db()
    return policy, interpretation


def test_r17_policy_and_interpretation_link_both_ways(published_policy, citizen):
    policy, interpretation = published_policy
    policy_url = reverse("disclosure:document", args=policy.index_path)
    interpretation_url = reverse("disclosure:interpretation", args=[interpretation.pk])
    assert interpretation_url in citizen.get(policy_url).content.decode()
    page = citizen.get(interpretation_url).content.decode()
    assert policy_url in page and policy.title in page


def test_r17_interpretations_list_home_block_filter_and_search(published_policy, citizen, org_a):
    policy, interpretation = published_policy
    listing = citizen.get(reverse("disclosure:interpretations")).content.decode()
    assert interpretation.title in listing
    assert interpretation.title in citizen.get(reverse("disclosure:home")).content.decode()
    assert interpretation.title not in citizen.get(reverse("disclosure:interpretations") + "?form=qa").content.decode()
    assert (
        interpretation.title
        in citizen.get(reverse("disclosure:interpretations") + f"?form=text&org={org_a.code}").content.decode()
    )
    found = citizen.get(reverse("disclosure:search") + "?q=出台背景").content.decode()
    assert interpretation.title in found


def test_r17_interpretations_never_leak_before_or_after_their_policy(policy, drafter_a, reviewer_a, citizen, publish):
    interpretation = ready(policy, drafter_a)
    url = reverse("disclosure:interpretation", args=[interpretation.pk])
    assert citizen.get(url).status_code == 404
    document_submit(document=policy, actor=drafter_a)
    assert citizen.get(url).status_code == 404
    assert interpretation.title not in citizen.get(reverse("disclosure:interpretations")).content.decode()
    policy = Document.objects.get(pk=policy.pk)
    document_approve(document=policy, actor=reviewer_a, confidentiality_checked=True)
    assert citizen.get(url).status_code == 200
    document_withdraw(document=Document.objects.get(pk=policy.pk), actor=reviewer_a, reason="政策调整")
    assert citizen.get(url).status_code == 404
    interpretation.refresh_from_db()
    assert interpretation.status == Interpretation.Status.WITHDRAWN


def test_interpretation_admin_pages_for_drafter_and_outsider(published_policy, login, drafter_a, drafter_b):
    policy, interpretation = published_policy
    change = reverse("admin:disclosure_interpretation_change", args=[interpretation.pk])
    assert login(drafter_a).get(change).status_code == 200
    assert login(drafter_b).get(change).status_code in (302, 404)
    add = login(drafter_a).get(reverse("admin:disclosure_interpretation_add") + f"?policy={policy.pk}")
    assert add.status_code == 200
    assert login(drafter_a).get(reverse("admin:disclosure_document_change", args=[policy.pk])).status_code == 200


def test_interpretation_admin_saves_a_qa_with_its_questions(policy, login, drafter_a):
    client = login(drafter_a)
    response = client.post(
        reverse("admin:disclosure_interpretation_add") + f"?policy={policy.pk}",
        {
            "policy": policy.pk,
            "title": "问答",
            "form": "qa",
            "speaker": "",
            "summary": "",
            "body": "",
            "link": "",
            "new_media_alt": "",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-question": "问题一",
            "questions-0-answer": "回答一",
            "questions-0-sort_order": "100",
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
            "media-MIN_NUM_FORMS": "0",
            "media-MAX_NUM_FORMS": "1000",
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    interpretation = Interpretation.objects.get()
    assert [q.question for q in interpretation.questions.all()] == ["问题一"]


def test_r17_search_finds_an_interpretation_by_its_questions_through_its_policys_search_entry(
    policy, drafter_a, reviewer_a, publish, citizen
):
    """The 相关政策解读 box looks only at the interpretations of policies among the search's candidates (a province has
    tens of thousands): a policy's entry holds its interpretations' questions and answers too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from disclosure.interpretations import interpretation_parts_save

    interpretation = ready(policy, drafter_a)
    interpretation_parts_save(
        interpretation=interpretation,
        actor=drafter_a,
        media_texts={},
        questions=[{"question": "个体工商户能否享受贷款贴息？", "answer": "符合条件的可以申请。", "sort_order": 1}],
    )
    publish(policy, drafter_a, reviewer_a)
    with CaptureQueriesContext(connection) as queries:
        found = citizen.get(reverse("disclosure:search") + "?q=贷款贴息")
    assert interpretation.title in found.content.decode()
    assert [hit.document.pk for hit in found.context["result"].hits] == [policy.pk]
    scans = [q["sql"] for q in queries.captured_queries if 'FROM "disclosure_interpretation"' in q["sql"]]
    assert scans and all('"policy_id" IN' in sql for sql in scans if "LIKE" in sql)
