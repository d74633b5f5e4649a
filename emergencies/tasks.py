"""Emergency jobs: thin wrappers around the clock sweep."""

from __future__ import annotations

from celery import shared_task

from emergencies.clocks import emergency_clocks
from ops.clocks import clocks_job


@shared_task
def sweep_emergency_clocks() -> None:
    """R19: alert the organisation (and, once overdue, the office) before each emergency clock runs out."""
    clocks_job(name="emergency-clocks", clocks=emergency_clocks())
