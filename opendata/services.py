"""The one write of the open-data export: build every public file afresh and publish the new generation at once.

A run (``open_data_export``):

1. opens a transaction and takes a named try-lock (a transaction-level advisory lock on PostgreSQL): a run that finds
   another in progress returns ``None`` at once instead of waiting to redo the same work;
2. streams each data set from the public selectors (``opendata.selectors``) into a temporary file per format in the
   export directory, computing SHA-256, size and row count from the bytes as they are written;
3. renames each finished file to a name of its own generation (``documents-20261130T023000-1a2b3c4d5e6f.csv``;
   ``os.replace`` in the same directory, atomic) and replaces the ``ExportFile`` rows in the same transaction;
4. after the commit, deletes the files of the previous generation and retires cached pages that list the files.

Any failure before the commit removes the new files and leaves the previous generation's files and rows exactly as
they were. Only the latest generation is kept (docs/opendata.md says why).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.pubversion import global_pages_changed
from opendata.models import ExportFile, ExportFormat, ExportKind
from opendata.selectors import FIELDS, RECORDS, integrity_head_seq, stale_kinds
from opendata.writers import SINKS, TEMP_PREFIX, Written, write_all

logger = logging.getLogger(__name__)

LOCK_NAME = "open-data-export"

# The public file names, by data set: the download URLs stay the same from one night to the next.
STEMS = {ExportKind.DOCUMENTS: "documents", ExportKind.REPORT_CELLS: "annual-report-cells"}
# Files of a generation on disk, as this module names them; anything else in the directory is left alone.
STORED_NAME = re.compile(r"^(?:documents|annual-report-cells)-\d{8}T\d{6}-[0-9a-f]{12}\.(?:csv|jsonl)$")


@dataclass(frozen=True)
class Built:
    """A data set written in one format under its temporary name (not yet published)."""

    kind: str
    format: str
    written: Written

    @property
    def name(self) -> str:
        return f"{STEMS[self.kind]}.{self.format}"


def export_directory() -> Path:
    return Path(settings.GOVOPEN_OPEN_DATA_DIR)


def _try_lock() -> bool:
    """Inside a transaction: hold the export lock until commit, or answer False at once if another run holds it.
    SQLite (the one-machine demo) admits one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [zlib.crc32(LOCK_NAME.encode())])
        return bool(cursor.fetchone()[0])


def export_build(*, directory: Path, now: dt.datetime, kinds: Iterable[str] = tuple(ExportKind)) -> list[Built]:
    """Write every data set of ``kinds`` as it is public at ``now`` into temporary files of ``directory``, each set
    in one pass feeding its CSV and its JSON Lines. Writes nothing to the database; call it inside a transaction on
    PostgreSQL (the documents come from a server-side cursor). On failure no temporary file is left."""
    built: list[Built] = []
    try:
        for kind in kinds:
            formats = list(ExportFormat)
            sinks = [SINKS[fmt](directory=directory, fields=FIELDS[kind]) for fmt in formats]
            written = write_all(RECORDS[kind](now=now), sinks)
            built += [Built(kind=kind, format=fmt, written=w) for fmt, w in zip(formats, written, strict=True)]
    except BaseException:
        for item in built:
            item.written.path.unlink(missing_ok=True)
        raise
    return built


def _stored_name(item: Built, *, generated_at: dt.datetime) -> str:
    stamp = timezone.localtime(generated_at).strftime("%Y%m%dT%H%M%S")
    return f"{STEMS[item.kind]}-{stamp}-{item.written.sha256[:12]}.{item.format}"


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(directory: Path, *, keep: set[str]) -> None:
    """Under the lock, files of ours that no row names are leftovers of an interrupted run: a temporary file, or a
    generation renamed just before a crash."""
    for path in directory.iterdir():
        if path.name in keep or not path.is_file():
            continue
        if path.name.startswith(TEMP_PREFIX) or STORED_NAME.match(path.name):
            path.unlink(missing_ok=True)


def _delete_files(directory: Path, names: Iterable[str]) -> None:
    for name in names:
        try:
            (directory / name).unlink(missing_ok=True)
        except OSError as exc:  # the next run removes it as a leftover
            logger.warning("open data: could not delete %s (%s)", name, type(exc).__name__)


def open_data_export(*, directory: Path | None = None) -> list[ExportFile] | None:
    """Build and publish a new generation of every open-data file (issue 17 §3); ``None`` when another run is in
    progress. Safe to run twice, or at once: the lock lets one run through, and the other does nothing."""
    directory = directory or export_directory()
    directory.mkdir(parents=True, exist_ok=True)
    built: list[Built] = []
    published: list[Path] = []
    previous_names: set[str] = set()
    try:
        with transaction.atomic():
            if not _try_lock():
                logger.info("open data: another export is in progress; this run does nothing")
                return None
            previous_names = set(ExportFile.objects.select_for_update().values_list("stored_name", flat=True))
            _remove_leftovers(directory, keep=previous_names)
            # Read before the data: a withdrawal committed after this point has a higher seq and marks the files
            # stale, even if the cursor below still saw the record public.
            log_seq = integrity_head_seq()
            now = timezone.now()
            built = export_build(directory=directory, now=now)
            rows = _publish(directory, built, snapshot_at=now, published=published, log_seq=log_seq)
            stale = previous_names - {row.stored_name for row in rows}
            transaction.on_commit(lambda: _delete_files(directory, stale), robust=True)
    except BaseException:
        for item in built:  # not renamed yet
            item.written.path.unlink(missing_ok=True)
        for path in published:
            if path.name not in previous_names:  # a byte-identical file of the same second keeps the old row's name
                path.unlink(missing_ok=True)
        raise
    return rows


def _publish(
    directory: Path, built: list[Built], *, snapshot_at: dt.datetime, published: list[Path], log_seq: int = 0
) -> list[ExportFile]:
    """Rename each built file to its generation's name (appending it to ``published`` at once, for the caller's
    clean-up) and replace the rows, in the caller's transaction."""
    generated_at = timezone.now()
    rows = []
    for item in built:
        stored_name = _stored_name(item, generated_at=generated_at)
        os.replace(item.written.path, directory / stored_name)
        published.append(directory / stored_name)
        rows.append(
            _record(item, stored_name=stored_name, snapshot_at=snapshot_at, generated_at=generated_at, log_seq=log_seq)
        )
    _fsync_directory(directory)
    ExportFile.objects.exclude(name__in=[row.name for row in rows]).delete()  # a data set no longer built
    global_pages_changed()  # the open-data page lists the new files: retire its cached copy after commit
    return rows


def _record(
    item: Built, *, stored_name: str, snapshot_at: dt.datetime, generated_at: dt.datetime, log_seq: int
) -> ExportFile:
    row, _created = ExportFile.objects.update_or_create(
        name=item.name,
        defaults={
            "kind": item.kind,
            "format": item.format,
            "stored_name": stored_name,
            "size": item.written.size,
            "rows": item.written.rows,
            "sha256": item.written.sha256,
            "snapshot_at": snapshot_at,
            "generated_at": generated_at,
            "log_seq": log_seq,
        },
    )
    return row


def open_data_refresh_if_stale(*, directory: Path | None = None) -> list[ExportFile] | None:
    """Rebuild at once when a record in the current files was withdrawn since they were made (the files are not
    served meanwhile); nothing otherwise. Run every few minutes by beat; safe twice (the export's own lock)."""
    if not stale_kinds():
        return None
    return open_data_export(directory=directory)
