"""A job whose worker is killed mid-run does not stay "running" forever: the reaper marks it failed, says the worker
stopped, and the office sees it on the clocks dashboard."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from audits.tasks import run_self_audit
from core.locks import hold_job_lock
from ops.models import JobRun
from ops.services import job_runs_reap
from ops.tasks import reap_job_runs
from tests.conftest import wait_for
from tests.test_redis_faults import send_to

pytestmark = pytest.mark.worker


def test_it_marks_a_run_whose_worker_was_killed_failed_and_shows_it_to_the_office(
    start_worker, office, login, settings
):
    queue = start_worker(redis_url=settings.CELERY_BROKER_URL)
    worker = start_worker.processes[0]
    # The self-audit waits on its named lock, which this test holds: the worker is stuck mid-run.
    with transaction.atomic():
        hold_job_lock("self-audit")
        send_to(queue, run_self_audit)
        assert wait_for(lambda: JobRun.objects.filter(name="self-audit", status="running").exists(), seconds=60)
        worker.send_signal(signal.SIGKILL)  # kill -9: no chance to close the run
        worker.wait(timeout=20)
    run = JobRun.objects.get(name="self-audit")
    assert run.status == JobRun.Status.RUNNING  # nobody is left to close it

    # Before the timeout the run may still be working: the reaper leaves it alone.
    reap_job_runs.apply()
    run.refresh_from_db()
    assert run.status == JobRun.Status.RUNNING

    later = timezone.now() + dt.timedelta(minutes=settings.GOVOPEN_JOB_TIMEOUT_MINUTES + 1)
    with time_machine.travel(later, tick=True):
        reap_job_runs.apply()
        run.refresh_from_db()
        assert run.status == JobRun.Status.FAILED and run.finished_at is not None
        assert run.summary == "任务进程中断，超时未完成"
        reaper = JobRun.objects.get(name="jobs-reap")
        assert reaper.status == JobRun.Status.SUCCEEDED and reaper.details == {"reaped": [run.pk]}

        page = login(office).get("/admin/clocks/").content.decode()
        assert 'id="failed-jobs"' in page and "self-audit" in page and "任务进程中断，超时未完成" in page
        listed = login(office).get("/admin/ops/jobrun/", {"attention": "failed"}).content.decode()
        assert "任务进程中断，超时未完成" in listed

        # A second pass changes nothing: no run touched again, no second reaper row.
        finished_at = run.finished_at
        reap_job_runs.apply()
        assert job_runs_reap() == []
        run.refresh_from_db()
        assert run.finished_at == finished_at
        assert JobRun.objects.filter(name="jobs-reap").count() == 1
