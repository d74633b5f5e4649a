"""The two full-text backends: PostgreSQL (tsvector, configuration ``simple``, GIN) and SQLite (FTS5, bm25).

Both receive text already segmented by ``tokenize``; neither relies on the database's own word parser for Chinese.
PostgreSQL gets a tsvector literal built here (lexemes with positions and weights), SQLite gets space-separated words
that FTS5's ``unicode61`` tokenizer splits on the spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_RESULTS = 5000


@dataclass(frozen=True)
class Fields:
    """Weighted token lists of one document: A title and numbers, B metadata, D body."""

    title: list[str]
    numbers: list[str]
    metadata: list[str]
    body: list[str]

    def all_tokens(self) -> list[str]:
        return self.title + self.numbers + self.metadata + self.body


def _pg_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(fields: Fields) -> str:
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, tokens in (("A", fields.title), ("A", fields.numbers), ("B", fields.metadata), ("D", fields.body)):
        for token in tokens:
            position = min(position + 1, MAX_POSITION)
            slots = positions.setdefault(token, [])
            if len(slots) < 256:  # PostgreSQL keeps at most 256 positions per lexeme
                slots.append(f"{position}{weight}" if weight != "D" else str(position))
    return " ".join(f"{_pg_lexeme(token)}:{','.join(slots)}" for token, slots in positions.items())


def tsquery_literal(words: list[str], whole: str) -> str:
    conjunction = " & ".join(_pg_lexeme(w) for w in words)
    if whole and whole not in words:
        return f"({conjunction}) | {_pg_lexeme(whole)}" if conjunction else _pg_lexeme(whole)
    return conjunction


def fts5_query(words: list[str], whole: str) -> str:
    def phrase(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    conjunction = " AND ".join(phrase(w) for w in words)
    if whole and whole not in words:
        return f"({conjunction}) OR {phrase(whole)}" if conjunction else phrase(whole)
    return conjunction


def store(document_id: int, fields: Fields) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE disclosure_searchentry SET vector = %s::tsvector WHERE document_id = %s",
                [tsvector_literal(fields), document_id],
            )
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM disclosure_search_fts WHERE rowid = %s", [document_id])
            cursor.execute(
                "INSERT INTO disclosure_search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [document_id, " ".join(fields.title + fields.numbers), " ".join(fields.metadata + fields.body)],
            )


def remove(document_id: int) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM disclosure_search_fts WHERE rowid = %s", [document_id])
    # On PostgreSQL the vector lives on the SearchEntry row, which the caller deletes.


def clear() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM disclosure_search_fts")


def match(words: list[str], whole: str) -> list[tuple[int, float]]:
    """(document id, score) of the index rows that contain every word (or the whole term), best first."""
    if not words and not whole:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT document_id, ts_rank_cd(vector, query) AS score "
                "FROM disclosure_searchentry, CAST(%s AS tsquery) AS query "
                "WHERE vector @@ query ORDER BY score DESC, document_id DESC LIMIT %s",
                [tsquery_literal(words, whole), MAX_RESULTS],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]
        # bm25 is lower for better matches; titles weigh ten times the body.
        cursor.execute(
            "SELECT rowid, -bm25(disclosure_search_fts, 10.0, 1.0) AS score FROM disclosure_search_fts "
            "WHERE disclosure_search_fts MATCH %s ORDER BY score DESC, rowid DESC LIMIT %s",
            [fts5_query(words, whole), MAX_RESULTS],
        )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


def create_structures(schema_editor) -> None:  # noqa: ANN001 - called from the migration
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE disclosure_searchentry ADD COLUMN vector tsvector")
        schema_editor.execute("CREATE INDEX disclosure_search_vector_gin ON disclosure_searchentry USING gin (vector)")
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE disclosure_search_fts USING fts5(title, body, tokenize = 'unicode61')"
        )


def drop_structures(schema_editor) -> None:  # noqa: ANN001
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS disclosure_search_vector_gin")
        schema_editor.execute("ALTER TABLE disclosure_searchentry DROP COLUMN IF EXISTS vector")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS disclosure_search_fts")
