"""Staff in the admin: drafting, the review queue, and a wrong-organisation test for every staff action (R8)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.content import check_upload
from disclosure.grounds import Ground
from disclosure.models import Document
from disclosure.services import attachment_add, document_submit
from tests.conftest import SYSTEM

ADD = "/admin/disclosure/document/add/"
QUEUE = "/admin/disclosure/reviewitem/"


def change_url(document: Document) -> str:
    return reverse("admin:disclosure_document_change", args=[document.pk])


def action_url(document: Document, action: str) -> str:
    return reverse(f"admin:disclosure_document_{action}", args=[document.pk])


def form_data(org, **overrides) -> dict:
    data = {
        "organisation": org.pk,
        "title": "关于规范共享单车停放的通知",
        "document_number": "",
        "issuer": "",
        "written_on": "2026-11-20",
        "topic": "",
        "body": "第一段\n第二段",
        "attribute": "proactive",
        "ground": "",
        "reason": "",
        "negative_list_entry": "",
        "validity": "valid",
        "successor": "",
        "repealed_on": "",
    }
    data.update(overrides)
    return data


def test_a_drafter_creates_a_document_in_the_admin_with_a_generated_index_number(login, drafter_a, org_a):
    client = login(drafter_a)
    upload = SimpleUploadedFile("附件.txt", "停放区域清单".encode())
    response = client.post(ADD, {**form_data(org_a), "new_attachments": [upload]})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert document.index_no.startswith("A001/2026-") and document.drafter == drafter_a
    assert document.body == "<p>第一段</p>\n<p>第二段</p>"
    assert document.attachments.get().name == "附件.txt"
    assert list(document.events.values_list("action", flat=True)) == ["created", "attached"]


def test_a_rejected_form_keeps_what_was_typed_and_stores_nothing(login, drafter_a, org_a, org_b):
    from disclosure.models import NegativeListEntry

    entry = NegativeListEntry.objects.create(organisation=org_b, matter="他机构事项", ground=Ground.THIRD_PARTY)
    client = login(drafter_a)
    bad_file = SimpleUploadedFile("病毒.exe", b"MZ\x90")
    response = client.post(ADD, {**form_data(org_a, title="", body="保留这段正文"), "new_attachments": [bad_file]})
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "保留这段正文" in html and "不支持“病毒.exe”的文件类型" in html and "该字段是必填项" in html
    )  # DRF's zh-hans catalogue overrides Django's
    response = client.post(ADD, form_data(org_a, attribute="withheld", negative_list_entry=entry.pk))
    assert response.status_code == 400  # the other organisation's entry is not even a choice
    assert not Document.objects.exists()


def test_a_drafter_cannot_create_for_another_organisation(login, drafter_a, org_b):
    response = login(drafter_a).post(ADD, form_data(org_b))
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    assert not Document.objects.exists()


def test_the_drafter_sees_the_return_reason_and_can_edit_again(login, drafter_a, reviewer_a, org_a, make_document):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    response = login(reviewer_a).post(
        action_url(document, "review"), {"decision": "return", "reason": "请补充整治时间。"}
    )
    assert response.status_code == 302
    page = login(drafter_a).get(change_url(document)).content.decode()
    assert "退回理由" in page and "请补充整治时间。" in page and 'name="_save"' in page
    assert "提交审核" in page


def test_a_document_in_review_is_read_only_for_its_drafter(login, drafter_a, org_a, make_document):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    client = login(drafter_a)
    page = client.get(change_url(document)).content.decode()
    assert 'name="_save"' not in page
    client.post(change_url(document), form_data(org_a, title="偷改标题"))
    document.refresh_from_db()
    assert document.title == "关于开展市容环境整治的通知"


def test_the_review_queue_shows_own_organisation_oldest_first_with_waiting_time(
    login, drafter_a, drafter_b, reviewer_a, org_a, org_b, make_document
):
    older = make_document(org_a, drafter_a, title="较早提交")
    newer = make_document(org_a, drafter_a, title="较晚提交")
    foreign = make_document(org_b, drafter_b, title="乙机构文件")
    for document, drafter in ((older, drafter_a), (newer, drafter_a), (foreign, drafter_b)):
        document_submit(document=document, actor=drafter)
    page = login(reviewer_a).get(QUEUE).content.decode()
    assert page.index("较早提交") < page.index("较晚提交")
    assert "乙机构文件" not in page and "小时" in page
    filtered = login(reviewer_a).get(QUEUE, {"attribute__exact": "withheld"}).content.decode()
    assert "较早提交" not in filtered


def test_approval_refused_answers_400_and_keeps_the_reviewers_input(login, drafter_a, reviewer_a, org_a, make_document):
    document = make_document(org_a, drafter_a, body="联系电话 13912345678")
    document_submit(document=document, actor=drafter_a)
    response = login(reviewer_a).post(
        action_url(document, "review"), {"decision": "approve", "personal_data_note": "", "reason": "草拟的意见"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "保密审查" in html and "手机号码 139****5678（正文）" in html and "草拟的意见" in html
    document.refresh_from_db()
    assert document.status == Document.Status.IN_REVIEW


def test_approval_in_the_admin_publishes_a_proactive_document(
    login, drafter_a, reviewer_a, org_a, make_document, citizen
):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    response = login(reviewer_a).post(
        action_url(document, "review"), {"decision": "approve", "confidentiality_checked": "on"}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    assert citizen.get(reverse("disclosure:document", args=document.index_path)).status_code == 200


def test_the_office_may_return_but_not_approve_another_organisations_document(
    login, drafter_a, office, org_a, make_document
):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    client = login(office)
    assert client.get(QUEUE).status_code == 200
    response = client.post(action_url(document, "review"), {"decision": "approve", "confidentiality_checked": "on"})
    assert response.status_code == 400  # approve is not among the office's choices
    response = client.post(action_url(document, "review"), {"decision": "return", "reason": "未说明理由"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.RETURNED


@pytest.mark.parametrize("action", ["submit", "review", "withdraw", "validity"])
def test_every_staff_action_is_404_for_another_organisations_staff(
    action, login, drafter_a, reviewer_a, drafter_b, org_a, org_b, make_document, publish
):
    from catalog.roles import Role
    from catalog.services import role_grant

    reviewer_b = drafter_b
    role_grant(organisation=org_b, user=reviewer_b, role=Role.REVIEWER, actor=SYSTEM)
    document = make_document(org_a, drafter_a)
    if action == "review":
        document_submit(document=document, actor=drafter_a)
    if action in ("withdraw", "validity"):
        document = publish(document, drafter_a, reviewer_a)
    client = login(reviewer_b)
    assert client.get(action_url(document, action)).status_code == 404
    assert client.post(action_url(document, action), {"decision": "approve", "reason": "x"}).status_code == 404
    assert client.get(change_url(document)).status_code == 302  # the admin's "no such object" redirect
    assert document.title not in client.get("/admin/disclosure/document/").content.decode()


def test_staff_download_a_file_only_from_their_own_organisations_documents(
    login, drafter_a, drafter_b, org_a, make_document
):
    document = make_document(org_a, drafter_a)
    attachment = attachment_add(
        document=document, actor=drafter_a, upload=check_upload(SimpleUploadedFile("草稿.txt", "内部草稿".encode()))
    )
    url = reverse("admin:disclosure_document_attachment", args=[document.pk, attachment.pk])
    assert login(drafter_a).get(url).status_code == 200
    assert login(drafter_b).get(url).status_code == 404


def test_the_change_page_shows_the_timeline_with_events_and_field_changes(login, drafter_a, org_a, make_document):
    from disclosure.services import document_update

    document = make_document(org_a, drafter_a)
    document_update(document=document, actor=drafter_a, changes={"title": "关于开展市容整治的通知"})
    page = login(drafter_a).get(change_url(document)).content.decode()
    assert "办理记录" in page and "创建" in page and "修改" in page
    assert "<del>关于开展市容环境整治的通知</del> → <ins>关于开展市容整治的通知</ins>" in page


def test_a_citizen_cannot_reach_the_admin_pages(citizen, drafter_a, org_a, make_document):
    document = make_document(org_a, drafter_a)
    for url in (change_url(document), action_url(document, "review"), QUEUE):
        assert citizen.get(url).status_code == 302  # to the login page


def test_catalogue_items_and_negative_lists_are_kept_only_by_their_own_organisation(
    login, reviewer_a, drafter_a, org_a, org_b, node_b
):
    from disclosure.models import NegativeListEntry

    client = login(reviewer_a)
    foreign_entry = NegativeListEntry.objects.create(
        organisation=org_b, matter="调查对象资料", ground=Ground.THIRD_PARTY
    )
    assert client.get(f"/admin/catalog/cataloguenode/{node_b.pk}/change/").status_code == 302
    assert client.get(f"/admin/disclosure/negativelistentry/{foreign_entry.pk}/change/").status_code == 302
    response = client.post(
        "/admin/catalog/cataloguenode/add/",
        {
            "organisation": org_b.pk,
            "section": "result",
            "name": "越权事项",
            "subject": org_b.pk,
            "audience": "everyone",
            "mode": "proactive",
            "freshness": "none",
            "time_limit_event": "formed",
            "sort_order": 1,
            "is_active": "on",
            "nil_notices-TOTAL_FORMS": 0,
            "nil_notices-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    response = client.post(
        "/admin/disclosure/negativelistentry/add/",
        {
            "organisation": org_a.pk,
            "matter": "执法人员考核结果",
            "ground": "internal",
            "basis": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert NegativeListEntry.objects.get(matter="执法人员考核结果").history.get().history_user == reviewer_a
    assert login(drafter_a).get("/admin/disclosure/negativelistentry/add/").status_code == 403


def test_state_badges_are_styled_in_the_change_list(login, drafter_a, org_a, make_document):
    make_document(org_a, drafter_a)
    page = login(drafter_a).get("/admin/disclosure/document/").content.decode()
    assert '<span class="badge badge-draft">草稿</span>' in page and "css/admin.css" in page


def test_r8_a_documents_action_pages_open_exactly_for_the_steps_its_available_actions_name(
    login, drafter_a, reviewer_a, office, org_a, make_document, publish
):
    """One source of the allowed steps: ``document_available_actions`` gives each person's buttons, and each action
    page opens for exactly those steps (a GET of the page; submitting is a POST-only step checked the same way)."""
    from disclosure.services import document_available_actions

    draft = make_document(org_a, drafter_a)
    in_review = document_submit(document=make_document(org_a, drafter_a, title="关于待审核事项的通知"), actor=drafter_a)
    published = publish(make_document(org_a, drafter_a, title="关于已发布事项的通知"), drafter_a, reviewer_a)
    expected = {
        (draft, "drafter"): {"submit"},
        (draft, "reviewer"): set(),
        (in_review, "drafter"): set(),
        (in_review, "reviewer"): {"approve", "return"},
        (in_review, "office"): {"return"},
        (published, "drafter"): {"propose_validity"},
        (published, "reviewer"): {"withdraw", "set_validity"},
    }
    people = {"drafter": drafter_a, "reviewer": reviewer_a, "office": office}
    pages = {"review": {"approve", "return"}, "withdraw": {"withdraw"}, "rereview": {"rereview"}}
    for (document, who), steps in expected.items():
        actions = document_available_actions(document, people[who])
        assert actions >= steps and not (actions - steps) & {"submit", "approve", "return", "withdraw"}, (who, actions)
        client = login(people[who])
        for page, names in pages.items():
            opens = client.get(action_url(document, page)).status_code == 200
            assert opens == bool(actions & names), (document.title, who, page, actions)
        page = client.get(change_url(document)).content.decode()
        assert (action_url(document, "submit") in page) == ("submit" in actions), (document.title, who)
