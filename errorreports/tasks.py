"""Error-report jobs: thin wrappers around the clock sweep."""

from __future__ import annotations

from celery import shared_task

from errorreports.clocks import error_report_clocks
from errorreports.services import report_deadlines_refresh
from ops.clocks import clocks_job


@shared_task
def sweep_error_report_clocks() -> None:
    """Alert the site office when an acknowledgement or an answer is due today, and once it is overdue; once per
    threshold, so two sweeps at once send one message."""
    report_deadlines_refresh()  # R2: a newly loaded calendar year replaces provisional deadlines
    clocks_job(name="error-report-clocks", clocks=error_report_clocks())
