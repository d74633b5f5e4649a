"""Audit-log jobs: thin wrappers around the sealing and verification services."""

from __future__ import annotations

import logging

from celery import shared_task

from auditlog.models import AuditEvent
from auditlog.services import AuditError, audit_seal, verify_chain
from ops.services import job_run

logger = logging.getLogger(__name__)


@shared_task
def seal_audit_log() -> None:
    """Chain rows whose writer committed but stopped before sealing them (killed worker, lost connection)."""
    # Runs every minute and each commit seals its own rows: only a run that finds work leaves a JobRun row.
    if not AuditEvent.objects.filter(position__isnull=True).exists():
        return
    with job_run(name="audit-seal") as run:
        sealed = audit_seal()
        run.summary = f"{sealed} sealed"
        run.details = {"sealed": sealed}


@shared_task
def verify_audit_log() -> None:
    """Walk the whole chain once a day and write its tail to the server log: that copy, kept outside the database,
    is what shows the newest rows were deleted (a chain cut at its end still verifies on its own)."""
    with job_run(name="audit-verify") as run:
        report = verify_chain()
        run.details = {
            "verified": report.verified,
            "last_position": report.last_position,
            "last_hash": report.last_hash,
            "unsealed": report.unsealed,
            "first_broken": report.first_broken,
        }
        if not report.ok:
            raise AuditError(
                f"audit chain broken at position {report.first_broken}: {report.problem} "
                f"({report.verified} verified before it)"
            )
        run.summary = (
            f"{report.verified} verified, last position {report.last_position}, hash {report.last_hash}, "
            f"{report.unsealed} unsealed"
        )
        logger.info(
            "audit chain verified: %d rows, last position %s, last hash %s, %d unsealed",
            report.verified,
            report.last_position,
            report.last_hash,
            report.unsealed,
        )
