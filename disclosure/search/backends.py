"""The two full-text backends: PostgreSQL (tsvector, configuration ``simple``, GIN) and SQLite (FTS5, bm25).

Both receive text already segmented by ``tokenize``; neither relies on the database's own word parser for Chinese.
PostgreSQL gets a tsvector literal built here (lexemes with positions and weights), SQLite gets space-separated words
that FTS5's ``unicode61`` tokenizer splits on the spaces.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.models import Section

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position

# A search counts, ranks and facets at most this many matches, the newest ones after the filters; beyond it the
# total is an estimate shown as "约" (docs/architecture.md, "Search at scale").
BOUND = 5_000
# On PostgreSQL, a query matching at least this share of the filtered documents walks them newest first and stops at
# BOUND + 1 matches; a sparser one takes the matches from the GIN index and sorts them.
DENSE_SHARE = 0.2
# A sparse query without a date range first looks among the newest entries only, as many as should hold
# WINDOW_MARGIN times BOUND + 1 of its matches if they are spread evenly over time; PostgreSQL then ANDs the GIN
# bitmap with the time index's (or the filter's: the organisation, topic and validity indexes all end in the
# publication time) and reads only the matches inside the window (金融 at 1M: 7k rows instead of 35k, 60-80 ms to
# under 30; with the topic filter the topic index is read over the window only, 56 ms to 39). A window holding fewer
# than BOUND + 1 matches is dropped and the statement runs over all of them.
WINDOW_MARGIN = 1.5
# No window when it would cover more than this share of the documents: without filters the alternative is the GIN
# bitmap alone, which beats ANDing a wide time range; with a filter, its index is read anyway and a window only
# shortens that read.
WINDOW_SHARE = 0.5
FILTERED_WINDOW_SHARE = 0.8

# 公开类别 of a document as bits of SearchEntry.sections (a document may sit in items of several sections).
SECTION_BITS: dict[str, int] = {section: 1 << n for n, section in enumerate(Section.values)}


# A search may be limited to one field (检索范围): the title, or the numbers (文号 and 索引号). On PostgreSQL both live
# in the title vector, told apart by weight (title A, numbers B), which has its own GIN index; on SQLite they are
# columns of the FTS5 table.
FIELDS = ("title", "number")
_FIELD_WEIGHTS = {"title": "A", "number": "B"}
_FTS_COLUMNS = {"title": "title", "number": "numbers"}


@dataclass(frozen=True)
class Fields:
    """Weighted token lists of one document: A title and numbers, B metadata, D body (in the title vector: A title,
    B numbers)."""

    title: list[str]
    numbers: list[str]
    metadata: list[str]
    body: list[str]

    def all_tokens(self) -> list[str]:
        return self.title + self.numbers + self.metadata + self.body


def _pg_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: Fields) -> str:
    return _weighted_literal((("A", fields.title), ("A", fields.numbers), ("B", fields.metadata), ("D", fields.body)))


def _weighted_literal(parts: tuple[tuple[str, list[str]], ...]) -> str:
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, tokens in parts:
        for token in tokens:
            position = min(position + 1, MAX_POSITION)
            slots = positions.setdefault(token, [])
            if len(slots) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                slots.append(f"{position}{weight}" if weight != "D" else str(position))
    return " ".join(f"{_pg_lexeme(token)}:{','.join(slots)}" for token, slots in positions.items())


# A term of a query: one word, or alternatives (synonyms, ``disclosure.synonyms``), any of which matches when all of
# its words do: (("噪音",), ("噪声",)) or (("城管",), ("城市", "管理")).
Term = str | tuple[tuple[str, ...], ...]


def _term(term: Term, word: Callable[[str], str], conjunction: str, disjunction: str) -> str:
    if isinstance(term, str):
        return word(term)

    def together(words: tuple[str, ...]) -> str:
        joined = conjunction.join(word(w) for w in words)
        return f"({joined})" if len(words) > 1 else joined

    return "(" + disjunction.join(together(words) for words in term) + ")"


def tsquery_literal(words: list[Term], whole: str, weight: str = "") -> str:
    """The words as a tsquery, all of them (or the whole term) to match; with ``weight``, only at positions of that
    weight ('户外':A)."""
    lexeme = (lambda token: f"{_pg_lexeme(token)}:{weight}") if weight else _pg_lexeme
    conjunction = " & ".join(_term(w, lexeme, " & ", " | ") for w in words)
    if whole and whole not in words:
        return f"({conjunction}) | {lexeme(whole)}" if conjunction else lexeme(whole)
    return conjunction


def fts5_query(words: list[Term], whole: str) -> str:
    def phrase(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    conjunction = " AND ".join(_term(w, phrase, " AND ", " OR ") for w in words)
    if whole and whole not in words:
        return f"({conjunction}) OR {phrase(whole)}" if conjunction else phrase(whole)
    return conjunction


def title_tsvector_literal(fields: Fields) -> str:
    return _weighted_literal((("A", fields.title), ("B", fields.numbers)))


def store_many(rows: list[tuple[int, Fields]]) -> None:
    """Write the words of indexed documents: on PostgreSQL one ``UPDATE … FROM (VALUES …)`` of the entries' vectors,
    on SQLite a row of the FTS5 table each."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s, %s)"] * len(rows))
            params: list[Any] = []
            for pk, fields in rows:
                params += [pk, tsvector_literal(fields), title_tsvector_literal(fields)]
            cursor.execute(
                "UPDATE disclosure_searchentry AS e SET vector = v.vector::tsvector, title_vector = v.title::tsvector "
                f"FROM (VALUES {values}) AS v(id, vector, title) WHERE e.document_id = v.id",
                params,
            )
        elif connection.vendor == "sqlite":
            for pk, fields in rows:
                cursor.execute("DELETE FROM disclosure_search_fts WHERE rowid = %s", [pk])
                cursor.execute(
                    "INSERT INTO disclosure_search_fts (rowid, title, numbers, body) VALUES (%s, %s, %s, %s)",
                    [pk, " ".join(fields.title), " ".join(fields.numbers), " ".join(fields.metadata + fields.body)],
                )


