"""我为政府网站找错 (政府网站发展指引, 国办发〔2017〕47号): a citizen reports an error on a page of this site and
gets a tracking code; the office acknowledges within 1 working day and answers within 5 (R1–R4 calendar,
configurable), the answer is public; the clocks are on the dashboard and in the sweep; the reporter's contact is
encrypted, masked and kept out of history, mail to staff and the audit log; the services are the only write path.

Personas: a citizen, the office (政务公开办), a drafter of the organisation whose page is reported, and a drafter of
another organisation.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from auditlog.models import AuditEvent
from catalog.models import CalendarDay, WorkCalendarYear
from catalog.services import calendar_year_replace
from core.actors import ActorRequired
from core.crypto import new_key
from errorreports import permissions
from errorreports.clocks import error_report_clocks
from errorreports.models import ErrorReport, ErrorReportEvent
from errorreports.services import (
    ErrorReportError,
    report_acknowledge,
    report_answer,
    report_deadlines_refresh,
    report_decline,
    report_receive,
)
from errorreports.tasks import sweep_error_report_clocks
from errorreports.validation import PageRefused, same_site_path
from ops.clocks import OVERDUE, SOON
from ops.models import JobRun, Notification
from tests.conftest import VALID_RESIDENT_ID, refused, run_twice_at_once
from tests.test_apply_form_access import described_by_missing, ids, label_of

pytestmark = pytest.mark.usefixtures("fresh_cache")  # the rate-limit counters live in Redis

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NAME, PHONE, EMAIL = "林晓东", "13912345678", "lin.xd@example.com"
DESCRIPTION = "第二段“城市管理”误写为“城市管里”。"
VALUES = {
    "page_url": "/xxgk/",
    "kind": "typo",
    "description": DESCRIPTION,
    "contact_name": NAME,
    "contact_phone": PHONE,
    "contact_email": EMAIL,
}
GUIDE_A = "/xxgk/A001/guide/"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_of(day: str) -> dt.datetime:
    return at(f"{day} 23:59:59")


@pytest.fixture
def receive(django_capture_on_commit_callbacks, work_calendar, clock):
    """A report received at ``moment`` (Asia/Shanghai) through the service, its on-commit work run."""

    def make(moment: str = "2026-11-20 15:00", **overrides: str) -> ErrorReport:
        clock(moment)
        with django_capture_on_commit_callbacks(execute=True):
            return report_receive(values={**VALUES, **overrides}, hosts={"testserver"})

    return make


def lookup(client: Client, code: str, **extra: str):
    return client.post(reverse("errorreports:status"), {"code": code}, **extra)


def raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return repr(cursor.fetchall())


# --- Filing --------------------------------------------------------------------------------------------------------


def test_a_citizen_files_a_report_and_gets_a_tracking_code(
    citizen, office, org_a, work_calendar, clock, django_capture_on_commit_callbacks
):
    clock("2026-11-20 15:00")
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(reverse("errorreports:report"), {**VALUES, "page_url": GUIDE_A})
    assert response.status_code == 302 and response["Location"] == reverse("errorreports:done")
    report = ErrorReport.objects.get()
    assert re.fullmatch(r"JC2026-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", report.tracking_code)
    assert (report.status, report.page_url, report.organisation, report.kind) == ("received", GUIDE_A, org_a, "typo")
    assert [e.action for e in report.events.all()] == [ErrorReportEvent.Action.RECEIVED]
    done = citizen.get(reverse("errorreports:done"))
    page = done.content.decode()
    assert done.status_code == 200 and report.tracking_code in page and done["Cache-Control"] == "private, no-store"
    assert "2026-11-23 23:59" in page and "2026-11-27 23:59" in page  # the two deadlines, shown at once
    # The office hears of it at once, by code, kind and page; never the description or the contact.
    to_office = Notification.objects.get(key=f"errorreport:{report.pk}:received-office")
    assert to_office.recipients == [office.email] and report.tracking_code in to_office.subject
    assert GUIDE_A in to_office.body
    assert not [text for text in (DESCRIPTION, NAME, PHONE, EMAIL) if text in to_office.subject + to_office.body]
    to_reporter = Notification.objects.get(key=f"errorreport:{report.pk}:received")
    assert to_reporter.recipients == [EMAIL] and report.tracking_code in to_reporter.body
    assert any(report.tracking_code in m.subject and m.to == [EMAIL] for m in mail.outbox)


def test_the_footer_link_prefills_the_page_and_anything_else_is_ignored(citizen, db):
    def prefilled(url: str, **extra: str) -> str:
        html = citizen.get(url, **extra).content.decode()
        return re.search(r'<input[^>]*name="page_url"[^>]*>', html).group()

    report = reverse("errorreports:report")
    assert 'value="/documents/A001/2026-00001/"' in prefilled(f"{report}?page=/documents/A001/2026-00001/")
    assert 'value="/xxgk/?year=2026"' in prefilled(f"{report}?page=http://testserver/xxgk/%3Fyear%3D2026")
    assert "value=" not in prefilled(f"{report}?page=https://evil.example.com/phish")
    assert "value=" not in prefilled(f"{report}?page=//evil.example.com/x")
    # Without the parameter, the page the visitor came from on this site (the same-origin Referer).
    assert 'value="/interpretations/"' in prefilled(report, HTTP_REFERER="http://testserver/interpretations/")
    assert "value=" not in prefilled(report, HTTP_REFERER="https://search.example.com/?q=x")


def test_the_form_marks_required_fields_states_limits_and_describes_each_field(citizen, db):
    html = citizen.get(reverse("errorreports:report")).content.decode()
    assert '<p class="required-legend">带 * 号的为必填项。</p>' in html
    for field in ("page_url", "description"):
        assert '<span class="req" aria-hidden="true">*</span>' in label_of(html, f"id_{field}"), field
        assert re.search(rf'<(input|textarea)[^>]*aria-required="true"[^>]*id="id_{field}"', html), field
    assert re.search(r"<legend>错误类型 <span class=\"req\" aria-hidden=\"true\">\*</span></legend>", html)
    assert '<span class="req" aria-hidden="true">*</span>' not in label_of(html, "id_contact_phone")
    assert re.search(r'id="id_description_helptext">[^<]*最多 1000 个字。</p>', html)
    assert re.search(r'<textarea[^>]*aria-describedby="id_description_helptext"', html)
    assert re.search(r'id="id_page_url_helptext">[^<]*最多 500 个字符。</p>', html)
    assert described_by_missing(html) == []
    assert "1 个工作日内确认收到，5 个工作日内答复" in html


def test_a_rejected_report_has_one_focused_alert_keeps_what_was_typed_and_answers_400(citizen, db):
    response = citizen.post(
        reverse("errorreports:report"),
        {
            "page_url": "https://evil.example.com/news/1.html",
            "description": "x" * 1001,
            "contact_name": NAME,
            "contact_email": "not-an-address",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('role="alert"') == 1
    assert re.search(r'<div class="notice error-summary" role="alert" tabindex="-1" id="errors" autofocus>', html)
    summary = re.search(r'id="errors".*?</div>', html, flags=re.S).group()
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert {"id_page_url", "id_kind_0", "id_description", "id_contact_email"} <= set(targets) <= ids(html)
    assert "只能报告本网站页面的错误" in summary and "请选择错误类型。" in summary
    assert "不能超过 1000 个字。" in summary and "电子邮箱格式不正确。" in summary
    assert described_by_missing(html) == []
    assert 'value="https://evil.example.com/news/1.html"' in html and f'value="{NAME}"' in html  # kept as typed
    empty = citizen.post(reverse("errorreports:report"), {})
    assert empty.status_code == 400 and "请填写出错页面的地址。" in empty.content.decode()
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"description": "第二段\x00有错别字"},
        {"page_url": "/xxgk/\x00"},
        {"kind": "²"},
        {"page_url": "http://[::1"},
        {"page_url": "/" + "x" * 3000},
        {"contact_phone": "<script>alert(1)</script>"},
    ],
)
def test_hostile_input_in_the_form_answers_400_with_what_was_typed(citizen, work_calendar, data):
    response = citizen.post(reverse("errorreports:report"), {**VALUES, **data})
    assert response.status_code == 400
    assert f'value="{NAME}"' in response.content.decode()
    assert not ErrorReport.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("/xxgk/", "/xxgk/"),
        ("  http://testserver/xxgk/?year=2026#top  ", "/xxgk/?year=2026"),
        ("https://gk.example.gov.cn/documents/A001/2026-00001/", "/documents/A001/2026-00001/"),
        ("HTTPS://GK.EXAMPLE.GOV.CN/search/?q=%E5%99%AA", "/search/?q=%E5%99%AA"),
        ("http://testserver//evil.example.com/x", "/evil.example.com/x"),  # never a protocol-relative link
        ("http://localhost:8000/xxgk/", "/xxgk/"),  # a name of ALLOWED_HOSTS
    ],
)
@override_settings(GOVOPEN_SITE_URL="https://gk.example.gov.cn")
def test_only_pages_of_this_site_are_accepted_and_kept_as_paths(typed, stored):
    assert same_site_path(typed, hosts={"testserver"}) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://evil.example.com/xxgk/", "只能报告本网站页面的错误"),
        ("//evil.example.com/xxgk/", "只能报告本网站页面的错误"),
        ("javascript:alert(1)", "只能报告本网站页面的错误"),
        ("ftp://testserver/xxgk/", "只能报告本网站页面的错误"),
        ("http://user@testserver/xxgk/", "只能报告本网站页面的错误"),
        ("http://[::1", "只能报告本网站页面的错误"),
        ("/\\evil.example.com", "反斜杠"),
        ("/xxgk/ 2026", "空格"),
        ("xxgk/", "以 / 开头"),
        ("/admin/errorreports/", "后台"),
        ("/admin", "后台"),
        ("", "请填写出错页面的地址。"),
    ],
)
@override_settings(GOVOPEN_SITE_URL="https://gk.example.gov.cn")
def test_other_sites_and_the_staff_admin_are_refused_in_chinese(typed, message):
    with pytest.raises(PageRefused, match=re.escape(message)):
        same_site_path(typed, hosts={"testserver"})


def test_filing_is_braked_per_address_and_a_refused_form_keeps_what_was_typed(citizen, work_calendar, settings):
    settings.GOVOPEN_ERROR_REPORT_LIMIT_PER_IP_HOUR = 2
    url = reverse("errorreports:report")
    for _n in range(2):
        assert citizen.post(url, VALUES, REMOTE_ADDR="10.0.0.7").status_code == 302
    refused = citizen.post(url, {**VALUES, "description": "第三条留言的内容"}, REMOTE_ADDR="10.0.0.7")
    html = refused.content.decode()
    assert refused.status_code == 429 and "一小时内提交的留言过多" in html and "第三条留言的内容" in html
    assert html.count('role="alert"') == 1
    assert citizen.post(url, VALUES, REMOTE_ADDR="10.0.0.8").status_code == 302  # another address is not braked
    assert ErrorReport.objects.count() == 3


# --- The reporter's lookup and the public answers --------------------------------------------------------------------


def test_the_reporter_follows_the_report_by_its_code_and_never_sees_the_contact(receive, office, clock):
    report = receive()
    citizen = Client()
    loosely_typed = report.tracking_code.lower().replace("-", " ")
    response = lookup(citizen, loosely_typed)
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert report.tracking_code in html and "待确认" in html and DESCRIPTION in html
    assert not [text for text in (NAME, PHONE, EMAIL, "139****5678") if text in html]
    # A link (the mail's) prefills the code but shows nothing of the report: only a braked POST does.
    prefilled = citizen.get(reverse("errorreports:status"), {"code": report.tracking_code}).content.decode()
    assert f'value="{report.tracking_code}"' in prefilled and DESCRIPTION not in prefilled
    clock("2026-11-23 10:00")
    report_acknowledge(report=report, actor=office)
    report_answer(report=report, actor=office, answer="经核实，该页面确有错别字，已于当日更正。感谢您的指正。")
    html = lookup(citizen, report.tracking_code).content.decode()
    assert "已答复" in html and "已于当日更正" in html and "确认收到" in html and "答复" in html
    assert not [text for text in (NAME, PHONE, EMAIL, office.email) if text in html]


def test_a_declined_report_shows_its_reason_to_the_reporter_but_is_not_listed(receive, office, citizen):
    report = receive()
    report_decline(report=report, actor=office, reason="所指页面不属于本网站，请向其主办单位反映。")
    html = lookup(citizen, report.tracking_code).content.decode()
    assert "不予处理" in html and "所指页面不属于本网站" in html
    assert "所指页面不属于本网站" not in citizen.get(reverse("errorreports:answers")).content.decode()


def test_an_unknown_code_answers_404_and_guessing_is_braked_per_address(receive, settings):
    settings.GOVOPEN_STATUS_LIMIT_PER_IP = 2
    report = receive()
    client = Client()
    for guess in ("JC2026-AAAA-BBBB-CCCC", "nonsense"):
        response = lookup(client, guess, REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 404 and "没有找到这个查询码的留言" in response.content.decode()
    refused = lookup(client, report.tracking_code, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429 and DESCRIPTION not in refused.content.decode()
    assert lookup(client, report.tracking_code, REMOTE_ADDR="10.0.0.10").status_code == 200
    assert lookup(client, "", REMOTE_ADDR="10.0.0.10").status_code == 400
    assert lookup(client, "JC\x00", REMOTE_ADDR="10.0.0.10").status_code == 400


def test_r40_answers_are_public_newest_first_paginated_without_contact_or_description(
    receive, office, clock, citizen, django_assert_num_queries
):
    reports = [receive(f"2026-11-{2 + n:02d} 09:00", description=f"第 {n} 条留言的描述") for n in range(17)]
    for n, report in enumerate(reports):
        clock(f"2026-11-{2 + n:02d} 16:00")
        report_answer(report=report, actor=office, answer=f"第 {n} 条答复：已更正。")
    declined, waiting = receive("2026-11-20 09:00"), receive("2026-11-20 10:00")
    report_decline(report=declined, actor=office, reason="不属于本网站。")
    url = reverse("errorreports:answers")
    with django_assert_num_queries(2):  # the count and the page (with the organisation)
        first = citizen.get(url)
    html = first.content.decode()
    assert first.status_code == 200
    shown = [int(n) for n in re.findall(r"第 (\d+) 条答复", html)]
    assert shown == list(range(16, 1, -1))  # 15 a page, newest answer first
    assert "第 1 条答复" in citizen.get(url, {"page": "2"}).content.decode()
    assert "不属于本网站" not in html and waiting.tracking_code not in html
    assert not [text for text in (NAME, PHONE, EMAIL, "留言的描述", reports[0].tracking_code) if text in html]


# --- Deadlines on the working-day calendar --------------------------------------------------------------------------


def test_r1_r3_the_deadlines_end_with_the_first_and_fifth_working_day_after_receipt_across_a_weekend(receive):
    friday = receive("2026-11-20 15:00")
    assert (friday.ack_due_at, friday.answer_due_at) == (end_of("2026-11-23"), end_of("2026-11-27"))
    saturday = receive("2026-11-21 10:00")  # a receipt on a rest day is day 0: Monday is day 1 (R3)
    assert (saturday.ack_due_at, saturday.answer_due_at) == (end_of("2026-11-23"), end_of("2026-11-27"))
    # Half past midnight in Shanghai is still Thursday in UTC: the day of receipt is Shanghai's.
    early = receive("2026-11-20 00:30")
    assert early.ack_due_at == end_of("2026-11-23") and not early.due_provisional


def test_r1_r4_the_spring_festival_is_skipped_and_its_makeup_saturday_counts(receive):
    before = receive("2026-02-13 16:00")  # Friday before the 2026 Spring Festival
    assert before.ack_due_at == end_of("2026-02-14")  # a 调休 Saturday is a working day (R1)
    assert before.answer_due_at == end_of("2026-02-27")  # 14 Feb, then 24–27 Feb after the holiday
    during = receive("2026-02-17 11:00")  # 初一: a holiday is day 0
    assert (during.ack_due_at, during.answer_due_at) == (end_of("2026-02-24"), end_of("2026-02-28"))


def test_the_working_days_are_configurable(receive, settings):
    settings.GOVOPEN_ERROR_REPORT_ACK_WORKDAYS, settings.GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS = 2, 10
    report = receive("2026-11-20 15:00")
    assert (report.ack_due_at, report.answer_due_at) == (end_of("2026-11-24"), end_of("2026-12-04"))


def test_an_answer_shorter_than_the_acknowledgement_stops_start_up_with_the_variables_name():
    from tests.test_settings import manage

    result = manage("check", GOVOPEN_ERROR_REPORT_ACK_WORKDAYS="3", GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS="2")
    assert result.returncode == 2 and "GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS" in result.stderr
    assert "Traceback" not in result.stderr


def test_r2_a_deadline_in_an_unloaded_year_is_provisional_until_the_year_is_loaded(receive, office, login):
    report = receive("2026-12-30 10:00")
    assert report.ack_due_at == end_of("2026-12-31")
    assert report.answer_due_at == end_of("2027-01-07") and report.due_provisional  # 2027 computed from the 放假办法
    assert "（暂定）" in login(office).get(reverse("clocks")).content.decode()
    # A made-up 2027 notice that also gives Monday 4 January off: the sweep moves the open deadline.
    holidays = {dt.date(2027, 1, d): (CalendarDay.Kind.HOLIDAY, "元旦") for d in (1, 2, 3, 4)}
    calendar_year_replace(year=2027, days=holidays, source=WorkCalendarYear.Source.MANUAL, actor=office)
    sweep_error_report_clocks()
    report.refresh_from_db()
    assert report.answer_due_at == end_of("2027-01-08") and not report.due_provisional
    assert report_deadlines_refresh() == 0  # nothing left to recompute


# --- Clocks: the dashboard and the sweep -------------------------------------------------------------------------------


def test_open_clocks_are_on_the_dashboard_for_the_office_and_the_pages_organisation(
    receive, office, drafter_a, drafter_b, login, org_a, clock
):
    about_a = receive(page_url=GUIDE_A)
    shared = receive(page_url="/xxgk/")
    clock("2026-11-23 10:00")
    page = login(office).get(reverse("clocks")).content.decode()
    assert "网站找错留言确认" in page and "网站找错留言答复" in page
    assert about_a.tracking_code in page and shared.tracking_code in page and "政务公开办（本网站）" in page
    assert "网站找错留言：1 个工作日内确认、5 个工作日内答复。" in page
    mine = login(drafter_a).get(reverse("clocks")).content.decode()
    assert about_a.tracking_code in mine and shared.tracking_code not in mine
    theirs = login(drafter_b).get(reverse("clocks")).content.decode()
    assert about_a.tracking_code not in theirs and shared.tracking_code not in theirs
    report_acknowledge(report=about_a, actor=office)
    keys = [c.key for c in error_report_clocks()]
    assert f"errorreport:{about_a.pk}:ack" not in keys and f"errorreport:{about_a.pk}:answer" in keys
    report_answer(report=about_a, actor=office, answer="链接已修复。")
    assert [c.key for c in error_report_clocks(organisations=[org_a.pk])] == []


def test_the_sweep_alerts_the_office_on_the_last_day_and_once_overdue_once_each(receive, office, clock):
    report = receive("2026-11-20 15:00")  # acknowledge by Monday 23rd, answer by Friday 27th
    clock("2026-11-22 12:00")  # Sunday: nothing is due yet
    sweep_error_report_clocks()
    assert not Notification.objects.filter(key__startswith="clock:").exists()
    clock("2026-11-23 08:00")  # the acknowledgement's last day has begun
    sweep_error_report_clocks()
    sweep_error_report_clocks()  # a second run sends nothing more
    soon = Notification.objects.get(key__startswith=f"clock:errorreport:{report.pk}:ack:{SOON}")
    assert soon.recipients == [office.email] and "即将到期" in soon.subject and report.tracking_code in soon.subject
    assert not [text for text in (DESCRIPTION, NAME, PHONE, EMAIL) if text in soon.subject + soon.body]
    clock("2026-11-24 00:30")
    sweep_error_report_clocks()
    overdue = Notification.objects.get(key__startswith=f"clock:errorreport:{report.pk}:ack:{OVERDUE}")
    assert "已逾期" in overdue.subject and overdue.recipients == [office.email]
    report_acknowledge(report=report, actor=office)
    clock("2026-11-27 09:00")
    sweep_error_report_clocks()
    assert Notification.objects.filter(key__startswith=f"clock:errorreport:{report.pk}:answer:{SOON}").exists()
    clock("2026-11-28 09:00")
    sweep_error_report_clocks()
    sweep_error_report_clocks()
    assert Notification.objects.filter(key__startswith=f"clock:errorreport:{report.pk}:answer:{OVERDUE}").count() == 1
    assert JobRun.objects.filter(name="error-report-clocks", status=JobRun.Status.SUCCEEDED).exists()
    report_answer(report=report, actor=office, answer="已更正。")
    assert error_report_clocks() == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_alert_once(office, work_calendar, clock):
    clock("2026-11-20 15:00")
    reports = [report_receive(values=VALUES, hosts=()) for _n in range(4)]
    clock("2026-11-30 10:00")  # every acknowledgement and answer is overdue
    run_twice_at_once(sweep_error_report_clocks)
    alerts = Notification.objects.filter(key__startswith="clock:errorreport:")
    assert alerts.count() == 2 * len(reports)
    assert len([m for m in mail.outbox if "已逾期" in m.subject and "网站找错" in m.subject]) == 2 * len(reports)
    assert connection.vendor == "postgresql"


# --- Personal data -------------------------------------------------------------------------------------------------------


def test_the_contact_is_encrypted_at_rest_and_absent_from_history_notifications_and_the_audit_log(
    receive, office, login
):
    report = receive()
    report_acknowledge(report=report, actor=office)
    login(office).get(reverse("admin:errorreports_errorreport_change", args=[report.pk]))
    for table in (
        "errorreports_errorreport",
        "errorreports_historicalerrorreport",
        "ops_notification",
        "auditlog_auditevent",
    ):
        rows = raw_rows(table)
        assert rows != "[]"
        assert not [text for text in (NAME, PHONE, EMAIL) if text in rows], table
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone, contact_email FROM errorreports_errorreport")
        assert all(value.startswith("gv1:") for value in cursor.fetchone())
    reread = ErrorReport.objects.get(pk=report.pk)
    assert (reread.contact_name, reread.contact_phone, reread.contact_email) == (NAME, PHONE, EMAIL)


def test_the_contact_follows_a_key_rotation(receive, settings, capsys):
    report = receive()
    newest = new_key()
    with override_settings(GOVOPEN_FIELD_KEYS=[newest, *settings.GOVOPEN_FIELD_KEYS]):
        call_command("rotate_field_key")
        assert "errorreports_errorreport: 重新写入 3 个值" in capsys.readouterr().out
    with override_settings(GOVOPEN_FIELD_KEYS=[newest]):  # the old key removed
        assert ErrorReport.objects.get(pk=report.pk).contact_phone == PHONE


def test_only_the_office_sees_the_contact_and_its_view_is_audited(receive, office, drafter_a, drafter_b, login):
    report = receive(page_url=GUIDE_A)
    url = reverse("admin:errorreports_errorreport_change", args=[report.pk])
    full = login(office).get(url).content.decode()
    assert PHONE in full and EMAIL in full and NAME in full
    viewed = AuditEvent.objects.get(kind=AuditEvent.Kind.PERSONAL_DATA_VIEWED)
    assert viewed.object_label == report.tracking_code and viewed.actor == office
    masked = login(drafter_a).get(url)
    html = masked.content.decode()
    assert masked.status_code == 200 and DESCRIPTION in html
    assert "139****5678" in html and "l***@example.com" in html and "林**" in html
    assert PHONE not in html and EMAIL not in html and NAME not in html and "仅政务公开办可见" in html
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSONAL_DATA_VIEWED).count() == 1
    assert login(drafter_b).get(url).status_code == 404  # another organisation's: like a missing one
    assert login(drafter_b).get(url.replace(str(report.pk), str(report.pk + 100))).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_permissions_come_in_pairs_that_agree(receive, office, drafter_a, drafter_b, handler_a, make_user, login):
    about_a, shared, answered = receive(page_url=GUIDE_A), receive(page_url="/xxgk/"), receive(page_url=GUIDE_A)
    report_acknowledge(report=shared, actor=office)
    report_answer(report=answered, actor=office, answer="已更正。")
    users = [office, drafter_a, drafter_b, handler_a, make_user("plain", is_staff=True)]
    pairs = [
        (permissions.can_view_report, permissions.viewable_reports),
        (permissions.can_acknowledge_report, permissions.acknowledgeable_reports),
        (permissions.can_answer_report, permissions.answerable_reports),
        (permissions.can_see_report_contact, permissions.contact_visible_reports),
    ]
    for user in users:
        for can, which in pairs:
            listed = set(which(user).values_list("pk", flat=True))
            for report in (about_a, shared, answered):
                report.refresh_from_db()
                assert can(user, report) == (report.pk in listed), (user.username, can.__name__, report.page_url)
    assert set(permissions.viewable_reports(handler_a)) == {about_a, answered}  # staff of the page's organisation
    assert not permissions.viewable_reports(drafter_b).exists()
    assert not permissions.answerable_reports(drafter_a).exists()


# --- Services and the admin: the only write paths --------------------------------------------------------------------


def test_the_services_check_the_state_and_the_role(receive, office, drafter_a):
    report = receive(page_url=GUIDE_A)
    with refused(ErrorReportError, "forbidden"):
        report_acknowledge(report=report, actor=drafter_a)
    with pytest.raises(ActorRequired):
        report_answer(report=report, actor=None, answer="已更正。")  # type: ignore[arg-type]
    report = report_acknowledge(report=report, actor=office)
    with refused(ErrorReportError, "wrong_state"):
        report_acknowledge(report=report, actor=office)
    with refused(ErrorReportError, "reason_missing"):
        report_answer(report=report, actor=office, answer="   ")
    with refused(ErrorReportError, "too_long"):
        report_answer(report=report, actor=office, answer="字" * 2001)
    report = report_answer(report=report, actor=office, answer="已更正。")
    with refused(ErrorReportError, "wrong_state"):
        report_decline(report=report, actor=office, reason="重复留言。")
    assert [e.action for e in report.events.all()] == ["received", "acknowledged", "answered"]
    assert [(e.from_status, e.to_status) for e in report.events.all()] == [
        ("", "received"),
        ("received", "acknowledged"),
        ("acknowledged", "answered"),
    ]


def test_an_answer_on_the_first_day_also_acknowledges(receive, office, clock):
    report = receive("2026-11-20 15:00")
    clock("2026-11-20 16:00")
    report = report_answer(report=report, actor=office, answer="已更正。")
    assert report.acknowledged_at == report.answered_at and report.acknowledged_by == office


def test_r13_a_public_answer_with_personal_data_is_refused(receive, office):
    report = receive()
    with refused(ErrorReportError, "personal_data"):
        report_answer(report=report, actor=office, answer=f"请留言人（身份证 {VALID_RESIDENT_ID}）来电核实。")
    with refused(ErrorReportError, "personal_data"):
        report_answer(report=report, actor=office, answer=f"已电话联系 {PHONE}。")
    report.refresh_from_db()
    assert report.status == "received" and report.answer == ""


def test_every_state_change_is_in_the_audit_log_by_code_only(receive, office):
    report = receive()
    report_acknowledge(report=report, actor=office)
    report_decline(report=report, actor=office, reason=f"{NAME}反映的问题不属于本网站。")
    rows = AuditEvent.objects.filter(object_type="errorreports.errorreport", kind=AuditEvent.Kind.STATE_CHANGED)
    assert list(rows.order_by("seq").values_list("summary", "object_label")) == [
        ("收到留言", report.tracking_code),
        ("确认收到", report.tracking_code),
        ("不予处理", report.tracking_code),
    ]
    assert rows.filter(actor=office).count() == 2
    assert NAME not in raw_rows("auditlog_auditevent") and DESCRIPTION not in raw_rows("auditlog_auditevent")


def test_the_admin_offers_no_write_path_around_the_services(receive, office, login):
    report = receive()
    model_admin = admin.site._registry[ErrorReport]
    assert model_admin.actions is None and not model_admin.list_editable
    client = login(office)
    changelist = client.get(reverse("admin:errorreports_errorreport_changelist")).content.decode()
    assert report.tracking_code in changelist
    assert "action-checkbox" not in changelist and 'name="action"' not in changelist and "form-0-" not in changelist
    assert 'href="/admin/errorreports/errorreport/add/"' not in changelist
    change = reverse("admin:errorreports_errorreport_change", args=[report.pk])
    assert client.post(change, {"status": "answered", "answer": "改掉"}).status_code == 405
    assert client.get(reverse("admin:errorreports_errorreport_add")).status_code == 404
    assert (
        client.post(reverse("admin:errorreports_errorreport_delete", args=[report.pk]), {"post": "yes"}).status_code
        == 403
    )
    version = report.history.latest().history_id
    revert = reverse("admin:errorreports_errorreport_simple_history", args=[report.pk, version])
    assert client.get(revert).status_code == 404 and client.post(revert, {"status": "answered"}).status_code == 404
    assert client.get(reverse("admin:errorreports_errorreport_history", args=[report.pk])).status_code == 200
    report.refresh_from_db()
    assert report.status == "received" and report.answer == "" and ErrorReport.objects.count() == 1
    assert report.history.count() == 1


def test_the_office_acknowledges_and_answers_through_the_buttons_and_a_refused_answer_keeps_the_text(
    receive, office, drafter_a, login, citizen
):
    report = receive(page_url=GUIDE_A)
    client = login(office)
    change = reverse("admin:errorreports_errorreport_change", args=[report.pk])
    page = client.get(change).content.decode()
    action = lambda name: reverse("admin:errorreports_errorreport_action", args=[report.pk, name])  # noqa: E731
    assert action("acknowledge") in page and action("answer") in page and action("decline") in page
    assert login(drafter_a).get(action("acknowledge")).status_code == 404  # the organisation reads, the office acts
    assert client.post(action("acknowledge")).status_code == 302
    report.refresh_from_db()
    assert report.status == "acknowledged" and report.acknowledged_by == office
    assert action("acknowledge") not in client.get(change).content.decode()
    assert client.get(action("acknowledge")).status_code == 404
    refused = client.post(action("answer"), {"answer": f"请拨打 {PHONE} 联系我们。"})
    assert refused.status_code == 400 and "发现疑似个人信息" in refused.content.decode()
    assert f"请拨打 {PHONE} 联系我们。" in refused.content.decode()  # the office's own text, kept
    assert client.post(action("answer"), {"answer": "指南中的下载链接已修复。"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "answered" and report.answered_by == office
    assert "指南中的下载链接已修复。" in citizen.get(reverse("errorreports:answers")).content.decode()


def test_the_queue_puts_overdue_reports_first_and_filters_by_status_and_deadline(receive, office, login, clock):
    late = receive("2026-11-17 09:00")  # acknowledgement due on the 18th
    fresh = receive("2026-11-20 15:00")  # acknowledgement due on the 23rd
    working = receive("2026-11-19 09:00")
    done = receive("2026-11-16 09:00")
    clock("2026-11-20 16:00")
    report_acknowledge(report=working, actor=office)  # now worked against its answer, due on the 26th
    report_answer(report=done, actor=office, answer="已更正。")
    client = login(office)
    url = reverse("admin:errorreports_errorreport_changelist")
    html = client.get(url).content.decode()
    order = [html.index(r.tracking_code) for r in (late, fresh, working, done)]
    assert order == sorted(order)
    assert "（已逾期）" in html
    overdue = client.get(url, {"due": "ack_overdue"}).content.decode()
    assert late.tracking_code in overdue and fresh.tracking_code not in overdue
    answered = client.get(url, {"status__exact": "answered"}).content.decode()
    assert done.tracking_code in answered and late.tracking_code not in answered


def test_the_answer_is_mailed_to_a_reporter_who_left_an_address(receive, office, django_capture_on_commit_callbacks):
    report = receive()
    silent = receive(contact_email="")
    with django_capture_on_commit_callbacks(execute=True):
        report_answer(report=report, actor=office, answer="已更正，感谢您的指正。")
        report_answer(report=silent, actor=office, answer="已更正。")
    told = Notification.objects.get(key=f"errorreport:{report.pk}:answered")
    assert told.recipients == [EMAIL] and "已更正，感谢您的指正。" in told.body and report.tracking_code in told.subject
    assert not Notification.objects.filter(key=f"errorreport:{silent.pk}:answered").exists()
    assert any(m.to == [EMAIL] and "已答复" in m.subject for m in mail.outbox)


def test_the_demo_has_reports_in_every_state_one_answered_publicly(db, citizen, clock):
    from catalog import demo as catalog_demo
    from errorreports import demo

    clock("2026-11-25 10:00")
    catalog_demo.load(write=lambda line: None)
    demo.load(write=lambda line: None)
    reports = ErrorReport.objects.all()
    assert set(reports.values_list("status", flat=True)) == set(ErrorReport.Status.values)
    assert any(r.is_overdue() for r in reports.filter(status="received"))
    answered = reports.get(status="answered")
    assert answered.answer in citizen.get(reverse("errorreports:answers")).content.decode()
    assert reports.filter(contact_phone="").count() < reports.count()  # some left a contact
    demo.load(write=lambda line: None)  # again: nothing doubled
    assert ErrorReport.objects.count() == reports.count() == 5
