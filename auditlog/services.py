"""Writing, sealing, verifying and pruning the audit chain. Nothing else inserts into, updates or deletes from
``AuditEvent``.

Writing and chaining are two steps. ``audit_record`` inserts the row in the caller's transaction, unsealed (id from
a database sequence, no position, empty hashes), and takes no lock, so an audited write never waits on another
and never orders the chain lock against the row locks its service takes next. After the commit,
``audit_seal`` runs in a short transaction of its own under the chain lock (a transaction-level advisory lock) and
chains every committed unsealed row in id order after the tail: position = tail + 1, prev_hash = tail hash, hash =
SHA-256(prev_hash + canonical content and position). A row that commits late is sealed late, at the end. The beat
job ``auditlog.tasks.seal_audit_log`` seals what an interrupted process left; ``verify_audit_log`` walks the chain
daily and logs its last position and hash, the outside copy that shows deletion of the newest rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from auditlog.models import GENESIS_HASH, AuditEvent
from core import actors
from core.actors import StaffOrSystem
from core.locks import hold_job_lock
from core.ratelimit import client_ip as request_client_ip

CHAIN_LOCK = "auditlog-chain"
# PostgreSQL: the append-only trigger lets a DELETE through only while this transaction-local setting is "on".
PRUNE_SETTING = "govopen.audit_prune"
Kind = AuditEvent.Kind


class AuditError(Exception):
    """A refused audit-log operation; the message is for the operator."""


def current_request() -> HttpRequest | None:
    """The request being served, as simple-history's middleware keeps it (None in jobs and commands)."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _ip(request: HttpRequest | None) -> str:
    return request_client_ip(request)[:64] if request is not None else ""


