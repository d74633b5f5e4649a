"""Emergency information (R19): the 5-hour and 24-hour clocks, the public timeline, and the alerts of every open
clock (R18, R19) sent once per threshold, even by two sweeps at the same moment."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from disclosure.clocks import repost_clocks
from disclosure.reposts import repost_register
from emergencies.clocks import emergency_clocks
from emergencies.models import Emergency
from emergencies.services import EmergencyError, emergency_edit, emergency_register, update_draft, update_publish
from ops.clocks import OVERDUE, SOON, clocks_alert
from ops.models import JobRun, Notification
from tests.conftest import refused, run_twice_at_once
from tests.test_celery_worker import celery_worker_process, wait_for  # noqa: F401  (fixture)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def flood(organisation, actor, *, started: str = "2026-11-20 06:00", level: str = "2") -> Emergency:
    return emergency_register(
        organisation=organisation,
        actor=actor,
        title="示范县城区内涝",
        level=level,
        category="natural",
        started_at=at(started),
        location="城关镇",
    )


def publish_update(emergency, drafter, reviewer, *, kind="info", held_at=None, title="城区内涝情况通报"):
    update = update_draft(
        emergency=emergency,
        actor=drafter,
        kind=kind,
        title=title,
        body="今晨强降雨致城区部分路段积水，相关部门已开展排涝。",
        held_at=held_at,
    )
    return update_publish(update=update, actor=reviewer, confidentiality_checked=True)


def test_r19_clocks_run_from_the_event_not_from_registration(org_a, drafter_a, clock):
    clock("2026-11-20 08:00")
    emergency = flood(org_a, drafter_a)
    assert emergency.info_due_at == at("2026-11-20 11:00")
    assert emergency.press_due_at == at("2026-11-21 06:00")
    lesser = flood(org_a, drafter_a, level="4")
    assert lesser.info_due_at is None and not lesser.has_clocks
    raised = emergency_edit(emergency=lesser, actor=drafter_a, changes={"level": "1"})
    assert raised.info_due_at == at("2026-11-20 11:00")


def test_r19_the_hours_are_configurable(org_a, drafter_a, clock, settings):
    settings.GOVOPEN_EMERGENCY_INFO_HOURS, settings.GOVOPEN_EMERGENCY_PRESS_HOURS = 2, 12
    clock("2026-11-20 08:00")
    emergency = flood(org_a, drafter_a)
    assert (emergency.info_due_at, emergency.press_due_at) == (at("2026-11-20 08:00"), at("2026-11-20 18:00"))


def test_r19_registration_and_updates_check_their_facts(org_a, drafter_a, reviewer_a, clock):
    clock("2026-11-20 08:00")
    with pytest.raises(EmergencyError) as caught:
        emergency_register(
            organisation=org_a,
            actor=drafter_a,
            title="",
            level="9",
            category="natural",
            started_at=at("2026-11-20 09:00"),
        )
    assert caught.value.problems == ["请填写事件名称。", "请选择事件级别。", "事发时间不能晚于现在。"]
    emergency = flood(org_a, drafter_a)
    with refused(EmergencyError, "press_time_missing"):
        update_draft(emergency=emergency, actor=drafter_a, kind="press", title="发布会", body="内容")
    update = update_draft(emergency=emergency, actor=drafter_a, kind="info", title="通报", body="内容")
    with pytest.raises(EmergencyError):
        update_publish(update=update, actor=drafter_a, confidentiality_checked=True)  # drafters do not publish
    with refused(EmergencyError, "confidentiality_unchecked"):
        update_publish(update=update, actor=reviewer_a, confidentiality_checked=False)


def test_r19_publishing_stops_the_clocks_and_builds_the_public_timeline(org_a, drafter_a, reviewer_a, clock, citizen):
    clock("2026-11-20 08:00")
    emergency = flood(org_a, drafter_a)
    url = reverse("emergencies:detail", args=[emergency.pk])
    assert citizen.get(url).status_code == 404  # nothing published yet: nothing public
    clock("2026-11-20 09:30")
    publish_update(emergency, drafter_a, reviewer_a)
    emergency.refresh_from_db()
    assert emergency.first_info_at is not None and emergency.first_info_at <= emergency.info_due_at
    assert [c.key for c in emergency_clocks()] == [f"emergency:{emergency.pk}:press"]
    clock("2026-11-21 07:00")
    publish_update(
        emergency,
        drafter_a,
        reviewer_a,
        kind="press",
        held_at=at("2026-11-21 06:30"),
        title="示范县召开城区内涝新闻发布会",
    )
    emergency.refresh_from_db()
    assert emergency.press_held_at == at("2026-11-21 06:30")  # after the 24 hours: late, and shown as late
    assert emergency_clocks() == []
    page = citizen.get(url).content.decode()
    assert "城区内涝情况通报" in page and "示范县召开城区内涝新闻发布会" in page
    assert "事发后 3 小时 30 分" in page and "超过时限" in page
    assert page.index("城区内涝情况通报") < page.index("示范县召开城区内涝新闻发布会")
    assert "示范县城区内涝" in citizen.get(reverse("emergencies:list")).content.decode()
    publish_update(emergency, drafter_a, reviewer_a, kind="closing", title="处置结束")
    emergency.refresh_from_db()
    assert emergency.status == Emergency.Status.CLOSED
    # Emergencies have transition rows like every reviewed record (core.workflow.TransitionEvent).
    actions = list(emergency.events.values_list("action", "to_status"))
    assert actions[0] == ("registered", "open") and actions[-1] == ("closed", "closed")
    assert [a for a, _s in actions].count("published") == 3 and [a for a, _s in actions].count("drafted") == 3
    # An emergency from before the event table: the backfill writes the same steps from its own fields, each marked
    # as written afterwards, and can be undone.
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("emergencies.migrations.0003_backfill_emergency_events")
    emergency.events.all().delete()
    backfill.forwards(apps, None)
    rows = list(emergency.events.values_list("action", "to_status", "note"))
    assert [(a, s) for a, s, _n in rows] == actions and {n for *_r, n in rows} == {backfill.NOTE}
    assert emergency.events.get(action="registered").actor == drafter_a
    assert {e.actor for e in emergency.events.filter(action="published")} == {reviewer_a}
    backfill.forwards(apps, None)  # twice: nothing more
    assert emergency.events.count() == len(actions)
    backfill.backwards(apps, None)
    assert not emergency.events.exists()


def test_r19_draft_updates_never_reach_the_public(org_a, drafter_a, reviewer_a, clock, citizen):
    clock("2026-11-20 08:00")
    emergency = flood(org_a, drafter_a)
    publish_update(emergency, drafter_a, reviewer_a)
    update_draft(emergency=emergency, actor=drafter_a, kind="progress", title="未审核的伤亡数字", body="草稿内容")
    assert "未审核的伤亡数字" not in citizen.get(reverse("emergencies:detail", args=[emergency.pk])).content.decode()


# --- Alerts, once per threshold ----------------------------------------------------------------------------------


def test_alerts_go_to_the_organisation_then_the_office_once_per_threshold(
    org_a, drafter_a, reviewer_a, office, clock, work_calendar
):
    clock("2026-11-20 08:00")
    emergency = flood(org_a, drafter_a, started="2026-11-20 06:30")
    repost = repost_register(
        organisation=org_a,
        actor=drafter_a,
        level="state",
        kind="policy",
        source_organisation="国务院办公厅",
        source_url="https://www.gov.cn/a.htm",
        title="国务院办公厅关于某事的通知",
        source_published_at=at("2026-11-20 07:00"),
    )
    clock("2026-11-20 10:45")  # 15 minutes to the 5-hour clock
    sent = clocks_alert(emergency_clocks() + repost_clocks())
    assert sent == [f"clock:emergency:{emergency.pk}:info:{SOON}:{emergency.info_due_at.timestamp():.0f}"]
    soon = Notification.objects.get()
    assert set(soon.recipients) == {drafter_a.email, reviewer_a.email}
    assert clocks_alert(emergency_clocks() + repost_clocks()) == []  # the second run sends nothing
    clock("2026-11-23 21:00")  # repost due at the end of Monday; emergency long overdue
    keys = clocks_alert(emergency_clocks() + repost_clocks())
    assert f"clock:repost:{repost.pk}:{SOON}:{repost.due_at.timestamp():.0f}" in keys
    assert f"clock:emergency:{emergency.pk}:info:{OVERDUE}:{emergency.info_due_at.timestamp():.0f}" in keys
    overdue = Notification.objects.get(key__contains=f"emergency:{emergency.pk}:info:{OVERDUE}")
    assert office.email in overdue.recipients and "已逾期" in overdue.subject
    assert clocks_alert(emergency_clocks() + repost_clocks()) == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_alert_once(org_a, drafter_a, clock):
    from emergencies.tasks import sweep_emergency_clocks

    clock("2026-11-20 08:00")
    events = [flood(org_a, drafter_a, started=f"2026-11-20 0{n}:00") for n in range(1, 6)]
    clock("2026-11-21 12:00")  # every info and press clock is overdue
    run_twice_at_once(sweep_emergency_clocks)
    assert Notification.objects.count() == 2 * len(events)
    assert len([m for m in mail.outbox if "已逾期" in m.subject]) == 2 * len(events)
    assert connection.vendor == "postgresql"


@pytest.mark.worker
def test_the_worker_sweeps_emergency_clocks_through_redis(celery_worker_process, org_a, drafter_a):
    from django.utils import timezone

    from emergencies.tasks import sweep_emergency_clocks

    emergency = emergency_register(
        organisation=org_a,
        actor=drafter_a,
        title="示范县山体滑坡",
        level="1",
        category="natural",
        started_at=timezone.now() - dt.timedelta(hours=6),
    )
    sweep_emergency_clocks.apply_async(queue=celery_worker_process)
    assert wait_for(lambda: JobRun.objects.filter(name="emergency-clocks", status="succeeded").exists())
    assert Notification.objects.filter(key__startswith=f"clock:emergency:{emergency.pk}:info:overdue").exists()


def test_dashboard_lists_open_clocks_for_the_office_and_own_organisation_only(
    org_a, drafter_a, drafter_b, office, login, clock
):
    clock("2026-11-20 08:00")
    flood(org_a, drafter_a)
    page = login(office).get(reverse("clocks")).content.decode()
    assert "示范县城区内涝" in page and "突发事件权威信息发布" in page and "突发事件新闻发布会" in page
    assert "示范县城区内涝" in login(drafter_a).get(reverse("clocks")).content.decode()
    assert "示范县城区内涝" not in login(drafter_b).get(reverse("clocks")).content.decode()
    emergency = Emergency.objects.get()
    assert login(drafter_b).get(reverse("admin:emergencies_emergency_change", args=[emergency.pk])).status_code in (
        302,
        404,
    )
    assert login(drafter_a).get(reverse("admin:emergencies_emergency_change", args=[emergency.pk])).status_code == 200


def test_the_admin_form_refuses_a_future_start_and_keeps_what_was_typed(org_a, drafter_a, login, clock):
    clock("2026-11-20 08:00")
    response = login(drafter_a).post(
        reverse("admin:emergencies_emergency_add"),
        {
            "organisation": org_a.pk,
            "title": "示范县某桥梁垮塌",
            "level": "1",
            "category": "accident",
            "location": "东门桥",
            "started_at": "2026-11-20T09:30",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "事发时间不能晚于现在。" in page and "示范县某桥梁垮塌" in page
    assert not Emergency.objects.exists()


def test_r19_an_updates_publish_page_opens_exactly_for_whom_its_available_actions_name(
    org_a, drafter_a, reviewer_a, login, clock
):
    from emergencies.services import emergency_available_actions, update_available_actions

    clock("2026-11-20 08:00")
    emergency = flood(org_a, drafter_a)
    update = update_draft(
        emergency=emergency, actor=drafter_a, kind="info", title="城区内涝情况通报", body="已开展排涝。"
    )
    publish_page = reverse("admin:emergencies_emergencyupdate_publish", args=[update.pk])
    for person, expected in ((drafter_a, {"edit"}), (reviewer_a, {"edit", "publish"})):
        actions = update_available_actions(update, person)
        assert actions == expected, (person, actions)
        assert (login(person).get(publish_page).status_code == 200) == ("publish" in actions)
        assert "write_update" in emergency_available_actions(emergency, person)
    published = update_publish(update=update, actor=reviewer_a, confidentiality_checked=True)
    assert update_available_actions(published, reviewer_a) == set()  # published: neither edited nor published again
    assert login(reviewer_a).get(publish_page).status_code == 404
