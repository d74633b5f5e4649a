"""The work behind an uncached document page and behind a page served from the anonymous page cache (issue 15, goal
4): the document page reads only the columns it shows, in three queries with everything on it; the site's header
and footer are rendered once per kind of page, not on every request; a cached page costs one round trip to Redis.
Speed itself is measured in bench/, never here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import pagecache, pubversion
from disclosure import selectors
from disclosure.content import check_upload
from disclosure.models import Document
from disclosure.services import attachment_add, document_import, document_validity_set
from govopen.context_processors import reset_site_chrome
from tests.conftest import SYSTEM

# Columns no part of the document page shows: the search text (as long as the body), a file's extracted text, the
# workflow's notes, and the columns of catalogue items beyond their name.
UNSHOWN_COLUMNS = ('"body_text"', '"extracted_text"', '"withdraw_reason"', '"personal_data_note"', '"elements"')


@pytest.fixture
def full_document(
    org_a,
    org_b,
    drafter_a,
    reviewer_a,
    office,
    make_document,
    publish,
    topic,
    node_a,
    django_capture_on_commit_callbacks,
) -> tuple[Document, Document]:
    """A public document with a file, a catalogue item and a topic, amended by another (its 现行文件)."""
    current = publish(
        make_document(
            org_a,
            drafter_a,
            nodes=[node_a],
            topic=topic,
            title="公园管理办法（修订）",
            body="修订后的公园管理办法全文。",
        ),
        drafter_a,
        reviewer_a,
    )
    older = make_document(
        org_a,
        drafter_a,
        nodes=[node_a],
        topic=topic,
        title="公园管理办法",
        document_number="甲城管〔2025〕3号",
        body="<p>公园管理办法全文。</p>",
    )
    attachment_add(
        document=older,
        actor=drafter_a,
        upload=check_upload(SimpleUploadedFile("实施细则.txt", "细则附件的正文文字".encode())),
    )
    older = publish(older, drafter_a, reviewer_a)
    with django_capture_on_commit_callbacks(execute=True):
        document_validity_set(document=older, actor=office, validity="amended", successor=current)
    older.refresh_from_db()
    return older, current


def test_it_renders_a_full_document_page_in_three_queries_of_only_the_columns_it_shows(full_document):
    older, current = full_document
    with CaptureQueriesContext(connection) as captured:
        page = Client().get(reverse("disclosure:document", args=older.index_path))
    html = page.content.decode()
    assert page.status_code == 200
    # Everything the page shows is there: metadata, topic, body, file, catalogue item, the 现行文件 link.
    for shown in (
        "公园管理办法全文",
        "甲城管〔2025〕3号",
        "城市管理",
        "实施细则.txt",
        "工作动态",
        "本文件已修订",
        current.title,
        reverse("disclosure:document", args=current.index_path),
    ):
        assert shown in html, shown
    assert "细则附件的正文文字" not in html
    sql = [query["sql"] for query in captured.captured_queries]
    assert len(sql) == 3, sql  # the document with its relations, its files, its catalogue items
    for column in UNSHOWN_COLUMNS:
        assert not any(column in statement for statement in sql), column


def test_it_renders_the_site_header_and_footer_once_per_kind_of_page(public_document_pair):
    document, other = public_document_pair
    reset_site_chrome()
    first = Client().get(reverse("disclosure:document", args=document.index_path))
    assert {"_site_header.html", "_site_footer.html"} <= {t.name for t in first.templates}
    again = Client().get(reverse("disclosure:document", args=other.index_path))
    assert not {"_site_header.html", "_site_footer.html"} & {t.name for t in again.templates}
    header = first.content.decode().split("<body>", 1)[1].split("<main", 1)[0]
    assert header == again.content.decode().split("<body>", 1)[1].split("<main", 1)[0]
    # The current navigation item still follows the page.
    home = Client().get(reverse("disclosure:home")).content.decode()
    search = Client().get(reverse("disclosure:search")).content.decode()
    assert f'<a href="{reverse("disclosure:home")}" aria-current="page">' in home
    assert f'<a href="{reverse("disclosure:search")}" aria-current="page">' in search
    assert f'<a href="{reverse("disclosure:home")}" aria-current="page">' not in search
    assert "aria-current" not in header


@pytest.fixture
def public_document_pair(org_a) -> tuple[Document, Document]:
    def make(title: str) -> Document:
        return document_import(
            organisation=org_a,
            actor=SYSTEM,
            published_at=timezone.now() - dt.timedelta(days=1),
            changes={"title": title, "written_on": dt.date(2026, 3, 1), "attribute": "proactive", "body": "正文。"},
        )

    return make("公园开放公告"), make("公园闭园公告")


def redis_commands() -> int:
    """Commands the cache's Redis has processed so far (this INFO included)."""
    client = caches["default"]._cache.get_client(write=True)
    return int(client.info("stats")["total_commands_processed"])


def test_it_serves_a_cached_page_with_one_round_trip_to_redis(
    settings, public_document_pair, django_assert_num_queries
):
    settings.GOVOPEN_PAGE_CACHE_SECONDS = 300
    pagecache.reset_fault_state()
    pubversion.bump_now()
    document, _ = public_document_pair
    url = reverse("disclosure:document", args=document.index_path)
    citizen = Client()
    first = citizen.get(url)
    assert first["Cache-Control"] == "public, max-age=60"
    before = redis_commands()
    with django_assert_num_queries(0):
        again = citizen.get(url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # The epoch, the organisation's version and the page in one command (the second INFO is the other one).
    assert redis_commands() - before == 2


def instance_state(obj: object) -> dict[str, object]:
    """An instance's loaded values and the related objects cached on it, recursively (not Django's ``_state``)."""
    if obj is None:
        return {}
    values = {k: v for k, v in vars(obj).items() if k != "_state"}
    related = {name: instance_state(cached) for name, cached in obj._state.fields_cache.items()}
    return {"values": values, "related": related, "deferred": sorted(obj.get_deferred_fields())}


def test_the_compiled_reads_give_the_instances_their_querysets_give(full_document, org_a):
    older, current = full_document
    now = timezone.now()
    for document in (older, current):
        code, number = document.index_path
        compiled = selectors.public_document(code=code, number=number)
        plain = list(selectors._public_document_rows(now=now, index_no=document.index_no))[0]
        assert instance_state(compiled) == instance_state(plain)
        assert [instance_state(n) for n in selectors.document_catalogue_items(compiled)] == [
            instance_state(n) for n in selectors._catalogue_item_rows(document_id=document.pk)
        ]
    assert instance_state(older)["values"]["successor_id"] == current.pk
    # Not public, or not there: no row, as before.
    assert selectors.public_document(code=org_a.code, number="2026-99999") is None
    with published_tomorrow(older):
        assert selectors.public_document(code=org_a.code, number=older.index_path[1]) is None


class published_tomorrow:
    """The document's publication time moved to tomorrow for the duration."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def __enter__(self) -> None:
        Document.objects.filter(pk=self.document.pk).update(published_at=timezone.now() + dt.timedelta(days=1))

    def __exit__(self, *exc: object) -> None:
        Document.objects.filter(pk=self.document.pk).update(published_at=self.document.published_at)
