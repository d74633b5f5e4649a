"""Reads of the integrity log. Everything in it is public; these only page through it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Subquery

from integrity.models import Checkpoint, Entry

PAGE_SIZE = 50
SEQ_MAX = 2**63 - 1  # the column is a bigint: a larger number in a URL names no entry


def head() -> Entry | None:
    return Entry.objects.order_by("-seq").first()


def entries_before(before: int | None, *, size: int = PAGE_SIZE) -> list[Entry]:
    """Newest first, from ``before`` (exclusive) down: a keyset page along the primary key, as fast at entry
    1,000,000 as at entry 50."""
    rows = Entry.objects.order_by("-seq")
    if before is not None:
        rows = rows.filter(seq__lt=before)
    return list(rows[:size])


def entry(seq: int) -> Entry | None:
    if not 1 <= seq <= SEQ_MAX:
        return None
    return Entry.objects.filter(seq=seq).first()


def entries_in_order(*, batch_size: int = 1000) -> Iterator[Entry]:
    """Every entry, oldest first, in keyset batches: constant memory however long the log grows."""
    last = 0
    while True:
        rows = list(Entry.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def record_history(entry: Entry) -> list[Entry]:
    """Every entry of the same address, oldest first (its versions)."""
    return list(Entry.objects.filter(path=entry.path).order_by("version"))


def checkpoints(*, limit: int = 90) -> list[Checkpoint]:
    return list(Checkpoint.objects.order_by("-day")[:limit])


def document_seal_annotations() -> dict[str, Any]:
    """Annotations for the public document read: the seq and content hash of the document's latest entry, as two
    index probes inside the page's own query (no query of its own)."""
    latest = Entry.objects.filter(record_type=Entry.RecordType.DOCUMENT, record_id=OuterRef("pk")).order_by("-seq")
    return {
        "integrity_seq": Subquery(latest.values("seq")[:1]),
        "integrity_sha256": Subquery(latest.values("content_sha256")[:1]),
    }
