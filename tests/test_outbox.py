"""The outbox: side effects are rows of the write's transaction, run exactly once however often they are published
or drained, and the ones that keep failing are given up on and shown to the office."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from ops.models import Notification, OutboxMessage
from ops.outbox import OUTBOX_MAX_ATTEMPTS, outbox_drain, outbox_enqueue, outbox_run
from ops.services import notify_once
from tests.conftest import run_twice_at_once


def _pending_mails(count: int) -> list[Notification]:
    """Notifications whose delivery message the broker never carried (as when Redis was down at commit)."""
    notifications = []
    for n in range(count):
        notification = Notification.objects.create(
            key=f"outbox-test:{n}", recipients=[f"person{n}@example.org"], subject=f"主题 {n}", body="正文"
        )
        OutboxMessage.objects.create(task="ops.tasks.deliver_notification", kwargs={"notification_id": notification.pk})
        notifications.append(notification)
    return notifications


def test_it_sends_each_mail_once_when_two_drains_run_at_once(transactional_db):
    notifications = _pending_mails(5)
    results = run_twice_at_once(lambda: outbox_drain(grace_seconds=0))
    assert sum(result["done"] for result in results) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.recipients[0] for n in notifications)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_it_runs_a_message_published_twice_and_drained_only_once(db):
    (notification,) = _pending_mails(1)
    message = OutboxMessage.objects.get()
    assert outbox_run(message_id=message.pk) is True
    assert outbox_run(message_id=message.pk) is False  # a redelivery of the same publish
    assert outbox_drain(grace_seconds=0)["done"] == 0
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 1


def test_it_writes_no_side_effect_when_the_write_rolls_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            notify_once(key="rolled-back", recipients=["x@example.org"], subject="s", body="b")
            raise RuntimeError("the write failed")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_it_delivers_a_notification_after_commit_through_the_outbox(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_once(key="k:1", recipients=["x@example.org"], subject="主题", body="正文") is True
        assert notify_once(key="k:1", recipients=["x@example.org"], subject="主题", body="正文") is False
    message = OutboxMessage.objects.get()
    assert message.task == "ops.tasks.deliver_notification" and message.done_at is not None
    assert len(mail.outbox) == 1


def test_it_keeps_later_after_commit_work_running_when_an_earlier_callback_fails(
    db, django_capture_on_commit_callbacks
):
    def broken() -> None:
        raise ConnectionError("broker down")

    with django_capture_on_commit_callbacks(execute=True):
        transaction.on_commit(broken, robust=True)
        notify_once(key="k:2", recipients=["x@example.org"], subject="主题", body="正文")
    assert len(mail.outbox) == 1


def test_it_refuses_a_task_that_is_not_an_outbox_task(db):
    with pytest.raises(ValueError):
        outbox_enqueue(task="os.system", kwargs={"command": "true"})
    assert not OutboxMessage.objects.exists()


def test_it_gives_up_after_repeated_failures_and_shows_it_on_the_dashboard(db, office, login):
    # A row naming a task that is no longer an outbox task (say, renamed in a release) fails every run.
    message = OutboxMessage.objects.create(task="disclosure.tasks.renamed_task", kwargs={})
    for _round in range(OUTBOX_MAX_ATTEMPTS):
        assert outbox_drain(grace_seconds=0)["failed"] == 1
    assert outbox_drain(grace_seconds=0) == {"done": 0, "failed": 0, "skipped": 0}
    message.refresh_from_db()
    assert message.attempts == OUTBOX_MAX_ATTEMPTS and message.done_at is None
    assert "renamed_task" in message.last_error
    page = login(office).get("/admin/clocks/").content.decode()
    assert 'id="dead-messages"' in page and "disclosure.tasks.renamed_task" in page


def test_a_fresh_message_waits_for_its_grace_period_before_the_drain_takes_it(db, settings):
    settings.GOVOPEN_OUTBOX_GRACE_SECONDS = 3600
    _pending_mails(1)
    assert outbox_drain() == {"done": 0, "failed": 0, "skipped": 0}
    assert outbox_drain(grace_seconds=0)["done"] == 1


@pytest.mark.parametrize(
    ("task", "kwargs"),
    [
        ("ops.tasks.run_outbox_message", {"message_id": 0}),
        ("disclosure.tasks.refresh_count", {"name": "none"}),
        ("requests_app.tasks.run_sweep_messages", {"message_ids": []}),
    ],
)
def test_a_web_process_publishes_the_tasks_it_names_without_having_imported_them(task, kwargs):
    """The modules that publish name their tasks by path (they sit below the tasks modules in the layers). A web
    process, which never autodiscovers tasks, must still find them: here a fresh interpreter with only Django set
    up publishes each one to the real broker."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django; django.setup()\n"
        "from ops.outbox import publish_now\n"
        f"publish_now({task!r}, kwargs={kwargs!r})\n"
        "print('published')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        # A broker database of its own: no worker of another test ever takes these messages.
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "govopen.settings",
            "REDIS_URL": os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "published" in result.stdout, result.stderr[-2000:]
