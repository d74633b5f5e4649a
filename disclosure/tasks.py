"""Document jobs: thin wrappers that fetch by key and call a service."""

from __future__ import annotations

from celery import shared_task

from django.utils import timezone

from disclosure.models import Document
from disclosure.search.index import search_index_document
from disclosure.services import documents_publish_due
from ops.services import job_run


@shared_task
def index_document(document_id: int) -> None:
    """Bring one document's search entry in line with its state (R39); safe to run any number of times."""
    search_index_document(document_id=document_id)


@shared_task
def publish_scheduled_documents() -> None:
    """R9: approved 主动公开 documents whose scheduled time has come go public."""
    # Runs every minute: only a run that has something to publish leaves a JobRun row.
    if not Document.objects.filter(
        status=Document.Status.APPROVED, attribute=Document.Attribute.PROACTIVE, scheduled_at__lte=timezone.now()
    ).exists():
        return
    with job_run(name="documents-publish-due") as run:
        published = documents_publish_due()
        run.summary = f"{len(published)} published"
        run.details = {"published": published}
