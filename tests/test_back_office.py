"""The back office as the office, a handler and a reviewer read it (issue 18): names as written, history in Chinese,
the 承办人 filter and the order of new cases, late draft reports marked, irreversible steps said before they happen,
the body of a document as a page and upload limits in figures, and a home that answers "what needs me today"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from audits.models import AnnualReport
from audits.reports import report_create
from catalog.roles import Role
from catalog.services import role_grant
from disclosure.services import document_validity_propose
from requests_app.models import InformationRequest
from requests_app.services import request_assign
from tests.conftest import SYSTEM
from tests.test_annual_report import gov, year_2025  # noqa: F401  (fixtures)

CHANGELIST = "admin:requests_app_informationrequest_changelist"


def test_a_staff_members_name_is_one_field_shown_as_written(login, make_user, handler_a, filed, org_a):
    root = make_user("root", is_superuser=True, is_staff=True)
    form = login(root).get(reverse("admin:auth_user_change", args=[handler_a.pk])).content.decode()
    assert 'name="first_name"' in form and 'name="last_name"' not in form
    assert "姓名" in form
    get_user_model().objects.filter(pk=handler_a.pk).update(first_name="刘洋")
    case = filed(org_a, moment="2026-03-02 10:00", accepted="2026-03-02", handler=handler_a)
    request_assign(request=case, actor=handler_a, handler=handler_a)
    page = login(handler_a).get(reverse("admin:requests_app_informationrequest_change", args=[case.pk]))
    assert "刘洋" in page.content.decode() and "洋 刘" not in page.content.decode()
    listing = login(root).get(reverse("admin:auth_user_changelist")).content.decode()
    assert "刘洋" in listing


def test_a_cases_history_names_its_states_in_chinese(login, handler_a, filed, org_a):
    case = filed(org_a, moment="2026-03-02 10:00", accepted="2026-03-02", handler=handler_a)
    page = login(handler_a).get(reverse("admin:requests_app_informationrequest_history", args=[case.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert str(InformationRequest.Status.ACCEPTED.label) in text
    for raw in ("submitted", "accepted", "awaiting_correction"):
        assert f"{raw} →" not in text and f"→&nbsp;&nbsp;{raw}" not in text


def test_the_handler_filter_names_each_handler_once_and_new_cases_come_first(
    login, make_user, handler_a, filed, org_a, office
):
    get_user_model().objects.filter(pk=handler_a.pk).update(first_name="刘洋")
    accepted = [
        filed(org_a, moment=f"2026-03-0{day} 10:00", accepted=f"2026-03-0{day}", handler=handler_a) for day in (2, 3, 4)
    ]
    for case in accepted:
        request_assign(request=case, actor=handler_a, handler=handler_a)
    waiting = filed(org_a, moment="2026-03-05 10:00")
    page = login(office).get(reverse(CHANGELIST)).content.decode()
    assert page.count("刘洋</a></li>") == 1  # the filter's one entry (rows show the name too, without </a></li>)
    first_row = page.split('class="field-tracking_code"', 1)[1].split("</th>", 1)[0]
    assert waiting.tracking_code in first_row  # 待受理 first: acceptance starts the legal clock


def test_r30_a_draft_report_past_its_day_is_marked_overdue_in_the_list(login, office, org_a, year_2025, clock):
    report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    clock("2026-01-30 10:00")
    page = login(office).get(reverse("admin:audits_annualreport_changelist")).content.decode()
    assert "2026-01-31" in page and "已逾期" not in page
    clock("2026-02-03 10:00")
    page = login(office).get(reverse("admin:audits_annualreport_changelist")).content.decode()
    assert "已逾期 3 天" in page


def test_r30_publishing_a_report_says_what_it_will_do_and_waits_for_the_confirmation(
    login, office, org_a, year_2025, drafter_a
):
    report = report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    url = reverse("admin:audits_annualreport_publish", args=[report.pk])
    page = login(office).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "确认后将会" in text and "统计表按此刻的记录固定" in text and "此操作不能撤销" in text
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT
    assert login(drafter_a).get(url).status_code == 404


def test_closing_a_case_warns_that_it_cannot_be_undone(login, handler_a, filed, org_a):
    case = filed(org_a, moment="2026-03-02 10:00")
    page = (
        login(handler_a)
        .get(reverse("admin:requests_app_informationrequest_action", args=[case.pk, "withdraw"]))
        .content.decode()
    )
    assert "此操作不能撤销" in page and "确认登记撤回" in page


def test_r12_the_drafter_asks_for_a_validity_change_and_the_reviewer_decides_it_in_the_admin(
    login, drafter_a, reviewer_a, org_a, make_document, publish
):
    document = publish(make_document(org_a, drafter_a, title="旧通告"), drafter_a, reviewer_a)
    url = reverse("admin:disclosure_document_validity", args=[document.pk])
    drafter = login(drafter_a)
    assert (
        "申请变更有效性"
        in drafter.get(reverse("admin:disclosure_document_change", args=[document.pk])).content.decode()
    )
    refused = drafter.post(url, {"validity": "expired", "repealed_on": "2026-11-01", "reason": ""})
    assert refused.status_code == 400  # no reason: nothing asked, what was typed is kept
    assert (
        drafter.post(url, {"validity": "expired", "repealed_on": "2026-11-01", "reason": "活动已结束"}).status_code
        == 302
    )
    document.refresh_from_db()
    assert document.validity == "valid"
    assert "审核人批准或退回之前" in drafter.get(url).content.decode()
    reviewer = login(reviewer_a)
    decision = reviewer.get(url).content.decode()
    assert "活动已结束" in decision and "批准，立即生效" in decision
    assert reviewer.post(url, {"decision": "approve", "note": ""}).status_code == 302
    document.refresh_from_db()
    assert document.validity == "expired"


def test_a_reader_of_a_document_sees_its_body_as_paragraphs_and_an_editor_as_lines(
    login, drafter_a, reviewer_a, office, org_a, make_document, publish
):
    document = publish(make_document(org_a, drafter_a, body="第一段。\n第二段。"), drafter_a, reviewer_a)
    page = login(office).get(reverse("admin:disclosure_document_change", args=[document.pk])).content.decode()
    assert "<p>第一段。</p>" in page and "&lt;p&gt;" not in page
    draft = make_document(org_a, drafter_a, body="甲段。\n乙段。")
    form = login(drafter_a).get(reverse("admin:disclosure_document_change", args=[draft.pk])).content.decode()
    assert "甲段。\n乙段。</textarea>" in form and "&lt;p&gt;甲段" not in form
    assert "单个文件不超过 20 MB。" in form and "限制大小" not in form


def test_the_home_tells_each_role_what_needs_them_today(
    login, drafter_a, reviewer_a, handler_a, office, org_a, make_document, publish, filed, clock
):
    from disclosure.services import document_submit

    document_submit(document=make_document(org_a, drafter_a, title="待审的通知"), actor=drafter_a)
    published = publish(make_document(org_a, drafter_a, title="旧通告"), drafter_a, reviewer_a)
    document_validity_propose(
        document=published, actor=drafter_a, validity="expired", repealed_on=dt.date(2026, 3, 1), reason="到期"
    )
    filed(org_a, moment="2026-03-02 10:00")

    def work(user) -> dict[str, str]:
        page = login(user).get(reverse("admin:index")).content.decode()
        assert "今天需要我处理的" in page
        found = {}
        for key in ("review_queue", "validity", "requests_new", "returned", "findings", "clocks_overdue"):
            marker = f'id="work-{key}"'
            if marker in page:
                found[key] = page.split(marker, 1)[1].split("</tr>", 1)[0]
        return found

    reviewer = work(reviewer_a)
    assert "<strong>1</strong>" in reviewer["review_queue"] and "<strong>1</strong>" in reviewer["validity"]
    assert "requests_new" not in reviewer  # a reviewer handles no applications
    handler = work(handler_a)
    assert "<strong>1</strong>" in handler["requests_new"] and "review_queue" not in handler
    drafter = work(drafter_a)
    assert "无" in drafter["returned"] and "validity" not in drafter
    assert "<strong>1</strong>" in work(office)["requests_new"]


@pytest.mark.parametrize("role", [Role.DRAFTER, Role.HANDLER])
def test_the_homes_links_open_for_the_role_that_sees_them(login, make_user, org_a, role):
    user = make_user(f"u-{role}")
    role_grant(organisation=org_a, user=user, role=role, actor=SYSTEM)
    client = login(user)
    page = client.get(reverse("admin:index")).content.decode()
    links = [chunk.split('"', 1)[0] for chunk in page.split('<th scope="row"><a href="')[1:]]
    assert links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
