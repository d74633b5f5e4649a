"""Issue 17 §4: the public statistics (政务公开工作统计) per organisation and for the whole government, computed by the
snapshot job from cases made by the services (R21–R24 clock, R25 outcomes, R29 reviews) and documents published
with 成文日期 delays (R9), with the exact numbers worked out by hand on the official 2026 calendar (March 2026 has
no holiday, so its working days are its weekdays).

The records are built once for the module (``module_db``); each test computes its snapshot from them and reads it."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import CatalogueNode, Organisation, Section
from catalog.services import calendar_load_package
from catalog.workdays import WorkCalendar
from core.actors import Applicant
from performance.figures import WorkdayIndex, nearest_rank
from performance.models import StatisticsSnapshot
from performance.services import statistics_refresh
from tests.conftest import (
    SYSTEM,
    VALID_RESIDENT_ID,
    Travel,
    importer,
    new_application,
    new_document,
    new_node_a,
    new_office,
    new_org_a,
    new_org_b,
    new_staff,
    new_topic,
    on_commit_run,
    published,
)

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date
LETTER = "经审查，现答复如下。"
# What would identify the applicant of every case below (conftest's applicant_values).
APPLICANT = ["张三", VALID_RESIDENT_ID, "13812345678", "zhangsan@example.com", "中山路 8 号"]


@pytest.fixture(scope="module")
def shared(module_db, django_db_blocker) -> Iterator[SimpleNamespace]:
    """The module's records, built once on their own clock, which stays at 2026-06-30 18:00 for the tests."""
    travel = Travel()
    try:
        with django_db_blocker.unblock():
            built = _build(travel)
        yield built
    finally:
        travel.stop()


