"""Annual report 年度报告 (R21, R29, R31, R32) on the edge cases of issue 14: an online application confirmed in the
next year, a document replaced after the year ended, a review decided in the next year, reviews that are not about
a reply, and numbers that do not add up."""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audits.models import AnnualReport
from audits.reports import ReportError, report_create, report_publish, report_update, report_warnings
from audits.tables import CARRIED_IN, CARRIED_OUT, NEW, compute, invariant_problems
from disclosure.services import document_import, document_validity_set
from requests_app.models import InformationRequest, ReviewCase
from requests_app.services import RequestError, request_accept, request_reply, review_case_save
from tests.conftest import SYSTEM, refused
from tests.test_annual_report import _ready, case, row

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
d = dt.date
Status = InformationRequest.Status


def _published(organisation, year: int, office) -> AnnualReport:
    report = report_create(organisation=organisation, year=year, actor=office, today=d(year + 1, 1, 5))
    return report_publish(report=_ready(report, office), actor=office)


# --- R21 / R31: an application counts once, in the year it is received -------------------------------------------


def test_r31_online_application_confirmed_in_january_is_new_in_that_year_only(
    filed, handler_a, org_a, office, clock, django_capture_on_commit_callbacks
):
    application = filed(org_a, moment="2024-12-30 10:00")  # filed online, not yet confirmed on 31 December
    data_2024 = compute(organisation=org_a, year=2024)["table_three"]
    assert data_2024[NEW] == row() and data_2024[CARRIED_OUT] == row()  # not received in 2024: in no 2024 table
    _published(org_a, 2024, office)

    clock("2025-01-20 09:30")
    with django_capture_on_commit_callbacks(execute=True):
        application = request_accept(request=application, actor=handler_a)
    assert application.received_on == d(2025, 1, 20)
    draft = report_create(organisation=org_a, year=2025, actor=office, today=d(2026, 1, 5))
    data_2025 = compute(organisation=org_a, year=2025)
    assert data_2025["table_three"][NEW] == row(N=1, T=1)  # 新收 in the year it was received
    assert data_2025["table_three"][CARRIED_IN] == row()
    assert report_warnings(draft, data_2025) == []  # no false "records changed after publication"


# --- R31: Table 二 validity on 31 December, from the history ------------------------------------------------------


def test_r31_document_replaced_in_january_is_in_force_on_31_december_and_repealed_next_year(org_a, clock):
    def imported(title: str, published: dt.datetime):
        return document_import(
            organisation=org_a,
            actor=SYSTEM,
            published_at=published,
            changes={"title": title, "attribute": "proactive", "body": "正文", "legal_form": "normative"},
        )

    clock("2025-03-01 10:00")
    old = imported("关于规范户外广告设置的通知", dt.datetime(2025, 3, 1, 10, tzinfo=SH))
    clock("2026-01-10 10:00")
    new = imported("关于规范户外广告设置的通知（2026 年修订）", dt.datetime(2026, 1, 10, 10, tzinfo=SH))
    clock("2026-01-12 10:00")
    document_validity_set(document=old, actor=SYSTEM, validity="amended", successor=new)

    assert compute(organisation=org_a, year=2025)["table_two"]["forms"]["normative"] == {
        "issued": 1,
        "repealed": 0,
        "valid": 1,  # in force through 2025: marked 已修订 only on 12 January 2026
    }
    assert compute(organisation=org_a, year=2026)["table_two"]["forms"]["normative"] == {
        "issued": 1,
        "repealed": 1,
        "valid": 1,  # replaced in 2026 (本年废止), the new version in force
    }


# --- R31: Table 四 by decision (30号 layout) ----------------------------------------------------------------------


