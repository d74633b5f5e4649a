"""Reads of the subscriptions: what a citizen may follow (public targets only), what is new for a subscription,
the signed links, and the office's counts. Public records are read only through the public selectors."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogueNode, Organisation, Topic
from catalog.selectors import disclosure_subjects
from core.params import id_param
from disclosure.search.query import FILTERS, PAGE_SIZE, clean_filters, search_documents
from disclosure.selectors import (
    node_documents,
    public_document_rows,
    public_interpretation_list,
    public_nodes,
    public_topics,
    topic_documents,
)
from subscriptions.models import Subscription

Kind = Subscription.Kind
SEARCH_PARAMS = (*FILTERS, "field")  # a saved search keeps the query and the facets, not a date range
CONFIRM_SALT = "subscriptions.confirm"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"


# --- The address ---------------------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def address_digest(email: str) -> str:
    """Keyed hash of the normalised address (HMAC-SHA256 under ``GOVOPEN_BLIND_INDEX_KEY``, with a label of its
    own so it never equals another column's blind index): finds and de-duplicates without decrypting."""
    key = base64.urlsafe_b64decode(settings.GOVOPEN_BLIND_INDEX_KEY.encode())
    return hmac.new(key, b"subscription-email\x1f" + normalise_email(email).encode(), hashlib.sha256).hexdigest()


# --- What may be followed ------------------------------------------------------------------------------------------


@dataclass
class Target:
    kind: str
    organisation: Organisation | None = None
    node: CatalogueNode | None = None
    topic: Topic | None = None
    query: str = ""
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        if self.kind == Kind.ORGANISATION:
            return f"org:{self.organisation.pk}"
        if self.kind == Kind.NODE:
            return f"node:{self.node.pk}"
        if self.kind == Kind.TOPIC:
            return f"topic:{self.topic.pk}"
        if self.kind == Kind.SEARCH:
            canonical = json.dumps([self.query, sorted(self.filters.items())], ensure_ascii=False)
            return "search:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
        return "interpretations"

    @property
    def label(self) -> str:
        if self.kind == Kind.ORGANISATION:
            return _("%(org)s发布的信息") % {"org": self.organisation.name}
        if self.kind == Kind.NODE:
            return _("%(org)s · %(item)s") % {"org": self.node.organisation.name, "item": self.node.name}
        if self.kind == Kind.TOPIC:
            return _("主题“%(topic)s”") % {"topic": self.topic.name}
        if self.kind == Kind.SEARCH:
            return _("检索“%(q)s”") % {"q": self.query} if self.query else _("按筛选条件检索")
        return _("政策解读")

    @property
    def page_url(self) -> str:
        """The public page of what is followed (a path, under the URL prefix)."""
        if self.kind == Kind.ORGANISATION:
            return reverse("catalog:organisation", args=[self.organisation.code])
        if self.kind == Kind.NODE:
            return reverse("disclosure:node", args=[self.node.pk])
        if self.kind == Kind.TOPIC:
            return f"{reverse('disclosure:search')}?topic={self.topic.pk}&sort=date"
        if self.kind == Kind.SEARCH:
            params = QueryDict(mutable=True)
            params.update({"q": self.query, **self.filters, "sort": "date"})
            return f"{reverse('disclosure:search')}?{params.urlencode()}"
        return reverse("disclosure:interpretations")

    def form_params(self) -> dict[str, str]:
        """The parameters of the subscribe form's URL that name this target (the 订阅 links build the same)."""
        if self.kind == Kind.ORGANISATION:
            return {"kind": self.kind, "org": self.organisation.code}
        if self.kind == Kind.NODE:
            return {"kind": self.kind, "node": str(self.node.pk)}
        if self.kind == Kind.TOPIC:
            return {"kind": self.kind, "topic": str(self.topic.pk)}
        if self.kind == Kind.SEARCH:
            return {"kind": self.kind, "q": self.query, **self.filters}
        return {"kind": self.kind}


def target_from_params(params: Any) -> Target | None:
    """The public target named by the subscribe form's parameters, or None when it is missing or not public
    (the page then answers 404, as the followed page would)."""
    kind = (params.get("kind") or "").strip()
    if kind == Kind.ORGANISATION:
        organisation = disclosure_subjects().filter(code=(params.get("org") or "")[:40]).first()
        return Target(kind, organisation=organisation) if organisation else None
    if kind == Kind.NODE:
        pk = id_param(params.get("node") or "")
        node = public_nodes().select_related("organisation").filter(pk=pk).first() if pk else None
        return Target(kind, node=node) if node else None
    if kind == Kind.TOPIC:
        pk = id_param(params.get("topic") or "")
        topic = public_topics().filter(pk=pk).first() if pk else None
        return Target(kind, topic=topic) if topic else None
    if kind == Kind.SEARCH:
        query = " ".join((params.get("q") or "").split())[:100]
        filters, _ignored = clean_filters({name: params.get(name) or "" for name in SEARCH_PARAMS})
        return Target(kind, query=query, filters={k: v for k, v in filters.items() if k in SEARCH_PARAMS})
    if kind == Kind.INTERPRETATIONS:
        return Target(kind)
    return None


def target_of(subscription: Subscription) -> Target | None:
    """The subscription's target while it is still public; None once it is not (nothing is then sent)."""
    params: dict[str, str] = {"kind": subscription.kind}
    if subscription.kind == Kind.ORGANISATION:
        params["org"] = subscription.organisation.code if subscription.organisation_id else ""
    elif subscription.kind == Kind.NODE:
        params["node"] = str(subscription.node_id or "")
    elif subscription.kind == Kind.TOPIC:
        params["topic"] = str(subscription.topic_id or "")
    elif subscription.kind == Kind.SEARCH:
        params.update({"q": subscription.query, **subscription.filters})
    return target_from_params(params)


# --- What is new ---------------------------------------------------------------------------------------------------


@dataclass
class NewItem:
    title: str
    path: str
    organisation: str
    published_at: dt.datetime


def new_items(target: Target, *, since: dt.datetime, until: dt.datetime, limit: int) -> list[NewItem]:
    """Up to ``limit`` public records of ``target`` published in (since, until], newest first."""
    if target.kind == Kind.INTERPRETATIONS:
        rows = public_interpretation_list().filter(published_at__gt=since, published_at__lte=until)
        return [
            NewItem(i.title, reverse("disclosure:interpretation", args=[i.pk]), i.organisation.name, i.published_at)
            for i in rows[:limit]
        ]
    if target.kind == Kind.SEARCH:
        documents = _search_documents(target, since=since, until=until, limit=limit)
    else:
        if target.kind == Kind.ORGANISATION:
            rows = public_document_rows().filter(organisation_id=target.organisation.pk)
        elif target.kind == Kind.NODE:
            rows = node_documents(target.node)
        else:
            rows = topic_documents(target.topic)
        documents = list(rows.filter(published_at__gt=since, published_at__lte=until)[:limit])
    return [
        NewItem(d.title, reverse("disclosure:document", args=d.index_path), d.organisation.name, d.published_at)
        for d in documents
    ]


def _search_documents(target: Target, *, since: dt.datetime, until: dt.datetime, limit: int) -> list:
    """The saved search run as the search page runs it (newest first, from the window's first day), keeping the
    hits inside the window: the search reads its results through ``public_document_list``."""
    params = {**target.filters, "from": timezone.localdate(since).isoformat()}
    found: list = []
    for number in range(1, -(-limit // PAGE_SIZE) + 2):
        result = search_documents(query=target.query, params=params, page_number=number, sort="date")
        if result.page.number != number:
            break  # past the last page
        for hit in result.hits:
            if since < hit.document.published_at <= until:
                found.append(hit.document)
        if len(found) >= limit or not result.hits or result.hits[-1].document.published_at <= since:
            break
    return found[:limit]


# --- Signed links --------------------------------------------------------------------------------------------------


def sign(subscription: Subscription, *, salt: str) -> str:
    return signing.dumps({"s": subscription.pk, "n": subscription.nonce}, salt=salt, compress=False)


class LinkError(Exception):
    """A link that cannot be used: ``expired`` tells a merely old link from a damaged one."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "bad")
        self.expired = expired


def unsign(token: str, *, salt: str, max_age: dt.timedelta | None = None) -> tuple[int, str]:
    """(subscription id, nonce) from a link; ``LinkError`` when it was altered or is too old."""
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(expired=True) from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise LinkError(expired=False) from None
    if not isinstance(value, dict) or not isinstance(value.get("s"), int) or not isinstance(value.get("n"), str):
        raise LinkError(expired=False)
    return value["s"], value["n"]


def confirm_url(subscription: Subscription) -> str:
    return settings.GOVOPEN_SITE_URL + reverse("subscriptions:confirm", args=[sign(subscription, salt=CONFIRM_SALT)])


def unsubscribe_url(subscription: Subscription) -> str:
    token = sign(subscription, salt=UNSUBSCRIBE_SALT)
    return settings.GOVOPEN_SITE_URL + reverse("subscriptions:unsubscribe", args=[token])


def subscription_by_link(subscription_id: int, nonce: str) -> Subscription | None:
    found = Subscription.objects.filter(pk=subscription_id).first()
    if found is None or not hmac.compare_digest(found.nonce, nonce):
        return None
    return found


# --- The office ----------------------------------------------------------------------------------------------------


def subscriptions_due() -> QuerySet[Subscription]:
    return Subscription.objects.filter(status=Subscription.Status.CONFIRMED).order_by("pk")


def target_counts() -> list[dict[str, Any]]:
    """Confirmed and pending subscriptions per target, most followed first (no address)."""
    rows = (
        Subscription.objects.values("kind", "target_key", "organisation__name", "node__name", "topic__name", "query")
        .annotate(
            confirmed=Count("pk", filter=Q(status=Subscription.Status.CONFIRMED)),
            pending=Count("pk", filter=Q(status=Subscription.Status.PENDING)),
        )
        .order_by("-confirmed", "-pending", "kind", "target_key")
    )
    labels = dict(Kind.choices)
    for row in rows:
        row["kind_label"] = labels.get(row["kind"], row["kind"])
        row["name"] = row["organisation__name"] or row["node__name"] or row["topic__name"] or row["query"] or ""
    return list(rows)