def _build(clock: Travel) -> SimpleNamespace:
    """Eight replies, a withdrawal and two open cases at A; documents of A and B with known delays; a review and a
    suit; an interpreted and an uninterpreted policy. Ends on 2026-06-30, the day the statistics are computed."""
    from catalog.roles import OfficeRole, Role
    from disclosure.interpretations import interpretation_create, interpretation_plan_save
    from requests_app.models import ReviewCase
    from requests_app.services import (
        request_correction_answer,
        request_correction_ask,
        request_extension_approve,
        request_extension_propose,
        request_reply,
        request_withdraw,
        review_case_save,
    )

    org_a, org_b = new_org_a(), new_org_b()
    handler_a, drafter_a = new_staff("handler_a", org_a, Role.HANDLER), new_staff("drafter_a", org_a, Role.DRAFTER)
    reviewer_a, office_head = new_staff("reviewer_a", org_a, Role.REVIEWER), new_office("office_head", OfficeRole.HEAD)
    node_a, topic = new_node_a(org_a), new_topic()
    calendar_load_package(actor=SYSTEM)
    make_document, publish = new_document, published

    def filed(organisation, **values):
        return new_application(organisation, clock=clock, **values)

    imported = importer(org_a, drafter_a, node_a, topic)

    def django_capture_on_commit_callbacks(*, execute: bool):
        return on_commit_run()

    def received(day: str, **overrides):
        return filed(org_a, moment=f"{day} 08:30", accepted=day, handler=handler_a, **overrides)

    cases = {
        name: received("2026-03-02")
        for name in ("same_day", "d4", "d9", "d14", "last_day", "late", "extended", "corrected", "withdrawn")
    }
    clock("2026-03-20 10:00")
    with django_capture_on_commit_callbacks(execute=True):
        request_extension_propose(request=cases["extended"], actor=handler_a, days=10, reason="需要调取档案")
        request_extension_approve(request=cases["extended"], actor=office_head)
        request_correction_ask(
            request=cases["corrected"], actor=handler_a, items="请写明所需信息的名称", period_days=5, on=D(2026, 3, 3)
        )
        request_correction_answer(
            request=cases["corrected"],
            actor=Applicant(cases["corrected"].pk),
            answer="所需信息为停放点位方案",
            on=D(2026, 3, 5),
        )
        request_withdraw(request=cases["withdrawn"], actor=Applicant(cases["withdrawn"].pk), on=D(2026, 3, 10))
    open_overdue = received("2026-04-13")
    open_in_time = received("2026-06-01")
    clock("2026-06-30 10:00")
    replies = {  # case → (reply date, outcome); working days from the clock's start in the comment
        "same_day": (D(2026, 3, 2), "open"),  # 0
        "d4": (D(2026, 3, 6), "open"),  # 4
        "d9": (D(2026, 3, 13), "open"),  # 9
        "d14": (D(2026, 3, 20), "not_held"),  # 14
        "last_day": (D(2026, 3, 30), "open"),  # 20: the due date itself, on time
        "late": (D(2026, 3, 31), "already_public"),  # 21: late
        "extended": (D(2026, 4, 2), "open"),  # 23, within 20 + 10
        "corrected": (D(2026, 3, 12), "open"),  # 5, counted from the corrected application on 3-5
    }
    with django_capture_on_commit_callbacks(execute=True):
        for name, (on, outcome) in replies.items():
            cases[name] = request_reply(request=cases[name], actor=handler_a, outcome=outcome, letter=LETTER, on=on)
        review_case_save(
            case=ReviewCase(
                request=cases["late"],
                kind=ReviewCase.Kind.REVIEW,
                filed_on=D(2026, 4, 15),
                authority="甲市人民政府",
                result=ReviewCase.Result.CORRECTED,
                concluded_on=D(2026, 5, 20),
            ),
            actor=handler_a,
        )
        review_case_save(
            case=ReviewCase(
                request=cases["d14"],
                kind=ReviewCase.Kind.LITIGATION,
                filed_on=D(2026, 4, 20),
                authority="甲市中山区人民法院",
            ),
            actor=handler_a,
        )

    decision = CatalogueNode.objects.create(
        organisation=org_a, section=Section.DECISION, name="重大决策", subject=org_a
    )
    imported("市容整治通知", at="2026-03-10 10:00", written_on=D(2026, 3, 2))  # 6 working days
    imported("共享单车管理办法", at="2026-03-30 10:00", written_on=D(2026, 3, 2))  # 20: within the limit
    imported("占道经营整治方案", at="2026-03-31 10:00", written_on=D(2026, 3, 2))  # 21: late
    imported("重大决策事项目录", at="2026-04-01 10:00", written_on=D(2026, 3, 25), nodes=[node_a, decision])  # 5
    imported("未编目的通知", at="2026-04-01 15:00", written_on=D(2026, 4, 1), nodes=[])  # 0
    imported("乙局统计公报", at="2026-03-16 10:00", written_on=D(2026, 3, 13), organisation=org_b, nodes=[])  # 1
    imported(
        "旧政策", at="2026-05-12 10:00", written_on=D(2026, 5, 12), nodes=[], is_policy=True
    )  # 0, no interpretation
    make_document(org_a, drafter_a, title="尚未发布的草稿", written_on=D(2026, 1, 5))  # not public: never counted
    clock("2026-05-11 10:00")
    policy = make_document(
        org_a, drafter_a, title="促进民营经济发展若干措施", is_policy=True, written_on=D(2026, 5, 11)
    )
    interpretation_plan_save(
        policy=policy,
        actor=drafter_a,
        changes={"planned_on": D(2026, 5, 11), "channels": "政府网站", "forms": ["text"], "outline": "一、出台背景"},
    )
    interpretation_create(
        policy=policy, actor=drafter_a, changes={"title": "一图读懂若干措施", "form": "text", "body": "一、出台背景。"}
    )
    publish(policy, drafter_a, reviewer_a)  # 0 working days, interpreted
    clock("2026-06-30 18:00")
    return SimpleNamespace(
        org_a=org_a, org_b=org_b, cases={**cases, "open_overdue": open_overdue, "open_in_time": open_in_time}
    )


@pytest.fixture
def records(shared, db) -> dict:
    return shared.cases