def test_r31_review_filed_in_december_is_pending_then_and_corrected_the_next_year(org_a, handler_a, office, citizen):
    refused = case(org_a, code="R-01", received=d(2024, 11, 1), replied=d(2024, 11, 20), outcome="withheld_process")
    review_case_save(
        case=ReviewCase(
            request=refused,
            kind="review",
            filed_on=d(2024, 12, 20),
            authority="甲市人民政府",
            result="corrected",
            concluded_on=d(2025, 3, 2),
        ),
        actor=handler_a,
    )
    assert compute(organisation=org_a, year=2024)["table_four"]["review"] == [0, 0, 0, 1, 1]  # 尚未审结 in 2024
    data = compute(organisation=org_a, year=2025)
    assert data["table_four"]["review"] == [0, 1, 0, 0, 1]  # 结果纠正 in 2025, the year it was decided
    assert compute(organisation=org_a, year=2026)["table_four"]["review"] == [0, 0, 0, 0, 0]
    # The report states the rule it counts by, on the public page as published.
    report = _published(org_a, 2025, office)
    page = citizen.get(reverse("audits:report", args=[report.pk])).content.decode()
    assert "统计说明" in page and "本年审结的行政复议、行政诉讼按审结结果计数" in page and "尚未审结" in page


# --- R29 / R31: reviews and suits that are not about a reply -------------------------------------------------------


def test_r29_review_of_a_failure_to_reply_and_suit_about_another_act_are_recorded_and_counted(
    filed, handler_a, office, org_a, clock
):
    open_case = filed(org_a, moment="2026-02-12 10:00", accepted="2026-02-12", handler=handler_a)
    clock("2026-03-20 10:00")
    with refused(RequestError, "not_replied"):  # about a reply, but there is none yet
        review_case_save(
            case=ReviewCase(request=open_case, kind="review", filed_on=d(2026, 3, 20), authority="甲市人民政府"),
            actor=handler_a,
        )
    review = review_case_save(
        case=ReviewCase(
            request=open_case,
            subject="no_reply",
            kind="review",
            filed_on=d(2026, 3, 20),
            authority="甲市人民政府",
        ),
        actor=handler_a,
    )
    assert review.organisation == org_a  # taken from the case
    suit = review_case_save(
        case=ReviewCase(
            organisation=org_a,
            subject="other_act",
            kind="litigation",
            filed_on=d(2026, 3, 20),
            authority="甲市人民法院",
            case_number="（2026）甲0101行初1号",
        ),
        actor=office,
    )
    assert suit.request is None
    four = compute(organisation=org_a, year=2026)["table_four"]
    assert four["review"] == [0, 0, 0, 1, 1] and four["litigation_direct"] == [0, 0, 0, 1, 1]


def test_r29_review_of_a_failure_to_reply_needs_a_late_or_open_case(
    filed, handler_a, org_a, clock, django_capture_on_commit_callbacks
):
    replied = filed(org_a, moment="2026-02-12 10:00", accepted="2026-02-12", handler=handler_a)
    clock("2026-02-20 10:00")
    with django_capture_on_commit_callbacks(execute=True):
        replied = request_reply(request=replied, actor=handler_a, outcome="open", letter="经审查，现予以公开。")
    with refused(RequestError, "replied_in_time"):
        review_case_save(
            case=ReviewCase(
                request=replied, subject="no_reply", kind="review", filed_on=d(2026, 2, 20), authority="甲市人民政府"
            ),
            actor=handler_a,
        )
    with refused(RequestError, "request_missing"):  # about a reply needs the case
        review_case_save(
            case=ReviewCase(organisation=org_a, kind="review", filed_on=d(2026, 2, 20), authority="甲市人民政府"),
            actor=handler_a,
        )


