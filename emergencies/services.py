"""Every write of an emergency and its updates (R19): one function per state change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from core import actors, workflow
from core.actors import StaffOrSystem, User
from core.errors import Problem
from core.pubversion import publication_changed
from disclosure.content import body_text, sanitise_body
from disclosure.personal_data import personal_data_problems
from disclosure.services import DocumentError as EmergencyError
from emergencies import permissions
from emergencies.models import Emergency, EmergencyEvent, EmergencyUpdate
from integrity.models import Entry as IntegrityEntry
from integrity.services import integrity_record

__all__ = ["EmergencyError"]
CLOCK_SKEW = dt.timedelta(minutes=10)
Update = EmergencyUpdate


def _may(allowed: Callable[[User], bool], actor: StaffOrSystem) -> None:
    workflow.authorise(allowed, actor, EmergencyError, _("您没有办理该事件这一操作的权限。"))


def emergency_dues(*, level: str, started_at: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    """R19: authoritative information within 5 hours and a press conference within 24 hours of the event, for a
    particularly serious or major emergency (both configurable); lesser events carry no statutory clock."""
    if level not in Emergency.CLOCK_LEVELS:
        return None, None
    return (
        started_at + dt.timedelta(hours=settings.GOVOPEN_EMERGENCY_INFO_HOURS),
        started_at + dt.timedelta(hours=settings.GOVOPEN_EMERGENCY_PRESS_HOURS),
    )


def emergency_problems(*, title: str, level: str, category: str, started_at: dt.datetime | None) -> list[str]:
    """What keeps an event from being registered or corrected, each named; the admin form asks the same."""
    problems = []
    if not (title or "").strip():
        problems.append(_("请填写事件名称。"))
    if level not in Emergency.Level.values:
        problems.append(_("请选择事件级别。"))
    if category not in Emergency.Category.values:
        problems.append(_("请选择事件类别。"))
    if started_at is None:
        problems.append(_("请填写事发时间：发布时限从事发时间起算。"))
    elif started_at > timezone.now() + CLOCK_SKEW:
        problems.append(_("事发时间不能晚于现在。"))
    return problems


@transaction.atomic
def emergency_register(
    *,
    organisation: Organisation,
    actor: StaffOrSystem,
    title: str,
    level: str,
    category: str,
    started_at: dt.datetime | None,
    location: str = "",
) -> Emergency:
    """Register an event; its clocks start at the time it happened, not at registration (R19)."""
    _may(lambda user: permissions.can_register_emergency(user, organisation), actor)
    problems = emergency_problems(title=title, level=level, category=category, started_at=started_at)
    if problems:
        raise EmergencyError(*problems)
    info_due, press_due = emergency_dues(level=level, started_at=started_at)
    emergency = Emergency(
        organisation=organisation,
        title=title.strip(),
        level=level,
        category=category,
        location=location.strip(),
        started_at=started_at,
        info_due_at=info_due,
        press_due_at=press_due,
        registered_by=actors.staff_user(actor),
    )
    emergency._history_user, emergency._change_reason = actors.staff_user(actor), str(_("登记突发事件"))
    emergency.save()
    _event(emergency, actor=actor, action=EmergencyEvent.Action.REGISTERED, before="")
    return emergency


def _event(
    emergency: Emergency,
    *,
    actor: StaffOrSystem,
    action: str,
    before: str,
    update: EmergencyUpdate | None = None,
    note: str = "",
) -> EmergencyEvent:
    return workflow.event(
        EmergencyEvent,
        actor=actor,
        note=note,
        emergency=emergency,
        update=update,
        action=action,
        from_status=before,
        to_status=emergency.status,
    )


@transaction.atomic
def emergency_edit(*, emergency: Emergency, actor: StaffOrSystem, changes: dict[str, Any]) -> Emergency:
    """Correct the event's facts (a level raised, a start time made precise); the clocks follow."""
    emergency = Emergency.objects.select_for_update().get(pk=emergency.pk)
    _may(lambda user: permissions.can_register_emergency(user, emergency.organisation), actor)
    if emergency.status != Emergency.Status.OPEN:
        raise EmergencyError(_("已结束的事件不能修改。"))
    values = {
        name: changes.get(name, getattr(emergency, name)) for name in ("title", "level", "category", "started_at")
    }
    problems = emergency_problems(**values)
    if problems:
        raise EmergencyError(*problems)
    for name, value in values.items():
        setattr(emergency, name, value.strip() if isinstance(value, str) else value)
    emergency.location = (changes.get("location", emergency.location) or "").strip()
    emergency.info_due_at, emergency.press_due_at = emergency_dues(
        level=emergency.level, started_at=emergency.started_at
    )
    emergency._history_user, emergency._change_reason = actors.staff_user(actor), str(_("修改事件信息"))
    emergency.save()
    publication_changed(emergency.organisation)  # the public timeline shows these facts once it has an update
    return emergency