@pytest.fixture
def org_a(shared, db) -> Organisation:
    return shared.org_a


@pytest.fixture
def org_b(shared, db) -> Organisation:
    return shared.org_b


@pytest.fixture
def work_calendar(shared, db) -> None:
    """The module's records loaded the calendar."""


@pytest.fixture
def snapshot(records):
    statistics_refresh()
    return records


def period_of(organisation: Organisation | None, key: str = "recent") -> dict:
    scope = "all" if organisation is None else f"org:{organisation.pk}"
    return StatisticsSnapshot.objects.get(scope=scope).data["figures"][key]


def test_r24_replies_on_time_late_and_working_days_to_reply(snapshot, org_a):
    applications = period_of(org_a, "2026")["applications"]
    # Working days to reply, sorted: 0 4 5 9 14 20 21 23; nearest rank: the 4th and the 8th of eight.
    assert applications == {
        "received": 11,
        "concluded": 9,
        "replied": 8,
        "on_time": 7,
        "late": 1,
        "on_time_percent": 87.5,
        "median_days": 9,
        "p90_days": 23,
        "extensions": 1,
        "corrections": 1,
    }
    data = StatisticsSnapshot.objects.get(scope=f"org:{org_a.pk}").data
    assert data["open"] == {"open": 2, "overdue": 1}  # 04-13 is long overdue; 06-01 is due on 06-30 (端午 on 06-19)