def prune() -> None:
    """Drop the backend's rows of documents that have no search entry (SQLite's FTS table; on PostgreSQL the
    vectors live on the entries)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM disclosure_search_fts WHERE rowid NOT IN (SELECT document_id FROM disclosure_searchentry)"
            )


def remove(document_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM disclosure_search_fts WHERE rowid = %s", [document_id])
    # On PostgreSQL the vector lives on the SearchEntry row, which the caller deletes.


@dataclass(frozen=True)
class Scope:
    """The filters of a search. They are applied before anything is counted, capped or ranked."""

    organisation_id: int | None = None
    topic_id: int | None = None
    section: str | None = None
    since: dt.datetime | None = None  # publication time, inclusive
    until: dt.datetime | None = None  # exclusive
    validity: str | None = None
    excluded_organisations: tuple[int, ...] = ()  # inactive organisations: their documents are not public


@dataclass
class Outcome:
    """One page of a search with its counts, all from the same candidates: the newest BOUND matches in the scope."""

    ids: list[int]  # the page, in rank order
    candidates: int  # matches counted, at most BOUND + 1
    total: int  # exact when ``exact``, otherwise an estimate (> BOUND)
    exact: bool
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)  # org/topic/year/validity/section
    policies: list[int] = field(default_factory=list)  # candidates with published interpretations (when asked)

    @property
    def ranked(self) -> int:
        """How many matches are ranked and can be paged through."""
        return min(self.candidates, BOUND)


def search(
    *,
    words: list[Term],
    whole: str,
    scope: Scope,
    by_date: bool,
    offset: int,
    limit: int,
    now: dt.datetime | None = None,
    with_policies: bool = False,
    field: str = "",
) -> Outcome:
    """The page at ``offset`` of the public documents in ``scope`` that contain every term (or the whole term; with
    neither, all of them) — in ``field`` only when one of FIELDS is given —, ranked title matches first then newest
    (or newest first ``by_date``), with the total and the facet counts of the same candidates."""
    now = now or timezone.now()
    field = field if field in FIELDS else ""
    if connection.vendor == "postgresql":
        return _pg_search(
            words=words,
            whole=whole,
            scope=scope,
            by_date=by_date,
            offset=offset,
            limit=limit,
            now=now,
            with_policies=with_policies,
            field=field,
        )
    return _generic_search(
        words=words,
        whole=whole,
        scope=scope,
        by_date=by_date,
        offset=offset,
        limit=limit,
        now=now,
        with_policies=with_policies,
        field=field,
    )


def _year_of(moment: dt.datetime) -> int:
    return timezone.localtime(moment).year


# --- PostgreSQL ------------------------------------------------------------------------------------------------------

_FACETS_SQL = """
WITH c AS MATERIALIZED ({candidates}),
k AS MATERIALIZED (SELECT * FROM c ORDER BY published_at DESC, document_id DESC LIMIT %s)
SELECT 0, document_id::text, n FROM (
    SELECT document_id, row_number() OVER (ORDER BY {rank}) AS n FROM k ORDER BY {rank} LIMIT %s OFFSET %s
) page
UNION ALL SELECT 1, min(published_at)::text, count(*) FROM c
UNION ALL SELECT 2, organisation_id::text, count(*) FROM k GROUP BY organisation_id
UNION ALL SELECT 3, topic_id::text, count(*) FROM k GROUP BY topic_id
UNION ALL SELECT 4, extract(year FROM published_at AT TIME ZONE %s)::int::text, count(*) FROM k GROUP BY 2
UNION ALL SELECT 5, validity, count(*) FROM k GROUP BY validity
UNION ALL SELECT 6, bit::text, count(*) FROM k, unnest(%s::int[]) AS bit WHERE (k.sections & bit) <> 0 GROUP BY bit
{policies}"""

# The best-ranked candidates that have published interpretations, checked in rank order until enough are found.
POLICIES = 20
_POLICIES_SQL = """UNION ALL SELECT 7, p.document_id::text, 0 FROM (
    SELECT s.document_id FROM (SELECT * FROM k ORDER BY {rank}) s
    CROSS JOIN LATERAL (
        SELECT 1 FROM disclosure_interpretation i
        WHERE i.policy_id = s.document_id AND i.status = 'published' LIMIT 1
    ) found
    LIMIT %s
) p
"""

_COLUMNS = "e.document_id, e.published_at, e.organisation_id, e.topic_id, e.validity, e.sections"


def _pg_scope(scope: Scope, now: dt.datetime) -> tuple[str, list[Any]]:
    clauses, params = ["e.published_at <= %s"], [now]
    for condition, value in (
        ("e.organisation_id = %s", scope.organisation_id),
        ("e.topic_id = %s", scope.topic_id),
        ("e.published_at >= %s", scope.since),
        ("e.published_at < %s", scope.until),
        ("e.validity = %s", scope.validity),
    ):
        if value is not None:
            clauses.append(condition)
            params.append(value)
    if scope.section is not None:
        # A literal (an int from SECTION_BITS), so the planner can use that section's partial index.
        clauses.append(f"(e.sections & {int(SECTION_BITS.get(scope.section, 0))}) <> 0")
    if scope.excluded_organisations:
        clauses.append("e.organisation_id <> ALL(%s)")
        params.append(list(scope.excluded_organisations))
    return " AND ".join(clauses), params


def _pg_estimate(cursor: Any, where: str, params: list[Any]) -> float:
    """The planner's estimate of the rows of the search entries matching ``where`` (from ANALYZE's statistics)."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM disclosure_searchentry e WHERE {where}", params)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _pg_search(
    *,
    words: list[Term],
    whole: str,
    scope: Scope,
    by_date: bool,
    offset: int,
    limit: int,
    now: dt.datetime,
    with_policies: bool,
    field: str,
) -> Outcome:
    where, params = _pg_scope(scope, now)
    query = tsquery_literal(words, whole, _FIELD_WEIGHTS.get(field, "")) if words or whole else ""
    column = "e.title_vector" if field else "e.vector"
    title = "e.title_vector @@ CAST(%s AS tsquery)" if query else "false"
    title_params = [tsquery_literal(words, whole)] if query else []
    rank = "published_at DESC, document_id DESC" if by_date else "in_title DESC, published_at DESC, document_id DESC"
    with transaction.atomic(), connection.cursor() as cursor:
        dense, since = True, None
        if query:
            in_scope = max(_pg_estimate(cursor, where, params), 1.0)
            matching = _pg_estimate(cursor, f"{where} AND {column} @@ CAST(%s AS tsquery)", [*params, query])
            dense = matching / in_scope >= DENSE_SHARE
            # No window with a date range (it is one already) nor with a section: the planner has no statistics
            # for a section's bit, so its estimate of the matches is the unfiltered one and the window too narrow.
            if not dense and scope.since is None and scope.until is None and scope.section is None:
                since = _window_start(
                    cursor,
                    matching=matching,
                    cap=WINDOW_SHARE if where == _UNFILTERED else FILTERED_WINDOW_SHARE,
                )
        if dense:
            # Newest first through a btree index, the words checked on each row until BOUND + 1 match. The OFFSET 0
            # keeps the cheap filters below the costly word check.
            cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
            candidates = (
                f"SELECT {_COLUMNS}, {title} AS in_title FROM ("
                f"SELECT e.* FROM disclosure_searchentry e WHERE {where} "
                "ORDER BY e.published_at DESC, e.document_id DESC OFFSET 0) e"
                + (f" WHERE {column} @@ CAST(%s AS tsquery)" if query else "")
                + " ORDER BY e.published_at DESC, e.document_id DESC LIMIT %s"
            )
            candidate_params = [*title_params, *params, *([query] if query else []), BOUND + 1]
        else:
            # Few matches: all of them from the GIN index (a fenced subquery without order or limit, so nothing
            # tempts the planner into walking the time index), then the newest. The title is checked on each match
            # as it is read, so the sort carries a boolean rather than the title's words (at 35k matches the
            # narrower sort saves more than the checks cost: 86 ms to 79 at 1M).
            def sparse(window: dt.datetime | None) -> tuple[str, list[Any]]:
                return (
                    f"SELECT f.* FROM (SELECT {_COLUMNS}, {title} AS in_title FROM disclosure_searchentry e "
                    f"WHERE {where}{' AND e.published_at >= %s' if window else ''} "
                    f"AND {column} @@ CAST(%s AS tsquery) OFFSET 0) f "
                    "ORDER BY f.published_at DESC, f.document_id DESC LIMIT %s",
                    [*title_params, *params, *([window] if window else []), query, BOUND + 1],
                )

            candidates, candidate_params = sparse(since)

        def run() -> list[tuple[int, Any, int]]:
            cursor.execute(
                _FACETS_SQL.format(
                    candidates=candidates,
                    rank=rank,
                    policies=_POLICIES_SQL.format(rank=rank) if with_policies else "",
                ),
                [
                    *candidate_params,
                    BOUND,
                    limit,
                    offset,
                    timezone.get_current_timezone_name(),
                    list(SECTION_BITS.values()),
                    *([POLICIES] if with_policies else []),
                ],
            )
            return cursor.fetchall()

        rows = run()
        if dense:
            # SET LOCAL lasts to the end of the outermost transaction, not of this block: inside a caller's transaction
            # (a task's, a test's) every later query would be planned without sequential or bitmap scans.
            cursor.execute("RESET enable_bitmapscan; RESET enable_seqscan")
        if since is not None and not any(kind == 1 and n > BOUND for kind, _key, n in rows):
            # The window held BOUND matches or fewer: the newest BOUND + 1 may lie before it. Over all of them.
            candidates, candidate_params = sparse(None)
            rows = run()
        page: list[tuple[int, int]] = []
        facets: dict[str, list[tuple[Any, int]]] = {
            name: [] for name in ("org", "topic", "year", "validity", "section")
        }
        count, oldest = 0, None
        policies: list[int] = []
        for kind, key, n in rows:
            if kind == 0:
                page.append((n, int(key)))
            elif kind == 7:
                policies.append(int(key))
            elif kind == 1:
                count, oldest = n, key
            else:
                name = ("org", "topic", "year", "validity", "section")[kind - 2]
                value = key if name == "validity" else (int(key) if key is not None else None)
                facets[name].append((value, n))
        total, exact = count, count <= BOUND
        if not exact:
            total = _pg_total_estimate(cursor, where, params, oldest)
    return Outcome(
        ids=[pk for _n, pk in sorted(page)],
        candidates=count,
        total=total,
        exact=exact,
        facets=facets,
        policies=policies,
    )


