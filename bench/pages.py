"""The page and query classes of the benchmark, with their URLs found in the built database.

Shared by bench/measure.py (timings) and tests/test_bench_quick.py (status and query counts)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Max

from catalog.models import CatalogueNode, Organisation
from disclosure.models import Document


def _meta(key: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
        row = cursor.fetchone()
    return row[0] if row else None


def largest_organisation() -> Organisation:
    row = (
        Document.objects.filter(status=Document.Status.PUBLISHED)
        .values("organisation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return Organisation.objects.get(pk=row["organisation"])


def largest_item(organisation: Organisation) -> CatalogueNode:
    """The level-1 item of ``organisation`` with the most documents filed under it or under its level-2 items."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(n.parent_id, n.id) AS item, count(*) FROM disclosure_document_catalogue_nodes l "
            "JOIN catalog_cataloguenode n ON n.id = l.cataloguenode_id WHERE n.organisation_id = %s "
            "GROUP BY item ORDER BY 2 DESC LIMIT 1",
            [organisation.pk],
        )
        pk = cursor.fetchone()[0]
    return CatalogueNode.objects.get(pk=pk)


def sample_document() -> Document:
    """A published document from the middle of the id range (neither the newest nor the oldest)."""
    ids = Document.objects.filter(status=Document.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    count = ids.count()
    return Document.objects.get(pk=ids[count // 2])


def page_classes() -> list[tuple[str, str]]:
    """(class name, path) of every measured page, in the order of the table."""
    organisation = largest_organisation()
    item = largest_item(organisation)
    document = sample_document()
    code, number = document.index_path
    words = json.loads(_meta("query_words") or "{}") or {
        "common": "公开",
        "mid": "金融",
        "two": "金融 风险",
        "rare": "公开",
    }

    def search(q: str, **extra: str) -> str:
        return "/search/?" + urlencode({"q": q, **extra})

    classes = [
        ("home", "/"),
        ("document", f"/documents/{code}/{number}/"),
        ("item_p1", f"/catalog/{item.pk}/"),
        ("item_p100", f"/catalog/{item.pk}/?page=100"),
        ("org_catalogue", f"/xxgk/{organisation.code}/catalogue/"),
        ("org_guide", f"/xxgk/{organisation.code}/guide/"),
        ("interpretations", "/interpretations/"),
        ("on_request_directory", "/xxgk/ysqgk/"),
    ]
    topic = (
        Document.objects.filter(status=Document.Status.PUBLISHED)
        .exclude(topic=None)
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("topic", flat=True)
        .first()
    )
    # Each query class alone and with each facet: the largest organisation, the commonest topic, a small section
    # (结果公开, ~3% of the documents), a year in the middle of the range, and 失效 (~6%).
    facets = {"org": organisation.code, "topic": str(topic), "section": "result", "year": "2020", "validity": "expired"}
    for name in ("common", "mid", "rare", "two"):
        classes.append((f"search_{name}", search(words[name])))
        for facet, value in facets.items():
            classes.append((f"search_{name}_{facet}", search(words[name], **{facet: value})))
    classes.append(("search_common_p50", search(words["common"], page="50")))
    classes.append(("search_common_date", search(words["common"], sort="date")))
    classes.append(("search_mid_date", search(words["mid"], sort="date")))
    classes += open_classes(organisation=organisation, item=item, code=code, number=number, words=words)
    return classes


def open_classes(
    *, organisation: Organisation, item: CatalogueNode, code: str, number: str, words: dict[str, str]
) -> list[tuple[str, str]]:
    """Issue 17: the API, the feeds, the sitemap, the statistics, open data and the integrity log."""
    api = "/api/v1"
    # A document sitemap page from the middle: pages are bands of 50,000 ids (syndication/sitemaps.py).
    largest = Document.objects.aggregate(largest=Max("pk"))["largest"] or 0
    sitemap_page = max(1, min(10, -(-largest // 50_000)))
    return [
        ("api_documents", f"{api}/documents/"),
        ("api_document", f"{api}/documents/{code}/{number}/"),
        ("api_item_documents", f"{api}/catalogue-items/{item.pk}/documents/"),
        ("api_search_common", f"{api}/documents/search/?" + urlencode({"q": words["common"]})),
        ("api_search_mid_org", f"{api}/documents/search/?" + urlencode({"q": words["mid"], "org": organisation.code})),
        ("api_organisation_catalogue", f"{api}/organisations/{organisation.code}/catalogue/"),
        ("feed_documents", "/feeds/documents/"),
        ("feed_organisation", f"/feeds/organisations/{organisation.code}/"),
        ("feed_item", f"/feeds/catalog/{item.pk}/"),
        ("sitemap_index", "/sitemap.xml"),
        ("sitemap_documents_p10", f"/sitemap-documents.xml?p={sitemap_page}"),
        ("statistics", "/statistics/"),
        ("statistics_organisation", f"/statistics/{organisation.code}/"),
        ("open_data", "/open-data/"),
        ("integrity", "/integrity/"),
    ]
