"""Writing, verifying and pruning the audit chain. Nothing else inserts into or deletes from ``AuditEvent``."""

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
from govopen.locks import hold_job_lock
from govopen.ratelimit import client_ip as request_client_ip

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
    *, kind: str, actor: Any = None, actor_username: str | None = None, request: HttpRequest | None = None,
    object_type: str = "", object_pk: Any = "", object_label: str = "", change: str = "", summary: str = "",
) -> AuditEvent:
    """Append one row to the chain. Never pass personal data: name an application by its tracking code.

    Inside the caller's transaction the chain lock is held until commit, so the next writer reads this row as its
    predecessor only once it is committed; on rollback the row and its sequence number disappear together.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if request is None:
        request = current_request()
    with transaction.atomic():
        hold_job_lock(CHAIN_LOCK)
        tail = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (tail[0] + 1, tail[1]) if tail else (1, GENESIS_HASH)
        event = AuditEvent(
            seq=seq, at=timezone.now(), actor=actor,
            actor_username=(actor.get_username() if actor is not None else (actor_username or ""))[:150],
            kind=kind, object_type=object_type[:100], object_pk=str(object_pk)[:64], object_label=object_label[:200],
            change=change, summary=summary[:300], client_ip=_ip(request), prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


# --- Verification -----------------------------------------------------------------------------------------------------


@dataclass
class ChainReport:
    verified: int
    first_broken: int | None = None
    problem: str = ""
    last_seq: int | None = None
    last_hash: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def _rows(batch_size: int) -> Iterator[AuditEvent]:
    # Keyset pagination in sequence order: constant memory however long the log grows.
    last = None
    while True:
        batch = AuditEvent.objects.order_by("seq")
        if last is not None:
            batch = batch.filter(seq__gt=last)
        rows = list(batch[:batch_size])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def expected_anchor() -> tuple[int, str | None]:
    """Where the chain must start: seq 1 on the genesis hash, or the row the latest prune named as its anchor."""
    prune = AuditEvent.objects.filter(kind=Kind.PRUNED).order_by("-seq").values_list("object_pk", flat=True).first()
    if prune:
        return int(prune), None
    return 1, GENESIS_HASH


def verify_chain(*, batch_size: int = 1000) -> ChainReport:
    """Walk the chain oldest first; report the first row whose link or content does not match."""
    anchor_seq, anchor_hash = expected_anchor()
    report = ChainReport(verified=0)
    previous: AuditEvent | None = None
    for row in _rows(batch_size):
        if previous is None:
            if row.seq != anchor_seq:
                report.first_broken = row.seq
                report.problem = _("最早的一条应为第 %(anchor)d 条，实际为第 %(seq)d 条（前面的记录被删除）") % {
                    "anchor": anchor_seq, "seq": row.seq,
                }
                return report
            if anchor_hash is not None and row.prev_hash != anchor_hash:
                report.first_broken, report.problem = row.seq, _("首条记录的前序哈希不是起点值")
                return report
        else:
            if row.seq != previous.seq + 1:
                report.first_broken = row.seq
                report.problem = _("第 %(seq)d 条之前缺少记录（被删除）") % {"seq": row.seq}
                return report
            if row.prev_hash != previous.hash:
                report.first_broken, report.problem = row.seq, _("前序哈希与上一条不符（记录被删除、重排或替换）")
                return report
        if row.compute_hash() != row.hash:
            report.first_broken, report.problem = row.seq, _("内容与哈希不符（记录被篡改）")
            return report
        report.verified += 1
        report.last_seq, report.last_hash = row.seq, row.hash
        previous = row
    return report


# --- Retention --------------------------------------------------------------------------------------------------------


def earliest_prunable_before() -> dt.date:
    """The latest ``--before`` date allowed: rows younger than the retention period must stay (网络安全法 Art 21)."""
    return timezone.localdate() - dt.timedelta(days=settings.GOVOPEN_AUDIT_RETENTION_DAYS)


@transaction.atomic
def audit_prune(*, before: dt.date, actor: Any = None) -> int:
    """Delete rows recorded before ``before`` (local midnight); the oldest row kept becomes the chain's anchor and
    the prune itself is recorded, naming that anchor, so ``audit_verify`` still proves the rest unbroken."""
    limit = earliest_prunable_before()
    if before > limit:
        raise AuditError(
            _("只能清理 %(limit)s 之前的记录：审计日志至少保存 %(days)d 天。")
            % {"limit": limit.isoformat(), "days": settings.GOVOPEN_AUDIT_RETENTION_DAYS}
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    hold_job_lock(CHAIN_LOCK)
    # Delete a prefix of the chain, never a hole: up to the first row young enough to keep (clocks can step back,
    # so "older than the cutoff" alone could pick a row after a kept one). The newest row always stays, so the
    # prune row below continues the chain from it.
    tail = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    if tail is None:
        return 0
    first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
    anchor = min(first_kept if first_kept is not None else tail, tail)
    if not AuditEvent.objects.filter(seq__lt=anchor).exists():
        return 0
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
        cursor.execute(f"DELETE FROM {table} WHERE seq < %s", [anchor])  # noqa: S608 (table name is ours)
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])
    audit_record(
        kind=Kind.PRUNED, actor=actor, object_type=AuditEvent._meta.label_lower, object_pk=anchor,
        object_label=_("第 %(seq)d 条起") % {"seq": anchor},
        summary=_("清理 %(date)s 之前的 %(n)d 条记录") % {"date": before.isoformat(), "n": deleted},
    )
    return deleted


# --- Reads worth recording --------------------------------------------------------------------------------------------


def audit_personal_data_view(*, request: HttpRequest, case: Any, what: str) -> AuditEvent:
    """A staff member saw an application's unmasked identity or contact data (R27); the case is named by its
    tracking code only."""
    return audit_record(
        kind=Kind.PERSONAL_DATA_VIEWED, actor=request.user, request=request, object_type=case._meta.label_lower,
        object_pk=case.pk, object_label=case.tracking_code, summary=what,
    )


def audit_export(*, request: HttpRequest, obj: Any, filename: str) -> AuditEvent:
    """A file with the platform's data left it (a self-audit or annual report as XLSX)."""
    return audit_record(
        kind=Kind.EXPORT, actor=request.user, request=request, object_type=obj._meta.label_lower, object_pk=obj.pk,
        object_label=str(obj)[:200], summary=filename,
    )
