"""Recording job runs. Jobs wrap their work in ``job_run`` so the disclosure office can see what ran and when."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ops.models import JobRun, Notification

logger = logging.getLogger(__name__)


@contextmanager
def job_run(*, name: str) -> Iterator[JobRun]:
    """Open a run row, let the job fill ``summary``/``details``, and close it as succeeded or failed.

    The row is written outside the job's own transaction, so a job that fails and rolls back still leaves a
    ``failed`` row saying why.
    """
    run = JobRun.objects.create(name=name)
    try:
        yield run
    except Exception as exc:
        run.status = JobRun.Status.FAILED
        run.summary = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "summary", "finished_at", "details"])
        logger.exception("job %s failed", name)
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "summary", "finished_at", "details"])


MAX_DELIVERY_ATTEMPTS = 5


def notify_once(*, key: str, recipients: list[str], subject: str, body: str) -> bool:
    """Record a notification under ``key`` and send it after commit; False if ``key`` was already recorded.

    The unique key decides, in the database, which of two concurrent callers sends: the loser's insert waits
    for the winner's commit and then finds the row.
    """
    notification, created = Notification.objects.get_or_create(
        key=key, defaults={"recipients": sorted(set(recipients)), "subject": subject, "body": body}
    )
    if created:
        transaction.on_commit(lambda: notification_deliver(notification_id=notification.pk))
    return created


def notification_deliver(*, notification_id: int) -> bool:
    """Send one unsent notification by e-mail; a failure is recorded for the retry job, never raised."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False  # sent already, or another worker is sending it now
        notification.attempts += 1
        if not notification.recipients:
            notification.last_error = "没有收件人"
            notification.save(update_fields=["attempts", "last_error"])
            return False
        try:
            send_mail(notification.subject, notification.body, None, notification.recipients)
        except Exception as exc:  # the mail server's failure must not lose the record
            notification.last_error = f"{type(exc).__name__}: {exc}"[:500]
            notification.save(update_fields=["attempts", "last_error"])
            logger.warning("notification %s not sent: %s", notification.key, type(exc).__name__)
            return False
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def notifications_retry() -> int:
    pending = Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_DELIVERY_ATTEMPTS)
    return sum(notification_deliver(notification_id=pk) for pk in pending.values_list("pk", flat=True))
