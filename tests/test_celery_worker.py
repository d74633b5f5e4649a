"""Tasks go through Redis to a real Celery worker process and change the database; jobs are safe to run twice."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail

from catalog.models import WorkCalendarYear
from catalog.tasks import sync_package_calendars, watch_next_year_calendar
from ops.models import JobRun, Notification
from ops.services import notify_once
from tests.conftest import wait_for


@pytest.fixture
def celery_worker_process(start_worker) -> str:
    """A real worker on its own queue, reading the test database that pytest-django created."""
    return start_worker()


@pytest.mark.worker
def test_a_task_sent_through_redis_runs_in_the_worker_and_writes_the_database(celery_worker_process):
    assert not WorkCalendarYear.objects.exists()
    sync_package_calendars.apply_async(queue=celery_worker_process)
    assert wait_for(lambda: JobRun.objects.filter(name="calendar-sync", status="succeeded").exists())
    assert WorkCalendarYear.objects.filter(year=2026, source="package").exists()
    run = JobRun.objects.get(name="calendar-sync")
    assert "2004–2026" in run.summary
    assert run.details["created"][-1] == 2026


def test_calendar_sync_is_safe_to_run_twice(db):
    sync_package_calendars.apply()
    count = WorkCalendarYear.objects.count()
    sync_package_calendars.apply()
    assert WorkCalendarYear.objects.count() == count
    assert list(JobRun.objects.values_list("status", flat=True)) == ["succeeded", "succeeded"]


def test_r2_missing_next_year_calendar_is_told_to_the_office_once(
    db, office, work_calendar, django_capture_on_commit_callbacks, clock
):
    clock("2026-11-22 10:00")
    with django_capture_on_commit_callbacks(execute=True):
        watch_next_year_calendar.apply()
    with django_capture_on_commit_callbacks(execute=True):
        watch_next_year_calendar.apply()
    assert Notification.objects.filter(key="calendar-missing:2027").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["office@example.org"]
    assert "2027" in mail.outbox[0].subject
    assert Notification.objects.get().sent_at is not None


def test_r2_no_warning_before_november(db, office, work_calendar, clock):
    clock("2026-10-31 10:00")
    watch_next_year_calendar.apply()
    assert not Notification.objects.exists()


def test_two_concurrent_senders_record_one_notification(transactional_db):
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        from django.db import connection as thread_connection
        from django.db import transaction

        try:
            barrier.wait()
            with transaction.atomic():
                results.append(notify_once(key="race:1", recipients=["x@example.org"], subject="s", body="b"))
                time.sleep(0.3)  # keep the first insert uncommitted while the other one arrives
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Notification.objects.filter(key="race:1").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.worker
def test_r39_a_published_document_is_indexed_by_the_worker(celery_worker_process, org_a, drafter_a, reviewer_a):
    import datetime as dt

    from disclosure.models import SearchEntry
    from disclosure.services import document_approve, document_create, document_submit
    from govopen.celery import app

    # Services enqueue on commit to the default queue; point it at this test's worker.
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = celery_worker_process
    try:
        document = document_create(
            organisation=org_a,
            actor=drafter_a,
            changes={
                "title": "关于共享单车停放的通知",
                "written_on": dt.date(2026, 11, 2),
                "attribute": "proactive",
                "body": "停放区域",
            },
        )
        document_submit(document=document, actor=drafter_a)
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    finally:
        app.conf.task_default_queue = previous
    assert wait_for(lambda: SearchEntry.objects.filter(document=document).exists())
    from disclosure.search.query import search_documents

    assert [hit.document for hit in search_documents(query="单车", params={}, page_number=1).hits] == [document]
