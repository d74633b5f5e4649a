"""A named lock for jobs that must not interleave (a self-audit reconciling findings, say)."""

from __future__ import annotations

import zlib

from django.db import connection


def hold_job_lock(name: str) -> None:
    """Inside a transaction: wait until no other transaction holds ``name``, then hold it until commit.

    PostgreSQL gives this as a transaction-level advisory lock. SQLite (the one-machine demo) lets one writer in at
    a time anyway, so nothing more is needed there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
