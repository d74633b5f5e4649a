"""The nightly open-data export: a thin wrapper that calls the service and records what it did."""

from __future__ import annotations

from celery import shared_task

from opendata.services import open_data_export, open_data_refresh_if_stale
from ops.services import job_run


@shared_task
def export_open_data() -> None:
    """Issue 17 §3: every night, the public documents' metadata and the annual reports' tables as CSV and JSON
    Lines. A run that finds another in progress does nothing (and says so)."""
    with job_run(name="open-data-export") as job:
        files = open_data_export()
        if files is None:
            job.summary = "skipped: another export is in progress"
            return
        job.summary = ", ".join(f"{f.name} {f.rows} rows" for f in files)
        job.details = {"files": {f.name: {"rows": f.rows, "size": f.size, "sha256": f.sha256} for f in files}}


@shared_task
def refresh_stale_open_data() -> None:
    """Every few minutes: rebuild the files at once when a record in them was withdrawn since they were made (they
    are not served meanwhile). Does nothing, and records no run, when nothing was withdrawn."""
    from opendata.selectors import stale_kinds

    if not stale_kinds():
        return
    with job_run(name="open-data-refresh") as job:
        files = open_data_refresh_if_stale()
        job.summary = "skipped" if files is None else ", ".join(f"{f.name} {f.rows} rows" for f in files)
