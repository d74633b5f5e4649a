"""Audit and report jobs: thin wrappers that call a service and record what they did."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from audits.clocks import annual_report_clocks
from audits.models import AuditRun
from audits.reports import report_drafts_create
from audits.services import audit_run
from core.actors import System
from ops.clocks import clocks_job
from ops.services import job_run


@shared_task
def run_self_audit() -> None:
    """R36: the yearly self-audit each 1 November (the admin starts the same service on demand)."""
    with job_run(name="self-audit") as job:
        run = audit_run(trigger=AuditRun.Trigger.SCHEDULED, actor=System("self-audit"))
        job.summary = f"{run.summary['total']} findings, {run.summary['new']} new, {run.summary['resolved']} resolved"
        job.details = {"run": run.pk}


@shared_task
def draft_annual_reports() -> None:
    """R30: early January, a draft of last year's report for every organisation that has none."""
    year = timezone.localdate().year - 1
    with job_run(name="annual-report-drafts") as job:
        created = report_drafts_create(year=year)
        job.summary = f"{len(created)} drafts for {year}"
        job.details = {"created": [r.pk for r in created]}


@shared_task
def sweep_annual_report_clocks() -> None:
    """R30: warn before 31 January (departments) and 31 March (the government), and once the day has passed."""
    clocks_job(name="annual-report-clocks", clocks=annual_report_clocks())