def update_problems(
    *, kind: str, title: str, body: str, held_at: dt.datetime | None, emergency: Emergency
) -> list[str]:
    """What keeps an update from being saved (R19: a press conference has its time), each named."""
    return [str(p) for p in _update_problems(kind=kind, title=title, body=body, held_at=held_at, emergency=emergency)]


def _update_problems(
    *, kind: str, title: str, body: str, held_at: dt.datetime | None, emergency: Emergency
) -> list[Problem | str]:
    """``update_problems`` with their codes, for the services."""
    problems: list[Problem | str] = []
    if kind not in Update.Kind.values:
        problems.append(_("请选择发布信息的类型。"))
    if not (title or "").strip():
        problems.append(_("请填写标题。"))
    if not body_text(sanitise_body(body or "")):
        problems.append(_("请填写内容。"))
    if kind == Update.Kind.PRESS:
        if held_at is None:
            problems.append(Problem("press_time_missing", _("新闻发布会须填写举行时间。"), "held_at"))
        elif held_at < emergency.started_at:
            problems.append(_("发布会举行时间不能早于事发时间。"))
        elif held_at > timezone.now() + CLOCK_SKEW:
            problems.append(_("发布会举行时间不能晚于现在：请在发布会举行后发布。"))
    return problems


@transaction.atomic
def update_draft(
    *, emergency: Emergency, actor: StaffOrSystem, kind: str, title: str, body: str, held_at: dt.datetime | None = None
) -> EmergencyUpdate:
    emergency = Emergency.objects.select_for_update().select_related("organisation").get(pk=emergency.pk)
    _may(lambda user: permissions.can_write_update(user, emergency), actor)
    if emergency.status != Emergency.Status.OPEN:
        raise EmergencyError(_("事件已结束，不能再发布信息。"))
    problems = _update_problems(kind=kind, title=title, body=body, held_at=held_at, emergency=emergency)
    if problems:
        raise EmergencyError(*problems)
    clean = sanitise_body(body)
    update = Update(
        emergency=emergency,
        kind=kind,
        title=title.strip(),
        body=clean,
        body_text=body_text(clean),
        held_at=held_at if kind == Update.Kind.PRESS else None,
        author=actors.staff_user(actor),
    )
    update._history_user, update._change_reason = actors.staff_user(actor), str(_("撰写"))
    update.save()
    _event(
        emergency,
        actor=actor,
        action=EmergencyEvent.Action.DRAFTED,
        before=emergency.status,
        update=update,
        note=update.title,
    )
    return update


@transaction.atomic
def update_edit(*, update: EmergencyUpdate, actor: StaffOrSystem, changes: dict[str, Any]) -> EmergencyUpdate:
    update = Update.objects.select_for_update().select_related("emergency__organisation").get(pk=update.pk)
    _may(lambda user: permissions.can_write_update(user, update.emergency), actor)
    if update.status != Update.Status.DRAFT:
        raise EmergencyError(_("已发布的信息不能修改；如需更正，请发布新的信息。"))
    values = {name: changes.get(name, getattr(update, name)) for name in ("kind", "title", "body", "held_at")}
    problems = _update_problems(emergency=update.emergency, **values)
    if problems:
        raise EmergencyError(*problems)
    update.kind, update.title = values["kind"], values["title"].strip()
    update.body = sanitise_body(values["body"])
    update.body_text = body_text(update.body)
    update.held_at = values["held_at"] if update.kind == Update.Kind.PRESS else None
    update._history_user, update._change_reason = actors.staff_user(actor), str(_("修改"))
    update.save()
    return update


