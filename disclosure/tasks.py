"""Document jobs: thin wrappers that fetch by key and call a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.pubversion import search_changed
from disclosure.clocks import repost_clocks
from disclosure.directory import directory_compile
from disclosure.feeds import feed_poll
from disclosure.models import Document, FeedSource
from disclosure.paging import count_again
from disclosure.reposts import repost_deadlines_refresh
from disclosure.search.index import search_index_document, search_sections_refresh
from disclosure.selectors import count_computation
from disclosure.services import documents_publish_due
from ops.clocks import clocks_job
from ops.services import job_run


@shared_task
def index_document(document_id: int) -> None:
    """Bring one document's search entry in line with its state (R39); safe to run any number of times."""
    search_index_document(document_id=document_id)
    # Indexing runs a moment after the publication's bump: a search cached in between must not miss the document.
    search_changed()


@shared_task
def refresh_search_sections(node_id: int) -> None:
    """A catalogue item moved to another 公开类别: its documents' search entries follow; safe to run twice."""
    search_sections_refresh(node_id=node_id)
    search_changed()


@shared_task
def refresh_count(name: str) -> None:
    """Count a list's total again under the current publication version, while pages show the last one
    (``disclosure.paging.cached_count``); safe to run twice, and a name whose record is gone is ignored."""
    found = count_computation(name)
    if found is not None:
        compute, organisation_code = found
        count_again(name, organisation_code=organisation_code, compute=compute)


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


@shared_task
def sweep_repost_clocks() -> None:
    """R18: alert drafters before a repost is due, and the office once it is overdue; once per threshold."""
    repost_deadlines_refresh()  # R2: a newly loaded calendar year replaces provisional deadlines
    clocks_job(name="repost-clocks", clocks=repost_clocks())


@shared_task
def poll_feeds() -> None:
    """R18: read every active superior feed and queue its new items; one bad feed does not stop the others."""
    sources = list(FeedSource.objects.filter(is_active=True).select_related("organisation"))
    if not sources:
        return
    with job_run(name="feeds-poll") as run:
        details = {}
        for source in sources:
            result = feed_poll(source=source)
            details[source.name] = {
                "new": len(result.new),
                "duplicates": result.duplicates,
                "too_old": result.too_old,
                "skipped": len(result.skipped),
                "error": result.error,
            }
        run.summary = "; ".join(
            f"{name}: {d['new']} new" + (" (error)" if d["error"] else "") for name, d in details.items()
        )
        run.details = details


@shared_task
def compile_on_request_directory() -> None:
    """R10: publish the last complete month's (or quarter's) 依申请公开目录; nothing if it is out already."""
    with job_run(name="on-request-directory") as run:
        issue = directory_compile()
        run.summary = f"{issue.title}: {len(issue.rows)} rows" if issue else "already published"
        run.details = {"issue": issue.pk if issue else None}
