"""The canonical serialisations of the integrity log 发布存证 (docs/integrity.md states them for outside verifiers).

Canonical JSON: ``json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` encoded as UTF-8:
keys sorted by code point, no whitespace, non-ASCII characters as themselves. ``scripts/verify-integrity`` repeats
these few lines (it must run with the standard library alone, outside this project).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

# The first entry's prev_hash.
GENESIS_HASH = "0" * 64

# The fields an entry's hash covers, besides "hash" itself; an export line holds exactly these plus "hash".
ENTRY_FIELDS = ("seq", "at", "kind", "type", "path", "version", "content_sha256", "files", "prev_hash")


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_stamp(moment: dt.datetime) -> str:
    """An entry's time: UTC, microseconds, "Z" (2026-11-30T07:05:09.123456Z)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_stamp(moment: dt.datetime | None) -> str | None:
    """A time shown on a public page, inside content: Beijing time to the second (2026-11-30T15:05:09+08:00)."""
    if moment is None:
        return None
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the entry's ``ENTRY_FIELDS`` (prev_hash included, hash excluded)."""
    return sha256_hex(canonical_json({name: fields[name] for name in ENTRY_FIELDS}))