def test_r21_r24_figures_by_month(snapshot, org_a):
    months = {row["month"]: row for row in period_of(org_a)["months"]}
    assert list(months) == [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    march, april = months["2026-03"], months["2026-04"]
    assert (march["received"], march["replied"], march["on_time"], march["late"]) == (9, 7, 6, 1)
    assert (march["extensions"], march["corrections"], march["documents"]) == (1, 1, 3)
    assert (april["received"], april["replied"], april["on_time"], april["late"], april["documents"]) == (1, 1, 1, 0, 2)
    assert months["2026-06"]["received"] == 1 and months["2025-12"]["received"] == 0
    assert march["sections"]["result"] == 3
    assert (april["sections"]["result"], april["sections"]["decision"], april["sections"]["none"]) == (1, 1, 1)


def test_r31_outcomes_use_the_rows_of_table_three(snapshot, org_a):
    outcomes = {row["code"]: row["count"] for row in period_of(org_a)["outcomes"]}
    assert outcomes["（一）"] == 7 and outcomes["（四）1"] == 1 and outcomes["（六）3"] == 1  # the withdrawal
    assert sum(outcomes.values()) == 9


def test_r29_reviews_and_suits_with_their_results(snapshot, org_a):
    reviews = {row["part"]: row for row in period_of(org_a, "2026")["reviews"]}
    assert (reviews["review"]["corrected"], reviews["review"]["total"]) == (1, 1)
    assert (reviews["litigation_direct"]["pending"], reviews["litigation_direct"]["total"]) == (1, 1)
    assert reviews["litigation_after_review"]["total"] == 0


def test_r9_delay_from_written_date_to_publication_against_20_working_days(snapshot, org_a, org_b):
    documents = period_of(org_a, "2026")["documents"]
    # Delays 6, 20, 21, 5, 0, 0 (the imported policy), 0 (the interpreted one): 52 / 7; six within 20.
    assert documents["total"] == 7 and documents["dated"] == 7
    assert documents["average_delay_days"] == 7.4
    assert (documents["within_limit"], documents["within_limit_percent"]) == (6, 85.7)
    sections = {row["section"]: row["count"] for row in documents["by_section"]}
    assert (sections["result"], sections["decision"], sections["none"]) == (4, 1, 3)
    everything = period_of(None, "2026")["documents"]
    assert (everything["total"], everything["dated"], everything["within_limit"]) == (8, 8, 7)  # B's: 1 day


def test_r16_policies_with_and_without_interpretation(snapshot, org_a):
    assert period_of(org_a, "2026")["interpretations"] == {
        "policies": 2,
        "interpreted": 1,
        "uninterpreted": 1,
        "interpretations": 1,
    }


def test_whole_government_adds_up_the_organisations_and_lists_them(snapshot, org_a, org_b):
    everything = period_of(None, "2026")
    assert everything["applications"]["received"] == 11 and everything["applications"]["median_days"] == 9
    rows = {row["code"]: row for row in everything["organisations"]}
    assert rows["A001"]["on_time"] == 7 and rows["A001"]["documents"] == 7
    assert rows["B002"]["received"] == 0 and rows["B002"]["median_days"] is None and rows["B002"]["documents"] == 1


def test_percentiles_of_fewer_than_five_replies_are_left_out(snapshot, org_b):
    assert nearest_rank({3: 4}, 0.5) is None  # four replies would describe single cases
    assert nearest_rank({1: 1, 2: 1, 3: 1, 4: 1, 10: 1}, 0.9) == 10
    assert nearest_rank({1: 1, 2: 1, 3: 1, 4: 1, 10: 1}, 0.5) == 3
    nothing = period_of(org_b, "2026")["applications"]
    assert nothing["replied"] == 0 and nothing["median_days"] is None and nothing["on_time_percent"] is None


def test_the_job_run_twice_keeps_one_snapshot_per_scope(snapshot, org_a, org_b):
    first = StatisticsSnapshot.objects.get(scope="all").computed_at
    statistics_refresh()
    assert StatisticsSnapshot.objects.filter(scope="all").count() == 1
    assert StatisticsSnapshot.objects.filter(scope=f"org:{org_a.pk}").count() == 1
    assert StatisticsSnapshot.objects.count() == len({"all", f"org:{org_a.pk}", f"org:{org_b.pk}"})
    assert StatisticsSnapshot.objects.get(scope="all").computed_at > first


def test_task_records_its_run(records):
    from ops.models import JobRun
    from performance.tasks import refresh_statistics

    refresh_statistics()
    run = JobRun.objects.get(name="statistics-refresh")
    assert run.status == JobRun.Status.SUCCEEDED and StatisticsSnapshot.objects.filter(scope="all").exists()


def test_r1_workday_index_counts_like_the_calendar(work_calendar):
    """Across 国庆 and 春节 with their 调休 Saturdays (R4's calendar), every pair agrees with working_days_between."""
    calendar = WorkCalendar()
    index = WorkdayIndex(calendar)
    days = [D(2025, 9, 20) + dt.timedelta(days=n) for n in range(0, 200, 3)]
    for start in days[::5]:
        for end in days:
            assert index.between(start, end) == calendar.working_days_between(start, end).value, (start, end)
    assert index.between(D(2025, 9, 26), D(2025, 10, 30)) == 20  # R4


# --- Pages, XLSX, API ---------------------------------------------------------------------------------------------


def test_page_shows_the_numbers_with_charts_and_tables(snapshot, citizen, org_a):
    response = citizen.get(reverse("performance:organisation_statistics", args=["A001"]), {"period": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲市城市管理局政务公开工作统计" in html and "数据截至 2026-06-30" in html
    assert html.count('role="img"') == 4 and "<title" in html and "<desc" in html
    assert "<caption>各月申请办理情况（件）</caption>" in html and '<th scope="row">2026-03</th>' in html
    applications = response.context["period"]["applications"]
    assert (applications["on_time"], applications["median_days"]) == (7, 9)


def test_no_applicant_data_in_page_xlsx_or_api(snapshot, citizen, org_a):
    codes = [case.tracking_code for case in snapshot.values()]
    for name in ("performance:statistics", "performance:statistics_xlsx", "performance:api_statistics"):
        for period in ("recent", "2026"):
            body = citizen.get(reverse(name), {"period": period}).content
            if name.endswith("xlsx"):
                book = load_workbook(io.BytesIO(body))
                body = "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
            else:
                body = body.decode()
            for secret in [*APPLICANT, *codes]:
                assert secret not in body, (name, secret)
    for code in ("A001",):
        for name in ("performance:organisation_statistics", "performance:api_organisation_statistics"):
            body = citizen.get(reverse(name, args=[code]), {"period": "2026"}).content.decode()
            assert not [secret for secret in [*APPLICANT, *codes] if secret in body]


def test_xlsx_holds_the_page_numbers(snapshot, citizen, org_a):
    response = citizen.get(reverse("performance:organisation_statistics_xlsx", args=["A001"]), {"period": "2026"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith("statistics-A001-2026.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True) if len(row) > 1}
    assert summary["按期答复（件）"] == 7 and summary["逾期答复（件）"] == 1
    assert summary["答复用时中位数（工作日）"] == 9 and summary["答复用时第90百分位（工作日）"] == 23
    assert summary["成文至发布平均用时（工作日）"] == 7.4 and summary["其中无解读的（件）"] == 1
    months = {row[0]: row for row in book["按月"].iter_rows(values_only=True)}
    assert months["2026-03"][1:5] == (9, 7, 6, 1)
    outcomes = {row[0]: row[2] for row in book["办理结果"].iter_rows(values_only=True)}
    assert outcomes["（一）"] == 7


def test_api_answers_the_same_numbers_as_the_page(snapshot, citizen, org_a):
    for args, page, api in (
        ([], "performance:statistics", "performance:api_statistics"),
        (["A001"], "performance:organisation_statistics", "performance:api_organisation_statistics"),
    ):
        shown = citizen.get(reverse(page, args=args), {"period": "2026"}).context["period"]
        response = citizen.get(reverse(api, args=args), {"period": "2026"})
        assert response.status_code == 200
        body = response.json()
        assert body["period"] == json.loads(json.dumps(shown))
        assert body["period"]["applications"]["on_time"] == 7
        assert body["scope"] == (args[0] if args else "all")
        assert {"key": "2026", "label": "2026年"} in body["periods"]
    assert reverse("performance:api_statistics").endswith("/api/v1/statistics/")


def test_missing_and_non_public_organisations_answer_404(snapshot, citizen, org_a, org_b):
    from catalog.services import organisation_save

    org_b.is_active = False
    organisation_save(organisation=org_b, actor=SYSTEM)
    office = Organisation.objects.create(
        code="A001-1", name="甲局办公室", kind=Organisation.Kind.INTERNAL, parent=org_a
    )
    for code in ("NOPE", "B002", office.code):
        for name in (
            "performance:organisation_statistics",
            "performance:organisation_statistics_xlsx",
            "performance:api_organisation_statistics",
        ):
            assert citizen.get(reverse(name, args=[code])).status_code == 404, (name, code)


def test_an_unknown_period_is_a_clear_400(snapshot, citizen):
    response = citizen.get(reverse("performance:statistics"), {"period": "1999"})
    assert response.status_code == 400 and "没有这个统计期间" in response.content.decode()
    api = citizen.get(reverse("performance:api_statistics"), {"period": "abc"})
    assert api.status_code == 400 and "没有这个统计期间" in api.content.decode()


def test_before_the_first_run_the_page_says_so(citizen, org_a):
    response = citizen.get(reverse("performance:organisation_statistics", args=["A001"]))
    assert response.status_code == 200 and "统计数据尚未生成" in response.content.decode()
    assert citizen.get(reverse("performance:api_statistics")).status_code == 404
    assert citizen.get(reverse("performance:statistics_xlsx")).status_code == 404


def test_statistics_pages_have_pinned_query_counts(snapshot, citizen, django_assert_num_queries):
    with django_assert_num_queries(1):  # the snapshot
        assert citizen.get(reverse("performance:statistics"), {"period": "2026"}).status_code == 200
    with django_assert_num_queries(2):  # the organisation, its snapshot
        assert citizen.get(reverse("performance:organisation_statistics", args=["A001"])).status_code == 200
    with django_assert_num_queries(2):
        assert citizen.get(reverse("performance:api_organisation_statistics", args=["A001"])).status_code == 200
