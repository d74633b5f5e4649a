"""The daily digest job and the outbox side effect that delivers one digest."""

from __future__ import annotations

from celery import shared_task

from ops.services import job_run
from subscriptions.services import digest_deliver, digests_run


@shared_task
def send_digests() -> None:
    """Daily: one digest per confirmed subscription with something new; safe to run twice or at once."""
    with job_run(name="subscriptions-digest") as run:
        outcome = digests_run()
        run.summary = (
            f"检查订阅 {outcome['checked']} 个，生成摘要 {outcome['prepared']} 封，补发 {outcome['retried']} 封，"
            f"清理未确认订阅 {outcome['purged']} 个"
        )
        run.details = outcome


@shared_task
def deliver_digest(digest_id: int) -> None:
    """The outbox side effect of ``digest_prepare``: send the digest unless it has been sent already."""
    digest_deliver(digest_id=digest_id)
