"""Where audit rows come from. One hook per write, so that each act lands in the log once.

- **State changes**: every service saves through simple-history with ``_history_user`` and ``_change_reason``, so
  ``post_create_historical_record`` (sent inside the service's transaction) is the central hook for every audited
  model: one row per historical record, naming the model, the object, the history type (+ ~ -), the change reason
  and the actor.
- **Workflow event tables whose model keeps no history**: ``RoleEvent`` (group membership is not in simple-history)
  and ``FindingEvent`` (findings are reconciled by the self-audit without history) are the only trace of those acts,
  so each new row of theirs is logged.
- **Workflow event tables beside a history record**: ``DocumentEvent``, ``RequestEvent`` and ``InterpretationEvent``
  are written by services that usually also save the object with history (history first, then the event). Logging
  both would count one act twice, so the event row is logged only when no history row of the same app was logged
  since the previous event row in the same transaction: the re-review that keeps a document withheld, an
  attachment change, a request step that changed no stored field. The "pending" marks (audit row ids, which a
  sequence never hands out twice) live per thread and are dropped on commit; a rolled-back savepoint is detected
  because its audit rows no longer exist.
- **Sign-in**: Django's ``user_logged_in`` / ``user_login_failed`` / ``user_logged_out``. A failed attempt names the
  account when the typed username is one; otherwise only a masked form is kept (staff type their password into the
  username box), at most ``LOGIN_FAILED_ROWS_PER_MINUTE`` such rows per address, and none for an attempt that
  django-axes refused as locked out (axes counts those itself): anonymous visitors cannot grow the log without
  bound.
- **Exports and views of unmasked personal data** are not writes: the views call ``audit_record`` themselves.

Personal data never enters the log: an application (and anything hanging off it) is named by its tracking code, and
its change reasons are cut to the action label, since notes typed by staff may quote the applicant.
"""

from __future__ import annotations

import threading
from typing import Any

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from auditlog.models import AuditEvent
from auditlog.services import audit_record
from catalog.roles import OfficeRole, Role
from core import ratelimit

Kind = AuditEvent.Kind
# Apps whose records concern an applicant or a reporter: labels and reasons are reduced to what identifies no person.
PERSONAL_APPS = {"requests_app", "errorreports"}
# Event tables logged only when their service wrote no history row (see the module docstring).
PAIRED_EVENT_MODELS = {"disclosure.documentevent", "disclosure.interpretationevent", "requests_app.requestevent"}
SOLE_EVENT_MODELS = {"catalog.roleevent", "audits.findingevent"}
ROLE_LABELS = {**dict(Role.choices), **dict(OfficeRole.choices)}
# Failed sign-ins with an unknown username recorded per client address and minute; beyond it, axes still counts.
LOGIN_FAILED_ROWS_PER_MINUTE = 20

_pending = threading.local()


def _pending_for(app_label: str) -> list[int]:
    marks: dict[str, list[int]] = _pending.__dict__.setdefault("marks", {})
    return marks.setdefault(app_label, [])


def _forget_pending() -> None:
    _pending.__dict__.pop("marks", None)


def _label(instance: models.Model) -> str:
    """A name for the object that identifies no person: tracking code for applications, 索引号 for documents."""
    code = getattr(instance, "tracking_code", None)
    if code:
        return str(code)
    parent = getattr(instance, "request", None)
    if parent is not None and getattr(parent, "tracking_code", None):
        return str(parent.tracking_code)
    if instance._meta.app_label in PERSONAL_APPS:
        return f"{instance._meta.verbose_name} #{instance.pk}"
    index_no = getattr(instance, "index_no", None)
    if index_no:
        return str(index_no)
    return str(instance)


def _summary(app_label: str, reason: str | None) -> str:
    reason = reason or ""
    if app_label in PERSONAL_APPS:
        return reason.split("：", 1)[0]
    return reason


