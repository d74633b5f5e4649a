"""Application jobs: thin wrappers that call the sweep."""

from __future__ import annotations

from celery import shared_task

from ops.outbox import outbox_run
from ops.services import job_run
from requests_app.sweep import requests_sweep


@shared_task
def sweep_request_deadlines() -> None:
    """Every 15 minutes: reminders, overdue escalation, lapsed corrections and fees (R22–R26)."""
    with job_run(name="requests-sweep") as run:
        counts = requests_sweep()
        run.summary = "，".join(f"{name} {n}" for name, n in sorted(counts.items()) if n) or "无"
        run.details = dict(counts)


@shared_task
def run_sweep_messages(message_ids: list[int]) -> None:
    """The outbox messages (notifications) one chunk of a sweep recorded, run by one worker: one broker message per
    chunk instead of one per mail. Each is run exactly once by ``outbox_run`` (locked, skipped when done); whatever
    this task does not reach, the outbox drain runs."""
    for message_id in message_ids:
        outbox_run(message_id=message_id)
