"""``/sitemap.xml`` (an index split past the per-sitemap limit, with lastmod) and ``/robots.txt`` (issue 17 §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from defusedxml import ElementTree
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from disclosure.models import Document
from disclosure.services import document_withdraw

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response) -> list[str]:
    assert response.status_code == 200
    return [element.text for element in ElementTree.fromstring(response.content).iter(f"{SM}loc")]


@pytest.fixture
def ids_from_one(db) -> None:
    """Documents numbered from 1, as on a new site. The sitemap pages documents by bands of ids; a worker's database
    has numbered thousands of documents by the time this module runs (a rolled-back test's numbers are not given out
    again), and with bands of two ids the index would then list thousands of empty pages for the test to read.
    PostgreSQL rolls the restart back with the test's transaction."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Document._meta.db_table])
            cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RESTART WITH 1")


@pytest.fixture
def documents(org_a, drafter_a, reviewer_a, office, make_document, publish, node_a):
    published = [
        publish(make_document(org_a, drafter_a, nodes=[node_a], title=f"公开件{i}"), drafter_a, reviewer_a)
        for i in range(5)
    ]
    make_document(org_a, drafter_a, title="草稿件")
    document_withdraw(document=published[1], actor=office, reason="有误")
    return [d for i, d in enumerate(published) if i != 1]


def document_locations(citizen) -> list[str]:
    index = locations(citizen.get(reverse("syndication:sitemap")))
    pages = [loc for loc in index if "sitemap-documents.xml" in loc]
    found = []
    for page in pages:
        found += locations(citizen.get(page.removeprefix("http://testserver")))
    return found


def test_the_index_splits_documents_past_the_limit_and_lists_only_public_ones(
    ids_from_one, citizen, documents, settings
):
    settings.GOVOPEN_SITEMAP_LIMIT = 2
    index = locations(citizen.get(reverse("syndication:sitemap")))
    pages = [loc for loc in index if "sitemap-documents.xml" in loc]
    largest = Document.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert len(pages) == -(-largest // 2) and 3 <= len(pages) <= 10  # one page per band of two ids
    assert pages[0] == "http://testserver/sitemap-documents.xml" and pages[1].endswith("?p=2")
    for page in pages:
        assert len(locations(citizen.get(page.removeprefix("http://testserver")))) <= 2
    expected = {f"http://testserver{reverse('disclosure:document', args=d.index_path)}" for d in documents}
    assert sorted(document_locations(citizen)) == sorted(expected)
    assert (
        citizen.get(reverse("syndication:sitemap_section", args=["documents"]) + f"?p={len(pages) + 1}").status_code
        == 404
    )
    assert citizen.get(reverse("syndication:sitemap_section", args=["documents"]) + "?p=x").status_code == 404
    assert citizen.get(reverse("syndication:sitemap_section", args=["nothing"])).status_code == 404


def test_lastmod_is_the_later_of_publication_and_modification(citizen, documents, settings):
    document = documents[0]
    later = timezone.now() + dt.timedelta(hours=3)
    Document.objects.filter(pk=document.pk).update(updated_at=later)
    root = ElementTree.fromstring(citizen.get(reverse("syndication:sitemap_section", args=["documents"])).content)
    url = f"http://testserver{reverse('disclosure:document', args=document.index_path)}"
    entry = next(u for u in root.iter(f"{SM}url") if u.findtext(f"{SM}loc") == url)
    lastmod = dt.datetime.fromisoformat(entry.findtext(f"{SM}lastmod"))
    assert lastmod.utcoffset() == dt.timedelta(hours=8) and lastmod == later
    other = next(u for u in root.iter(f"{SM}url") if u.findtext(f"{SM}loc") != url)
    assert other.findtext(f"{SM}lastmod")


def test_a_document_page_of_the_sitemap_reads_one_band_of_ids(
    citizen, documents, settings, django_assert_max_num_queries
):
    settings.GOVOPEN_SITEMAP_LIMIT = 2
    with django_assert_max_num_queries(2) as captured:  # the largest id, then one band of ids
        citizen.get(reverse("syndication:sitemap_section", args=["documents"]) + "?p=2")
    statements = " ".join(query["sql"] for query in captured.captured_queries)
    assert "OFFSET" not in statements and "COUNT(" not in statements
    assert '"disclosure_document"."id" > 2' in statements and '"disclosure_document"."id" <= 4' in statements


def test_the_other_sitemaps_list_organisations_items_interpretations_and_static_pages(
    citizen, documents, org_a, node_a
):
    found = []
    for section in ("pages", "organisations", "catalogue", "interpretations", "reports"):
        found += locations(citizen.get(reverse("syndication:sitemap_section", args=[section])))
    for path in (
        reverse("disclosure:home"),
        reverse("catalog:organisation", args=[org_a.code]),
        reverse("disclosure:guide", args=[org_a.code]),
        reverse("disclosure:node", args=[node_a.pk]),
    ):
        assert f"http://testserver{path}" in found


def test_robots_keeps_crawlers_out_of_admin_applicant_pages_forms_and_subscription_links(citizen):
    response = citizen.get(reverse("syndication:robots"))
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    for path in ("/admin/", "/apply/", "/jiucuo/", "/subscriptions/"):
        assert f"Disallow: {path}" in lines
    assert "Allow: /jiucuo/answers/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_and_sitemap_honour_the_url_prefix(citizen, documents):
    set_script_prefix("/zwgk/")
    try:
        lines = citizen.get("/robots.txt").content.decode().splitlines()
        assert "Disallow: /zwgk/admin/" in lines and "Disallow: /zwgk/apply/" in lines
        assert "Sitemap: http://testserver/zwgk/sitemap.xml" in lines
        index = locations(citizen.get("/sitemap.xml"))
        assert index and all(loc.startswith("http://testserver/zwgk/sitemap-") for loc in index)
        pages = locations(citizen.get("/sitemap-documents.xml"))
        assert pages and all(loc.startswith("http://testserver/zwgk/documents/") for loc in pages)
    finally:
        set_script_prefix("/")
