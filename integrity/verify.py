"""Checking the chain: the same walk for the database and for an export file. ``scripts/verify-integrity`` is the
stand-alone copy for people outside (standard library only)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from integrity.canonical import ENTRY_FIELDS, GENESIS_HASH, entry_hash


@dataclass
class ChainReport:
    count: int = 0
    head_seq: int | None = None
    head_hash: str = ""
    first_broken: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify_entries(entries: Iterable[dict[str, Any]]) -> ChainReport:
    """Walk entries (their public fields and "hash") oldest first: seq 1, 2, 3…, each prev_hash the hash before it
    (the first the genesis value), each hash recomputed from the fields. Stops at the first break."""
    report = ChainReport()
    expected_seq, prev = 1, GENESIS_HASH
    for fields in entries:
        seq = fields.get("seq")
        missing = [name for name in (*ENTRY_FIELDS, "hash") if name not in fields]
        if missing:
            report.first_broken, report.problem = seq or expected_seq, f"missing fields: {', '.join(missing)}"
            return report
        if seq != expected_seq:
            report.first_broken, report.problem = expected_seq, f"expected seq {expected_seq}, found {seq}"
            return report
        if fields["prev_hash"] != prev:
            report.first_broken, report.problem = seq, "prev_hash does not match the previous entry's hash"
            return report
        if entry_hash(fields) != fields["hash"]:
            report.first_broken, report.problem = seq, "hash does not match the entry's content"
            return report
        report.count, report.head_seq, report.head_hash = seq, seq, fields["hash"]
        expected_seq, prev = seq + 1, fields["hash"]
    return report


def export_line(fields: dict[str, Any], hash_: str) -> str:
    return json.dumps({**fields, "hash": hash_}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def read_export(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield {"seq": None, "_line": number}
