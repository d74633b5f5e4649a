"""Atom feeds of new public records (Django's syndication framework): the whole site, one organisation, one
catalogue item, one topic, and the published interpretations.

Everything is read through the public selectors of ``disclosure.selectors`` (``public_document_rows``,
``node_documents``, ``public_interpretation_list``), so a feed can never hold what the pages would not show; an
organisation, item or topic that is missing or not public answers 404 like its page. A feed holds the newest
``GOVOPEN_FEED_ITEMS`` entries. Times are written in Asia/Shanghai with their offset (+08:00).

Not to be confused with ``disclosure/feeds.py``, which imports the feeds of superior governments' portals (R18).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _

from catalog.models import CatalogueNode, Organisation, Topic
from catalog.selectors import disclosure_subjects
from disclosure.models import Document, Interpretation
from disclosure.selectors import (
    node_documents,
    public_document_rows,
    public_interpretation_list,
    public_nodes,
    public_topics,
    topic_documents,
)

EXCERPT_LENGTH = 200
FEED_FIELDS = ("index_no", "title", "summary", "published_at", "updated_at", "organisation__name", "organisation__code")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else timezone.localtime(moment)


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "…"


def feed_documents(rows: QuerySet[Document]) -> list[Document]:
    """The newest public documents of ``rows`` (a public selector's queryset) with what an entry shows: the first
    characters of the body are cut by the database, never the whole text."""
    rows = rows.only(*FEED_FIELDS).annotate(excerpt=Substr("body_text", 1, EXCERPT_LENGTH + 1))
    return list(rows[: settings.GOVOPEN_FEED_ITEMS])


class CachedFeed(Feed):
    """A feed answered with an ETag (a hash of the XML) and Last-Modified (its newest entry), so readers polling
    it get a 304; the anonymous page cache keeps it per publication version like any public page."""

    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Django's Feed sets Last-Modified from the newest entry (published or updated); the instance is shared by
        # every request, so nothing is kept on it.
        response = super().__call__(request, *args, **kwargs)
        etag = '"%s"' % hashlib.sha256(response.content).hexdigest()[:32]
        response["ETag"] = etag
        response["X-Content-Type-Options"] = "nosniff"
        last = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, etag=etag, last_modified=last, response=response)

    def item_updateddate(self, item: Any) -> dt.datetime | None:
        moment = max(filter(None, (item.published_at, getattr(item, "updated_at", None))))
        return _local(moment)

    def item_pubdate(self, item: Any) -> dt.datetime | None:
        return _local(item.published_at)

    def item_author_name(self, item: Any) -> str:
        return item.organisation.name


class DocumentFeed(CachedFeed):
    """New public documents of the whole site."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return None

    def title(self, obj: Any) -> str:
        return _("%(site)s 最新公开文件") % {"site": settings.GOVOPEN_SITE_NAME}

    def subtitle(self, obj: Any) -> str:
        return _("主动公开的政府信息，按发布时间从新到旧，最多 %(n)s 条。") % {"n": settings.GOVOPEN_FEED_ITEMS}

    def link(self, obj: Any) -> str:
        return reverse("disclosure:home")

    def feed_url(self, obj: Any) -> str:
        return reverse("syndication:documents")

    def rows(self, obj: Any) -> QuerySet[Document]:
        return public_document_rows()

    def items(self, obj: Any) -> list[Document]:
        return feed_documents(self.rows(obj))

    def item_title(self, item: Document) -> str:
        return item.title

    def item_description(self, item: Document) -> str:
        return item.summary or _excerpt(item.excerpt)

    def item_link(self, item: Document) -> str:
        return reverse("disclosure:document", args=item.index_path)


class OrganisationFeed(DocumentFeed):
    def get_object(self, request: HttpRequest, code: str) -> Organisation:
        organisation = disclosure_subjects().filter(code=code).first()
        if organisation is None:
            raise Http404
        return organisation

    def title(self, obj: Organisation) -> str:
        return _("%(org)s 最新公开文件") % {"org": obj.name}

    def link(self, obj: Organisation) -> str:
        return reverse("catalog:organisation", args=[obj.code])

    def feed_url(self, obj: Organisation) -> str:
        return reverse("syndication:organisation", args=[obj.code])

    def rows(self, obj: Organisation) -> QuerySet[Document]:
        return public_document_rows().filter(organisation_id=obj.pk)


class CatalogueItemFeed(DocumentFeed):
    def get_object(self, request: HttpRequest, pk: int) -> CatalogueNode:
        node = public_nodes().select_related("organisation").filter(pk=pk).first()
        if node is None:
            raise Http404
        return node

    def title(self, obj: CatalogueNode) -> str:
        return _("%(org)s · %(item)s 最新公开文件") % {"org": obj.organisation.name, "item": obj.name}

    def link(self, obj: CatalogueNode) -> str:
        return reverse("disclosure:node", args=[obj.pk])

    def feed_url(self, obj: CatalogueNode) -> str:
        return reverse("syndication:node", args=[obj.pk])

    def rows(self, obj: CatalogueNode) -> QuerySet[Document]:
        return node_documents(obj)


class TopicFeed(DocumentFeed):
    def get_object(self, request: HttpRequest, pk: int) -> Topic:
        topic = public_topics().filter(pk=pk).first()
        if topic is None:
            raise Http404
        return topic

    def title(self, obj: Topic) -> str:
        return _("主题“%(topic)s”最新公开文件") % {"topic": obj.name}

    def link(self, obj: Topic) -> str:
        return f"{reverse('disclosure:search')}?topic={obj.pk}&sort=date"

    def feed_url(self, obj: Topic) -> str:
        return reverse("syndication:topic", args=[obj.pk])

    def rows(self, obj: Topic) -> QuerySet[Document]:
        return topic_documents(obj)


class InterpretationFeed(CachedFeed):
    """New published interpretations of public policies (R17)."""

    def title(self) -> str:
        return _("%(site)s 最新政策解读") % {"site": settings.GOVOPEN_SITE_NAME}

    def subtitle(self) -> str:
        return _("已发布的政策解读，按发布时间从新到旧，最多 %(n)s 条。") % {"n": settings.GOVOPEN_FEED_ITEMS}

    def link(self) -> str:
        return reverse("disclosure:interpretations")

    def feed_url(self) -> str:
        return reverse("syndication:interpretations")

    def items(self) -> list[Interpretation]:
        rows = public_interpretation_list().only(
            "pk",
            "title",
            "summary",
            "form",
            "published_at",
            "updated_at",
            "organisation__name",
            "policy__title",
            "policy__index_no",
        )
        return list(rows[: settings.GOVOPEN_FEED_ITEMS])

    def item_title(self, item: Interpretation) -> str:
        return item.title

    def item_description(self, item: Interpretation) -> str:
        return item.summary or _("《%(policy)s》的%(form)s") % {
            "policy": item.policy.title,
            "form": item.get_form_display(),
        }

    def item_link(self, item: Interpretation) -> str:
        return reverse("disclosure:interpretation", args=[item.pk])
