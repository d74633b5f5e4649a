"""Search correctness at scale: totals and facets of ``search_documents`` against a brute-force count (issue 15).

For each query class of the benchmark, with no filter and with each kind of filter, the brute force reads the
documents themselves (their own organisation, topic, catalogue links, publication time and validity, never the search
entry's copies), matches the words by a sequential scan of the vectors (no index, no bound, no plan choice), and
counts. Exact totals must be equal; an estimate is reported with its error; facets must equal the brute-force counts
over the same candidates (all matches up to the bound, else the newest BOUND).

    DJANGO_SETTINGS_MODULE=govopen.settings .venv/bin/python bench/search_check.py   # after bench/build.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govopen.settings")

import django

if __name__ == "__main__":
    django.setup()

from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Topic
from disclosure.search import backends
from disclosure.search.query import search_documents
from disclosure.search.segment import query_tokens

BRUTE = """
WITH m AS (
    SELECT d.id, d.published_at, d.organisation_id, d.topic_id, d.validity FROM disclosure_document d
    JOIN catalog_organisation o ON o.id = d.organisation_id AND o.is_active
    JOIN disclosure_searchentry e ON e.document_id = d.id
    WHERE d.status = 'published' AND d.attribute = 'proactive' AND d.published_at <= %(now)s
      AND e.vector @@ CAST(%(q)s AS tsquery) {filters}
), k AS (SELECT * FROM m ORDER BY published_at DESC, id DESC LIMIT %(bound)s)
SELECT 'total', '', count(*) FROM m
UNION ALL SELECT 'org', o.code, count(*) FROM k JOIN catalog_organisation o ON o.id = k.organisation_id GROUP BY o.code
UNION ALL SELECT 'topic', k.topic_id::text, count(*) FROM k WHERE topic_id IS NOT NULL GROUP BY k.topic_id
UNION ALL SELECT 'year', extract(year FROM published_at AT TIME ZONE 'Asia/Shanghai')::int::text, count(*) FROM k GROUP BY 2
UNION ALL SELECT 'validity', validity, count(*) FROM k GROUP BY validity
UNION ALL SELECT 'section', n.section, count(DISTINCT k.id) FROM k
    JOIN disclosure_document_catalogue_nodes l ON l.document_id = k.id
    JOIN catalog_cataloguenode n ON n.id = l.cataloguenode_id GROUP BY n.section
"""

FILTER_SQL = {
    "org": "AND d.organisation_id = (SELECT id FROM catalog_organisation WHERE code = %(value)s)",
    "topic": "AND d.topic_id = %(value)s::bigint",
    "section": "AND EXISTS (SELECT 1 FROM disclosure_document_catalogue_nodes l JOIN catalog_cataloguenode n "
    "ON n.id = l.cataloguenode_id WHERE l.document_id = d.id AND n.section = %(value)s)",
    "year": "AND extract(year FROM d.published_at AT TIME ZONE 'Asia/Shanghai') = %(value)s::int",
    "validity": "AND d.validity = %(value)s",
}


def brute_force(words: list[str], name: str | None, value: str | None) -> dict[str, dict[str, int]]:
    sql = BRUTE.format(filters=FILTER_SQL[name] if name else "")
    params = {"now": timezone.now(), "q": backends.tsquery_literal(words, ""), "bound": backends.BOUND, "value": value}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        # SET LOCAL lasts to the end of the outermost transaction, not of this block: inside a test's transaction
        # it would leave every later query (the deferred foreign-key checks at the test's end among them, 130 s at
        # 300 documents) without indexes. (A failing query rolls the savepoint back, which undoes the SETs.)
        cursor.execute("SET LOCAL enable_indexscan = on")
        cursor.execute("SET LOCAL enable_bitmapscan = on")
    counts: dict[str, dict[str, int]] = {}
    for kind, key, n in rows:
        counts.setdefault(kind, {})[key] = n
    return counts


@dataclass
class Comparison:
    total: int  # what the search page says
    exact: bool
    truth: int  # the brute-force count
    facets: dict[str, dict[str, int]]
    expected_facets: dict[str, dict[str, int]]
    milliseconds: float

    @property
    def total_ok(self) -> bool:
        return self.total == self.truth if self.exact else self.truth > backends.BOUND

    @property
    def facets_ok(self) -> bool:
        return self.facets == self.expected_facets


def compare(text: str, name: str | None = None, value: str | None = None) -> Comparison:
    started = time.perf_counter()
    result = search_documents(query=text, params={name: value} if name else {}, page_number=1)
    milliseconds = (time.perf_counter() - started) * 1000
    truth = brute_force(query_tokens(text), name, value)
    facets = {facet.name: {v: n for v, _label, n, _selected in facet.options} for facet in result.facets}
    expected = {kind: truth.get(kind, {}) for kind in ("org", "topic", "year", "validity", "section")}
    return Comparison(
        total=result.total,
        exact=result.exact,
        truth=truth.get("total", {}).get("", 0),
        facets=facets,
        expected_facets=expected,
        milliseconds=milliseconds,
    )


def main() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'query_words'")
        row = cursor.fetchone()
        words = json.loads(row[0]) if row else {"common": "公开", "mid": "金融", "two": "金融 风险"}
        cursor.execute(
            "SELECT o.code FROM disclosure_searchentry e JOIN catalog_organisation o ON o.id = e.organisation_id "
            "GROUP BY o.code ORDER BY count(*) DESC LIMIT 1"
        )
        largest = cursor.fetchone()[0]
    topic = str(Topic.objects.order_by("pk").values_list("pk", flat=True).first())
    filters = [
        (None, None),
        ("org", largest),
        ("topic", topic),
        ("section", "result"),
        ("year", "2020"),
        ("validity", "expired"),
    ]
    failures = 0
    print("| query | filter | search total | exact | brute force | error | facets | ms |")
    print("| --- | --- | ---: | --- | ---: | ---: | --- | ---: |")
    for label, text in words.items():
        for name, value in filters:
            c = compare(text, name, value)
            error = "0" if c.exact else (f"{(c.total - c.truth) / c.truth:+.0%}" if c.truth else "n/a")
            failures += (not c.total_ok) + (not c.facets_ok)
            print(
                f"| {label} ({text}) | {name or '—'}{'=' + value if value else ''} | {c.total} | "
                f"{'yes' if c.exact else 'no (约)'} | {c.truth} | {error} | {'equal' if c.facets_ok else 'DIFFER'} | "
                f"{c.milliseconds:.0f} |"
            )
            for kind, expected in c.expected_facets.items():
                if c.facets.get(kind) != expected:
                    print(f"    {kind}: search {c.facets.get(kind)} vs brute force {expected}", file=sys.stderr)
    print(f"\n{failures} mismatch(es)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
