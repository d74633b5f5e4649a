"""R25 and issue 14 §4: the reply is a formal 政府信息公开申请答复书 an official would sign — a title with the issuer's
full name, a 文号 from the organisation's own sequence, the applicant addressed by type, the facts and the article,
the remedy naming the 行政复议机关 and the court with their time limits (review first for a refusal, 行政复议法 Art
23), the signature and the date; printable and as PDF for the applicant and the case's staff; worded by the office
in templates it edits in the admin with a preview."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from catalog.models import Organisation
from catalog.roles import Role
from catalog.services import organisation_save
from requests_app.letter_pdf import pdf_available
from requests_app.letters import DEFAULT_TEMPLATES, draft_letter, template_text
from requests_app.models import (
    REPLY_OUTCOMES,
    InformationRequest,
    LetterKind,
    LetterTemplate,
    Outcome,
    ReplyNumberSequence,
)
from requests_app.services import RequestError, letter_template_save, request_reply
from tests.conftest import SYSTEM, new_staff

D = dt.date.fromisoformat
Status = InformationRequest.Status


def reply(case, handler, outcome=Outcome.OPEN, **kw):
    letter = kw.pop("letter", None) or draft_letter(case, outcome=outcome, withheld_parts=kw.get("withheld_parts"))
    return request_reply(request=case, actor=handler, outcome=outcome, letter=letter, **kw)


def lookup(client: Client, case) -> None:
    assert (
        client.post(reverse("requests:status"), {"code": case.tracking_code, "secret": case.secret}).status_code == 302
    )


def pdf_text(content: bytes) -> str:
    """The text of every page with the line breaks of the layout removed, so a phrase wrapped at the margin is
    found whole."""
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


@pytest.fixture
def handler_b(make_user, org_b):
    return new_staff("handler_b", org_b, Role.HANDLER)


def test_r25_letter_numbers_run_per_organisation_and_year_without_gaps(
    org_a, org_b, handler_a, handler_b, filed, clock
):
    first = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    second = filed(org_a, moment="2026-03-02 10:00", accepted="2026-03-02", handler=handler_a)
    other = filed(org_b, moment="2026-03-02 11:00", accepted="2026-03-02", handler=handler_b)
    late = filed(org_a, moment="2026-12-28 09:00", accepted="2026-12-28", handler=handler_a)
    clock("2026-03-10 10:00")
    assert reply(first, handler_a).reply_number == "甲城管依公开〔2026〕1号"
    # A refused reply rolls back with its transaction and gives its number back: no gap in the register.
    with pytest.raises(RequestError):
        reply(second, handler_a, outcome=Outcome.PARTIAL, letter="部分公开。")
    assert reply(second, handler_a).reply_number == "甲城管依公开〔2026〕2号"
    assert reply(other, handler_b).reply_number == "乙统依公开〔2026〕1号"
    clock("2027-01-05 10:00")
    assert reply(late, handler_a).reply_number == "甲城管依公开〔2027〕1号"
    assert ReplyNumberSequence.objects.get(organisation=org_a, year=2026).last_number == 2
    assert "甲城管依公开〔2026〕1号" in first.events.get(action="replied").note


def test_r25_letter_addresses_the_applicant_by_type(org_a, handler_a, filed, clock):
    person = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    company = filed(
        org_a,
        moment="2026-03-02 10:00",
        accepted="2026-03-02",
        handler=handler_a,
        applicant_type="business",
        applicant_name="甲市某某科技有限公司",
        id_type="uscc",
        id_number="91350100M000100Y43",
        legal_representative="李四",
        contact_person="王五",
    )
    clock("2026-03-10 10:00")
    for case, pronoun, wrong in ((person, "您", "贵单位"), (company, "贵单位", "您")):
        case = reply(case, handler_a, outcome=Outcome.NOT_HELD)
        assert "您（单位）" not in case.reply_letter and f"收到{pronoun}提出的" in case.reply_letter
        assert f"告知{pronoun}该政府信息不存在" in case.reply_letter and wrong not in case.reply_letter
        assert case.reply_remedy.startswith(f"{pronoun}如对本答复不服")
        assert case.reply_issuer == "甲市城市管理局"
        assert "申请获取“请提供 2026 年本市共享单车停放点位设置方案”。" in case.reply_letter  # no 。”。


def test_r25_remedy_names_the_review_body_and_the_court_and_review_comes_first_for_a_refusal(
    org_a, handler_a, filed, clock
):
    opened = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    refused = filed(org_a, moment="2026-03-02 10:00", accepted="2026-03-02", handler=handler_a)
    partial = filed(org_a, moment="2026-03-02 11:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-10 10:00")
    opened = reply(opened, handler_a)
    assert "六十日内向甲市人民政府申请行政复议" in opened.reply_remedy
    assert "六个月内向甲市中山区人民法院提起行政诉讼" in opened.reply_remedy
    assert "应当先申请行政复议" not in opened.reply_remedy
    refused = reply(refused, handler_a, outcome=Outcome.WITHHELD_PROCESS)
    parts = [{"part": "第 3 页签报", "ground": "process", "reason": ""}]
    partial = reply(partial, handler_a, outcome=Outcome.PARTIAL, withheld_parts=parts)
    for case in (refused, partial):
        assert "应当先申请行政复议" in case.reply_remedy and "行政复议法》第二十三条" in case.reply_remedy
        assert "甲市人民政府" in case.reply_remedy and "十五日内向甲市中山区人民法院" in case.reply_remedy
        assert "六个月" not in case.reply_remedy


def test_r25_no_reply_while_the_organisation_has_no_number_code_review_body_or_court(
    org_a, handler_a, filed, clock, login
):
    org_a.letter_code = org_a.court = ""
    organisation_save(organisation=org_a, actor=SYSTEM)
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-10 10:00")
    with pytest.raises(RequestError) as refused:
        reply(case, handler_a)
    assert "答复书文号代字、管辖法院" in str(refused.value)
    typed = "经审查，予以公开（手写的正文）。"
    response = login(handler_a).post(
        reverse("admin:requests_app_informationrequest_reply", args=[case.pk]),
        {"outcome": "open", "letter": typed, "on": "2026-03-10", "send": "1", **_parts()},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "管辖法院" in page and typed in page
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and not case.reply_number


def _parts() -> dict:
    return {
        "parts-TOTAL_FORMS": "0",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def replied(org_a, handler_a, filed, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disclosure.content import check_upload

    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-10 10:00")
    upload = check_upload(SimpleUploadedFile("停放点位方案.pdf", b"%PDF-1.4 demo", content_type="application/pdf"))
    secret = case.secret
    case = reply(case, handler_a, files=[upload])
    case.secret = secret
    return case


def test_r25_the_applicant_reads_prints_and_downloads_the_letter_through_the_status_session(
    citizen, org_a, handler_a, filed, replied
):
    page_url = reverse("requests:status_letter", args=[replied.tracking_code])
    pdf_url = reverse("requests:status_letter_pdf", args=[replied.tracking_code])
    assert Client().get(page_url).status_code == 404 and Client().get(pdf_url).status_code == 404
    lookup(citizen, replied)
    status_page = citizen.get(reverse("requests:status_case", args=[replied.tracking_code])).content.decode()
    assert page_url in status_page and "甲城管依公开〔2026〕1号" in status_page
    page = citizen.get(page_url)
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    for text in (
        "甲市城市管理局",
        "政府信息公开申请答复书",
        "甲城管依公开〔2026〕1号",
        "张三：",
        "第三十六条第（二）项",
        "甲市人民政府",
        "甲市中山区人民法院",
        "2026年3月10日",
        "停放点位方案.pdf",
    ):
        assert text in html, text
    assert pdf_available()
    assert pdf_url in html
    response = citizen.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for wanted in ("政府信息公开申请答复书", "甲城管依公开〔2026〕1号", "张三", "甲市中山区人民法院", "2026年3月10日"):
        assert wanted in text, wanted
    # Another application's session opens nothing of this one; a case without a reply has no letter.
    other = filed(org_a, moment="2026-03-11 09:00", accepted="2026-03-11", handler=handler_a)
    stranger = Client()
    lookup(stranger, other)
    assert stranger.get(page_url).status_code == 404 and stranger.get(pdf_url).status_code == 404
    assert stranger.get(reverse("requests:status_letter", args=[other.tracking_code])).status_code == 404


def test_r25_staff_open_the_letter_masked_unless_they_may_see_the_applicant(
    org_b, replied, handler_a, reviewer_a, make_user, login
):
    page_url = reverse("admin:requests_app_informationrequest_letter", args=[replied.pk])
    pdf_url = reverse("admin:requests_app_informationrequest_letter_pdf", args=[replied.pk])
    handler_page = login(handler_a).get(page_url).content.decode()
    assert "张三：" in handler_page and "甲城管依公开〔2026〕1号" in handler_page
    assert "张三" in pdf_text(login(handler_a).get(pdf_url).content)
    reviewer_page = login(reviewer_a).get(page_url)
    assert reviewer_page.status_code == 200 and "张三" not in reviewer_page.content.decode()
    assert "张三" not in pdf_text(login(reviewer_a).get(pdf_url).content)
    outsider = new_staff("handler_b", org_b, Role.HANDLER)
    assert login(outsider).get(page_url).status_code == 404 and login(outsider).get(pdf_url).status_code == 404
    case_page = login(handler_a).get(reverse("admin:requests_app_informationrequest_change", args=[replied.pk]))
    assert page_url in case_page.content.decode()


def test_r25_a_letter_as_issued_keeps_its_words_after_templates_and_organisation_change(
    org_a, replied, office, citizen
):
    before = (replied.reply_letter, replied.reply_remedy, replied.reply_number, replied.reply_issuer)
    letter_template_save(
        template=LetterTemplate(kind=LetterKind.REMEDY, body="{称谓}可以向{复议机关}申请复议。"), actor=office
    )
    letter_template_save(template=LetterTemplate(kind=LetterKind.OPEN, body="新的正文。"), actor=office)
    org_a.name, org_a.review_body = "甲市城市管理和综合执法局", "甲市人民政府（新）"
    organisation_save(organisation=org_a, actor=office)
    replied.refresh_from_db()
    assert (replied.reply_letter, replied.reply_remedy, replied.reply_number, replied.reply_issuer) == before
    lookup(citizen, replied)
    html = citizen.get(reverse("requests:status_letter", args=[replied.tracking_code])).content.decode()
    assert "甲市城市管理局" in html and "甲市人民政府（新）" not in html and "新的正文" not in html


def test_r25_office_words_templates_for_all_or_one_organisation_and_drafts_follow(
    org_a, org_b, handler_a, filed, office, clock
):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    assert template_text(LetterKind.NOT_HELD, org_a) == DEFAULT_TEMPLATES[LetterKind.NOT_HELD]
    letter_template_save(
        template=LetterTemplate(kind=LetterKind.NOT_HELD, body="通用：经检索，{称谓}申请的信息不存在。"), actor=office
    )
    assert draft_letter(case, outcome=Outcome.NOT_HELD) == "通用：经检索，您申请的信息不存在。"
    own = letter_template_save(
        template=LetterTemplate(
            organisation=org_a, kind=LetterKind.NOT_HELD, body="甲局：{收到日期}收到，信息不存在。"
        ),
        actor=office,
    )
    assert draft_letter(case, outcome=Outcome.NOT_HELD) == "甲局：2026年3月2日收到，信息不存在。"
    assert template_text(LetterKind.NOT_HELD, org_b).startswith("通用：")
    assert own.updated_by == office and own.history.first().history_user == office
    with pytest.raises(RequestError) as refused:
        letter_template_save(template=LetterTemplate(kind=LetterKind.OPEN, body="{申请人电话}您好"), actor=office)
    assert "{申请人电话}" in str(refused.value)
    with pytest.raises(RequestError):
        letter_template_save(template=LetterTemplate(kind=LetterKind.OPEN, body="正文"), actor=handler_a)


def test_r25_template_admin_saves_through_the_service_refuses_bad_placeholders_and_previews(
    org_a, office, handler_a, login
):
    client = login(office)
    add_url = reverse("admin:requests_app_lettertemplate_add")
    form = client.get(add_url + "?kind=open").content.decode()
    assert "第三十六条第（二）项" in form and "{收到日期}" in form and "预览答复书" in form
    typed = "本机关于{收到日期}收到{称谓}的申请。{不存在的占位符}"
    refused = client.post(add_url, {"organisation": "", "kind": "open", "body": typed})
    assert refused.status_code == 400 and "{不存在的占位符}" in refused.content.decode()
    assert typed in refused.content.decode() and not LetterTemplate.objects.exists()
    preview_url = reverse("admin:requests_app_lettertemplate_preview")
    preview = client.post(preview_url, {"organisation": org_a.pk, "kind": "open", "body": "{称谓}的申请已收到。"})
    html = preview.content.decode()
    assert preview.status_code == 200 and not LetterTemplate.objects.exists()
    assert "张三：" in html and "您的申请已收到。" in html and "贵单位的申请已收到。" in html
    assert "甲城管依公开〔" in html and "甲市中山区人民法院" in html
    assert client.post(preview_url, {"kind": "open", "body": typed}).status_code == 400
    saved = client.post(add_url, {"organisation": org_a.pk, "kind": "open", "body": "{称谓}的申请已收到。"})
    assert saved.status_code == 302
    template = LetterTemplate.objects.get()
    assert template.organisation == org_a and template.updated_by == office
    assert client.get(preview_url + f"?id={template.pk}").status_code == 200
    # Handlers read the templates in force; only the office writes them.
    staff = login(handler_a)
    assert staff.get(reverse("admin:requests_app_lettertemplate_changelist")).status_code == 200
    assert staff.get(add_url).status_code == 403
    assert (
        staff.post(
            reverse("admin:requests_app_lettertemplate_change", args=[template.pk]),
            {"organisation": "", "kind": "open", "body": "改"},
        ).status_code
        == 403
    )
    delete = client.post(reverse("admin:requests_app_lettertemplate_delete", args=[template.pk]), {"post": "yes"})
    assert delete.status_code == 302 and not LetterTemplate.objects.exists()


def test_r25_the_handler_previews_the_whole_letter_before_replying_and_nothing_is_taken(
    org_a, handler_a, filed, clock, login
):
    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    clock("2026-03-10 10:00")
    url = reverse("admin:requests_app_informationrequest_reply", args=[case.pk])
    page = login(handler_a).get(url).content.decode()
    assert "甲城管依公开〔2026〕1号" in page
    body = draft_letter(case, outcome=Outcome.WITHHELD_INTERNAL)
    response = login(handler_a).post(
        url, {"outcome": "withheld_internal", "letter": body, "on": "2026-03-10", "preview": "1", **_parts()}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "答复书预览" in html
    assert "甲市城市管理局" in html and "张三：" in html and "应当先申请行政复议" in html and "第十六条第一款" in html
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and not ReplyNumberSequence.objects.exists()


def test_r25_every_outcome_has_a_default_template_with_known_placeholders_only():
    from requests_app.letters import unknown_placeholders

    assert set(DEFAULT_TEMPLATES) == set(LetterKind.values)
    assert set(REPLY_OUTCOMES) <= set(LetterKind.values)
    for kind, text in DEFAULT_TEMPLATES.items():
        assert not unknown_placeholders(text), kind


def test_r25_letter_settings_are_part_of_the_organisation_admin(office, org_a, login):
    html = login(office).get(reverse("admin:catalog_organisation_change", args=[org_a.pk])).content.decode()
    assert "答复书文号代字" in html and "行政复议机关" in html and "管辖法院" in html
    bad = Organisation(code="X1", name="丙局", letter_code="丙〔局〕")
    with pytest.raises(ValidationError) as refused:
        organisation_save(organisation=bad, actor=SYSTEM)
    assert "括号" in str(refused.value)
