"""The anonymous page cache (core/pagecache.py): a repeated anonymous page costs no query, carries ETag,
Last-Modified and ``Cache-Control: public, max-age=60`` and answers conditional requests with 304; staff, sessions,
POSTs and form errors never reach it; nothing that is not public ever enters it, and a withdrawal retires every page
that named the document at the next request. Redis is never a dependency: with it stopped, pages answer uncached and
writes still commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.services import catalogue_node_save, organisation_save
from core import pagecache, pubversion
from disclosure.grounds import Ground
from disclosure.models import Document
from disclosure.services import (
    document_import,
    document_submit,
    document_validity_set,
    document_withdraw,
    documents_publish_due,
)
from tests.conftest import SYSTEM
from tests.test_redis_faults import private_redis  # noqa: F401  (the fixture: a Redis this test may stop)

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "page-cache-tests"}}
PUBLIC = "public, max-age=60"


@pytest.fixture(autouse=True)
def page_cache_on(settings) -> None:
    """The page cache as deployed, in a key space of this test's own: the Redis of scripts/test outlives each test's
    rolled-back database, so pages cached by an earlier test must be unreachable (a bump of the epoch does that)."""
    settings.GOVOPEN_PAGE_CACHE_SECONDS = 300
    settings.GOVOPEN_PAGE_CACHE_MAX_AGE = 60
    pagecache.reset_fault_state()
    pubversion.bump_now()


def queries(client: Client, url: str, **extra: object) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return len(captured.captured_queries), response


def document_url(document: Document) -> str:
    return reverse("disclosure:document", args=document.index_path)


@pytest.fixture
def public_doc(org_a, drafter_a, reviewer_a, make_document, publish, topic, node_a) -> Callable[..., Document]:
    def make(**changes: object) -> Document:
        return publish(make_document(org_a, drafter_a, nodes=[node_a], topic=topic, **changes), drafter_a, reviewer_a)

    return make


def pages_naming(document: Document, node_a) -> list[str]:
    """Home, the document, its catalogue item and a search that finds it: each names it by title or link."""
    return [
        reverse("disclosure:home"),
        document_url(document),
        reverse("disclosure:node", args=[node_a.pk]),
        reverse("disclosure:search") + "?q=%E5%85%AC%E5%9B%AD",  # 公园
    ]


def cached_html(client: Client, url: str) -> str:
    """The page, asked twice: the second answer must come from the cache (no query) and be the same."""
    first = client.get(url)
    count, again = queries(client, url)
    assert count == 0 and again.content == first.content, url
    return again.content.decode()


def names(html: str, document: Document) -> bool:
    # Search highlights the matched words inside titles, so a title is looked for with its link as well.
    return document.title in html or f'href="{document_url(document)}"' in html


# --- Served from the cache ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["redis", "locmem"])
def test_it_serves_a_repeated_anonymous_page_from_the_cache_without_a_single_query(
    backend, public_doc, node_a, django_assert_num_queries
):
    with override_settings(**({"CACHES": LOCMEM} if backend == "locmem" else {})):
        document = public_doc(title="关于公园开放时间调整的通知", body="公园开放时间调整为早六点至晚十点。")
        citizen = Client()
        for url in [*pages_naming(document, node_a), reverse("disclosure:catalogue", args=["A001"])]:
            first = citizen.get(url)
            assert first.status_code == 200, url
            assert first["Cache-Control"] == PUBLIC and first["ETag"] and first["Last-Modified"], url
            with django_assert_num_queries(0):
                again = citizen.get(url)
            assert again.status_code == 200 and again.content == first.content, url
            assert again["ETag"] == first["ETag"] and again["Cache-Control"] == PUBLIC
            assert again["Content-Security-Policy"] and again["X-Frame-Options"] == "DENY"


def test_it_keys_the_query_string_by_its_sorted_parameters(public_doc, django_assert_num_queries):
    public_doc(title="关于公园开放时间调整的通知")
    citizen = Client()
    first = citizen.get("/search/?q=%E5%85%AC%E5%9B%AD&org=A001")
    with django_assert_num_queries(0):
        same = citizen.get("/search/?org=A001&q=%E5%85%AC%E5%9B%AD")
    assert same.content == first.content
    count, other = queries(citizen, "/search/?q=%E5%85%AC%E5%9B%AD&org=B002")
    assert count > 0 and "关于公园开放时间调整的通知" not in other.content.decode()


def test_it_answers_304_to_if_none_match_and_to_if_modified_since(public_doc, django_assert_num_queries):
    document = public_doc(title="关于公园开放时间调整的通知")
    citizen = Client()
    first = citizen.get(document_url(document))
    with django_assert_num_queries(0):
        by_etag = citizen.get(document_url(document), HTTP_IF_NONE_MATCH=first["ETag"])
        by_date = citizen.get(document_url(document), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        other_etag = citizen.get(document_url(document), HTTP_IF_NONE_MATCH='"something-else"')
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.content == b"" and by_etag["ETag"] == first["ETag"]
    assert other_etag.status_code == 200 and other_etag.content == first.content


# --- Never for anyone in particular -------------------------------------------------------------------------------


def test_it_never_serves_or_stores_pages_for_signed_in_staff(public_doc, reviewer_a, login):
    public_doc(title="关于公园开放时间调整的通知")
    staff = login(reviewer_a)
    home = reverse("disclosure:home")
    for _ in range(2):
        count, page = queries(staff, home)
        assert count > 0 and page.status_code == 200
        assert "public" not in page.get("Cache-Control", "")
    count, anonymous = queries(Client(), home)
    assert count > 0, "the staff member's page was stored"
    assert anonymous["Cache-Control"] == PUBLIC


@pytest.mark.parametrize("cookie", ["sessionid", "messages", "unknown_tracker"])
def test_it_bypasses_the_cache_for_any_cookie_that_may_identify_the_visitor(cookie, public_doc):
    public_doc(title="关于公园开放时间调整的通知")
    home = reverse("disclosure:home")
    assert Client().get(home)["Cache-Control"] == PUBLIC  # cached for anonymous visitors
    visitor = Client()
    visitor.cookies[cookie] = "someone"
    for _ in range(2):
        count, page = queries(visitor, home)
        assert count > 0 and "public" not in page.get("Cache-Control", "")


def test_it_serves_the_cache_to_a_visitor_who_only_has_the_csrf_cookie(public_doc, django_assert_num_queries):
    public_doc(title="关于公园开放时间调整的通知")
    home = reverse("disclosure:home")
    Client().get(home)
    visitor = Client()
    visitor.cookies["csrftoken"] = "x" * 32
    with django_assert_num_queries(0):
        assert visitor.get(home)["Cache-Control"] == PUBLIC


def test_it_never_caches_a_post_nor_serves_one_from_the_cache(org_a):
    url = reverse("catalog:organisation", args=[org_a.code])  # a page that answers POST as well as GET
    citizen = Client()
    posted = citizen.post(url)
    assert posted.status_code == 200 and "public" not in posted.get("Cache-Control", "")
    count, first_get = queries(citizen, url)
    assert count > 0, "the POST's response was stored"
    assert first_get["Cache-Control"] == PUBLIC
    with CaptureQueriesContext(connection) as captured:
        again = citizen.post(url)
    assert len(captured.captured_queries) > 0 and "public" not in again.get("Cache-Control", "")


def test_it_never_caches_a_page_with_a_form_error(org_a, work_calendar, settings):
    # Even if the applicant pages were not excluded by path, the refusal (400) and the form (a CSRF token, set in a
    # cookie) would not be stored.
    settings.GOVOPEN_PAGE_CACHE_EXCLUDED_PATHS = ("/admin/",)
    assert Client().get(reverse("disclosure:home"))["Cache-Control"] == PUBLIC
    citizen = Client()
    refused = citizen.post(reverse("requests:apply"), {"organisation": org_a.pk, "applicant_name": "欧阳独一无二"})
    assert refused.status_code == 400 and "欧阳独一无二" in refused.content.decode()
    assert "public" not in refused.get("Cache-Control", "")
    for _ in range(2):
        count, page = queries(Client(), reverse("requests:apply"))
        assert count > 0 and page.status_code == 200
        assert "欧阳独一无二" not in page.content.decode() and "public" not in page.get("Cache-Control", "")


# --- Nothing that is not public --------------------------------------------------------------------------------------


def test_it_never_lets_a_document_that_is_not_public_into_a_cached_page(
    org_a,
    drafter_a,
    reviewer_a,
    make_document,
    publish,
    node_a,
    topic,
    django_capture_on_commit_callbacks,
):
    public = publish(
        make_document(org_a, drafter_a, nodes=[node_a], topic=topic, title="关于公园开放的公告", body="公园开放。"),
        drafter_a,
        reviewer_a,
    )
    draft = make_document(org_a, drafter_a, nodes=[node_a], title="公园草稿甲", body="公园机密草稿正文")
    in_review = make_document(org_a, drafter_a, nodes=[node_a], title="公园待审乙", body="公园待审正文")
    with django_capture_on_commit_callbacks(execute=True):
        document_submit(document=in_review, actor=drafter_a)
    withheld = publish(
        make_document(
            org_a,
            drafter_a,
            nodes=[node_a],
            title="公园不予公开丙",
            body="公园不予公开正文",
            attribute="withheld",
            ground=Ground.INTERNAL_AFFAIRS,
            reason="内部事务",
        ),
        drafter_a,
        reviewer_a,
    )
    on_request = publish(
        make_document(
            org_a,
            drafter_a,
            nodes=[node_a],
            title="公园依申请丁",
            body="公园依申请正文",
            attribute="on_request",
            ground=Ground.THIRD_PARTY,
            reason="第三方",
        ),
        drafter_a,
        reviewer_a,
    )
    assert withheld.status == on_request.status == Document.Status.APPROVED
    hidden = [draft, in_review, withheld, on_request]
    citizen = Client()
    for url in pages_naming(public, node_a):
        html = cached_html(citizen, url)  # what the cache holds
        assert names(html, public), url
        for document in hidden:
            assert not names(html, document) and document.body_text not in html, (url, document.title)
    for document in hidden:
        for _ in range(2):
            count, missing = queries(citizen, document_url(document))
            assert missing.status_code == 404 and count > 0 and "public" not in missing.get("Cache-Control", "")
    # The 依申请公开目录 names the on-request document by law (R10: metadata only); never its body.
    directory = citizen.get(reverse("disclosure:on_request")).content.decode()
    assert on_request.title in directory and on_request.body_text not in directory
    assert all(d.title not in directory for d in (draft, in_review, withheld))


def test_it_drops_a_withdrawn_document_from_every_cached_page_at_the_next_request(
    public_doc,
    node_a,
    org_b,
    reviewer_a,
    office,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    document = public_doc(title="关于公园开放时间调整的通知", body="公园开放时间调整为早六点至晚十点。")
    # Another organisation's document names it as 现行文件: a page outside the withdrawn document's organisation.
    older = document_import(
        organisation=org_b,
        actor=SYSTEM,
        published_at=timezone.now() - dt.timedelta(days=30),
        changes={
            "title": "旧的公园管理办法",
            "written_on": dt.date(2026, 1, 5),
            "attribute": "proactive",
            "body": "旧办法正文。",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        document_validity_set(document=older, actor=office, validity="amended", successor=document)
    urls = [*pages_naming(document, node_a), document_url(older)]
    citizen = Client()
    for url in urls:
        assert names(citizen.get(url).content.decode(), document), url
        with django_assert_num_queries(0):
            assert names(citizen.get(url).content.decode(), document), url

    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=document, actor=reviewer_a, reason="内容已过期")

    assert citizen.get(document_url(document)).status_code == 404
    for url in [u for u in urls if u != document_url(document)]:
        page = citizen.get(url)
        assert page.status_code == 200 and not names(page.content.decode(), document), url


def test_it_never_stores_a_staff_preview(org_a, drafter_a, make_document, login, settings):
    settings.GOVOPEN_PAGE_CACHE_EXCLUDED_PATHS = ()  # the session cookie alone keeps it out
    assert Client().get(reverse("disclosure:home"))["Cache-Control"] == PUBLIC
    draft = make_document(org_a, drafter_a, title="尚未公开的草稿标题", body="草稿里尚未公开的正文")
    preview = reverse("admin:disclosure_document_change", args=[draft.pk])
    staff_page = login(drafter_a).get(preview)
    assert staff_page.status_code == 200 and "尚未公开的草稿标题" in staff_page.content.decode()
    assert "public" not in staff_page.get("Cache-Control", "")
    anonymous = Client().get(preview)
    assert anonymous.status_code == 302 and "尚未公开的草稿标题" not in anonymous.content.decode()


# --- Versions ------------------------------------------------------------------------------------------------------


def test_it_shows_a_scheduled_publication_a_validity_change_and_catalogue_changes_at_the_next_request(
    org_a,
    drafter_a,
    reviewer_a,
    office,
    make_document,
    publish,
    node_a,
    django_capture_on_commit_callbacks,
):
    scheduled = publish(
        make_document(org_a, drafter_a, nodes=[node_a], title="定时发布的公园通告"),
        drafter_a,
        reviewer_a,
        publish_at=timezone.now() + dt.timedelta(hours=1),
    )
    citizen = Client()
    home, node_url = reverse("disclosure:home"), reverse("disclosure:node", args=[node_a.pk])
    assert not names(cached_html(citizen, home), scheduled)
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_publish_due(now=timezone.now() + dt.timedelta(hours=2)) == [scheduled.pk]
    assert names(citizen.get(home).content.decode(), scheduled)

    assert "本文件已废止" not in cached_html(citizen, document_url(scheduled))
    with django_capture_on_commit_callbacks(execute=True):
        document_validity_set(document=scheduled, actor=office, validity="repealed", repealed_on=dt.date(2026, 11, 20))
    assert "本文件已废止" in citizen.get(document_url(scheduled)).content.decode()

    assert "工作动态" in cached_html(citizen, node_url) and "甲市城市管理局" in cached_html(citizen, home)
    node_a.name = "工作进展通报"
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_node_save(node=node_a, actor=office)
    assert "工作进展通报" in citizen.get(node_url).content.decode()
    assert "工作进展通报" in citizen.get(document_url(scheduled)).content.decode()  # an organisation's own page

    org_a.name = "甲市城市管理和综合执法局"
    with django_capture_on_commit_callbacks(execute=True):
        organisation_save(organisation=org_a, actor=SYSTEM)
    for url in (home, document_url(scheduled), node_url):
        assert "甲市城市管理和综合执法局" in citizen.get(url).content.decode(), url


def test_it_keeps_other_organisations_pages_cached_when_one_organisation_publishes(
    public_doc, org_b, django_assert_num_queries
):
    other = document_import(
        organisation=org_b,
        actor=SYSTEM,
        published_at=timezone.now() - dt.timedelta(days=2),
        changes={
            "title": "乙市统计公报",
            "written_on": dt.date(2026, 3, 1),
            "attribute": "proactive",
            "body": "统计。",
        },
    )
    citizen = Client()
    citizen.get(document_url(other))
    citizen.get(reverse("disclosure:home"))
    public_doc(title="关于公园开放时间调整的通知")  # published in A001, bumps run on commit
    with django_assert_num_queries(0):
        assert citizen.get(document_url(other)).status_code == 200
    count, home = queries(citizen, reverse("disclosure:home"))
    assert count > 0 and "关于公园开放时间调整的通知" in home.content.decode()


def test_it_bumps_the_versions_only_after_the_commit(org_a, django_capture_on_commit_callbacks):
    before = pubversion.versions(organisation_code="A001")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pubversion.publication_changed(org_a)
        assert pubversion.versions(organisation_code="A001") == before
    for callback in callbacks:
        callback()
    after = pubversion.versions(organisation_code="A001")
    assert after[0] == before[0] and after[1] > before[1]
    assert pubversion.versions(organisation_code=None)[1] > 0


def test_it_lets_the_indexer_retire_cached_search_pages_without_touching_organisation_pages(
    org_a, django_capture_on_commit_callbacks
):
    before_org, before_all = pubversion.versions(organisation_code="A001"), pubversion.versions(organisation_code=None)
    with django_capture_on_commit_callbacks(execute=True):
        pubversion.search_changed()
    assert pubversion.versions(organisation_code="A001") == before_org
    after_all = pubversion.versions(organisation_code=None)
    assert after_all[0] == before_all[0] and after_all[1] > before_all[1]


# --- Redis down --------------------------------------------------------------------------------------------------------


def test_it_serves_pages_uncached_and_keeps_writes_working_with_the_cache_down(
    private_redis,
    public_doc,
    reviewer_a,
    caplog,
    django_capture_on_commit_callbacks,
):
    document = public_doc(title="关于公园开放时间调整的通知")
    citizen = Client()
    assert citizen.get(document_url(document)).status_code == 200  # cached in the private Redis
    private_redis.stop()
    with caplog.at_level(logging.WARNING):
        for url in (reverse("disclosure:home"), document_url(document), "/search/?q=%E5%85%AC%E5%9B%AD"):
            for _ in range(2):
                count, page = queries(citizen, url)
                assert page.status_code == 200 and count > 0, url
        with django_capture_on_commit_callbacks(execute=True):
            document_withdraw(document=document, actor=reviewer_a, reason="内容已过期")  # commits; no raise
    document.refresh_from_db()
    assert document.status == Document.Status.WITHDRAWN
    messages = [r.getMessage() for r in caplog.records]
    assert any("page cache: cache unavailable" in m for m in messages)
    assert any("publication version not bumped" in m for m in messages)
    assert citizen.get(document_url(document)).status_code == 404

    private_redis.start()  # an empty Redis: nothing stale survives a restart
    pagecache.reset_fault_state()
    citizen.get(reverse("disclosure:home"))
    count, home = queries(citizen, reverse("disclosure:home"))
    assert count == 0 and document.title not in home.content.decode()
