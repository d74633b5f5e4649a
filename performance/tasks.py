"""The statistics job: nightly (``CELERY_BEAT_SCHEDULE["statistics-refresh"]``) and on demand (``manage.py
statistics_refresh``); safe to run twice, since each run replaces the snapshot of every scope."""

from __future__ import annotations

from celery import shared_task

from ops.services import job_run
from performance.services import statistics_refresh


@shared_task
def refresh_statistics() -> None:
    with job_run(name="statistics-refresh") as job:
        stored = statistics_refresh()
        job.summary = f"{stored} statistics snapshots"
