"""Writing the integrity log 发布存证. Nothing else inserts into ``Entry`` or ``Checkpoint``.

``integrity_record`` is called by the publishing services, inside their transaction and after their last row lock:
it appends the record's entry under the chain lock (a transaction-level advisory lock on PostgreSQL; SQLite, the
one-machine demo, has one writer at a time anyway), so two publications at once queue for the lock and never fork
the chain, and a rollback removes the publication and its entry together. ``seq`` is the primary key: even a
writer that skipped the lock could not give two entries the same place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.locks import hold_job_lock
from integrity.canonical import GENESIS_HASH
from integrity.models import Checkpoint, Entry
from integrity.records import KINDS, RecordKind, content_hash, kind_of

CHAIN_LOCK = "integrity-chain"
Kind = Entry.Kind


def _latest(kind: RecordKind, record_id: int) -> Entry | None:
    return Entry.objects.filter(record_type=kind.type, record_id=record_id).order_by("-seq").first()


def _append(
    *, kind: RecordKind, record: Any, event: str, path: str, content_sha256: str, files: list[dict[str, Any]]
) -> Entry:
    hold_job_lock(CHAIN_LOCK)
    tail = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (tail[0] + 1, tail[1]) if tail else (1, GENESIS_HASH)
    version = (Entry.objects.filter(path=path).order_by("-version").values_list("version", flat=True).first() or 0) + 1
    entry = Entry(
        seq=seq,
        at=timezone.now(),
        kind=event,
        record_type=kind.type,
        record_id=record.pk,
        path=path,
        version=version,
        content_sha256=content_sha256,
        files=files,
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    return entry


def integrity_record(*, record: Any, event: str | None = None) -> Entry | None:
    """Append the entry for what just happened to ``record`` (a document, interpretation, emergency update or annual
    report), in the caller's transaction; returns it, or None when the public has seen no change.

    The record's public state decides: a record that is public now gets an entry with its content hash and files
    (``event``, or 发布 when the log has no live entry for it and 修订 when its content changed), unless its last
    entry already holds the same hashes; a record that is not public (withdrawn, never published, or its
    organisation deactivated) gets a 撤回 entry only when its last entry says it was public. Nothing is recorded for
    a move the public never saw (a draft reviewed, an 依申请公开 or 不予公开 decision, a scheduled publication)."""
    # The chain lock first: the decision below (is it public now, what did the log say last) must not race another
    # writer about the same record that holds no row lock in common (the backfill, a policy and its interpretation).
    hold_job_lock(CHAIN_LOCK)
    kind = kind_of(record)
    last = _latest(kind, record.pk)
    live = last is not None and last.kind != Kind.WITHDRAWN
    public = event != Kind.WITHDRAWN and kind.public().filter(pk=record.pk).exists()
    if not public:
        if not live:
            return None
        return _append(kind=kind, record=record, event=Kind.WITHDRAWN, path=last.path, content_sha256="", files=[])
    sha, files = content_hash(kind, record), kind.files(record)
    if live and last.content_sha256 == sha and last.files == files:
        return None
    if event is None or (event == Kind.PUBLISHED and live):
        event = Kind.REVISED if live else Kind.PUBLISHED
    return _append(kind=kind, record=record, event=event, path=kind.path(record), content_sha256=sha, files=files)


def integrity_document(*, document: Any, event: str | None = None) -> None:
    """A document's entry, then its interpretations': a policy's publication publishes them in the same moment (R16),
    its withdrawal takes them off the site (the public selector shows none of a non-public policy)."""
    integrity_record(record=document, event=event)
    if document.is_policy:
        for interpretation in document.interpretations.order_by("pk"):
            integrity_record(record=interpretation)


def integrity_backfill(*, batch_size: int = 500) -> int:
    """Register every public record that has no live entry (存量登记): records published before the log existed,
    or by a path that bypassed the services (bulk loads). Idempotent; each batch is one transaction. Returns the
    number of entries appended."""
    appended = 0
    for kind in KINDS.values():
        model = kind.model()
        last_pk = 0
        while True:
            ids = list(kind.public().filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last_pk = ids[-1]
            with transaction.atomic():
                covered = _covered(kind, ids)
                for record in model.objects.filter(pk__in=[pk for pk in ids if pk not in covered]).order_by("pk"):
                    if integrity_record(record=record, event=Kind.REGISTERED) is not None:
                        appended += 1
    return appended


def _covered(kind: RecordKind, ids: list[int]) -> set[int]:
    """Which of ``ids`` have a live entry (their last entry is not a withdrawal)."""
    latest: dict[int, str] = {}
    rows = (
        Entry.objects.filter(record_type=kind.type, record_id__in=ids).order_by("seq").values_list("record_id", "kind")
    )
    for record_id, event in rows:
        latest[record_id] = event
    return {pk for pk, event in latest.items() if event != Kind.WITHDRAWN}


def integrity_checkpoint(*, today: dt.date | None = None) -> list[Checkpoint]:
    """Record the head of the chain at the end of each finished day (Beijing time) since the last checkpoint, up to
    yesterday: one row per day, safe to run twice (the day is unique and taken under the chain lock)."""
    today = today or timezone.localdate()
    made = []
    with transaction.atomic():
        hold_job_lock(CHAIN_LOCK)
        first = Entry.objects.order_by("seq").values_list("at", flat=True).first()
        if first is None:
            return []
        last = Checkpoint.objects.order_by("-day").values_list("day", flat=True).first()
        day = last + dt.timedelta(days=1) if last else timezone.localtime(first).date()
        while day < today:
            end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
            head = Entry.objects.filter(at__lt=end).order_by("-at", "-seq").values_list("seq", "hash").first()
            if head is not None:
                made.append(Checkpoint.objects.create(day=day, seq=head[0], hash=head[1]))
            day += dt.timedelta(days=1)
    return made