_UNFILTERED = "e.published_at <= %s"


def _window_start(cursor: Any, *, matching: float, cap: float = WINDOW_SHARE) -> Any:
    """The publication time from which the newest entries should hold WINDOW_MARGIN × (BOUND + 1) of ``matching``
    matches, or None when that window would be more than ``cap`` of the documents. Taken from the planner's
    histogram of publication times (no walk over the entries), one bucket earlier for margin; entries newer than the
    statistics only widen the window, and a window that proves too narrow (a filter whose documents are mostly old)
    is dropped by the caller."""
    share = WINDOW_MARGIN * (BOUND + 1) / max(matching, 1.0)
    if share >= cap:
        return None
    cursor.execute(
        "SELECT histogram_bounds::text::timestamptz[] FROM pg_stats WHERE schemaname = current_schema() "
        "AND tablename = 'disclosure_searchentry' AND attname = 'published_at'"
    )
    found = cursor.fetchone()
    bounds = found[0] if found else None
    if not bounds or len(bounds) < 10:
        return None
    return bounds[max(0, int((1 - share) * (len(bounds) - 1)) - 1)]


def _pg_total_estimate(cursor: Any, where: str, params: list[Any], oldest: str | None) -> int:
    """More than BOUND matches: BOUND newest matches were found among the documents of the scope published since
    ``oldest``, so the whole scope holds about BOUND x (documents in scope / documents since ``oldest``)."""
    in_scope = _pg_estimate(cursor, where, params)
    recent = _pg_estimate(cursor, f"{where} AND e.published_at >= CAST(%s AS timestamptz)", [*params, oldest])
    estimate = BOUND * in_scope / max(recent, 1.0)
    return int(max(BOUND + 1, min(estimate, in_scope)))


