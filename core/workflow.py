"""One review workflow for every record that is drafted, reviewed and published (documents, interpretations, emergency
updates, reposts): the abstract models they share and the moves every transition makes —

1. **lock**: re-read the record under a row lock, so two people clicking at once cannot both act;
2. **authorise**: the actor's permission, from the app's permission pair (``None`` is the system or an applicant
   acting through their own code and secret);
3. **check**: every refusal at once, as coded problems (core.errors);
4. **record**: save only the fields touched, with the history's reason and user, and one transition-event row;
5. **after commit**: side effects (indexing, mail) are outbox rows of the same transaction (``ops.outbox``), run once
   the write is durable.

Each aggregate keeps one ``<aggregate>_<verb>`` service per transition in its app; this module is what they share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import actors
from core.errors import Problem, Problems, forbidden

Record = TypeVar("Record", bound=models.Model)

CONFIDENTIALITY_UNCHECKED = "confidentiality_unchecked"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    IN_REVIEW = "in_review", gettext_lazy("待审核")
    RETURNED = "returned", gettext_lazy("已退回")
    APPROVED = "approved", gettext_lazy("已审定")
    PUBLISHED = "published", gettext_lazy("已发布")
    WITHDRAWN = "withdrawn", gettext_lazy("已撤回")


class ReviewedRecord(models.Model):
    """What a drafted, reviewed and published record carries: its state and the times and people of each step.
    The drafter proposes, a reviewing official decides (R8); ``decided_at`` is the decision, ``published_at`` the
    moment the public could first see it."""

    Status = ReviewStatus

    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, editable=False
    )
    published_at = models.DateTimeField(gettext_lazy("发布日期"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(gettext_lazy("提交审核时间"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(gettext_lazy("审定时间"), null=True, blank=True, editable=False)
    return_reason = models.TextField(gettext_lazy("退回理由"), blank=True, editable=False)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("拟稿人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(gettext_lazy("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class TransitionEvent(models.Model):
    """One row per transition of a record (STYLE.md 2): who, when, what, from which state to which, and why. Each
    concrete table adds the foreign key to its record and the choices of its own actions and states."""

    at = models.DateTimeField(gettext_lazy("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(gettext_lazy("说明"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


# --- The moves ---------------------------------------------------------------------------------------------------------


def lock(record: Record, *related: str) -> Record:
    """``record`` re-read under a row lock (only its own row: ``of=self``), with ``related`` joined."""
    manager = type(record)._default_manager
    return manager.select_for_update(of=("self",)).select_related(*related).get(pk=record.pk)


def permitted(allowed: Callable[[actors.User], bool], actor: actors.Actor) -> bool:
    """Whether ``actor`` may: the system always, an applicant never (their own steps are checked by their
    services), a staff user when the permission pair ``allowed(user)`` says so. ``None`` is refused (core.actors)."""
    actors.require(actor)
    if isinstance(actor, actors.System):
        return True
    if isinstance(actor, actors.Applicant):
        return False
    return allowed(actors.as_user(actor))


def authorise(
    allowed: Callable[[actors.User], bool], actor: actors.Actor, error: type[Problems], message: object
) -> None:
    """Refuse with a ``forbidden`` problem unless ``actor`` is permitted (``permitted``)."""
    if not permitted(allowed, actor):
        raise error(forbidden(message))


def check(problems: Iterable[Problem | object], error: type[Problems]) -> None:
    """Refuse with every problem found, or do nothing."""
    found = list(problems)
    if found:
        raise error(*found)


def confidentiality_problems(confirmed: bool) -> list[Problem]:
    """Art 17: nothing is published before its 保密审查; the reviewer confirms it with every approval."""
    if confirmed:
        return []
    return [
        Problem(CONFIDENTIALITY_UNCHECKED, _("请确认已完成保密审查（《条例》第十七条）。"), "confidentiality_checked")
    ]


def record(
    instance: models.Model,
    *,
    events: type[models.Model],
    owner: str,
    actor: actors.Actor,
    action: str,
    label: str,
    before: str = "",
    after: str | None = None,
    note: str = "",
    fields: Iterable[str] = (),
    touch: Iterable[str] = ("updated_at",),
    at: dt.datetime | None = None,
) -> models.Model:
    """Save ``fields`` of ``instance`` (with its history's reason and user) and write its transition event:
    ``events(<owner>=instance, actor, action, from_status=before, to_status=after or instance.status, note)``."""
    instance._change_reason = f"{label}{'：' + note if note else ''}"[:100]  # type: ignore[attr-defined]
    instance._history_user = actors.staff_user(actor)  # type: ignore[attr-defined]
    fields = list(fields)
    if fields:
        instance.save(update_fields=[*fields, *touch])
    to_status = after if after is not None else getattr(instance, "status", "")
    return event(
        events,
        actor=actor,
        note=note,
        **{owner: instance},
        action=action,
        from_status=before,
        to_status=to_status,
        **({"at": at} if at else {}),
    )


def event(events: type[Record], *, actor: actors.Actor | None, note: str = "", **fields: Any) -> Record:
    """One event row of ``events``: a staff user is stored as its actor; a job is named in its note instead."""
    if isinstance(actor, actors.System):
        note = f"{note}（{actor}）" if note else str(actor)
    return events._default_manager.create(actor=actors.staff_user(actor), note=note, **fields)
