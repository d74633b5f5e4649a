"""The benchmark's dataset and page classes (bench/), without timings: the rows the builder writes are valid, the
search index is what publishing would have produced, planted words are found, and every measured page answers
200 within a bounded number of queries. Timings live in bench/run only."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import build as builder
from bench.pages import page_classes
from disclosure.content import body_text
from disclosure.models import Document, Interpretation, SearchEntry
from disclosure.search.index import search_index_document
from disclosure.search.query import search_documents
from disclosure.search.segment import index_tokens
from requests_app.models import InformationRequest, RequestEvent

DOCUMENTS = 300
APPLICATIONS = 300
MAX_QUERIES_PER_PAGE = 20


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """One build for the module (each test reads it; a test that writes does so in its own rolled-back
    transaction), committed, and flushed when the module is done."""
    builder.reference.cache_clear()
    builder.doc_plan.cache_clear()
    with django_db_blocker.unblock():
        result = builder.build(
            documents=DOCUMENTS, applications=APPLICATIONS, jobs=1, write=lambda *_: None, anchor=timezone.localdate()
        )
    builder.reference.cache_clear()
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            call_command("flush", "--noinput", verbosity=0)
        cache.clear()


@pytest.fixture
def dataset(db, built) -> dict:
    return built


def _vector(document_id: int, column: str = "vector") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}::text FROM disclosure_searchentry WHERE document_id = %s", [document_id])
        return cursor.fetchone()[0]


def _lexemes(document_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unnest(tsvector_to_array(vector)) FROM disclosure_searchentry WHERE document_id = %s", [document_id]
        )
        return [row[0] for row in cursor.fetchall()]


def test_it_builds_the_requested_numbers_of_published_documents_and_applications(dataset):
    assert Document.objects.filter(status="published", attribute="proactive").count() == DOCUMENTS
    assert Document.objects.filter(status="approved", attribute="on_request").exists()
    assert SearchEntry.objects.count() == DOCUMENTS
    assert InformationRequest.objects.count() == APPLICATIONS
    assert RequestEvent.objects.filter(action__in=["filed", "registered"]).count() == APPLICATIONS
    orgs = Document.objects.values("organisation").distinct().count()
    assert orgs >= 10  # large organisations and a long tail


def test_it_writes_rows_that_pass_model_validation(dataset):
    rng = random.Random(1)
    documents = list(Document.objects.order_by("pk"))
    for document in rng.sample(documents, 25):
        document.full_clean()
        assert body_text(document.body) == document.body_text
        assert document.catalogue_nodes.exists()
        assert all(node.organisation_id == document.organisation_id for node in document.catalogue_nodes.all())
    for interpretation in Interpretation.objects.all()[:10]:
        interpretation.full_clean()
    for request in rng.sample(list(InformationRequest.objects.order_by("pk")), 25):
        request.full_clean()  # reads the encrypted fields back through the project's keys
        assert request.id_number and request.phone
    open_cases = InformationRequest.objects.filter(status="accepted")
    assert open_cases.exists() and all(case.due_on is not None for case in open_cases)


def test_it_indexes_documents_exactly_as_publishing_does(dataset):
    rng = random.Random(2)
    sample = rng.sample(list(SearchEntry.objects.values_list("document_id", flat=True)), 20)
    sample += list(Interpretation.objects.values_list("policy_id", flat=True)[:5])  # bodies with interpretations
    columns = ("organisation_id", "topic_id", "published_at", "validity", "sections")
    for document_id in sample:
        built_vector, built_title = _vector(document_id), _vector(document_id, "title_vector")
        built_entry = SearchEntry.objects.values(*columns).get(pk=document_id)
        document = Document.objects.get(pk=document_id)
        # Clause-by-clause tokens equal the tokens of the whole text (jieba never joins across punctuation).
        assert set(index_tokens(document.body_text)) <= set(_lexemes(document_id))
        assert search_index_document(document_id=document_id)
        assert _vector(document_id) == built_vector
        assert _vector(document_id, "title_vector") == built_title
        assert SearchEntry.objects.values(*columns).get(pk=document_id) == built_entry


def test_it_plants_words_that_the_projects_search_finds(dataset):
    documents = list(Document.objects.filter(status="published").order_by("pk")[:40])
    for document in documents[::8]:
        word = re.search(r"涉及(\w+?)相关事项", document.body_text).group(1)
        result = search_documents(query=word, params={}, page_number=1)
        ids = [hit.document.pk for hit in result.hits]
        if result.total <= len(ids):
            assert document.pk in ids
        else:
            assert result.total > 0
    common = search_documents(query="公开", params={}, page_number=1)
    assert common.total >= DOCUMENTS * 0.95
    finance = search_documents(query="金融", params={}, page_number=1)
    assert 0 < finance.total < DOCUMENTS * 0.2


def test_it_renders_every_measured_page_class_within_bounded_queries(dataset):
    client = Client()
    classes = page_classes()
    assert {name for name, _path in classes} >= {
        "home",
        "document",
        "item_p1",
        "item_p100",
        "org_catalogue",
        "org_guide",
        "interpretations",
        "on_request_directory",
        "search_common",
        "search_mid_org",
        "search_rare",
        "search_two",
        "search_common_p50",
    }
    for name, path in classes:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (name, path)
        assert len(queries) <= MAX_QUERIES_PER_PAGE, (name, path, len(queries))


def test_it_continues_a_build_without_writing_a_batch_twice(dataset):
    before = Document.objects.count(), InformationRequest.objects.count()
    again = builder.build(documents=DOCUMENTS, applications=APPLICATIONS, jobs=1, write=lambda *_: None)
    assert again["rows"] == 0
    assert (Document.objects.count(), InformationRequest.objects.count()) == before


def test_search_totals_and_facets_equal_a_brute_force_count(dataset, monkeypatch):
    """bench/search_check.py at the quick scale: with the real bound (all exact) and a bound of 40, below the number
    of matches of the common words, so that the estimate and the capped facets are checked too."""
    from bench.search_check import compare
    from disclosure.search import backends

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_searchentry")
    organisation = SearchEntry.objects.values_list("organisation__code", flat=True).first()
    topic = str(SearchEntry.objects.exclude(topic=None).values_list("topic_id", flat=True).first())
    year = str(timezone.localtime(SearchEntry.objects.order_by("published_at").first().published_at).year)
    estimated = 0
    for bound in (10_000, 40):
        monkeypatch.setattr(backends, "BOUND", bound)
        for text in ("公开", "金融", "金融 风险"):
            for name, value in (
                (None, None),
                ("org", organisation),
                ("topic", topic),
                ("section", "decision"),
                ("year", year),
                ("validity", "expired"),
            ):
                comparison = compare(text, name, value)
                assert comparison.total_ok, (bound, text, name, comparison)
                assert comparison.facets_ok, (bound, text, name, comparison)
                assert comparison.exact == (comparison.truth <= bound)
                estimated += not comparison.exact
    assert estimated  # the small bound did exercise the estimate