@receiver(post_create_historical_record, dispatch_uid="auditlog-history")
def history_recorded(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    meta = instance._meta
    event = audit_record(
        kind=Kind.STATE_CHANGED,
        actor=history_instance.history_user,
        object_type=meta.label_lower,
        object_pk=instance.pk,
        object_label=_label(instance),
        change=history_instance.history_type,
        summary=_summary(meta.app_label, history_instance.history_change_reason),
    )
    if transaction.get_connection().in_atomic_block:
        # The row id: it comes from a sequence, so a row rolled back with a savepoint never lends its id to a later
        # one (the hash is empty until the commit seals the row).
        _pending_for(meta.app_label).append(event.seq)
        transaction.on_commit(_forget_pending)


def _history_logged_for_this_step(app_label: str) -> bool:
    marks = _pending_for(app_label)
    if not marks:
        return False
    alive = AuditEvent.objects.filter(seq__in=marks).exists()
    marks.clear()
    return alive


def _event_parent(event: models.Model) -> models.Model:
    for name in ("document", "request", "interpretation", "finding"):
        parent = getattr(event, name, None)
        if parent is not None:
            return parent
    return event


@receiver(post_save, dispatch_uid="auditlog-workflow-events")
def workflow_event_saved(sender: Any, instance: models.Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    label = sender._meta.label_lower
    if raw or not created or label not in PAIRED_EVENT_MODELS | SOLE_EVENT_MODELS:
        return
    if label == "catalog.roleevent":
        _role_event(instance)
        return
    if label in PAIRED_EVENT_MODELS and _history_logged_for_this_step(sender._meta.app_label):
        return
    parent = _event_parent(instance)
    action = instance.get_action_display()
    note = getattr(instance, "note", "") or ""
    summary = action if sender._meta.app_label in PERSONAL_APPS or not note else f"{action}：{note}"
    audit_record(
        kind=Kind.STATE_CHANGED,
        actor=getattr(instance, "actor", None),
        object_type=parent._meta.label_lower,
        object_pk=parent.pk,
        object_label=_label(parent),
        change=AuditEvent.Change.CHANGED,
        summary=summary,
    )


def _role_event(event: Any) -> None:
    role_label = ROLE_LABELS.get(event.role, event.role)
    where = f"{event.organisation.code} {event.organisation.name} " if event.organisation_id else ""
    audit_record(
        kind=Kind.ROLE_CHANGED,
        actor=event.actor,
        object_type="auth.user",
        object_pk=event.user_id,
        object_label=event.user.get_username(),
        summary=f"{event.get_action_display()} {where}{role_label}",
        change=AuditEvent.Change.CREATED if event.action == "granted" else AuditEvent.Change.DELETED,
    )


# --- Sign-in -------------------------------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="auditlog-login")
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(
        kind=Kind.LOGIN,
        actor=user,
        request=request,
        object_type="auth.user",
        object_pk=user.pk,
        object_label=user.get_username(),
    )


@receiver(user_login_failed, dispatch_uid="auditlog-login-failed")
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if getattr(request, "axes_locked_out", False):
        # Refused as locked out: axes keeps its own record. Axes' receiver runs first and also sets the flag on the
        # attempt that reaches the limit, so that one is axes' to record too.
        return
    typed = str(credentials.get("username") or "")
    user_model = get_user_model()
    account = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed}).first() if typed else None
    if account is not None:
        username = account.get_username()
        audit_record(
            kind=Kind.LOGIN_FAILED,
            actor_username=username,
            request=request,
            object_type="auth.user",
            object_pk=account.pk,
            object_label=username,
        )
        return
    address = ratelimit.client_ip(request) if request is not None else "unknown"
    if ratelimit.hit("audit-login-failed", address, window_seconds=60) > LOGIN_FAILED_ROWS_PER_MINUTE:
        return
    masked = _masked(typed)
    audit_record(kind=Kind.LOGIN_FAILED, actor_username=masked, request=request, object_label=masked)


def _masked(typed: str) -> str:
    """Enough to tell attempts apart, not enough to read a password typed into the username box."""
    return f"{typed[:1]}***{len(typed)}" if typed else ""


@receiver(user_logged_out, dispatch_uid="auditlog-logout")
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(
        kind=Kind.LOGOUT,
        actor=user,
        request=request,
        object_type="auth.user",
        object_pk=user.pk,
        object_label=user.get_username(),
    )
