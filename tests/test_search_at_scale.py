"""Search that stays right and bounded at a province's scale (R39, issue 15).

The page counts, ranks and facets at most ``BOUND`` candidates: the newest matches after the filters. The tests lower
the bound to a handful of documents so that both sides of it are exercised on the real PostgreSQL index.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogueNode, Section
from catalog.services import catalogue_node_save
from disclosure.models import Document, SearchEntry
from disclosure.search import backends
from disclosure.search.index import search_index_document, search_rebuild
from disclosure.search.query import search_documents
from disclosure.services import document_import, document_validity_set
from tests.conftest import SYSTEM

SEARCH = "/search/"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def small_bound(monkeypatch):
    monkeypatch.setattr(backends, "BOUND", 5)
    return 5


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_searchentry")


def titles(result) -> list[str]:
    return [hit.document.title for hit in result.hits]


def test_r39_title_matches_rank_first_then_the_newest_and_date_order_is_an_option(imported):
    imported("关于道路保洁的通知", body="涉及户外广告整治。", at="2026-05-01 09:00")
    imported("户外广告设置管理办法", at="2019-03-01 09:00")
    imported("户外广告招牌规范", at="2022-03-01 09:00")
    imported("关于夜间施工的公告", body="户外广告", at="2025-01-01 09:00")
    relevance = search_documents(query="户外广告", params={}, page_number=1)
    assert titles(relevance) == ["户外广告招牌规范", "户外广告设置管理办法", "关于道路保洁的通知", "关于夜间施工的公告"]
    by_date = search_documents(query="户外广告", params={}, page_number=1, sort="date")
    assert titles(by_date) == ["关于道路保洁的通知", "关于夜间施工的公告", "户外广告招牌规范", "户外广告设置管理办法"]


def test_r39_the_sort_choice_is_offered_and_kept_by_the_other_links(citizen, imported):
    for n in range(12):
        imported(f"市容整治通报第{n}期", at=f"2026-01-{n + 1:02d} 09:00")
    html = citizen.get(SEARCH, {"q": "整治", "sort": "date"}).content.decode()
    assert 'aria-current="true">发布日期' in html
    assert "page=2" in html and "sort=date&amp;page=2" in html
    assert citizen.get(SEARCH, {"q": "整治", "sort": "nonsense"}).status_code == 200


def test_r39_filters_apply_before_the_bound_so_totals_and_facets_stay_exact(small_bound, imported, org_b, node_b):
    for n in range(8):
        imported(f"市容整治通报第{n}期", at=f"2026-01-{n + 1:02d} 09:00")
    for n in range(3):
        imported(f"统计整治简报第{n}期", at=f"2015-06-{n + 1:02d} 09:00", organisation=org_b, nodes=[node_b])
    _analyze()
    filtered = search_documents(query="整治", params={"org": "B002"}, page_number=1)
    assert filtered.exact and filtered.total == 3 and len(filtered.hits) == 3
    assert {f.name: f.options for f in filtered.facets}["org"] == [("B002", "乙市统计局", 3, True)]
    assert {f.name: f.options for f in filtered.facets}["year"] == [("2015", "2015", 3, False)]
    by_year = search_documents(query="整治", params={"year": "2015"}, page_number=1)
    assert by_year.exact and by_year.total == 3


def test_r39_beyond_the_bound_the_total_is_an_honest_estimate_and_the_page_says_so(small_bound, citizen, imported):
    for n in range(12):
        imported(f"市容整治通报第{n}期", at=f"2026-01-{n + 1:02d} 09:00")
    _analyze()
    result = search_documents(query="整治", params={}, page_number=1)
    assert not result.exact
    assert small_bound < result.total <= 12  # never below what was seen, never above the documents in scope
    assert result.page.paginator.num_pages == 1  # the bound's worth of candidates can be paged through
    facets = {f.name: f.options for f in result.facets}
    assert facets["org"][0][2] == small_bound  # facets count the same candidates as the page
    html = citizen.get(SEARCH, {"q": "整治"}).content.decode()
    assert "约" in html and "按最新的 5 条结果统计" in html
    assert titles(result) == [f"市容整治通报第{n}期" for n in (11, 10, 9, 8, 7)]


def test_r39_a_time_window_that_holds_too_few_matches_gives_way_to_all_of_them(small_bound, imported, topic):
    """A sparse word without a date range is first looked for among the newest documents only (a window taken from
    the planner's statistics, where it should hold half as many again as the bound), with or without a filter. When
    its matches are all older, the window holds none: the search runs over all of them, and finds the newest."""
    for n in range(100):
        imported(f"工作动态第{n}期", at=f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d} 09:{n % 60:02d}")
    for n in range(20):
        imported(f"金融风险提示第{n}期", at=f"2015-{n % 12 + 1:02d}-{n + 1:02d} 09:00")
    _analyze()
    with connection.cursor() as cursor:
        assert backends._window_start(cursor, matching=20) is not None  # a window is tried, and covers no match
    result = search_documents(query="金融", params={}, page_number=1, sort="date")
    newest = [f"金融风险提示第{n}期" for n in sorted(range(20), key=lambda n: (n % 12, n), reverse=True)]
    assert titles(result) == newest[:small_bound]
    assert not result.exact and small_bound < result.total <= 20
    with CaptureQueriesContext(connection) as queries:
        filtered = search_documents(query="金融", params={"topic": str(topic.pk)}, page_number=1, sort="date")
    statements = [q["sql"] for q in queries.captured_queries if "WITH c AS MATERIALIZED" in q["sql"]]
    assert len(statements) == 2 and "e.published_at >= " in statements[0] and "e.published_at >= " not in statements[1]
    assert titles(filtered) == newest[:small_bound]
    assert not filtered.exact and small_bound < filtered.total <= 20


def test_r39_the_estimate_of_a_large_total_is_shown_in_wan(citizen):
    from disclosure.templatetags.govopen_tags import approximately

    assert [approximately(n) for n in (999_965, 34_833, 10_001, 120_499, 87)] == ["100万", "3.5万", "1万", "12万", "87"]


def test_r39_a_validity_change_reaches_the_search_filter_in_the_same_transaction(imported, reviewer_a):
    document = imported("城市排水管理办法", at="2024-01-01 09:00")
    assert search_documents(query="排水", params={"validity": "valid"}, page_number=1).total == 1
    document_validity_set(
        document=Document.objects.get(pk=document.pk),
        actor=reviewer_a,
        validity=Document.Validity.EXPIRED,
        repealed_on=dt.date(2026, 1, 1),
    )
    assert search_documents(query="排水", params={"validity": "valid"}, page_number=1).total == 0
    assert search_documents(query="排水", params={"validity": "expired"}, page_number=1).total == 1


def test_r39_a_catalogue_item_moved_to_another_section_takes_its_documents_search_entries_along(
    imported, node_a, django_capture_on_commit_callbacks
):
    imported("城市排水管理办法", at="2024-01-01 09:00")
    assert search_documents(query="排水", params={"section": "result"}, page_number=1).total == 1
    node = CatalogueNode.objects.get(pk=node_a.pk)
    node.section = Section.SERVICE
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_node_save(node=node, actor=SYSTEM)
    from ops.outbox import outbox_drain

    outbox_drain(grace_seconds=0)
    assert search_documents(query="排水", params={"section": "result"}, page_number=1).total == 0
    assert search_documents(query="排水", params={"section": "service"}, page_number=1).total == 1


def test_r39_documents_of_an_inactive_organisation_are_neither_listed_nor_counted(imported, org_a, org_b, node_b):
    imported("城市排水管理办法", at="2024-01-01 09:00")
    imported("统计排水简报", at="2024-01-02 09:00", organisation=org_b, nodes=[node_b])
    org_b.is_active = False
    org_b.save(update_fields=["is_active"])
    result = search_documents(query="排水", params={}, page_number=1)
    assert result.total == 1 and titles(result) == ["城市排水管理办法"]
    assert [option[0] for option in {f.name: f.options for f in result.facets}["org"]] == ["A001"]


def test_r39_a_search_page_costs_a_bounded_number_of_queries(citizen, imported):
    for n in range(12):
        imported(f"市容整治通报第{n}期", at=f"2026-01-{n + 1:02d} 09:00")
    with CaptureQueriesContext(connection) as queries:
        assert citizen.get(SEARCH, {"q": "整治", "org": "A001", "section": "result"}).status_code == 200
    searches = [q["sql"] for q in queries.captured_queries if "disclosure_searchentry" in q["sql"]]
    assert sum("UNION ALL" in sql for sql in searches) == 1  # page, total and every facet in one statement
    assert len(queries.captured_queries) <= 12


def test_r39_the_rebuild_runs_in_parallel_processes_and_reports_progress(
    org_a, drafter_a, node_a, topic, transactional_db
):
    """Real child processes: they see only committed rows, so this test commits (transactional_db)."""
    from disclosure.search.index import search_rebuild as rebuild

    for n in range(9):
        document_import(
            organisation=org_a,
            actor=drafter_a,
            changes={
                "title": f"排水设施巡查通报第{n}期",
                "body": "正文。",
                "attribute": "proactive",
                "written_on": dt.date(2020, 1, 1),
                "topic": topic,
            },
            published_at=dt.datetime(2021, 1, n + 1, 9, tzinfo=SHANGHAI),
            catalogue_nodes=[node_a],
        )
    ids = list(Document.objects.values_list("pk", flat=True))
    for pk in ids:
        search_index_document(document_id=pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT document_id, vector::text, title_vector::text FROM disclosure_searchentry ORDER BY 1")
        expected = cursor.fetchall()
    expected_entries = list(SearchEntry.objects.order_by("pk").values("pk", "organisation", "sections", "validity"))
    SearchEntry.objects.all().delete()
    seen: list[tuple[int, int]] = []
    assert rebuild(jobs=2, batch=2, progress=lambda done, total: seen.append((done, total))) == (9, 0)
    assert seen[0] == (0, 9) and seen[-1] == (9, 9) and len(seen) == 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT document_id, vector::text, title_vector::text FROM disclosure_searchentry ORDER BY 1")
        assert cursor.fetchall() == expected
    assert (
        list(SearchEntry.objects.order_by("pk").values("pk", "organisation", "sections", "validity"))
        == expected_entries
    )
    assert search_documents(query="排水", params={}, page_number=1).total == 9


def test_r39_the_rebuild_command_prints_a_progress_line_per_tenth(imported):
    for n in range(3):
        imported(f"排水设施巡查通报第{n}期", at=f"2021-01-0{n + 1} 09:00")
    out, err = io.StringIO(), io.StringIO()
    call_command("search_rebuild", "--jobs", "2", stdout=out, stderr=err)
    assert "已索引 3 件，移除 0 件" in out.getvalue()
    assert "3/3 件" in err.getvalue() and "100%" in err.getvalue()


def test_r39_the_index_holds_one_copy_of_the_words(db):
    columns = {f.column for f in SearchEntry._meta.concrete_fields}
    assert "tokens" not in columns
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'disclosure_searchentry' "
            "AND data_type = 'tsvector' ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == ["title_vector", "vector"]


def test_r39_search_rebuild_drops_entries_of_documents_no_longer_public(imported):
    document = imported("城市排水管理办法", at="2024-01-01 09:00")
    Document.objects.filter(pk=document.pk).update(status=Document.Status.WITHDRAWN)
    assert search_rebuild(jobs=1) == (0, 1)
    assert not SearchEntry.objects.exists()
