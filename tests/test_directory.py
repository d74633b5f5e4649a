"""The published 依申请公开目录 (R10): compiled per month or per quarter by a job, frozen, public as a column page."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from disclosure.directory import directory_compile, last_complete_period
from disclosure.grounds import Ground
from disclosure.models import DirectoryIssue, Document
from ops.models import JobRun

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
d = dt.date


def test_r10_periods_month_and_quarter():
    assert last_complete_period(today=d(2026, 10, 1), period="month") == (d(2026, 9, 1), d(2026, 9, 30))
    assert last_complete_period(today=d(2026, 1, 15), period="month") == (d(2025, 12, 1), d(2025, 12, 31))
    assert last_complete_period(today=d(2026, 10, 1), period="quarter") == (d(2026, 7, 1), d(2026, 9, 30))
    assert last_complete_period(today=d(2026, 12, 31), period="quarter") == (d(2026, 7, 1), d(2026, 9, 30))
    assert last_complete_period(today=d(2027, 1, 1), period="quarter") == (d(2026, 10, 1), d(2026, 12, 31))
    assert last_complete_period(today=d(2026, 2, 10), period="quarter") == (d(2025, 10, 1), d(2025, 12, 31))


@pytest.fixture
def on_request_pair(org_a, drafter_a, reviewer_a, make_document, publish):
    """Two 依申请公开 documents decided either side of the Q3/Q4 boundary in Shanghai time (15:30 and 16:10 UTC)."""
    made = []
    for title, moment in (
        ("九月最后一晚审定的报告", dt.datetime(2026, 9, 30, 23, 30, tzinfo=SH)),
        ("十月第一刻审定的报告", dt.datetime(2026, 10, 1, 0, 10, tzinfo=SH)),
    ):
        document = publish(
            make_document(
                org_a,
                drafter_a,
                title=title,
                attribute="on_request",
                ground=Ground.THIRD_PARTY,
                reason="涉及第三方",
                document_number="甲城管〔2026〕9号",
            ),
            drafter_a,
            reviewer_a,
        )
        Document.objects.filter(pk=document.pk).update(decided_at=moment)
        made.append(document)
    publish(
        make_document(
            org_a, drafter_a, title="不予公开的记录", attribute="withheld", ground=Ground.PROCESS, reason="过程稿"
        ),
        drafter_a,
        reviewer_a,
    )
    return made


def test_r10_quarterly_directory_on_the_quarter_boundary(on_request_pair, settings):
    settings.GOVOPEN_DIRECTORY_PERIOD = "quarter"
    september, october = on_request_pair
    issue = directory_compile(today=d(2026, 10, 1))
    assert (issue.period, issue.period_start, issue.period_end) == ("quarter", d(2026, 7, 1), d(2026, 9, 30))
    assert [row["title"] for row in issue.rows] == [september.title]
    assert issue.rows[0]["index_no"] == september.index_no and issue.rows[0]["decided_on"] == "2026-09-30"
    assert set(issue.rows[0]) == {
        "title",
        "index_no",
        "document_number",
        "summary",
        "organisation",
        "written_on",
        "decided_on",
    }
    assert directory_compile(today=d(2026, 10, 1)) is None  # run twice: one issue
    assert directory_compile(today=d(2026, 11, 1)) is None  # Q4 is not over
    q4 = directory_compile(today=d(2027, 1, 1))
    assert [row["title"] for row in q4.rows] == [october.title] and q4.title == "2026 年第 4 季度依申请公开目录"


def test_r10_monthly_directory_is_frozen_and_public(on_request_pair, citizen):
    september, _october = on_request_pair
    issue = directory_compile(today=d(2026, 10, 1))
    assert issue.title == "2026 年 9 月依申请公开目录" and len(issue.rows) == 1
    Document.objects.filter(pk=september.pk).update(title="改过的标题")  # a later edit does not rewrite the issue
    page = citizen.get(reverse("disclosure:on_request_issue", args=[issue.pk])).content.decode()
    assert "九月最后一晚审定的报告" in page and "改过的标题" not in page and "甲城管〔2026〕9号" in page
    assert "不予公开的记录" not in page
    listing = citizen.get(reverse("disclosure:on_request")).content.decode()
    assert issue.title in listing and "2026-10-01 以来新增" in listing and "十月第一刻审定的报告" in listing
    assert citizen.get(reverse("disclosure:on_request_issue", args=[issue.pk + 99])).status_code == 404


def test_r10_an_empty_period_publishes_an_explicit_nil_issue(db, citizen):
    issue = directory_compile(today=d(2026, 3, 1))
    assert issue.rows == [] and issue.title == "2026 年 2 月依申请公开目录"
    assert (
        "本期无依申请公开的政府信息"
        in citizen.get(reverse("disclosure:on_request_issue", args=[issue.pk])).content.decode()
    )


def test_r10_the_monthly_job_records_its_run(db, settings):
    from disclosure.tasks import compile_on_request_directory

    schedule = settings.CELERY_BEAT_SCHEDULE["on-request-directory"]["schedule"]
    assert schedule.day_of_month == {1}
    compile_on_request_directory.apply()
    compile_on_request_directory.apply()
    assert DirectoryIssue.objects.count() == 1
    assert list(JobRun.objects.order_by("pk").values_list("summary", flat=True))[1] == "already published"


def test_r10_period_setting_is_checked_at_start_up():
    from core.env import EnvError, env_choice

    assert (
        env_choice(
            "GOVOPEN_DIRECTORY_PERIOD", "month", ("month", "quarter"), environ={"GOVOPEN_DIRECTORY_PERIOD": "Quarter"}
        )
        == "quarter"
    )
    with pytest.raises(EnvError, match="GOVOPEN_DIRECTORY_PERIOD"):
        env_choice(
            "GOVOPEN_DIRECTORY_PERIOD", "month", ("month", "quarter"), environ={"GOVOPEN_DIRECTORY_PERIOD": "weekly"}
        )


def test_r10_directory_pages_have_pinned_query_counts(on_request_pair, citizen, django_assert_num_queries):
    issue = directory_compile(today=d(2026, 10, 1))
    with django_assert_num_queries(2):  # the issues, and the rows decided since the last one
        assert citizen.get(reverse("disclosure:on_request")).status_code == 200
    with django_assert_num_queries(1):
        assert citizen.get(reverse("disclosure:on_request_issue", args=[issue.pk])).status_code == 200


def test_r10_the_directory_page_counts_each_issue_in_the_database_without_loading_its_rows(on_request_pair, citizen):
    directory_compile(today=d(2026, 9, 1))  # August: nothing decided, a nil issue
    directory_compile(today=d(2026, 10, 1))  # September: one row
    response = citizen.get(reverse("disclosure:on_request"))
    issues = response.context["issues"]
    assert [(i.title, i.row_count) for i in issues] == [
        ("2026 年 9 月依申请公开目录", 1),
        ("2026 年 8 月依申请公开目录", 0),
    ]
    # Every issue's frozen rows stay in the database: a province's years of issues are not read for a count.
    assert all("rows" in issue.get_deferred_fields() for issue in issues)
    html = response.content.decode()
    assert '2026 年 9 月依申请公开目录</a> <span class="muted">（1 条）' in html
    assert '2026 年 8 月依申请公开目录</a> <span class="muted">（0 条，本期无）' in html
