"""Tasks go through Redis to a real Celery worker process and change the database; jobs are safe to run twice."""

from __future__ import annotations

import threading

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
    """The second sender arrives while the first one's row is uncommitted, waits on it in the database, and finds it
    once it commits: the order is forced step by step (the second is seen waiting on the row lock before the first
    commits), not left to a sleep."""
    from django.db import connection as main_connection
    from django.db import transaction

    first_inserted, second_waiting = threading.Event(), threading.Event()
    results: dict[str, bool] = {}
    second_pid: list[int] = []

    def first() -> None:
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                results["first"] = notify_once(key="race:1", recipients=["x@example.org"], subject="s", body="b")
                first_inserted.set()
                assert second_waiting.wait(60)
        finally:
            thread_connection.close()

    def second() -> None:
        from django.db import connection as thread_connection

        try:
            assert first_inserted.wait(60)
            with thread_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            results["second"] = notify_once(key="race:1", recipients=["x@example.org"], subject="s", body="b")
        finally:
            thread_connection.close()

    def second_is_waiting_on_the_row() -> bool:
        if not second_pid:
            return False
        with main_connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid[0]])
            row = cursor.fetchone()
        return bool(row) and row[0] == "Lock"

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        assert wait_for(second_is_waiting_on_the_row, seconds=60)
    finally:
        second_waiting.set()
        for thread in threads:
            thread.join()
    assert results == {"first": True, "second": False}
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
