"""Redis is a broker and a cache, never a dependency of a write: with a private Redis really stopped, applying,
looking up a case and approving a document all work; once Redis is back, a real worker drains the outbox and the
document reaches the search index and every mail goes out, exactly once."""

from __future__ import annotations

import logging
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from core import ratelimit
from disclosure.models import Document, SearchEntry
from disclosure.services import document_submit
from ops.models import JobRun, Notification, OutboxMessage
from ops.outbox import outbox_drain
from requests_app.models import InformationRequest
from tests.conftest import applicant_values, wait_for

pytestmark = pytest.mark.worker

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own (flags as in scripts/test), which the test stops and starts again on the
    same port."""

    def __init__(self, directory: str) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        assert wait_for(lambda: self._answers(client), seconds=20), "redis-server did not start"

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash would: no goodbye to the clients
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A running private Redis that the cache and the Celery app's broker point at, for this test only."""
    from govopen.celery import app

    with tempfile.TemporaryDirectory() as directory:
        server = PrivateRedis(directory)
        server.start()
        previous = app.conf.broker_url
        app.conf.broker_url = server.url
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        try:
            with override_settings(CACHES=caches):
                yield server
        finally:
            app.conf.broker_url = previous
            server.stop()


def send_to(queue: str, task, **kwargs: object) -> None:
    """Publish on a fresh connection to the broker the app points at now (the app's producer pool may hold a
    connection to another Redis from an earlier test)."""
    from govopen.celery import app

    with app.connection_for_write() as broker:
        task.apply_async(kwargs=kwargs, queue=queue, connection=broker)


def sent_messages(mail_dir: str) -> int:
    """Messages the worker's file mail backend wrote (a file may hold more than one)."""
    return sum(path.read_text(errors="replace").count("\nMessage-ID: ") for path in Path(mail_dir).iterdir())


def apply_form(org) -> dict:
    data = {**applicant_values(), "organisation": org.pk, "pledge": "on"}
    data.pop("fee_waiver_requested")
    return {**data, "files": SimpleUploadedFile("身份证.png", PNG, content_type="image/png")}


def test_it_files_looks_up_and_publishes_with_redis_stopped_and_catches_up_exactly_once_when_it_is_back(
    private_redis,
    start_worker,
    org_a,
    handler_a,
    drafter_a,
    reviewer_a,
    work_calendar,
    make_document,
    login,
):
    document = make_document(org_a, drafter_a, title="关于共享单车停放区域的通告", body="停放区域 单车")
    document_submit(document=document, actor=drafter_a)
    private_redis.stop()

    # An applicant files online: the rate limiter counts in process, the case and its mails are committed.
    citizen = Client(REMOTE_ADDR="198.51.100.20")
    response = citizen.post(reverse("requests:apply"), apply_form(org_a))
    assert response.status_code == 302
    case = InformationRequest.objects.get()
    assert case.applicant_name == "张三"

    # The status lookup answers (a wrong secret is a 400, not a 500).
    lookup = citizen.post(reverse("requests:status"), {"code": case.tracking_code, "secret": "wrong-secret"})
    assert lookup.status_code < 500

    # A reviewer approves in the admin: published and committed, the indexing waits in the outbox.
    response = login(reviewer_a).post(
        reverse("admin:disclosure_document_review", args=[document.pk]),
        {"decision": "approve", "confidentiality_checked": "on"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    indexing = OutboxMessage.objects.filter(task="disclosure.tasks.index_document", kwargs={"document_id": document.pk})
    assert indexing.filter(done_at__isnull=True).exists()
    assert not SearchEntry.objects.filter(document=document).exists()
    notifications = list(Notification.objects.all())
    assert notifications and all(n.sent_at is None for n in notifications)
    assert OutboxMessage.objects.filter(task="ops.tasks.deliver_notification", done_at__isnull=True).count() == len(
        notifications
    )

    # Redis is back: a real worker drains what the broker never carried.
    private_redis.start()
    with tempfile.TemporaryDirectory() as mail_dir:
        from ops.tasks import drain_outbox

        queue = start_worker(redis_url=private_redis.url, EMAIL_FILE_PATH=mail_dir, GOVOPEN_OUTBOX_GRACE_SECONDS="0")
        send_to(queue, drain_outbox)
        assert wait_for(lambda: JobRun.objects.filter(name="outbox-drain", status="succeeded").exists())

        assert SearchEntry.objects.filter(document=document).exists()
        assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
        for notification in Notification.objects.all():
            assert notification.sent_at is not None and notification.attempts == 1
        assert sent_messages(mail_dir) == len(notifications)

        # A second drain finds nothing to do: no mail again, no attempt more.
        assert outbox_drain(grace_seconds=0) == {"done": 0, "failed": 0, "skipped": 0}
        assert sent_messages(mail_dir) == len(notifications)
        assert {n.attempts for n in Notification.objects.all()} == {1}

    # The citizen finds the document through search.
    found = Client().get(reverse("disclosure:search"), {"q": "单车"})
    assert found.status_code == 200
    assert reverse("disclosure:document", args=document.index_path) in found.content.decode()


def test_it_still_brakes_a_flood_of_applications_with_the_cache_down_and_logs_without_personal_data(
    private_redis,
    org_a,
    work_calendar,
    caplog,
):
    private_redis.stop()
    ratelimit._warned_at.clear()  # the warning is rate-limited per process; this test wants to see it
    citizen = Client(REMOTE_ADDR="198.51.100.21")
    with override_settings(GOVOPEN_APPLY_LIMIT_PER_IP_HOUR=1), caplog.at_level(logging.WARNING, "core.ratelimit"):
        assert citizen.post(reverse("requests:apply"), apply_form(org_a)).status_code == 302
        refused = citizen.post(reverse("requests:apply"), apply_form(org_a))
    assert refused.status_code == 429 and 'value="张三"' in refused.content.decode()
    assert InformationRequest.objects.count() == 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.ratelimit"]
    assert len(warnings) == 1 and "cache unavailable" in warnings[0]
    assert "198.51.100.21" not in warnings[0]


def test_it_fails_fast_and_quietly_when_publishing_to_a_stopped_broker(
    private_redis, org_a, drafter_a, reviewer_a, make_document, caplog, django_capture_on_commit_callbacks
):
    from disclosure.services import document_approve

    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    private_redis.stop()
    with caplog.at_level(logging.WARNING, "ops.outbox"), django_capture_on_commit_callbacks(execute=True):
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)  # commits; no raise
    assert OutboxMessage.objects.filter(done_at__isnull=True, kwargs={"document_id": document.pk}).exists()
    assert any("not published" in r.getMessage() for r in caplog.records if r.name == "ops.outbox")
