"""Reads of the search index: matching, facets, highlighting (R39)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from catalog.models import Section
from disclosure.models import Document
from disclosure.search import backends
from disclosure.search.segment import MAX_QUERY_LENGTH, query_tokens, whole_term
from disclosure.selectors import public_document_list

PAGE_SIZE = 10
SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 160
FILTERS = ("org", "topic", "section", "year", "validity")


@dataclass
class Hit:
    document: Document
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class Facet:
    name: str
    label: str
    options: list[tuple[str, str, int, bool]]  # value, label, count, selected


@dataclass
class SearchResult:
    query: str
    words: list[str]
    total: int
    page: Page
    hits: list[Hit]
    facets: list[Facet]
    filters: dict[str, str]
    messages: list[str] = field(default_factory=list)


def clean_filters(params: dict[str, str]) -> dict[str, str]:
    """Known filters with plausible values; anything else is dropped, never an error."""
    cleaned = {}
    for name in FILTERS:
        value = (params.get(name) or "").strip()[:40]
        if not value:
            continue
        if name in ("topic", "year") and not value.isdigit():
            continue
        if name == "section" and value not in Section.values:
            continue
        if name == "validity" and value not in Document.Validity.values:
            continue
        cleaned[name] = value
    return cleaned


def _apply_filters(documents: QuerySet[Document], filters: dict[str, str]) -> QuerySet[Document]:
    if "org" in filters:
        documents = documents.filter(organisation__code=filters["org"])
    if "topic" in filters:
        documents = documents.filter(topic_id=int(filters["topic"]))
    if "section" in filters:
        documents = documents.filter(catalogue_nodes__section=filters["section"]).distinct()
    if "year" in filters:
        documents = documents.filter(published_at__year=int(filters["year"]))
    if "validity" in filters:
        documents = documents.filter(validity=filters["validity"])
    return documents


def _facets(documents: QuerySet[Document], filters: dict[str, str]) -> list[Facet]:
    ids = documents.values("pk")
    base = Document.objects.filter(pk__in=ids)

    def options(rows, value_key: str, label_of, name: str) -> list[tuple[str, str, int, bool]]:
        return [
            (str(row[value_key]), label_of(row), row["n"], filters.get(name) == str(row[value_key]))
            for row in rows
            if row[value_key] is not None
        ]

    organisations = base.values("organisation__code", "organisation__name").annotate(n=Count("pk")).order_by("-n")
    topics = base.values("topic_id", "topic__name").annotate(n=Count("pk")).order_by("-n")
    sections = (
        base.values("catalogue_nodes__section").annotate(n=Count("pk", distinct=True)).order_by("catalogue_nodes__section")
    )
    years = base.values("published_at__year").annotate(n=Count("pk")).order_by("-published_at__year")
    validities = base.values("validity").annotate(n=Count("pk")).order_by("validity")
    section_labels = dict(Section.choices)
    validity_labels = dict(Document.Validity.choices)
    return [
        Facet("org", _("发布机构"), options(organisations, "organisation__code", lambda r: r["organisation__name"], "org")),
        Facet("topic", _("主题分类"), options(topics, "topic_id", lambda r: r["topic__name"], "topic")),
        Facet("section", _("公开类别"), options(
            sections, "catalogue_nodes__section", lambda r: str(section_labels[r["catalogue_nodes__section"]]), "section"
        )),
        Facet("year", _("发布年份"), options(years, "published_at__year", lambda r: f"{r['published_at__year']}", "year")),
        Facet("validity", _("有效性"), options(validities, "validity", lambda r: str(validity_labels[r["validity"]]), "validity")),
    ]


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with each occurrence of a query word wrapped in <mark>."""
    if not words or not text:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for found in pattern.finditer(text):
        parts.append(escape(text[last:found.start()]))
        parts.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece above is escaped


def snippet(text: str, words: list[str]) -> SafeString:
    lowered = text.lower()
    positions = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = max(0, min(positions) - SNIPPET_BEFORE) if positions else 0
    piece = text[start:start + SNIPPET_LENGTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_LENGTH < len(text) else ""
    return mark_safe(prefix + highlight(piece, words) + suffix)


def search_documents(*, query: str, params: dict[str, str], page_number: str | int | None) -> SearchResult:
    messages: list[str] = []
    raw = (query or "").strip()
    if len(raw) > MAX_QUERY_LENGTH:
        messages.append(_("检索词过长，只按前 %(n)s 个字检索。") % {"n": MAX_QUERY_LENGTH})
        raw = raw[:MAX_QUERY_LENGTH]
    words = query_tokens(raw)
    whole = whole_term(raw) if re.search(r"\d", raw) else ""
    filters = clean_filters(params)
    documents = _apply_filters(public_document_list(), filters)

    if raw and not words and not whole:
        messages.append(_("检索词中没有可检索的文字，请输入汉字、字母或数字。"))
    if words or whole:
        ranked = backends.match(words, whole)
        allowed = set(documents.filter(pk__in=[pk for pk, _score in ranked]).values_list("pk", flat=True))
        ordered_ids = [pk for pk, _score in ranked if pk in allowed]
        documents = documents.filter(pk__in=ordered_ids)
    elif raw:
        ordered_ids = []
        documents = documents.none()
    else:
        ordered_ids = None  # no query: browse the filtered documents, newest first

    paginator = Paginator(ordered_ids if ordered_ids is not None else documents, PAGE_SIZE, allow_empty_first_page=True)
    page = paginator.get_page(page_number)
    if ordered_ids is not None:
        by_id = public_document_list().in_bulk(list(page.object_list))
        page_documents = [by_id[pk] for pk in page.object_list if pk in by_id]
    else:
        page_documents = list(page.object_list)
    marks = words + ([whole] if whole else [])
    hits = [
        Hit(document=d, title_html=highlight(d.title, marks), snippet_html=snippet(d.body_text, marks))
        for d in page_documents
    ]
    return SearchResult(
        query=raw, words=words, total=paginator.count, page=page, hits=hits, facets=_facets(documents, filters),
        filters=filters, messages=messages,
    )


