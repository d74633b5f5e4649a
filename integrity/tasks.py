"""Integrity-log jobs: thin wrappers around the services."""

from __future__ import annotations

import logging

from celery import shared_task

from integrity.selectors import entries_in_order
from integrity.services import integrity_checkpoint
from integrity.verify import verify_entries
from ops.services import job_run

logger = logging.getLogger(__name__)


class IntegrityBroken(Exception):
    """The chain in the database does not verify."""


@shared_task
def record_integrity_checkpoint() -> int:
    """The head of each finished day, for the Atom feed; safe to run twice (one row per day)."""
    with job_run(name="integrity-checkpoint") as run:
        made = integrity_checkpoint()
        run.summary = f"{len(made)} checkpoint(s)"
    return len(made)


@shared_task
def verify_integrity_log() -> None:
    """Walk the whole chain once a day; a break fails the run (the clocks dashboard lists failed runs) and the head is
    written to the server log, a copy outside the database."""
    with job_run(name="integrity-verify") as run:
        report = verify_entries({**e.public_fields(), "hash": e.hash} for e in entries_in_order())
        run.details = {
            "count": report.count,
            "head_seq": report.head_seq,
            "head_hash": report.head_hash,
            "first_broken": report.first_broken,
        }
        if not report.ok:
            raise IntegrityBroken(f"integrity chain broken at seq {report.first_broken}: {report.problem}")
        run.summary = f"{report.count} verified, head {report.head_seq} {report.head_hash}"
        logger.info("integrity chain verified: %d entries, head %s %s", report.count, report.head_seq, report.head_hash)