def test_r29_office_records_a_review_without_a_case_in_the_admin(org_a, org_b, office, make_user, login):
    from catalog.roles import Role
    from catalog.services import role_grant

    add = reverse("admin:requests_app_reviewcase_add")
    form = {
        "organisation": org_a.pk,
        "request": "",
        "subject": "other_act",
        "kind": "review",
        "filed_on": "2026-03-01",
        "authority": "甲市人民政府",
        "case_number": "甲府复〔2026〕9号",
        "result": "pending",
        "concluded_on": "",
        "note": "针对主动公开的处罚决定",
    }
    assert login(office).post(add, form).status_code == 302
    recorded = ReviewCase.objects.get(case_number="甲府复〔2026〕9号")
    assert recorded.organisation == org_a and recorded.request is None and recorded.subject == "other_act"
    # Another organisation's handler cannot record one against org_a; what was typed stays on the page.
    handler_b = make_user("handler_b")
    role_grant(organisation=org_b, user=handler_b, role=Role.HANDLER, actor=SYSTEM)
    refused = login(handler_b).post(add, {**form, "case_number": "甲府复〔2026〕10号"})
    assert refused.status_code == 400 and "甲府复〔2026〕10号" in refused.content.decode()
    assert not ReviewCase.objects.filter(case_number="甲府复〔2026〕10号").exists()


# --- R32 and beyond: the numbers add up everywhere ----------------------------------------------------------------


@pytest.fixture
def consistent(org_a) -> dict:
    case(org_a, code="S-01", received=d(2025, 3, 3), replied=d(2025, 3, 20), outcome="open")
    case(org_a, code="S-02", kind="business", received=d(2025, 12, 29), status=Status.ACCEPTED, outcome="")
    data = compute(organisation=org_a, year=2025)
    assert invariant_problems(data) == []
    return data


def test_r32_result_rows_add_up_to_the_total_and_columns_to_the_row_total(consistent):
    data = copy.deepcopy(consistent)
    data["table_three"]["（一）"][0] += 1  # 予以公开, 自然人 and 总计: R32 still holds, the sub-rows do not
    data["table_three"]["（一）"][6] += 1
    problems = " ".join(invariant_problems(data))
    assert "表三“自然人”列：办理结果各项之和 2 ≠（七）总计 1" in problems
    assert "表三“总计”列：办理结果各项之和 2 ≠（七）总计 1" in problems
    data = copy.deepcopy(consistent)
    data["table_three"][CARRIED_OUT][6] = 5  # 总计 of a row is not the sum of its six columns
    data["table_three"][CARRIED_IN][6] = 4
    problems = " ".join(invariant_problems(data))
    assert "表三“四、结转下年度继续办理”行：总计 5 ≠ 各类申请人之和 1" in problems
    assert "表三“二、上年结转”行：总计 4 ≠ 各类申请人之和 0" in problems


def test_r32_table_four_totals_and_a_published_report_that_does_not_add_up_cannot_be_stored(consistent, org_a, office):
    data = copy.deepcopy(consistent)
    data["table_four"]["review"] = [10, 1, 0, 0, 0]
    assert "表四“行政复议”：结果维持、结果纠正、其他结果、尚未审结之和 11 ≠ 总计 0。" in invariant_problems(data)
    report = _published(org_a, 2025, office)
    report.data["table_four"]["review"] = [10, 1, 0, 0, 0]
    with pytest.raises(ValidationError, match="表四"):
        report.save()
    report.refresh_from_db()
    assert report.data["table_four"]["review"] == [0, 0, 0, 0, 0]


def test_r32_numbers_typed_by_staff_get_the_same_checks(consistent, org_a, office):
    data = copy.deepcopy(consistent)
    data["admin_fees_wan"] = "-3"
    data["table_two"]["decisions"]["penalty"] = -2
    problems = " ".join(invariant_problems(data))
    assert "统计表中有不是非负整数的数字：-2" in problems and "应为不小于 0 的数字，现为“-3”" in problems
    report = report_create(organisation=org_a, year=2025, actor=office, today=d(2026, 1, 5))
    with refused(ReportError, "fee_not_number"):
        report_update(report=report, actor=office, changes={"admin_fees_wan": "十二"})
    with refused(ReportError, "fee_out_of_range"):
        report_update(report=report, actor=office, changes={"admin_fees_wan": Decimal("1.23456")})
    report.refresh_from_db()
    assert report.admin_fees_wan is None
