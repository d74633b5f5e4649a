"""Annual report 年度报告 (R30–R32) on a constructed year whose numbers are worked out by hand below.

Year 2025 for 甲市城市管理局 (org_a), a department under 甲市人民政府 (the government, ``gov``); 乙市统计局 (org_b)
is outside both. Applications are rows as the services leave them (status, outcome and dates); one more is
carried through the services themselves in ``test_r31_cases_made_by_the_services_are_counted``.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audits.models import AnnualReport
from audits.reports import ReportError, report_create, report_drafts_create, report_publish, report_update
from audits.tables import CARRIED_IN, CARRIED_OUT, COLUMNS, NEW, RESULT_TOTAL, compute, scope_of
from catalog.models import Organisation
from catalog.services import organisation_save
from disclosure.services import document_import, document_validity_set
from requests_app.models import InformationRequest, ReviewCase
from tests.conftest import SYSTEM, refused

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = InformationRequest.Status
N, B, R, P, L, O = range(6)  # noqa: E741 - columns: 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他
T = 6  # 总计


def row(**cells: int) -> list[int]:
    values = [0] * 7
    for name, n in cells.items():
        values["NBRPLOT".index(name)] = n
    return values


@pytest.fixture
def gov(db, org_a):
    government = organisation_save(
        organisation=Organisation(code="G000", name="甲市人民政府", kind=Organisation.Kind.GOVERNMENT), actor=SYSTEM
    )
    org_a.parent = government
    org_a.save(update_fields=["parent"])
    return government


def case(
    organisation,
    *,
    kind="natural",
    received,
    status=Status.REPLIED,
    outcome="open",
    replied=None,
    closed=None,
    fee=None,
    fee_paid=None,
    code,
):
    return InformationRequest.objects.create(
        organisation=organisation,
        tracking_code=code,
        secret_hash="0" * 64,
        applicant_type=kind,
        applicant_name="某申请人",
        id_type="resident_id",
        id_number="11010519491231002X",
        phone="13800000000",
        description="某信息",
        information_form="electronic",
        delivery="online",
        submitted_at=dt.datetime.combine(received, dt.time(9), tzinfo=SH),
        received_on=received,
        status=status,
        outcome=outcome,
        replied_on=replied,
        closed_on=closed,
        fee_amount=fee or Decimal("0"),
        fee_paid_on=fee_paid,
    )


@pytest.fixture
def year_2025(gov, org_a, org_b):
    d = dt.date
    cases = {
        # carried over from 2024, replied in January 2025 → 二 and （一）
        1: case(org_a, code="Y-01", received=d(2024, 12, 20), replied=d(2025, 1, 10), outcome="open"),
        2: case(org_a, code="Y-02", received=d(2025, 3, 3), replied=d(2025, 3, 20), outcome="already_public"),
        3: case(
            org_a,
            code="Y-03",
            received=d(2025, 5, 6),
            replied=d(2025, 5, 30),
            outcome="partial",
            fee=Decimal("100.00"),
            fee_paid=d(2025, 5, 20),
        ),
        4: case(
            org_a,
            code="Y-04",
            kind="business",
            received=d(2025, 6, 2),
            replied=d(2025, 6, 25),
            outcome="withheld_third_party",
        ),
        5: case(
            org_a, code="Y-05", kind="legal_service", received=d(2025, 7, 1), replied=d(2025, 7, 20), outcome="not_held"
        ),
        6: case(
            org_a,
            code="Y-06",
            received=d(2025, 8, 1),
            status=Status.ABANDONED,
            outcome="no_correction",
            closed=d(2025, 8, 20),
        ),
        7: case(
            org_a,
            code="Y-07",
            kind="research",
            received=d(2025, 9, 1),
            status=Status.WITHDRAWN,
            outcome="other",
            closed=d(2025, 9, 5),
        ),
        # still open at the end of 2025 → 四
        8: case(org_a, code="Y-08", received=d(2025, 12, 22), status=Status.ACCEPTED, outcome=""),
        # received in 2025, replied in 2026 → 四 of 2025
        9: case(
            org_a,
            code="Y-09",
            kind="public_interest",
            received=d(2025, 12, 29),
            replied=d(2026, 1, 15),
            outcome="repeat",
        ),
        # concluded in 2024: not in 2025 at all; received in 2026: not in 2025 either
        10: case(
            org_a,
            code="Y-10",
            received=d(2024, 5, 1),
            replied=d(2024, 5, 20),
            fee=Decimal("50.00"),
            fee_paid=d(2024, 5, 10),
        ),
        11: case(org_a, code="Y-11", received=d(2026, 1, 5), status=Status.ACCEPTED, outcome=""),
        # the government's own case (counted only in the government's report), and another city's
        12: case(gov, code="Y-12", received=d(2025, 10, 10), replied=d(2025, 10, 20), outcome="petition"),
        13: case(org_b, code="Y-13", received=d(2025, 4, 1), replied=d(2025, 4, 10)),
    }
    ReviewCase.objects.create(
        request=cases[4],
        organisation=cases[4].organisation,
        kind="review",
        filed_on=d(2025, 7, 10),
        authority="甲市人民政府",
        result="upheld",
        concluded_on=d(2025, 9, 1),
    )
    ReviewCase.objects.create(
        request=cases[5],
        organisation=cases[5].organisation,
        kind="litigation",
        filed_on=d(2025, 8, 1),
        authority="甲市人民法院",
        result="corrected",
        concluded_on=d(2026, 2, 1),
    )  # decided after 31 Dec → 尚未审结
    ReviewCase.objects.create(
        request=cases[4],
        organisation=cases[4].organisation,
        kind="litigation",
        after_review=True,
        filed_on=d(2025, 10, 1),
        authority="甲市中级人民法院",
        result="other",
        concluded_on=d(2025, 12, 1),
    )
    ReviewCase.objects.create(
        request=cases[10],
        organisation=cases[10].organisation,
        kind="review",
        filed_on=d(2024, 6, 1),
        authority="甲市人民政府",
        result="upheld",
        concluded_on=d(2024, 8, 1),
    )  # 2024: not counted

    def imported(title, published, **changes):
        return document_import(
            organisation=org_a,
            actor=SYSTEM,
            published_at=dt.datetime(*published, 10, tzinfo=SH),
            changes={"title": title, "attribute": "proactive", "body": "正文", **changes},
        )

    imported("甲市市容管理办法", (2023, 3, 1), legal_form="rule")
    rule = org_a.documents.get(title="甲市市容管理办法")
    document_validity_set(document=rule, actor=SYSTEM, validity="repealed", repealed_on=d(2025, 6, 30))
    imported("关于规范户外广告设置的通知", (2025, 4, 8), legal_form="normative")
    imported("关于共享单车停放管理的通知", (2024, 9, 2), legal_form="normative")
    imported("关于餐厨垃圾收运的通知", (2026, 1, 10), legal_form="normative")
    imported("2025 年第二季度行政处罚决定公示", (2025, 7, 3), decision_kind="penalty", decision_count=12)
    imported("2025 年户外广告设置许可公示", (2025, 11, 3), decision_kind="licensing", decision_count=5)
    imported("2024 年行政强制决定公示", (2024, 12, 3), decision_kind="coercion", decision_count=2)
    return cases


def test_r31_table_three_by_hand_with_carry_over_from_and_into_other_years(year_2025, org_a):
    rows = compute(organisation=org_a, year=2025)["table_three"]
    assert rows[NEW] == row(N=4, B=1, R=1, P=1, L=1, T=8)  # cases 2, 3, 6, 8 | 4 | 7 | 9 | 5
    assert rows[CARRIED_IN] == row(N=1, T=1)  # case 1, received 2024-12-20
    assert rows["（一）"] == row(N=2, T=2)  # cases 1 and 2 (予以公开 and 已主动公开 share the row)
    assert rows["（二）"] == row(N=1, T=1)  # case 3
    assert rows["（三）4"] == row(B=1, T=1)  # case 4, third party
    assert rows["（四）1"] == row(L=1, T=1)  # case 5
    assert rows["（六）1"] == row(N=1, T=1)  # case 6, no correction
    assert rows["（六）3"] == row(R=1, T=1)  # case 7, withdrawn
    assert rows["（五）2"] == row()  # case 9 is replied in 2026: not a 2025 result
    assert rows[RESULT_TOTAL] == row(N=4, B=1, R=1, L=1, T=7)
    assert rows[CARRIED_OUT] == row(N=1, P=1, T=2)  # case 8 still open, case 9 replied in 2026
    for column in range(len(COLUMNS)):  # R32 holds in every column
        assert rows[NEW][column] + rows[CARRIED_IN][column] == rows[RESULT_TOTAL][column] + rows[CARRIED_OUT][column]


def test_r31_government_report_covers_its_departments_and_nothing_else(year_2025, gov, org_a, org_b):
    assert scope_of(gov) == sorted([gov.pk, org_a.pk])
    rows = compute(organisation=gov, year=2025)["table_three"]
    assert rows[NEW] == row(N=5, B=1, R=1, P=1, L=1, T=9)  # org_a's 8 and the government's case 12; not org_b's
    assert rows["（五）1"] == row(N=1, T=1)
    assert rows[RESULT_TOTAL] == row(N=5, B=1, R=1, L=1, T=8)


def test_r31_tables_two_and_four_and_the_fees_of_section_six(year_2025, org_a):
    data = compute(organisation=org_a, year=2025)
    forms = data["table_two"]["forms"]
    assert forms["rule"] == {"issued": 0, "repealed": 1, "valid": 0}  # published 2023, repealed 2025-06-30
    assert forms["normative"] == {"issued": 1, "repealed": 0, "valid": 2}  # 2025 and 2024 in force; 2026 not yet
    assert data["table_two"]["decisions"] == {"licensing": 5, "penalty": 12, "coercion": 0}  # coercion was 2024
    four = data["table_four"]  # 维持 纠正 其他 尚未审结 总计
    assert four["review"] == [1, 0, 0, 0, 1]
    assert four["litigation_direct"] == [0, 0, 0, 1, 1]  # corrected only in 2026: pending on 31 December
    assert four["litigation_after_review"] == [0, 0, 1, 0, 1]
    assert data["fees"] == {"amount": "100.00", "count": 1}  # 2024's fee is not 2025's
    assert sum(data["proactive_by_month"]) == 3 and data["proactive_by_month"][3] == 1  # April: the 2025 notice


def test_r31_cases_made_by_the_services_are_counted(filed, handler_a, org_a, clock, django_capture_on_commit_callbacks):
    from requests_app.services import request_reply

    case = filed(org_a, moment="2026-02-12 10:00", accepted="2026-02-12", handler=handler_a)
    with django_capture_on_commit_callbacks(execute=True):
        request_reply(request=case, actor=handler_a, outcome="open", letter="经审查，现予以公开。")
    rows = compute(organisation=org_a, year=2026)["table_three"]
    assert rows[NEW] == row(N=1, T=1) and rows["（一）"] == row(N=1, T=1) and rows[CARRIED_OUT] == row()


def _ready(report: AnnualReport, actor) -> AnnualReport:
    return report_update(
        report=report,
        actor=actor,
        changes={
            "overview": "2025 年，本局坚持以公开为常态、不公开为例外。",
            "problems": "部分栏目更新不及时，已建立定期检查制度。",
            "admin_fees_wan": Decimal("0"),
        },
    )


def test_r32_publication_refused_naming_the_broken_column(year_2025, org_a, office):
    # A legacy record closed without an outcome: counted as received, never as a result (case 6's outcome lost).
    InformationRequest.objects.filter(tracking_code="Y-06").update(outcome="")
    report = _ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office)
    with pytest.raises(ReportError) as refused:
        report_publish(report=report, actor=office)
    message = " ".join(refused.value.problems)
    assert "表三“自然人”列不平衡：本年新收 4 + 上年结转 1 ≠ 办理结果总计 3 + 结转下年度 1" in message
    assert "“总计”列不平衡" in message and "“商业企业”列" not in message
    assert "Y-06" in message  # the record to correct is named
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT and report.data == {}


def test_r30_publishing_freezes_the_numbers(year_2025, org_a, office, citizen):
    report = _ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office)
    report = report_publish(report=report, actor=office)
    assert report.data["table_three"][NEW][T] == 8
    # Records change after publication: a late-registered 2025 case, and case 2's outcome corrected.
    case(org_a, code="Y-14", received=dt.date(2025, 11, 11), replied=dt.date(2025, 11, 20))
    InformationRequest.objects.filter(tracking_code="Y-02").update(outcome="partial")
    report.refresh_from_db()
    assert report.data["table_three"][NEW][T] == 8 and report.data["table_three"]["（一）"][N] == 2
    assert compute(organisation=org_a, year=2025)["table_three"][NEW][T] == 9  # the records did change
    page = citizen.get(reverse("audits:report", args=[report.pk])).content.decode()
    assert "甲市城市管理局2025年政府信息公开工作年度报告" in page
    import re

    assert re.search(r'<td class="num" headers="[^"]*">8</td>', page)  # 一 本年新收, 总计: the frozen number
    assert "收取信息处理费 1 件，共计 100.00 元" in page  # 六 from the data
    with pytest.raises(ReportError):
        report_update(report=report, actor=office, changes={"overview": "改写"})


def test_r30_public_page_follows_the_official_layout_with_charts(year_2025, org_a, office, citizen):
    report = report_publish(
        report=_ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office),
        actor=office,
    )
    page = citizen.get(reverse("audits:report", args=[report.pk])).content.decode()
    headings = [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)
    for label in (
        "第二十条第（一）项",
        "本年制发件数",
        "申请人情况",
        "法人或其他组织",
        "（三）不予公开",
        "8.属于行政查询事项",
        "（七）总计",
        "四、结转下年度继续办理",
        "未经复议直接起诉",
        "复议后起诉",
        "尚未审结",
    ):
        assert label in page, label
    assert 'rowspan="22"' in page  # 三、本年度办理结果 spans its 22 result rows
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 2
    assert '<desc id="report-%s-outcomes-d">予以公开 2件；部分公开 1件；不予公开 1件；' % report.pk in page
    assert "<script" not in page
    assert citizen.get(reverse("audits:reports")).content.decode().count(report.title) == 1


def test_r30_xlsx_export_has_the_tables_with_merged_headers(year_2025, org_a, office, citizen):
    report = report_publish(
        report=_ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office),
        actor=office,
    )
    response = citizen.get(reverse("audits:report_xlsx", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content])))
    sheet = book["统计表"]
    values = [[cell.value for cell in r] for r in sheet.iter_rows()]
    flat = [v for r in values for v in r if v is not None]
    assert "一、本年新收政府信息公开申请数量" in flat and "三、本年度办理结果" in flat
    new_row = next(r for r in values if r[0] == "一、本年新收政府信息公开申请数量")
    assert new_row[3:10] == [4, 1, 1, 1, 1, 0, 8]  # the three label columns are merged, then the seven numbers
    assert any(str(rng).startswith("A") and ":C" in str(rng) for rng in sheet.merged_cells.ranges)
    assert "一、总体情况" in [c.value for c in book["文字部分"]["A"]]


def test_r30_drafts_and_draft_pages_stay_private(year_2025, gov, org_a, org_b, citizen, login, reviewer_a, drafter_b):
    created = report_drafts_create(year=2025, today=dt.date(2026, 1, 2))
    assert {r.organisation_id for r in created} == {gov.pk, org_a.pk, org_b.pk}
    assert report_drafts_create(year=2025, today=dt.date(2026, 1, 3)) == []  # run twice: nothing more
    draft = AnnualReport.objects.get(organisation=org_a, year=2025)
    assert citizen.get(reverse("audits:report", args=[draft.pk])).status_code == 404
    assert citizen.get(reverse("audits:report_xlsx", args=[draft.pk])).status_code == 404
    assert draft.title not in citizen.get(reverse("audits:reports")).content.decode()
    # The department's reviewer works on its own report; another organisation's staff cannot see it.
    own = login(reviewer_a).get(reverse("admin:audits_annualreport_change", args=[draft.pk]))
    assert own.status_code == 200 and "本年新收" in own.content.decode()
    other = login(drafter_b).get(reverse("admin:audits_annualreport_change", args=[draft.pk]))
    assert other.status_code in (302, 403, 404)


def test_r30_report_for_an_unfinished_year_is_refused(org_a, office):
    with refused(ReportError, "year_not_over"):
        report_create(organisation=org_a, year=2026, actor=office, today=dt.date(2026, 11, 22))


def test_r32_admin_publish_shows_the_refusal_and_keeps_the_draft(year_2025, org_a, office, login):
    InformationRequest.objects.filter(tracking_code="Y-04").update(replied_on=dt.date(2024, 1, 1))  # before receipt
    report = _ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office)
    client = login(office)
    page = client.get(reverse("admin:audits_annualreport_change", args=[report.pk])).content.decode()
    assert "表三“商业企业”列不平衡" in page
    response = client.post(reverse("admin:audits_annualreport_publish", args=[report.pk]), follow=True)
    assert response.status_code == 200 and "表三“商业企业”列不平衡" in response.content.decode()
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT


def test_r30_admin_writes_sections_and_publishes(year_2025, org_a, office, login):
    client = login(office)
    response = client.post(reverse("admin:audits_annualreport_add"), {"organisation": org_a.pk, "year": 2025})
    report = AnnualReport.objects.get(organisation=org_a, year=2025)
    assert response.status_code == 302
    again = client.post(reverse("admin:audits_annualreport_add"), {"organisation": org_a.pk, "year": 2025})
    assert again.status_code == 400 and "年度报告已经存在" in again.content.decode()
    change = reverse("admin:audits_annualreport_change", args=[report.pk])
    bad = client.post(change, {"overview": "总体情况", "problems": "问题", "other_matters": "", "admin_fees_wan": "-1"})
    assert bad.status_code == 400 and "总体情况" in bad.content.decode()  # refused, and what was typed is kept
    client.post(change, {"overview": "总体情况", "problems": "问题", "other_matters": "无", "admin_fees_wan": "1.5"})
    client.post(reverse("admin:audits_annualreport_publish", args=[report.pk]))
    report.refresh_from_db()
    assert report.is_published and report.data["admin_fees_wan"] == "1.5"
    assert client.get(reverse("admin:audits_annualreport_xlsx", args=[report.pk])).status_code == 200


def test_r30_public_report_pages_have_pinned_query_counts(year_2025, org_a, office, citizen, django_assert_num_queries):
    report = report_publish(
        report=_ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office),
        actor=office,
    )
    with django_assert_num_queries(1):  # the report with its organisation; the numbers are in the row
        assert citizen.get(reverse("audits:report", args=[report.pk])).status_code == 200
    with django_assert_num_queries(1):
        assert citizen.get(reverse("audits:reports")).status_code == 200


def test_r31_every_number_of_the_public_tables_names_its_row_and_column_headers(year_2025, org_a, office, citizen):
    """The tables' headers span rows and columns, which ``scope`` cannot express: each data cell lists its header
    cells (``headers``), every header names some data, and a screen reader reads 法人或其他组织 · 商业企业 and
    三、本年度办理结果 · （三）不予公开 · 1.属于国家秘密 with the number."""
    import re

    report = report_publish(
        report=_ready(report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5)), office),
        actor=office,
    )
    page = citizen.get(reverse("audits:report", args=[report.pk])).content.decode()
    headers = dict(re.findall(r'<th id="([^"]+)"[^>]*>([^<]*)</th>', page))
    tables = "".join(re.findall(r'<table class="report-table">.*?</table>', page, flags=re.S))
    cells = re.findall(r'<td class="num" headers="([^"]*)"[^>]*>([^<]*)</td>', tables)
    assert cells and tables.count("<td") == len(cells) and "scope=" not in tables
    referenced = {ref for refs, _text in cells for ref in refs.split()}
    assert referenced <= set(headers) and set(headers) <= referenced  # no dangling reference, no idle header
    secret_business = [
        [headers[ref] for ref in refs.split()]
        for refs, _text in cells
        if {"商业企业", "1.属于国家秘密"} <= {headers[ref] for ref in refs.split()}
    ]
    assert secret_business == [
        ["申请人情况", "法人或其他组织", "商业企业", "三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]
    ]
