"""Reads of the search index: matching, facets, highlighting (R39)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Organisation, Section, Topic
from core.params import date_param, id_param, year_param
from disclosure.models import Document
from disclosure.search import backends
from disclosure.search.backends import SECTION_BITS
from disclosure.search.segment import MAX_QUERY_LENGTH, query_tokens, simplified, whole_term
from disclosure.selectors import public_document_list
from disclosure.synonyms import expand

PAGE_SIZE = 10
SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 160
FILTERS = ("org", "topic", "section", "year", "validity")
SORTS = ("date",)  # the default, unnamed, is relevance: title matches first, then newest
FILTER_LABELS = {
    "org": gettext_lazy("发布机构"),
    "topic": gettext_lazy("主题分类"),
    "section": gettext_lazy("公开类别"),
    "year": gettext_lazy("发布年份"),
    "validity": gettext_lazy("有效性"),
    "from": gettext_lazy("发布日期（起）"),
    "to": gettext_lazy("发布日期（止）"),
    "field": gettext_lazy("检索范围"),
}
# Besides the facets: a range of publication days (both ends included), and a search within one field.
RANGE = ("from", "to")
FIELD_LABELS = {"": gettext_lazy("全文"), "title": gettext_lazy("标题"), "number": gettext_lazy("文号或索引号")}
PARAMS = (*FILTERS, *RANGE, "field")


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
    filters: dict[str, str]  # the filters applied, and ``sort`` when not by relevance (for the links)
    messages: list[str] = field(default_factory=list)
    exact: bool = True  # False: ``total`` is an estimate, shown as "约"
    policies: list[int] = field(default_factory=list)  # on page 1: candidates with published interpretations
    also: list[str] = field(default_factory=list)  # synonyms searched besides the words typed (同时搜索了)
    organisation: tuple[str, str] | None = None  # (code, name) of the organisation filtered by, when it is public
    bound: int = 0  # counts, facets and pages cover at most this many of the newest matches
    sort: str = ""

    @property
    def capped(self) -> bool:
        return not self.exact

    @property
    def scope_notes(self) -> list[tuple[str, str]]:
        """The date range and the field searched, each with the parameter that a 取消 link removes."""
        notes = []
        if "from" in self.filters:
            notes.append((_("发布日期自 %(day)s 起") % {"day": self.filters["from"]}, "from"))
        if "to" in self.filters:
            notes.append((_("发布日期至 %(day)s 止") % {"day": self.filters["to"]}, "to"))
        if self.filters.get("field"):
            notes.append((_("只检索%(field)s") % {"field": FIELD_LABELS[self.filters["field"]]}, "field"))
        return notes


def clean_filters(params: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Known filters with valid values, and the names of those given a value that cannot be valid.

    An invalid value is dropped, never an error: the page renders without that filter and says so (rule 2 of
    ``core/params.py``). Integers count only as ASCII digits in range, and are kept in their plain form so the
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
        elif (name == "section" and value not in Section.values) or (
            name == "validity" and value not in Document.Validity.values
        ):
            value = ""
        if value:
            cleaned[name] = value
        else:
            ignored.append(name)
    for name in RANGE:
        value = (params.get(name) or "").strip()[:20]
        if value:
            day = date_param(value)
            if day is None:
                ignored.append(name)
            else:
                cleaned[name] = day.isoformat()
    if "from" in cleaned and "to" in cleaned and cleaned["from"] > cleaned["to"]:
        cleaned["from"], cleaned["to"] = cleaned["to"], cleaned["from"]  # the ends given the wrong way round
    field_name = (params.get("field") or "").strip()
    if field_name in backends.FIELDS:
        cleaned["field"] = field_name
    elif field_name:
        ignored.append("field")
    return cleaned, ignored


def _scope(filters: dict[str, str], organisations: dict[int, tuple[str, str, bool]]) -> backends.Scope:
    organisation_id = None
    if "org" in filters:
        organisation_id = next((pk for pk, (code, _n, _a) in organisations.items() if code == filters["org"]), -1)
    since = until = None
    if "year" in filters:
        year = int(filters["year"])
        since = timezone.make_aware(dt.datetime(year, 1, 1))
        until = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    if "from" in filters:
        start = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(filters["from"]), dt.time()))
        since = max(since, start) if since else start
    if "to" in filters:
        end = timezone.make_aware(
            dt.datetime.combine(dt.date.fromisoformat(filters["to"]) + dt.timedelta(days=1), dt.time())
        )
        until = min(until, end) if until else end
    return backends.Scope(
        organisation_id=organisation_id,
        topic_id=int(filters["topic"]) if "topic" in filters else None,
        section=filters.get("section"),
        since=since,
        until=until,
        validity=filters.get("validity"),
        excluded_organisations=tuple(pk for pk, (_c, _n, active) in organisations.items() if not active),
    )


def _facets(
    counts: dict[str, list[tuple[Any, int]]], filters: dict[str, str], organisations: dict[int, tuple[str, str, bool]]
) -> list[Facet]:
    label = {name: str(text) for name, text in FILTER_LABELS.items()}
    topic_ids = [value for value, _n in counts["topic"] if value is not None]
    topics = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "name")) if topic_ids else {}
    section_of_bit = {bit: section for section, bit in SECTION_BITS.items()}
    section_labels = dict(Section.choices)
    validity_labels = dict(Document.Validity.choices)

    def options(name: str, rows: list[tuple[str, str, int]]) -> list[tuple[str, str, int, bool]]:
        return [(value, text, n, filters.get(name) == value) for value, text, n in rows]

    by_count = lambda rows: sorted(rows, key=lambda row: (-row[1], str(row[0])))  # noqa: E731
    organisation_rows = [
        (organisations[pk][0], organisations[pk][1], n) for pk, n in by_count(counts["org"]) if pk in organisations
    ]
    topic_rows = [(str(pk), topics[pk], n) for pk, n in by_count(counts["topic"]) if pk in topics]
    section_rows = [
        (section_of_bit[bit], str(section_labels[section_of_bit[bit]]), n)
        for bit, n in sorted(counts["section"])
        if bit in section_of_bit
    ]
    year_rows = [(str(year), str(year), n) for year, n in sorted(counts["year"], reverse=True)]
    validity_rows = [(value, str(validity_labels.get(value, value)), n) for value, n in sorted(counts["validity"])]
    return [
        Facet("org", label["org"], options("org", organisation_rows)),
        Facet("topic", label["topic"], options("topic", topic_rows)),
        Facet("section", label["section"], options("section", section_rows)),
        Facet("year", label["year"], options("year", year_rows)),
        Facet("validity", label["validity"], options("validity", validity_rows)),
    ]


def highlight(text: str, words: list[str]) -> SafeString:
    """``text`` escaped, with each occurrence of a query word wrapped in <mark>. The words are simplified
    (``normalise``); they are looked for in the simplified text, which has the original's length, and the original
    is marked, so 統計 in a traditional title is marked for 统计."""
    if not words or not text:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for found in pattern.finditer(simplified(text)):
        parts.append(escape(text[last : found.start()]))
        parts.append(f"<mark>{escape(text[found.start() : found.end()])}</mark>")
        last = found.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece above is escaped


def snippet(text: str, words: list[str]) -> SafeString:
    lowered = text.lower()
    positions = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    if not positions:  # a traditional body, whose words are found in its simplified form (of the same length)
        lowered = simplified(lowered)
        positions = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = max(0, min(positions) - SNIPPET_BEFORE) if positions else 0
    piece = text[start : start + SNIPPET_LENGTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_LENGTH < len(text) else ""
    return mark_safe(prefix + highlight(piece, words) + suffix)


def _page_number(value: str | int | None) -> int:
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return max(1, number)


def search_documents(
    *, query: str, params: dict[str, str], page_number: str | int | None, sort: str = ""
) -> SearchResult:
    """One page of public documents matching ``query`` within the filters of ``params`` (R39).

    Filters apply before anything is counted. The newest ``BOUND`` matches are the candidates: they are ranked
    (title matches first, then newest; or newest first when sorted by date), paged and counted for the facets. With
    more matches, the total is an estimate and the page says so.
    """
    messages: list[str] = []
    raw = (query or "").strip()
    if len(raw) > MAX_QUERY_LENGTH:
        messages.append(_("检索词过长，只按前 %(n)s 个字检索。") % {"n": MAX_QUERY_LENGTH})
        raw = raw[:MAX_QUERY_LENGTH]
    words = query_tokens(raw)
    whole = whole_term(raw) if re.search(r"\d", raw) else ""
    filters, ignored = clean_filters(params)
    messages += [
        _("“%(label)s”筛选条件无效，已忽略；以下结果未按该条件筛选。") % {"label": FILTER_LABELS[name]}
        for name in ignored
    ]
    sort = sort if sort in SORTS else ""
    links = {**filters, **({"sort": sort} if sort else {})}
    if raw and not words and not whole:
        messages.append(_("检索词中没有可检索的文字，请输入汉字、字母或数字。"))
        empty = Paginator([], PAGE_SIZE, allow_empty_first_page=True).get_page(1)
        facets = [Facet(name, str(FILTER_LABELS[name]), []) for name in FILTERS]
        return SearchResult(
            query=raw,
            words=[],
            total=0,
            page=empty,
            hits=[],
            facets=facets,
            filters=links,
            messages=messages,
            sort=sort,
        )

    organisations = {
        pk: (code, name, active)
        for pk, code, name, active in Organisation.objects.values_list("pk", "code", "name", "is_active")
    }
    scope = _scope(filters, organisations)
    bound = backends.BOUND
    last_page = max(1, -(-bound // PAGE_SIZE))
    number = min(_page_number(page_number), last_page)

    expansion = expand(words) if words else None
    terms = expansion.terms if expansion else []

    def run(page: int) -> backends.Outcome:
        return backends.search(
            words=terms,
            whole=whole,
            scope=scope,
            by_date=sort == "date",
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            with_policies=page == 1 and bool(words),
            field=filters.get("field", ""),
        )

    outcome = run(number)
    pages = max(1, -(-outcome.ranked // PAGE_SIZE))
    if number > pages:  # past the last page: show the last one, as Paginator.get_page does
        number = pages
        outcome = run(number)
    paginator = Paginator(_RankedIds(outcome, number), PAGE_SIZE, allow_empty_first_page=True)
    page = paginator.page(number)
    by_id = public_document_list().in_bulk(outcome.ids)
    page_documents = [by_id[pk] for pk in outcome.ids if pk in by_id]
    if not outcome.exact and number == last_page:
        messages.append(_("结果较多，只列出最新的 %(n)s 条；请增加检索词或筛选条件。") % {"n": bound})
    marks = (expansion.marks if expansion else []) + ([whole] if whole else [])
    hits = [
        Hit(document=d, title_html=highlight(d.title, marks), snippet_html=snippet(d.body_text, marks))
        for d in page_documents
    ]
    return SearchResult(
        query=raw,
        words=words,
        total=outcome.total,
        page=page,
        hits=hits,
        facets=_facets(outcome.facets, filters, organisations),
        filters=links,
        messages=messages,
        exact=outcome.exact,
        bound=bound,
        sort=sort,
        policies=outcome.policies if number == 1 else [],
        also=expansion.also if expansion else [],
        organisation=next(
            ((code, name) for code, name, active in organisations.values() if active and code == filters.get("org")),
            None,
        ),
    )


class _RankedIds:
    """The ranked candidates as Paginator sees them: their number, and the ids of the one page fetched."""

    def __init__(self, outcome: backends.Outcome, number: int) -> None:
        self.outcome, self.offset = outcome, (number - 1) * PAGE_SIZE

    def __len__(self) -> int:
        return self.outcome.ranked

    def count(self) -> int:
        return self.outcome.ranked

    def __getitem__(self, item: slice) -> list[int]:
        if isinstance(item, slice) and item.start == self.offset:
            return self.outcome.ids
        raise IndexError("only the fetched page can be read")
