"""Reads of the search index: matching, facets, highlighting (R39)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Section
from disclosure.models import Document
from disclosure.search import backends
from disclosure.search.segment import MAX_QUERY_LENGTH, query_tokens, whole_term
from disclosure.selectors import public_document_list
from govopen.params import id_param, year_param

PAGE_SIZE = 10
SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 160
FILTERS = ("org", "topic", "section", "year", "validity")
FILTER_LABELS = {
    "org": gettext_lazy("发布机构"), "topic": gettext_lazy("主题分类"), "section": gettext_lazy("公开类别"),
    "year": gettext_lazy("发布年份"), "validity": gettext_lazy("有效性"),
}


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


def clean_filters(params: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Known filters with valid values, and the names of those given a value that cannot be valid.

    An invalid value is dropped, never an error: the page renders without that filter and says so (rule 2 of
    ``govopen/params.py``). Integers count only as ASCII digits in range, and are kept in their plain form so the
    facet shows them selected."""
    cleaned: dict[str, str] = {}
    ignored: list[str] = []
    for name in FILTERS:
        value = (params.get(name) or "").strip()[:40]
        if not value:
            continue
        if name == "topic":
            number = id_param(value)
            value = "" if number is None else str(number)
        elif name == "year":
            number = year_param(value)
            value = "" if number is None else str(number)
        elif name == "section" and value not in Section.values:
            value = ""
        elif name == "validity" and value not in Document.Validity.values:
            value = ""
        if value:
            cleaned[name] = value
        else:
            ignored.append(name)
    return cleaned, ignored


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
    label = {name: str(text) for name, text in FILTER_LABELS.items()}
    return [
        Facet("org", label["org"], options(organisations, "organisation__code", lambda r: r["organisation__name"], "org")),
        Facet("topic", label["topic"], options(topics, "topic_id", lambda r: r["topic__name"], "topic")),
        Facet("section", label["section"], options(
            sections, "catalogue_nodes__section", lambda r: str(section_labels[r["catalogue_nodes__section"]]), "section"
        )),
        Facet("year", label["year"], options(years, "published_at__year", lambda r: f"{r['published_at__year']}", "year")),
        Facet("validity", label["validity"], options(validities, "validity", lambda r: str(validity_labels[r["validity"]]), "validity")),
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
    filters, ignored = clean_filters(params)
    messages += [
        _("“%(label)s”筛选条件无效，已忽略；以下结果未按该条件筛选。") % {"label": FILTER_LABELS[name]} for name in ignored
    ]
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