@transaction.atomic
def update_publish(*, update: EmergencyUpdate, actor: StaffOrSystem, confidentiality_checked: bool) -> EmergencyUpdate:
    """The reviewer publishes an update to the public timeline. The first published update stops the 5-hour clock;
    the first published press conference stops the 24-hour clock (R19); a closing update ends the event."""
    update = Update.objects.select_for_update().select_related("emergency__organisation").get(pk=update.pk)
    emergency = Emergency.objects.select_for_update().get(pk=update.emergency_id)
    update.emergency = emergency
    _may(lambda user: permissions.can_publish_update(user, update), actor)
    if update.status != Update.Status.DRAFT:
        raise EmergencyError(_("该信息已发布。"))
    if emergency.status != Emergency.Status.OPEN:
        raise EmergencyError(_("事件已结束，不能再发布信息。"))
    problems: list[Problem | str] = [*workflow.confidentiality_problems(confidentiality_checked)]
    problems += personal_data_problems(title=update.title, text=update.body_text, text_label=str(_("内容")))
    if problems:
        raise EmergencyError(*problems)
    now = timezone.now()
    update.status, update.published_at, update.publisher = Update.Status.PUBLISHED, now, actors.staff_user(actor)
    update._history_user, update._change_reason = actors.staff_user(actor), str(_("发布"))
    update.save(update_fields=["status", "published_at", "publisher"])
    touched = []
    if emergency.first_info_at is None:
        emergency.first_info_at = now
        touched.append("first_info_at")
    if update.kind == Update.Kind.PRESS and emergency.press_held_at is None:
        emergency.press_held_at = update.held_at
        touched.append("press_held_at")
    before = emergency.status
    _event(
        emergency, actor=actor, action=EmergencyEvent.Action.PUBLISHED, before=before, update=update, note=update.title
    )
    if update.kind == Update.Kind.CLOSING:
        emergency.status, emergency.closed_at = Emergency.Status.CLOSED, now
        touched += ["status", "closed_at"]
        _event(emergency, actor=actor, action=EmergencyEvent.Action.CLOSED, before=before, update=update)
    if touched:
        emergency._history_user = actors.staff_user(actor)
        emergency._change_reason = str(_("发布：%(title)s") % {"title": update.title})[:100]
        emergency.save(update_fields=touched)
    publication_changed(emergency.organisation)
    integrity_record(record=update, event=IntegrityEntry.Kind.PUBLISHED)
    return update


def emergency_available_actions(emergency: Emergency, user: User) -> frozenset[str]:
    """The steps ``user`` may take on ``emergency`` now: ``edit`` its facts (while open) and ``write_update``. The
    admin offers exactly these; the services check the same rules under their row lock."""
    allowed: dict[str, Callable[[], bool]] = {
        "edit": lambda: (
            emergency.status == Emergency.Status.OPEN
            and permissions.can_register_emergency(user, emergency.organisation)
        ),
        "write_update": lambda: permissions.can_write_update(user, emergency),
    }
    return frozenset(name for name, check in allowed.items() if check())


def update_available_actions(update: EmergencyUpdate, user: User) -> frozenset[str]:
    """The steps ``user`` may take on ``update`` now: ``edit`` it (while a draft) and ``publish`` it."""
    allowed: dict[str, Callable[[], bool]] = {
        "edit": lambda: (
            update.status == EmergencyUpdate.Status.DRAFT and permissions.can_write_update(user, update.emergency)
        ),
        "publish": lambda: permissions.can_publish_update(user, update),
    }
    return frozenset(name for name, check in allowed.items() if check())
