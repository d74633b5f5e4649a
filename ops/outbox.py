"""The outbox: side effects of committed writes, kept in the database and hurried along by the broker.

A write that must lead to a side effect (index a document for search, send a mail) calls ``outbox_enqueue`` inside
its own transaction: the ``OutboxMessage`` row commits or rolls back with the write. After commit the message is
published to Celery when Redis answers (fast: a stopped broker costs milliseconds, never an error in the request);
otherwise the ``outbox-drain`` beat job runs it in the worker once its grace period has passed. ``outbox_run`` locks
the row, skips it when done, runs the side effect and marks it done in one transaction, so a message published,
redelivered and drained at the same time still takes effect exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.logfilters import mask_personal_data
from ops.models import OutboxMessage

logger = logging.getLogger(__name__)

# The side effects the outbox may run: Celery task names, which are also the tasks' import paths. Rows are written
# by our own code only, but the allow-list keeps a bad row from calling anything else.
OUTBOX_TASKS = frozenset(
    {
        "disclosure.tasks.index_document",
        "disclosure.tasks.refresh_search_sections",
        "ops.tasks.deliver_notification",
        "subscriptions.tasks.deliver_digest",
    }
)

# After this many failed runs the drain leaves a message alone; it shows on the clocks dashboard instead.
OUTBOX_MAX_ATTEMPTS = 10

# Publishing happens in the request: one connection attempt with short socket timeouts and no retries, so a
# stopped or unreachable Redis costs at most about a second (refused connections fail in milliseconds).
_PUBLISH_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1}


def outbox_enqueue(*, task: str, kwargs: dict[str, Any]) -> OutboxMessage:
    """Record a side effect in the caller's transaction and publish it after commit (best effort)."""
    if task not in OUTBOX_TASKS:
        raise ValueError(f"{task} is not an outbox task")
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    # robust: a failing publish (or an earlier callback failing) must not stop the other after-commit work.
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk), robust=True)
    return message


def outbox_publish(*, message_id: int) -> bool:
    """Hand one message to the worker through the broker; False (and a warning) when the broker does not answer.

    Never raises: the row is committed, and the drain job runs it when the broker cannot.
    """
    try:
        publish_now("ops.tasks.run_outbox_message", kwargs={"message_id": message_id})
    except Exception as exc:  # any broker failure: the row waits for the drain
        logger.warning(
            "outbox message %s not published (%s); the drain job will run it", message_id, type(exc).__name__
        )
        return False
    return True


def publish_now(task: Any, *, kwargs: dict[str, Any]) -> None:
    """Hand ``task`` to the broker in one attempt with short timeouts (raises when the broker does not answer).

    For work whose loss costs nothing but time, such as refreshing a cached total; a side effect of a write goes
    through ``outbox_enqueue`` instead."""
    # Tasks are named by their dotted path, not imported at the top: the modules that publish sit below the tasks
    # modules that call them back (docs/architecture.md, layers). Importing the path registers the task; a web
    # process has not autodiscovered them (only a worker does).
    if isinstance(task, str):
        task = import_string(task)
    connection, reused = _publishing_connection()
    try:
        task.apply_async(kwargs=kwargs, connection=connection, retry=False)
    except Exception:
        _forget_publishing_connection()
        if not reused:
            raise
        # The kept connection may only have gone stale (Redis restarted since): one fresh attempt decides.
        connection, _reused = _publishing_connection()
        try:
            task.apply_async(kwargs=kwargs, connection=connection, retry=False)
        except Exception:
            _forget_publishing_connection()
            raise


# One broker connection per process and thread, opened on the first publish and kept: opening one costs a TCP
# connect, the client's handshake and the queue's declaration (about 10 ms, most of a write's publishing), which a
# page that writes would otherwise pay each time. A forked child never uses its parent's (the process id is kept
# and the broker's address with it); a failed publish drops it.
_kept = threading.local()


def _publishing_connection() -> tuple[Any, bool]:
    """The kept connection and True, or a new one (now kept) and False."""
    app = current_app
    key = (os.getpid(), app.conf.broker_url)
    connection = getattr(_kept, "connection", None)
    if connection is not None and _kept.key == key:
        return connection, True
    if connection is not None:
        _forget_publishing_connection()
    options = {**(app.conf.broker_transport_options or {}), **_PUBLISH_TRANSPORT_OPTIONS}
    connection = app.connection_for_write(connect_timeout=1, transport_options=options)
    _kept.connection, _kept.key = connection, key
    return connection, False


def _forget_publishing_connection() -> None:
    connection = getattr(_kept, "connection", None)
    _kept.connection = None
    if connection is not None and _kept.key[0] == os.getpid():
        try:
            connection.release()
        except Exception:  # closing a broken connection may fail too; it is dropped either way
            logger.debug("closing a failed broker connection failed", exc_info=True)


def outbox_run(*, message_id: int) -> bool:
    """Run one pending message exactly once; True if this call ran it successfully."""
    return _run(message_id) == "done"


def _run(message_id: int) -> str:
    """Run one message: "done", "failed", or "skipped" (done already, or held by another runner).

    The row lock is held while the side effect runs and the row is marked done in the same transaction: a second
    runner skips the locked row, and a later one finds it done. A failing side effect is rolled back alone (a
    savepoint) and its error recorded on the row for the next drain.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, done_at__isnull=True)
            .first()
        )
        if message is None:
            return "skipped"  # done already, or another worker holds it right now
        message.attempts += 1
        try:
            if message.task not in OUTBOX_TASKS:
                raise ValueError(f"{message.task} is not an outbox task")
            with transaction.atomic():
                import_string(message.task).run(**message.kwargs)
        except Exception as exc:
            message.last_error = mask_personal_data(f"{type(exc).__name__}: {exc}")[:500]
            message.save(update_fields=["attempts", "last_error"])
            logger.warning("outbox message %s (%s) failed: %s", message.pk, message.task, type(exc).__name__)
            return "failed"
        message.done_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "done_at"])
        return "done"


def outbox_pending(*, grace_seconds: int | None = None):
    """Messages the drain should run: not done, not given up on, older than the grace period."""
    grace = settings.GOVOPEN_OUTBOX_GRACE_SECONDS if grace_seconds is None else grace_seconds
    return OutboxMessage.objects.filter(
        done_at__isnull=True,
        attempts__lt=OUTBOX_MAX_ATTEMPTS,
        created_at__lte=timezone.now() - dt.timedelta(seconds=grace),
    )


def outbox_dead():
    """Messages the drain has given up on: for the office to look at."""
    return OutboxMessage.objects.filter(done_at__isnull=True, attempts__gte=OUTBOX_MAX_ATTEMPTS)


def outbox_drain(*, grace_seconds: int | None = None, limit: int = 500, budget_seconds: float = 45.0) -> dict[str, int]:
    """Run the pending messages in this process (the broker may be the thing that is down); safe to run at once
    with itself and with published messages. Starts no new message after ``budget_seconds`` (a slow mail server
    must not make one drain overrun the next minute's); the rest wait for the next run."""
    outcomes = {"done": 0, "failed": 0, "skipped": 0}
    stop_at = time.monotonic() + budget_seconds
    pending = outbox_pending(grace_seconds=grace_seconds).order_by("created_at", "pk").values_list("pk", flat=True)
    for message_id in list(pending[:limit]):
        if time.monotonic() > stop_at:
            break
        outcomes[_run(message_id)] += 1
    return outcomes