# --- SQLite and others: exact, in Python (the demo's scale) -------------------------------------------------------


def _generic_search(
    *,
    words: list[Term],
    whole: str,
    scope: Scope,
    by_date: bool,
    offset: int,
    limit: int,
    now: dt.datetime,
    with_policies: bool,
    field: str,
) -> Outcome:
    from disclosure.models import Interpretation, SearchEntry

    entries = SearchEntry.objects.filter(published_at__lte=now)
    conditions = {
        "organisation_id": scope.organisation_id,
        "topic_id": scope.topic_id,
        "published_at__gte": scope.since,
        "published_at__lt": scope.until,
        "validity": scope.validity,
    }
    entries = entries.filter(**{key: value for key, value in conditions.items() if value is not None})
    if scope.excluded_organisations:
        entries = entries.exclude(organisation_id__in=scope.excluded_organisations)
    query = fts5_query(words, whole) if words or whole else ""
    if query:
        entries = entries.filter(
            document_id__in=RawSQL(
                "SELECT rowid FROM disclosure_search_fts WHERE disclosure_search_fts MATCH %s",
                [f"{_FTS_COLUMNS[field]} : ({query})" if field else query],
            )
        )
    rows = list(
        entries.order_by("-published_at", "-document_id").values_list(
            "document_id", "published_at", "organisation_id", "topic_id", "validity", "sections"
        )
    )
    if scope.section is not None:
        bit = SECTION_BITS.get(scope.section, 0)
        rows = [row for row in rows if row[5] & bit]
    in_title: set[int] = set()
    if query and rows:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM disclosure_search_fts WHERE disclosure_search_fts MATCH %s",
                [f"{{title numbers}} : ({query})"],
            )
            in_title = {row[0] for row in cursor.fetchall()}
    count = len(rows)
    rows = rows[:BOUND]
    ranked = rows if by_date else sorted(rows, key=lambda row: row[0] not in in_title)  # stable: newest within
    facets: dict[str, dict[Any, int]] = {name: {} for name in ("org", "topic", "year", "validity", "section")}
    for _document_id, published_at, organisation_id, topic_id, validity, sections in rows:
        for name, value in (
            ("org", organisation_id),
            ("topic", topic_id),
            ("year", _year_of(published_at)),
            ("validity", validity),
        ):
            facets[name][value] = facets[name].get(value, 0) + 1
        for bit in SECTION_BITS.values():
            if sections & bit:
                facets["section"][bit] = facets["section"].get(bit, 0) + 1
    policies = (
        list(
            Interpretation.objects.filter(
                status=Interpretation.Status.PUBLISHED, policy_id__in=[row[0] for row in rows]
            )
            .values_list("policy_id", flat=True)
            .distinct()
        )
        if with_policies and rows
        else []
    )
    return Outcome(
        ids=[row[0] for row in ranked[offset : offset + limit]],
        candidates=count,
        total=count,
        exact=True,
        facets={name: list(counts.items()) for name, counts in facets.items()},
        policies=policies,
    )