def audit_record(
    *,
    kind: str,
    actor: Any = None,
    actor_username: str | None = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_pk: Any = "",
    object_label: str = "",
    change: str = "",
    summary: str = "",
) -> AuditEvent:
    """Store one row in the caller's transaction, unsealed; it joins the chain once that transaction commits.

    No lock is taken here: callers write audit rows in the middle of their own transactions (through history), and
    a chain lock held until their commit would order it against every row lock they take next (deadlocks) and
    serialise every audited write behind the longest transaction. Never pass personal data: name an application
    by its tracking code.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if request is None:
        request = current_request()
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else (actor_username or ""))[:150],
        kind=kind,
        object_type=object_type[:100],
        object_pk=str(object_pk)[:64],
        object_label=object_label[:200],
        change=change,
        summary=summary[:300],
        client_ip=_ip(request),
    )
    event.save()
    # Robust: a failed seal must not turn the caller's committed work into an error; the beat job seals later.
    transaction.on_commit(_seal_after_commit, robust=True)
    return event


def _seal_after_commit() -> None:
    audit_seal()


def audit_seal(*, batch_size: int = 1000) -> int:
    """Chain every committed unsealed row, oldest id first, after the current tail; returns how many were sealed.

    Each batch is one short transaction of its own holding the chain lock, so sealers never interleave and never
    wait on a business transaction. A row whose transaction commits later than a higher id is simply sealed
    later, further down the chain.
    """
    sealed = 0
    while True:
        with transaction.atomic():
            hold_job_lock(CHAIN_LOCK)
            rows = list(
                AuditEvent.objects.filter(position__isnull=True)
                .order_by("seq")
                .select_for_update(skip_locked=True)[:batch_size]
            )
            if not rows:
                return sealed
            tail = (
                AuditEvent.objects.filter(position__isnull=False)
                .order_by("-position")
                .values_list("position", "hash")
                .first()
            )
            position, prev_hash = tail if tail else (0, GENESIS_HASH)
            for row in rows:
                position += 1
                row.seal(position=position, prev_hash=prev_hash)
                prev_hash = row.hash
            sealed += len(rows)
        if len(rows) < batch_size:
            return sealed


# --- Verification -----------------------------------------------------------------------------------------------------


@dataclass
class ChainReport:
    verified: int
    first_broken: int | None = None  # a chain position
    problem: str = ""
    last_position: int | None = None
    last_hash: str = ""
    unsealed: int = 0  # rows not chained yet (their transaction is recent, or a process stopped before sealing)

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def _rows(batch_size: int) -> Iterator[AuditEvent]:
    # Keyset pagination in chain order: constant memory however long the log grows.
    last = None
    while True:
        batch = AuditEvent.objects.filter(position__isnull=False).order_by("position")
        if last is not None:
            batch = batch.filter(position__gt=last)
        rows = list(batch[:batch_size])
        if not rows:
            return
        yield from rows
        last = rows[-1].position


def expected_anchor() -> tuple[int, str | None]:
    """Where the chain must start: position 1 on the genesis hash, or the position the latest prune named as its
    anchor. The prune row counts from its commit on (ordered by id, sealed or not): the rows it deleted went in
    the same transaction."""
    prune = AuditEvent.objects.filter(kind=Kind.PRUNED).order_by("-seq").values_list("object_pk", flat=True).first()
    if prune:
        return int(prune), None
    return 1, GENESIS_HASH


def verify_chain(*, batch_size: int = 1000) -> ChainReport:
    """Walk the sealed rows in chain order; report the first whose link or content does not match, and count the
    rows not sealed yet (not a break: they join the chain at the next seal)."""
    anchor_position, anchor_hash = expected_anchor()
    report = ChainReport(verified=0, unsealed=AuditEvent.objects.filter(position__isnull=True).count())
    previous: AuditEvent | None = None
    for row in _rows(batch_size):
        if previous is None:
            if row.position != anchor_position:
                report.first_broken = row.position
                report.problem = _("最早的一条应为第 %(anchor)d 条，实际为第 %(seq)d 条（前面的记录被删除）") % {
                    "anchor": anchor_position,
                    "seq": row.position,
                }
                return report
            if anchor_hash is not None and row.prev_hash != anchor_hash:
                report.first_broken, report.problem = row.position, _("首条记录的前序哈希不是起点值")
                return report
        else:
            if row.position != previous.position + 1:
                report.first_broken = row.position
                report.problem = _("第 %(seq)d 条之前缺少记录（被删除）") % {"seq": row.position}
                return report
            if row.prev_hash != previous.hash:
                report.first_broken, report.problem = row.position, _("前序哈希与上一条不符（记录被删除、重排或替换）")
                return report
        if row.compute_hash() != row.hash:
            report.first_broken, report.problem = row.position, _("内容与哈希不符（记录被篡改）")
            return report
        report.verified += 1
        report.last_position, report.last_hash = row.position, row.hash
        previous = row
    return report


# --- Retention --------------------------------------------------------------------------------------------------------


def earliest_prunable_before() -> dt.date:
    """The latest ``--before`` date allowed: rows younger than the retention period must stay (网络安全法 Art 21)."""
    return timezone.localdate() - dt.timedelta(days=settings.GOVOPEN_AUDIT_RETENTION_DAYS)


@transaction.atomic
def audit_prune(*, before: dt.date, actor: StaffOrSystem) -> int:
    """Delete sealed rows recorded before ``before`` (local midnight); the oldest row kept becomes the chain's anchor
    and the prune itself is recorded, naming that anchor's position, so ``audit_verify`` still proves the rest
    unbroken. Unsealed rows are never deleted."""
    actors.require(actor)
    limit = earliest_prunable_before()
    if before > limit:
        raise AuditError(
            _("只能清理 %(limit)s 之前的记录：审计日志至少保存 %(days)d 天。")
            % {"limit": limit.isoformat(), "days": settings.GOVOPEN_AUDIT_RETENTION_DAYS}
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    # The chain lock keeps a sealer from extending the chain while its start moves.
    hold_job_lock(CHAIN_LOCK)
    # Delete a prefix of the chain, never a hole: up to the first row young enough to keep (clocks can step back,
    # so "older than the cutoff" alone could pick a row after a kept one). The newest sealed row always stays, so
    # the chain keeps a row to continue from.
    sealed = AuditEvent.objects.filter(position__isnull=False)
    tail = sealed.order_by("-position").values_list("position", flat=True).first()
    if tail is None:
        return 0
    first_kept = sealed.filter(at__gte=cutoff).order_by("position").values_list("position", flat=True).first()
    anchor = min(first_kept if first_kept is not None else tail, tail)
    if not sealed.filter(position__lt=anchor).exists():
        return 0
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
        # "position < anchor" is never true for NULL: unsealed rows stay.
        cursor.execute(f"DELETE FROM {table} WHERE position < %s", [anchor])
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])
    audit_record(
        kind=Kind.PRUNED,
        actor=actors.staff_user(actor),
        actor_username=str(actor) if isinstance(actor, actors.System) else None,
        object_type=AuditEvent._meta.label_lower,
        object_pk=anchor,
        object_label=_("第 %(seq)d 条起") % {"seq": anchor},
        summary=_("清理 %(date)s 之前的 %(n)d 条记录") % {"date": before.isoformat(), "n": deleted},
    )
    return deleted


# --- Reads worth recording --------------------------------------------------------------------------------------------


def audit_personal_data_view(*, request: HttpRequest, case: Any, what: str) -> AuditEvent:
    """A staff member saw an application's unmasked identity or contact data (R27); the case is named by its
    tracking code only."""
    return audit_record(
        kind=Kind.PERSONAL_DATA_VIEWED,
        actor=request.user,
        request=request,
        object_type=case._meta.label_lower,
        object_pk=case.pk,
        object_label=case.tracking_code,
        summary=what,
    )


def audit_export(*, request: HttpRequest, obj: Any, filename: str) -> AuditEvent:
    """A file with the platform's data left it (a self-audit or annual report as XLSX)."""
    return audit_record(
        kind=Kind.EXPORT,
        actor=request.user,
        request=request,
        object_type=obj._meta.label_lower,
        object_pk=obj.pk,
        object_label=str(obj)[:200],
        summary=filename,
    )
