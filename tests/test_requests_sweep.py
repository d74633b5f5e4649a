"""The deadline sweep (R22–R24): reminders 5 and 1 working days before, overdue escalation to the office, once per
threshold per case, even when two sweeps run at the same moment on PostgreSQL; and the real worker running it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from catalog.services import calendar_load_package
from catalog.workdays import WorkCalendar
from ops.models import JobRun, Notification
from requests_app.models import Channel, InformationRequest
from requests_app.services import request_extension_approve, request_extension_propose, request_register
from requests_app.sweep import requests_sweep
from requests_app.tasks import sweep_request_deadlines
from tests.conftest import SYSTEM, applicant_values, run_twice_at_once
from tests.test_celery_worker import celery_worker_process, wait_for  # noqa: F401  (fixture)

D = dt.date.fromisoformat


def working_days_before(day: dt.date, n: int) -> dt.date:
    calendar = WorkCalendar()
    while n:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def register(organisation, handler, arrived: dt.date, **overrides) -> InformationRequest:
    case, _secret = request_register(
        organisation=organisation,
        actor=handler,
        channel=Channel.IN_PERSON,
        arrived_on=arrived,
        values=applicant_values(**overrides),
    )
    return case


def keys() -> list[str]:
    """The sweep's own notifications (not the applicant's notices from the services)."""
    swept = Notification.objects.filter(key__regex=r"^request:\d+:(due-in-\d|overdue|consultation-lapsed|unaccepted)")
    return sorted(swept.values_list("key", flat=True))


def test_r24_reminders_five_and_one_day_before_then_overdue_to_the_office(
    org_a, handler_a, office, office_head, clock, work_calendar, django_capture_on_commit_callbacks
):
    clock("2026-03-02 09:00")
    case = register(org_a, handler_a, D("2026-03-02"))
    assert case.due_on == D("2026-03-30")
    mail.outbox.clear()
    for moment, expected in [
        ("2026-03-20 09:00", []),  # 6 working days left
        ("2026-03-23 09:00", ["due-in-5"]),
        ("2026-03-23 09:15", ["due-in-5"]),  # the next run: nothing new
        ("2026-03-27 09:00", ["due-in-1", "due-in-5"]),
        ("2026-03-30 17:00", ["due-in-1", "due-in-5"]),  # the due day itself is the office's
        ("2026-03-31 08:00", ["due-in-1", "due-in-5", "overdue"]),
        ("2026-04-01 08:00", ["due-in-1", "due-in-5", "overdue"]),
    ]:
        clock(moment)
        with django_capture_on_commit_callbacks(execute=True):
            requests_sweep()
        assert [k.split(":")[2] for k in keys()] == expected, moment
    overdue = [m for m in mail.outbox if "逾期" in m.subject]
    assert len(overdue) == 1 and set(overdue[0].to) == {handler_a.email, office.email, office_head.email}
    reminders = [m for m in mail.outbox if "即将到期" in m.subject]
    assert [m.to for m in reminders] == [[handler_a.email], [handler_a.email]]
    assert "13812345678" not in "".join(m.body for m in mail.outbox)  # R27: no contact data in staff mail


def test_r24_an_extension_earns_the_new_date_its_own_reminders(
    org_a, handler_a, office_head, clock, work_calendar, django_capture_on_commit_callbacks
):
    clock("2026-03-02 09:00")
    case = register(org_a, handler_a, D("2026-03-02"))
    clock("2026-03-24 09:00")
    requests_sweep()
    request_extension_propose(request=case, actor=handler_a, days=10, reason="档案量大")
    case = request_extension_approve(request=case, actor=office_head)
    assert case.due_on == D("2026-04-14")
    clock("2026-04-08 09:00")
    requests_sweep()
    assert [k.split(":")[3] for k in keys()] == ["2026-03-30", "2026-04-14"]


def test_r23_a_lapsed_consultation_is_told_to_the_handler_once(org_a, handler_a, clock, work_calendar):
    from requests_app.services import request_consultation_start

    clock("2026-03-02 09:00")
    case = register(org_a, handler_a, D("2026-03-02"))
    request_consultation_start(request=case, actor=handler_a, kind="co_issuer", party="乙市统计局", on=D("2026-03-02"))
    clock("2026-03-24 09:00")
    requests_sweep()
    clock("2026-03-24 10:00")
    requests_sweep()
    assert keys() == [f"request:{case.pk}:consultation-lapsed:{case.consultations.get().pk}"]
    assert "视为同意" in Notification.objects.get(key=keys()[0]).body


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_reminder_once(org_a, handler_a, clock):
    calendar_load_package(actor=SYSTEM)
    clock("2026-03-02 09:00")
    cases = [
        register(org_a, handler_a, D("2026-03-02"), id_number=f"E1000000{n}", id_type="passport") for n in range(8)
    ]
    clock("2026-03-31 08:00")  # every case is overdue
    results = [dict(r) for r in run_twice_at_once(requests_sweep)]
    assert sum(r.get("overdue", 0) for r in results) == len(cases)
    assert Notification.objects.filter(key__contains=":overdue:").count() == len(cases)
    assert len([m for m in mail.outbox if "逾期" in m.subject]) == len(cases)
    assert connection.vendor == "postgresql"


@pytest.mark.worker
def test_the_worker_runs_the_sweep_through_redis(celery_worker_process, org_a, handler_a):
    calendar_load_package(actor=SYSTEM)
    today = timezone.localdate()  # the worker lives in real time
    case = register(org_a, handler_a, working_days_before(today, 17))
    sweep_request_deadlines.apply_async(queue=celery_worker_process)
    assert wait_for(lambda: JobRun.objects.filter(name="requests-sweep", status="succeeded").exists())
    assert Notification.objects.filter(key__startswith=f"request:{case.pk}:due-in-5:").exists()
