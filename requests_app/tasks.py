"""Application jobs: thin wrappers that call the sweep."""

from __future__ import annotations

from celery import shared_task

from ops.services import job_run
from requests_app.sweep import requests_sweep


@shared_task
def sweep_request_deadlines() -> None:
    """Every 15 minutes: reminders, overdue escalation, lapsed corrections and fees (R22–R26)."""
    with job_run(name="requests-sweep") as run:
        counts = requests_sweep()
        run.summary = "，".join(f"{name} {n}" for name, n in sorted(counts.items()) if n) or "无"
        run.details = dict(counts)