def create_structures(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE disclosure_searchentry ADD COLUMN vector tsvector")
        schema_editor.execute("CREATE INDEX disclosure_search_vector_gin ON disclosure_searchentry USING gin (vector)")
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE disclosure_search_fts USING fts5(title, body, tokenize = 'unicode61')"
        )


def add_field_search(schema_editor) -> None:
    """A search limited to the title or the numbers: on PostgreSQL a GIN index on the title vector (whose numbers
    get weight B from the next indexing: ``search_rebuild``); on SQLite a numbers column of the FTS5 table (the
    numbers stay with the title until then)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_title_vector_gin ON disclosure_searchentry USING gin (title_vector)"
        )
    elif vendor == "sqlite":
        _recreate_fts(schema_editor, "title, numbers, body", "rowid, title, '', body")


def remove_field_search(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_title_vector_gin")
    elif vendor == "sqlite":
        _recreate_fts(schema_editor, "title, body", "rowid, title || ' ' || numbers, body")


def _recreate_fts(schema_editor, columns: str, select: str) -> None:
    schema_editor.execute("ALTER TABLE disclosure_search_fts RENAME TO disclosure_search_fts_old")
    schema_editor.execute(f"CREATE VIRTUAL TABLE disclosure_search_fts USING fts5({columns}, tokenize = 'unicode61')")
    schema_editor.execute(
        f"INSERT INTO disclosure_search_fts (rowid, {columns}) SELECT {select} FROM disclosure_search_fts_old"
    )
    schema_editor.execute("DROP TABLE disclosure_search_fts_old")


def _section_index_name(section: str) -> str:
    return f"search_section_{section}_idx"


def create_section_indexes(schema_editor) -> None:
    """PostgreSQL: per 公开类别, the entries in it newest first (a partial index on the bit, which the search writes as
    a literal so the planner can match it)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for section, bit in SECTION_BITS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_section_index_name(section)} ON disclosure_searchentry "
            f"(published_at DESC, document_id DESC) WHERE (sections & {int(bit)}) <> 0"
        )


def drop_section_indexes(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for section in SECTION_BITS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_section_index_name(section)}")


def add_title_vector(schema_editor) -> None:
    """PostgreSQL: the title's words beside the full vector, kept inline (STORAGE MAIN) so that ranking a candidate
    by "title first" reads no TOAST; the full vector goes out of line (toast_tuple_target), which keeps the rows that
    a newest-first walk reads small."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE disclosure_searchentry ADD COLUMN title_vector tsvector")
    schema_editor.execute("ALTER TABLE disclosure_searchentry ALTER COLUMN title_vector SET STORAGE MAIN")
    schema_editor.execute("UPDATE disclosure_searchentry SET title_vector = ts_filter(vector, '{a}')")
    schema_editor.execute("ALTER TABLE disclosure_searchentry SET (toast_tuple_target = 128)")


def drop_title_vector(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE disclosure_searchentry RESET (toast_tuple_target)")
    schema_editor.execute("ALTER TABLE disclosure_searchentry DROP COLUMN IF EXISTS title_vector")


def drop_structures(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS disclosure_search_vector_gin")
        schema_editor.execute("ALTER TABLE disclosure_searchentry DROP COLUMN IF EXISTS vector")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS disclosure_search_fts")
