"""Emergency jobs: thin wrappers around the clock sweep."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from emergencies.clocks import emergency_clocks
from ops.clocks import clocks_alert
from ops.services import job_run


@shared_task
def sweep_emergency_clocks() -> None:
    """R19: alert the organisation (and, once overdue, the office) before each emergency clock runs out."""
    clocks = emergency_clocks()
    if not clocks:
        return
    with job_run(name="emergency-clocks") as run:
        sent = clocks_alert(clocks, site_url=settings.GOVOPEN_SITE_URL)
        run.summary = f"{len(clocks)} open clocks, {len(sent)} alerts"
        run.details = {"sent": sent}
