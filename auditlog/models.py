"""The security audit log 安全审计日志: one append-only row per security-relevant act, chained by SHA-256.

A row is written in two steps. The writer inserts its content (``seq`` from a database sequence, never reused) with
no chain fields; after its transaction commits, ``services.audit_seal`` gives it the next chain ``position``, the
previous sealed row's hash as ``prev_hash`` and its own ``hash``: SHA-256 of ``prev_hash`` followed by the canonical
serialisation of the row's content and position. Changing, deleting or reordering any sealed row breaks the chain
from that row on (``audit_verify``); sealing is the only update the model and the database trigger allow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The anchor of a log that was never pruned: the first row's prev_hash.
GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """An attempt to change or delete a stored audit row through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    # Bulk paths bypass Model.save/delete; refuse them too. Pruning goes through auditlog.services with raw SQL,
    # sealing through AuditEvent.seal.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("审计日志只能追加，不能删除。")


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        ROLE_CHANGED = "role_changed", _("岗位变更")
        STATE_CHANGED = "state_changed", _("业务数据变更")
        EXPORT = "export", _("导出")
        PERSONAL_DATA_VIEWED = "personal_data_viewed", _("查看未遮蔽的个人信息")
        PRUNED = "pruned", _("清理过期审计日志")

    class Change(models.TextChoices):
        CREATED = "+", _("新建")
        CHANGED = "~", _("修改")
        DELETED = "-", _("删除")

    # The row's identity, from a database sequence: never reused, also after a rollback (hooks rely on that).
    seq = models.BigAutoField(_("序号"), primary_key=True)
    # The place in the chain, given at sealing (after the writer's commit): NULL until then. Rows chained before
    # sealing existed have position = seq.
    position = models.BigIntegerField(_("链上位置"), null=True, blank=True, unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # No database constraint and DO_NOTHING: deleting a user must neither fail on nor rewrite the audit rows that
    # name them; the username is copied so the row still says who acted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("操作人用户名"), max_length=150, blank=True)
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_pk = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    change = models.CharField(_("变更类型"), max_length=1, choices=Change.choices, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    client_ip = models.CharField(_("客户端地址"), max_length=64, blank=True)
    # Both empty until sealed; the chain position (unique) is what orders and identifies a sealed row.
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全审计日志")
        verbose_name_plural = _("安全审计日志")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.actor_username}"

    @property
    def sealed(self) -> bool:
        return self.position is not None

    def canonical(self) -> str:
        """The row's content and chain position in one fixed textual form: sorted keys, UTC time, no whitespace.

        The position is serialised under the key "seq": rows chained before sealing existed were hashed that way
        (their id and position are one number), so their hashes stay valid.
        """
        at = self.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        fields = {
            "seq": self.position,
            "at": at,
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "kind": self.kind,
            "object_type": self.object_type,
            "object_pk": self.object_pk,
            "object_label": self.object_label,
            "change": self.change,
            "summary": self.summary,
            "client_ip": self.client_ip,
        }
        return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        if self.position is not None or self.prev_hash or self.hash:
            raise AppendOnlyError("审计日志由封存程序写入链上位置和哈希，写入时不能自带。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def seal(self, *, position: int, prev_hash: str) -> None:
        """Chain this stored, unsealed row after ``prev_hash`` at ``position``: the one update a row ever gets, and
        only of these three fields (the database trigger checks the same). Call only from ``services.audit_seal``,
        which holds the chain lock."""
        if self._state.adding or self.sealed or self.hash:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        self.position, self.prev_hash = position, prev_hash
        self.hash = self.compute_hash()
        # Model.save directly: our save() refuses every update, this one is the sanctioned exception.
        models.Model.save(self, update_fields=["position", "prev_hash", "hash"])

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计日志只能追加，不能删除。")
