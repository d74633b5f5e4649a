"""``/sitemap.xml``: an index of one sitemap per kind of public page (Django's sitemaps framework), each split into
pages of at most ``GOVOPEN_SITEMAP_LIMIT`` URLs (50,000, the protocol's maximum).

Documents are the only kind that reaches a million rows, and Django's ``Paginator`` would read page *n* with
``OFFSET (n - 1) × limit`` (a walk over every earlier row) after a ``COUNT(*)`` of every public document. Instead a
page is a band of primary keys: page *n* holds the public documents whose id lies in ((n − 1) × limit, n × limit],
read along the primary key index as (索引号, lastmod) pairs. The number of pages is the largest id divided
by the limit (one index probe, no count). A band never holds more than ``limit`` URLs; it holds fewer where ids went
to documents that are not public (drafts, withheld, withdrawn), and an empty band gives an empty, valid sitemap.
Everything is read through ``disclosure.selectors.public_documents`` and the other public selectors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.db.models.functions import Greatest
from django.urls import reverse

from audits.selectors import published_reports
from catalog.selectors import disclosure_subjects
from disclosure.models import Document
from disclosure.selectors import public_documents, public_interpretations, public_nodes


class LimitedSitemap(Sitemap):
    @property
    def limit(self) -> int:  # type: ignore[override]
        return settings.GOVOPEN_SITEMAP_LIMIT

    def get_latest_lastmod(self) -> None:
        """No lastmod in the index: Django's default reads every item of the section (a million documents) to
        find it. Each sitemap page carries the lastmod of its URLs and a Last-Modified header."""
        return None


class _Band:
    def __init__(self, object_list: list[Any]) -> None:
        self.object_list = object_list


class _BandPaginator:
    """What Django's sitemap views ask of a paginator (``num_pages``, ``page(n).object_list``), by id bands."""

    def __init__(self, sitemap: DocumentSitemap) -> None:
        self.sitemap = sitemap
        largest = Document.objects.aggregate(largest=Max("pk"))["largest"] or 0
        self.num_pages = max(1, -(-largest // sitemap.limit))

    def page(self, number: Any) -> _Band:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("页码不是整数") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("没有这一页")
        return _Band(self.sitemap.band(number))


class DocumentSitemap(LimitedSitemap):
    """Items are (索引号, lastmod) pairs read as tuples, and ``get_urls`` builds the URL entries directly: at 50,000
    URLs a page, model instances and the framework's per-item attribute lookups cost more than reading the rows."""

    changefreq = "monthly"

    @property
    def paginator(self) -> _BandPaginator:  # type: ignore[override]
        return _BandPaginator(self)

    def band(self, number: int) -> list[tuple[str, dt.datetime]]:
        low, high = (number - 1) * self.limit, number * self.limit
        rows = public_documents().filter(pk__gt=low, pk__lte=high).order_by("pk")
        return list(rows.values_list("index_no", Greatest("published_at", "updated_at")))

    def get_urls(self, page: Any = 1, site: Any = None, protocol: str | None = None) -> list[dict[str, Any]]:
        rows = self.paginator.page(page).object_list
        # Every URL from one ``reverse``: a 索引号 is ``{code}/{YYYY-NNNNN}``, both parts URL-safe.
        pattern = reverse("disclosure:document", args=["CODE", "0000-00000"]).replace("CODE/0000-00000", "{}")
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        urls = [
            {
                "item": None,
                "location": base + pattern.format(index_no),
                "lastmod": lastmod,
                "changefreq": self.changefreq,
                "priority": "",
                "alternates": [],
            }
            for index_no, lastmod in rows
        ]
        if urls:
            self.latest_lastmod = max(url["lastmod"] for url in urls)
        return urls


class OrganisationSitemap(LimitedSitemap):
    """Each 公开主体's page, its 政府信息公开指南 and its catalogue."""

    changefreq = "weekly"

    def items(self) -> list[tuple[str, str]]:
        codes = list(disclosure_subjects().values_list("code", flat=True))
        return [
            (name, code)
            for code in codes
            for name in ("catalog:organisation", "disclosure:guide", "disclosure:catalogue")
        ]

    def location(self, item: tuple[str, str]) -> str:
        return reverse(item[0], args=[item[1]])


class CatalogueItemSitemap(LimitedSitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return public_nodes().order_by("pk").only("pk")

    def location(self, item: Any) -> str:
        return reverse("disclosure:node", args=[item.pk])


class InterpretationSitemap(LimitedSitemap):
    changefreq = "monthly"

    def items(self) -> Any:
        return public_interpretations().order_by("pk").only("pk", "published_at", "updated_at")

    def location(self, item: Any) -> str:
        return reverse("disclosure:interpretation", args=[item.pk])

    def lastmod(self, item: Any) -> dt.datetime:
        return max(item.published_at, item.updated_at)


class AnnualReportSitemap(LimitedSitemap):
    changefreq = "yearly"

    def items(self) -> Any:
        return published_reports().select_related(None).order_by("pk").only("pk", "published_at")

    def location(self, item: Any) -> str:
        return reverse("audits:report", args=[item.pk])

    def lastmod(self, item: Any) -> dt.datetime | None:
        return item.published_at


STATIC_PAGES = (
    "disclosure:home",
    "disclosure:column",
    "disclosure:rules",
    "disclosure:statutory",
    "disclosure:on_request",
    "disclosure:interpretations",
    "audits:reports",
    "emergencies:list",
    "errorreports:answers",
    "site_map",
    "contact",
)


class StaticSitemap(LimitedSitemap):
    changefreq = "daily"

    def items(self) -> tuple[str, ...]:
        return STATIC_PAGES

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": StaticSitemap,
    "organisations": OrganisationSitemap,
    "catalogue": CatalogueItemSitemap,
    "documents": DocumentSitemap,
    "interpretations": InterpretationSitemap,
    "reports": AnnualReportSitemap,
}
