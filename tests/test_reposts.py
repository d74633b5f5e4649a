"""Reposts of superior policies (R18): the 1-working-day deadline on the R1 calendar, the hours rule, the repost
document, and the feed importer on stored feeds (new, duplicate, malformed)."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
import zoneinfo
from pathlib import Path

import pytest
from django.urls import reverse

from disclosure.feeds import feed_poll
from disclosure.models import Document, FeedSource, Repost
from disclosure.reposts import repost_deadline, repost_dismiss, repost_draft, repost_register
from disclosure.services import DocumentError, document_approve, document_submit
from tests.conftest import refused

FEEDS = Path(__file__).parent / "feeds"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def register(organisation, actor, *, when: str, url: str = "https://www.gov.cn/zhengce/1.htm", **extra):
    values = {
        "level": "state",
        "kind": "policy",
        "source_organisation": "国务院办公厅",
        "source_url": url,
        "title": "国务院办公厅关于优化政务服务的意见",
        "source_published_at": at(when),
        **extra,
    }
    return repost_register(organisation=organisation, actor=actor, **values)


def test_r18_registered_on_the_friday_before_a_makeup_saturday_is_due_that_saturday(work_calendar):
    # 2026-02-14 is the 调休 working Saturday before 春节 (R4).
    deadline = repost_deadline(at("2026-02-13 16:00"))
    assert timezone_local(deadline.due_at) == at("2026-02-14 23:59:59")
    assert not deadline.provisional


def timezone_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(SHANGHAI)


def test_r18_an_ordinary_friday_is_due_on_monday_and_a_holiday_eve_after_the_holiday(work_calendar):
    assert timezone_local(repost_deadline(at("2026-11-20 10:00")).due_at) == at("2026-11-23 23:59:59")
    # 春节 2026: 02-15 to 02-23 off, so a source published on Saturday 02-14 is due on Tuesday 02-24.
    assert timezone_local(repost_deadline(at("2026-02-14 11:00")).due_at) == at("2026-02-24 23:59:59")


def test_r18_the_hours_rule_some_provinces_use(settings):
    settings.GOVOPEN_REPOST_DEADLINE = (8, "h")
    deadline = repost_deadline(at("2026-11-20 17:00"))
    assert timezone_local(deadline.due_at) == at("2026-11-21 01:00")
    assert deadline.rule == "8 小时"


def test_r18_a_deadline_in_an_unloaded_year_is_provisional(db):
    assert repost_deadline(at("2031-06-06 10:00")).provisional


def test_r18_registration_checks_source_facts_and_recognises_duplicates(org_a, drafter_a, clock, work_calendar):
    clock("2026-11-20 10:00")
    with pytest.raises(DocumentError) as caught:
        register(org_a, drafter_a, when="2026-11-20 09:00", url="ftp://x", source_organisation="")
    assert "请填写来源机构。" in caught.value.problems
    assert "原文链接须以 http:// 或 https:// 开头。" in caught.value.problems
    with refused(DocumentError, "source_time_future"):
        register(org_a, drafter_a, when="2026-11-21 09:00")
    repost = register(org_a, drafter_a, when="2026-11-20 09:00")
    assert timezone_local(repost.due_at) == at("2026-11-23 23:59:59")
    with refused(DocumentError, "duplicate"):
        register(org_a, drafter_a, when="2026-11-20 09:00", url="http://gov.cn/zhengce/1.htm/#top")
    with refused(DocumentError, "duplicate"):
        register(
            org_a,
            drafter_a,
            when="2026-11-19 20:00",
            url="https://www.sh.gov.cn/x.htm",
            title="国务院办公厅关于优化政务服务的意见 ",
        )


def test_r18_the_repost_becomes_a_document_naming_its_source_and_publishing_stops_the_clock(
    org_a, drafter_a, reviewer_a, clock, work_calendar, citizen, django_capture_on_commit_callbacks
):
    clock("2026-11-20 10:00")
    repost = register(org_a, drafter_a, when="2026-11-20 09:00")
    document = repost_draft(repost=repost, actor=drafter_a)
    assert document.issuer == "国务院办公厅" and document.status == Document.Status.DRAFT
    document_submit(document=document, actor=drafter_a)  # a superior policy needs no interpretation of ours (R15)
    clock("2026-11-23 15:00")
    with django_capture_on_commit_callbacks(execute=True):
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    repost.refresh_from_db()
    assert repost.status == Repost.Status.PUBLISHED and not repost.is_late
    page = citizen.get(reverse("disclosure:document", args=document.index_path)).content.decode()
    assert "转载来源" in page and "https://www.gov.cn/zhengce/1.htm" in page
    # Reposts have transition rows like every reviewed record (core.workflow.TransitionEvent).
    events = list(repost.events.values_list("action", "from_status", "to_status", "actor"))
    assert events == [
        ("registered", "", "queued", drafter_a.pk),
        ("drafted", "queued", "drafted", drafter_a.pk),
        ("published", "drafted", "published", reviewer_a.pk),
    ]
    # A repost from before the event table: the backfill writes what its own fields prove, marked as written after.
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("disclosure.migrations.0018_backfill_repost_events")
    repost.events.all().delete()
    backfill.forwards(apps, None)
    rows = list(repost.events.values_list("action", "to_status", "actor", "at", "note"))
    assert rows == [
        ("registered", "queued", drafter_a.pk, repost.registered_at, backfill.NOTE),
        ("published", "published", None, repost.reposted_at, backfill.NOTE),
    ]
    backfill.forwards(apps, None)  # twice: nothing more
    assert repost.events.count() == 2
    backfill.backwards(apps, None)
    assert not repost.events.exists()


def test_r18_a_late_repost_is_marked_late_and_a_dismissal_needs_a_reviewer_and_a_reason(
    org_a, drafter_a, reviewer_a, clock, work_calendar
):
    clock("2026-11-20 10:00")
    repost = register(org_a, drafter_a, when="2026-11-18 09:00")
    assert repost.is_late
    with pytest.raises(DocumentError):
        repost_dismiss(repost=repost, actor=drafter_a, reason="与本机构无关")
    with refused(DocumentError, "reason_missing"):
        repost_dismiss(repost=repost, actor=reviewer_a, reason=" ")
    assert repost_dismiss(repost=repost, actor=reviewer_a, reason="与本机构职能无关").status == "dismissed"


# --- The feed importer -------------------------------------------------------------------------------------------


@pytest.fixture
def feed_source(org_a):
    def make(name: str, url: str, level: str = "state") -> FeedSource:
        return FeedSource.objects.create(name=name, url=url, level=level, source_organisation=name, organisation=org_a)

    return make


def test_r18_importer_queues_new_items_skips_old_and_incomplete_ones(feed_source, clock, work_calendar):
    clock("2026-11-20 12:00")
    source = feed_source("国务院", "https://www.gov.cn/rss.xml")
    result = feed_poll(source=source, data=(FEEDS / "state_council.rss").read_bytes())
    assert len(result.new) == 2 and result.too_old == 1 and len(result.skipped) == 1 and not result.error
    titles = set(Repost.objects.values_list("title", flat=True))
    assert "国务院关于印发《政府信息公开工作考核办法》的通知" in titles
    source.refresh_from_db()
    assert source.last_new == 2 and "跳过" in source.last_error
    again = feed_poll(source=source, data=(FEEDS / "state_council.rss").read_bytes())
    assert again.new == [] and again.duplicates == 2


def test_r18_importer_recognises_the_same_policy_relayed_by_the_province(feed_source, clock, work_calendar):
    clock("2026-11-20 19:00")
    feed_poll(
        source=feed_source("国务院", "https://www.gov.cn/rss.xml"), data=(FEEDS / "state_council.rss").read_bytes()
    )
    province = feed_source("福建省", "https://www.fujian.gov.cn/feed.atom", level="province")
    result = feed_poll(source=province, data=(FEEDS / "province.atom").read_bytes())
    assert result.duplicates == 1 and len(result.new) == 1
    added = Repost.objects.get(pk=result.new[0])
    assert added.source_url == "https://www.fujian.gov.cn/zwgk/zxwj/szfwj/202611/t20261120_2.htm"
    assert timezone_local(added.source_published_at) == at("2026-11-20 16:30")
    assert added.level == "province" and added.feed == province


def test_r18_a_malformed_feed_changes_nothing_and_says_why(feed_source, clock):
    clock("2026-11-20 12:00")
    source = feed_source("断开", "https://bad.example.gov.cn/rss.xml")
    result = feed_poll(source=source, data=(FEEDS / "malformed.xml").read_bytes())
    assert result.error.startswith("订阅内容不是格式正确的 XML")
    assert not Repost.objects.exists()
    source.refresh_from_db()
    assert source.last_error == result.error and source.last_polled_at is not None
    hostile = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel><item><title>&a;</title></item></channel></rss>'
    assert feed_poll(source=source, data=hostile).error  # entity declarations are refused (defusedxml)


@pytest.fixture
def feed_server():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(FEEDS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_r18_the_poll_job_fetches_feeds_over_http(feed_server, feed_source, clock, work_calendar):
    from disclosure.tasks import poll_feeds
    from ops.models import JobRun

    clock("2026-11-20 12:00")
    feed_source("国务院", f"{feed_server}/state_council.rss")
    feed_source("缺失", f"{feed_server}/missing.rss")
    poll_feeds()
    run = JobRun.objects.get(name="feeds-poll")
    assert run.details["国务院"]["new"] == 2
    assert "无法读取订阅" in run.details["缺失"]["error"]
    assert Repost.objects.count() == 2


def test_repost_admin_queue_and_register_form(org_a, drafter_a, drafter_b, login, clock, work_calendar):
    clock("2026-11-20 10:00")
    repost = register(org_a, drafter_a, when="2026-11-20 09:00")
    client = login(drafter_a)
    assert (
        "国务院办公厅关于优化政务服务的意见"
        in client.get(reverse("admin:disclosure_repost_changelist")).content.decode()
    )
    assert client.get(reverse("admin:disclosure_repost_change", args=[repost.pk])).status_code == 200
    assert login(drafter_b).get(reverse("admin:disclosure_repost_change", args=[repost.pk])).status_code in (302, 404)
    response = client.post(
        reverse("admin:disclosure_repost_add"),
        {
            "organisation": org_a.pk,
            "level": "province",
            "kind": "policy",
            "source_organisation": "福建省人民政府",
            "source_url": "https://www.fujian.gov.cn/a.htm",
            "title": "福建省关于某事的通知",
            "source_published_at": "2026-11-21T09:00",
        },
    )
    assert response.status_code == 400 and "不能晚于现在" in response.content.decode(), response.context[
        "adminform"
    ].form.errors
    assert "福建省关于某事的通知" in response.content.decode()  # what was typed is kept
    response = client.post(
        reverse("admin:disclosure_repost_add"),
        {
            "organisation": org_a.pk,
            "level": "province",
            "kind": "policy",
            "source_organisation": "福建省人民政府",
            "source_url": "https://www.fujian.gov.cn/a.htm",
            "title": "福建省关于某事的通知",
            "source_published_at": "2026-11-20T08:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Repost.objects.filter(level="province").exists()
    draft = client.post(reverse("admin:disclosure_repost_draft", args=[repost.pk]))
    assert draft.status_code == 302
    repost.refresh_from_db()
    assert repost.status == Repost.Status.DRAFTED
