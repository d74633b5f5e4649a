"""Recording job runs. Jobs wrap their work in ``job_run`` so the disclosure office can see what ran and when."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.logfilters import mask_personal_data
from ops.models import JobRun, Notification
from ops.outbox import outbox_enqueue

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


def job_runs_interrupted(*, timeout_minutes: int | None = None):
    """Runs still "running" past the timeout: their worker was killed (or the machine stopped) mid-run."""
    minutes = settings.GOVOPEN_JOB_TIMEOUT_MINUTES if timeout_minutes is None else timeout_minutes
    return JobRun.objects.filter(
        status=JobRun.Status.RUNNING, started_at__lt=timezone.now() - dt.timedelta(minutes=minutes)
    )


def job_runs_reap(*, timeout_minutes: int | None = None) -> list[int]:
    """Mark interrupted runs failed, saying the worker stopped; returns their ids. Safe to run twice or at once:
    one UPDATE whose condition a reaped row no longer meets."""
    with transaction.atomic():
        ids = list(
            job_runs_interrupted(timeout_minutes=timeout_minutes)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        JobRun.objects.filter(pk__in=ids, status=JobRun.Status.RUNNING).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(), summary=_("任务进程中断，超时未完成")
        )
    for pk in ids:
        logger.warning("job run %s marked failed: still running past the timeout", pk)
    return ids


MAX_DELIVERY_ATTEMPTS = 5


def notify_once(*, key: str, recipients: list[str], subject: str, body: str) -> bool:
    """Record a notification under ``key`` and send it after commit; False if ``key`` was already recorded.

    The unique key decides, in the database, which of two concurrent callers sends: the loser's insert waits
    for the winner's commit and then finds the row. The delivery is an outbox message written in the same
    transaction: the mail goes out once the commit is done, through the worker, or by the drain job if the
    broker is down.
    """
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key, defaults={"recipients": sorted(set(recipients)), "subject": subject, "body": body}
        )
        if created:
            outbox_enqueue(task="ops.tasks.deliver_notification", kwargs={"notification_id": notification.pk})
    return created


def notifications_erase(*, key_prefix: str) -> int:
    """Forget the notifications whose key starts with ``key_prefix``, recipients included: when the person they
    were for withdraws (a subscriber unsubscribing), their address is not kept in the mail log either. An unsent
    one is then never sent (the delivery finds no row)."""
    if not key_prefix:
        raise ValueError("key_prefix must not be empty")
    deleted, _by_model = Notification.objects.filter(key__startswith=key_prefix).delete()
    return deleted


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
            # An SMTP refusal quotes the recipient: the row keeps no applicant's address in clear.
            notification.last_error = mask_personal_data(f"{type(exc).__name__}: {exc}")[:500]
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
