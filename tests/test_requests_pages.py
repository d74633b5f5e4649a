"""The applicant's pages and the staff pages (R20, R21, R27): filing online, the status page behind code + secret
with its rate limits, privacy on every page, and each staff action behind its permission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from requests_app.models import InformationRequest, Outcome, RequestFile
from requests_app.services import request_correction_ask, request_reply
from tests.conftest import SYSTEM, VALID_RESIDENT_ID, applicant_values

D = dt.date.fromisoformat
Status = InformationRequest.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


pytestmark = pytest.mark.usefixtures("fresh_cache")


def form_data(org, **overrides) -> dict:
    data = {**applicant_values(), "organisation": org.pk, "pledge": "on"}
    data.pop("fee_waiver_requested")
    data.update(overrides)
    return data


def test_r20_a_citizen_files_online_and_sees_code_and_secret_once(
    citizen, org_a, handler_a, work_calendar, django_capture_on_commit_callbacks
):
    assert citizen.get(reverse("requests:apply")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(
            reverse("requests:apply"),
            {
                **form_data(org_a),
                "files": SimpleUploadedFile("身份证.png", PNG, content_type="image/png"),
            },
        )
    assert response.status_code == 302
    done = citizen.get(response["Location"])
    case = InformationRequest.objects.get()
    secret = re.search(
        r'<strong class="code">([^<]+)</strong>', done.content.decode().split(case.tracking_code)[1]
    ).group(1)
    assert case.status == Status.SUBMITTED and case.files.get().kind == RequestFile.Kind.IDENTITY
    assert case.secret_hash != secret and secret not in case.secret_hash
    assert citizen.get(reverse("requests:apply_done")).status_code == 302  # shown once
    to_applicant = [m for m in mail.outbox if m.to == ["zhangsan@example.com"]]
    assert len(to_applicant) == 1 and secret in to_applicant[0].body and case.tracking_code in to_applicant[0].body
    assert any(m.to == [handler_a.email] for m in mail.outbox)  # the handlers hear of it
    assert secret not in "".join(n.body for n in __import__("ops.models").models.Notification.objects.all())


def test_r20_bad_input_gets_messages_next_to_the_fields_and_keeps_what_was_typed(citizen, org_a):
    response = citizen.post(
        reverse("requests:apply"),
        form_data(
            org_a,
            id_number="110105194912310021",
            description="<script>alert(1)</script>",
            phone="abc",
            applicant_name="王小明",
            pledge="",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "校验位不正确" in html and "网页标记或脚本" in html and "联系电话格式不正确" in html
    assert "请确认所填信息真实" in html
    assert 'value="王小明"' in html and 'value="110105194912310021"' in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert not InformationRequest.objects.exists()


def test_r20_wrong_file_types_and_sizes_are_refused(citizen, org_a):
    response = citizen.post(
        reverse("requests:apply"),
        {
            **form_data(org_a),
            "files": SimpleUploadedFile("a.exe", b"MZ" + b"\x00" * 10),
        },
    )
    assert response.status_code == 400 and "只接受 PDF、JPG、PNG" in response.content.decode()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    response = citizen.post(reverse("requests:apply"), {**form_data(org_a), "files": big})
    assert response.status_code == 400 and "超过 5 MB" in response.content.decode()
    fake = SimpleUploadedFile("scan.pdf", b"not a pdf", content_type="application/pdf")
    response = citizen.post(reverse("requests:apply"), {**form_data(org_a), "files": fake})
    assert response.status_code == 400 and "不符" in response.content.decode()
    assert not InformationRequest.objects.exists()


@override_settings(GOVOPEN_APPLY_LIMIT_PER_IP_HOUR=2)
def test_filing_is_rate_limited_per_address_and_keeps_the_form(citizen, org_a):
    for n in range(2):
        assert (
            citizen.post(
                reverse("requests:apply"), form_data(org_a, id_type="passport", id_number=f"E0000000{n}")
            ).status_code
            == 302
        )
    response = citizen.post(reverse("requests:apply"), form_data(org_a, applicant_name="赵六"))
    assert response.status_code == 429 and 'value="赵六"' in response.content.decode()
    assert InformationRequest.objects.count() == 2


@pytest.fixture
def case(org_a, handler_a, filed):
    return filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)


def lookup(client: Client, code: str, secret: str):
    return client.post(reverse("requests:status"), {"code": code, "secret": secret})


def test_r27_status_page_opens_with_code_and_secret_only(citizen, case):
    wrong_secret = lookup(citizen, case.tracking_code, "x" * 12)
    missing = lookup(citizen, "YS2026-ZZZZ-ZZZZ", case.secret)
    assert wrong_secret.status_code == missing.status_code == 400
    assert wrong_secret.content.decode().count("查询码或查询密码不正确") == 1
    strip = lambda r: r.content.decode().replace(case.tracking_code, "").replace("YS2026-ZZZZ-ZZZZ", "")  # noqa: E731
    assert re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", strip(wrong_secret)) == re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', "", strip(missing)
    )
    assert citizen.get(reverse("requests:status_case", args=[case.tracking_code])).status_code == 302
    response = lookup(citizen, case.tracking_code.lower(), case.secret)
    assert response.status_code == 302
    page = citizen.get(response["Location"]).content.decode()
    assert "办理中" in page and "2026-03-30" in page  # the due date
    assert VALID_RESIDENT_ID not in page and "13812345678" not in page and "zhangsan@example.com" not in page
    assert "1101**********002X" in page and "张*" in page
    assert Client().get(reverse("requests:status_case", args=[case.tracking_code])).status_code == 302


@override_settings(GOVOPEN_STATUS_LIMIT_PER_CODE=3, GOVOPEN_STATUS_LIMIT_PER_IP=50)
def test_r27_wrong_secrets_slow_the_guesser_not_the_owner(citizen, case):
    for _ in range(3):
        assert lookup(citizen, case.tracking_code, "wrong-secret").status_code == 400
    assert lookup(Client(REMOTE_ADDR="10.0.0.9"), case.tracking_code, case.secret).status_code == 302
    response = lookup(citizen, case.tracking_code, case.secret)
    assert response.status_code == 429 and "该查询码近期多次输入错误" in response.content.decode()


@override_settings(GOVOPEN_STATUS_LIMIT_PER_IP=3)
def test_r27_lookups_are_limited_per_address(citizen, case):
    for n in range(3):
        lookup(citizen, f"YS2026-AAAA-AAA{n + 2}", "secret")
    assert lookup(citizen, case.tracking_code, case.secret).status_code == 429
    assert lookup(Client(REMOTE_ADDR="10.0.0.8"), case.tracking_code, case.secret).status_code == 302


def test_r22_the_applicant_answers_a_correction_on_the_status_page(citizen, case, handler_a, clock):
    clock("2026-03-03 10:00")
    request_correction_ask(request=case, actor=handler_a, items="请写明所需方案的年度。", period_days=10)
    lookup(citizen, case.tracking_code, case.secret)
    page = citizen.get(reverse("requests:status_case", args=[case.tracking_code])).content.decode()
    assert "请写明所需方案的年度" in page and "2026-03-17" in page
    url = reverse("requests:status_correction", args=[case.tracking_code])
    bad = citizen.post(url, {"answer": "<b>2026</b>"})
    assert bad.status_code == 400 and "网页标记" in bad.content.decode()
    clock("2026-03-04 10:00")
    assert citizen.post(url, {"answer": "2026 年度"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.correction_answered_on == D("2026-03-04")


def test_r25_reply_files_are_downloaded_only_through_the_status_session(citizen, case, handler_a, clock):
    from disclosure.content import check_upload

    clock("2026-03-10 10:00")
    upload = check_upload(SimpleUploadedFile("方案.pdf", b"%PDF-1.4 demo", content_type="application/pdf"))
    request_reply(request=case, actor=handler_a, outcome=Outcome.OPEN, letter="予以公开，见附件。", files=[upload])
    reply_file = case.files.get(kind=RequestFile.Kind.REPLY)
    url = reverse("requests:status_file", args=[case.tracking_code, reply_file.pk])
    assert Client().get(url).status_code == 404
    lookup(citizen, case.tracking_code, case.secret)
    response = citizen.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]


def test_r27_applications_never_appear_on_public_pages_or_search(citizen, case):
    for url in [
        reverse("disclosure:home"),
        reverse("disclosure:search") + "?q=张三",
        reverse("disclosure:search") + "?q=共享单车停放点位",
        reverse("disclosure:on_request"),
        reverse("disclosure:column"),
    ]:
        html = citizen.get(url).content.decode()
        assert case.tracking_code not in html and VALID_RESIDENT_ID not in html and "13812345678" not in html
        assert case.description not in html


# --- Staff pages ---------------------------------------------------------------------------------------------------


def test_staff_pages_render_and_mask_for_colleagues(login, case, handler_a, reviewer_a, office, make_user, org_a):
    from catalog.roles import Role
    from catalog.services import role_grant

    colleague = make_user("handler_a2")
    role_grant(organisation=org_a, user=colleague, role=Role.HANDLER, actor=SYSTEM)
    url = reverse("admin:requests_app_informationrequest_change", args=[case.pk])
    for user, full in [(handler_a, True), (office, True), (colleague, False), (reviewer_a, False)]:
        html = login(user).get(url).content.decode()
        assert ("13812345678" in html) is full, user
        assert (VALID_RESIDENT_ID in html) is full, user
        assert "答复期限是怎样算出的" in html and "2026-03-30" in html
    changelist = login(reviewer_a).get(reverse("admin:requests_app_informationrequest_changelist"))
    assert changelist.status_code == 200 and case.tracking_code in changelist.content.decode()


def test_staff_of_another_organisation_cannot_reach_a_case(login, case, drafter_b, make_user, org_b):
    from catalog.roles import Role
    from catalog.services import role_grant

    handler_b = make_user("handler_b")
    role_grant(organisation=org_b, user=handler_b, role=Role.HANDLER, actor=SYSTEM)
    client = login(handler_b)
    for name, args in [
        ("change", [case.pk]),
        ("reply", [case.pk]),
        ("action", [case.pk, "correction"]),
        ("action", [case.pk, "extension"]),
        ("file", [case.pk, 1]),
    ]:
        response = client.get(reverse(f"admin:requests_app_informationrequest_{name}", args=args))
        assert response.status_code in (302, 404), name
    listing = client.get(reverse("admin:requests_app_informationrequest_changelist")).content.decode()
    assert case.tracking_code not in listing


@pytest.mark.parametrize(
    ("action", "offered"),
    [
        ("accept", False),  # accepted already
        ("correction", True),
        ("consult", True),
        ("extension", True),
        ("fee", True),
        ("withdraw", True),
        ("close", False),  # not replied yet
        ("correction_answer", False),  # no correction asked
        ("extension_decide", False),  # nothing to decide, and not the office's head
        ("reopen", False),
    ],
)
def test_an_accepted_cases_action_pages_open_exactly_for_the_steps_its_handler_may_take(
    login, case, handler_a, action, offered
):
    from requests_app.steps import available_actions

    assert (action in available_actions(case, handler_a)) is offered
    response = login(handler_a).get(reverse("admin:requests_app_informationrequest_action", args=[case.pk, action]))
    assert response.status_code == (200 if offered else 404)
    page = (
        login(handler_a).get(reverse("admin:requests_app_informationrequest_change", args=[case.pk])).content.decode()
    )
    assert (f"/do/{action}/" in page) is offered  # the button shows exactly when the page opens


def test_the_handler_lives_a_case_through_the_admin(login, case, handler_a, office_head, clock):
    client = login(handler_a)
    base = "admin:requests_app_informationrequest_action"
    clock("2026-03-03 10:00")
    bad = client.post(reverse(base, args=[case.pk, "correction"]), {"items": "", "period_days": 99, "on": "2026-03-03"})
    assert bad.status_code == 400
    assert (
        client.post(reverse(base, args=[case.pk, "extension"]), {"days": 20, "reason": "需调取多年档案"}).status_code
        == 302
    )
    head = login(office_head)
    assert head.post(reverse(base, args=[case.pk, "extension_decide"]), {"decision": "approve"}).status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 20
    reply = reverse("admin:requests_app_informationrequest_reply", args=[case.pk])
    assert client.get(reply).status_code == 200
    draft = client.post(reply, {"outcome": "open", "on": "2026-03-03", "draft": "1", **parts()})
    assert draft.status_code == 200 and "第三十六条第（二）项" in draft.content.decode()
    refused = client.post(
        reply, {"outcome": "partial", "letter": "部分公开", "on": "2026-03-03", "send": "1", **parts()}
    )
    assert refused.status_code == 400 and "逐项写明" in refused.content.decode()
    sent = client.post(reply, {"outcome": "open", "letter": "予以公开。", "on": "2026-03-03", "send": "1", **parts()})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED and case.outcome == Outcome.OPEN
    review = client.post(
        reverse(base, args=[case.pk, "review"]),
        {
            "kind": "review",
            "filed_on": "2026-03-03",
            "authority": "甲市人民政府",
            "result": "pending",
        },
    )
    assert review.status_code == 302 and case.review_cases.count() == 1


def parts() -> dict:
    return {
        "parts-TOTAL_FORMS": "3",
        "parts-INITIAL_FORMS": "0",
        "parts-MIN_NUM_FORMS": "0",
        "parts-MAX_NUM_FORMS": "20",
    }


def test_staff_register_a_letter_and_print_the_receipt(login, org_a, handler_a, clock, work_calendar):
    clock("2026-03-04 10:00")
    url = reverse("admin:requests_app_informationrequest_register")
    data = {**applicant_values(), "organisation": org_a.pk, "channel": "post", "arrived_on": "2026-03-03"}
    data.pop("fee_waiver_requested")
    future = login(handler_a).post(url, {**data, "arrived_on": "2027-03-03"})
    assert future.status_code == 400 and "不能晚于今天" in future.content.decode()
    response = login(handler_a).post(url, data)
    assert response.status_code == 200 and "查询密码" in response.content.decode()
    case = InformationRequest.objects.get()
    assert case.received_on == D("2026-03-03") and case.channel == "post"


def test_the_art44_page_lists_clusters(login, office, org_a, handler_a, filed):
    for n in range(3):
        filed(
            org_a,
            moment=f"2026-03-0{n + 2} 09:00",
            description="请公开城区占道经营整治方案",
            id_type="passport",
            id_number=f"E2000000{n}",
        )
    html = login(office).get(reverse("admin:requests_app_informationrequest_art44")).content.decode()
    assert "城区占道经营整治方案" in html and "提议转为主动公开" in html


def test_r27_personal_data_never_reaches_the_logs(citizen, org_a, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    citizen.post(reverse("requests:apply"), form_data(org_a, id_number="110105194912310021"))
    citizen.post(reverse("requests:apply"), form_data(org_a))
    assert VALID_RESIDENT_ID not in caplog.text and "13812345678" not in caplog.text
    assert "110105194912310021" not in caplog.text


def test_the_case_timeline_names_statuses_in_chinese(login, office, case):
    html = login(office).get(f"/admin/requests_app/informationrequest/{case.pk}/change/").content.decode()
    assert "→ 办理中" in html and "submitted" not in html and "→ accepted" not in html


def test_help_texts_on_the_application_form_are_tied_to_their_fields(citizen, org_a):
    html = citizen.get("/apply/").content.decode()
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    helps = {token for value in described for token in value.split() if token.endswith("_helptext")}
    assert helps, "the form has fields with help texts"
    for help_id in helps:
        assert f'id="{help_id}"' in html
