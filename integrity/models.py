"""The public integrity log 发布存证: one append-only entry per publication, revision, validity change or withdrawal
of a public record, chained by SHA-256 (``integrity.canonical``).

Unlike the security audit log (``auditlog``), an entry is chained when it is written, in the publishing transaction
itself, under the chain lock: a rollback takes the publication and its entry away together, and the document page
can show its entry as soon as it is public. Publications are rare (a few hundred a day), so holding the chain lock
from the append to the commit (the append is the publishing service's last write) costs nothing noticeable.

Everything in an entry is public: the record's address, its version, what happened, when, and hashes. The record's
internal id (``record_id``) is kept for lookups and is neither hashed nor exported.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from integrity.canonical import entry_hash, utc_stamp


class AppendOnlyError(Exception):
    """An attempt to change or delete a stored entry of the integrity log."""


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("发布存证只能追加，不能修改。")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("发布存证只能追加，不能删除。")


class Entry(models.Model):
    class Kind(models.TextChoices):
        PUBLISHED = "published", _("发布")
        REVISED = "revised", _("修订")
        VALIDITY = "validity", _("有效性变更")
        WITHDRAWN = "withdrawn", _("撤回")
        REGISTERED = "registered", _("存量登记")

    class RecordType(models.TextChoices):
        DOCUMENT = "document", _("政府信息")
        INTERPRETATION = "interpretation", _("政策解读")
        EMERGENCY_UPDATE = "emergency_update", _("突发事件信息")
        ANNUAL_REPORT = "annual_report", _("年度报告")

    # The place in the chain: 1, 2, 3… without gaps, given under the chain lock.
    seq = models.BigIntegerField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("记录时间"), db_index=True)
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    record_type = models.CharField(_("记录类型"), max_length=20, choices=RecordType.choices)
    record_id = models.BigIntegerField(_("记录编号"))  # internal: not hashed, not exported
    path = models.CharField(_("网址"), max_length=300)
    version = models.PositiveIntegerField(_("版本"))
    content_sha256 = models.CharField(_("内容哈希"), max_length=64, blank=True)
    files = models.JSONField(_("附件"), default=list, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("发布存证")
        verbose_name_plural = _("发布存证")
        ordering = ["-seq"]
        constraints = [models.UniqueConstraint(fields=["path", "version"], name="integrity_entry_path_version")]
        indexes = [models.Index(fields=["record_type", "record_id", "-seq"], name="integrity_entry_record_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.path} v{self.version}"

    def public_fields(self) -> dict[str, Any]:
        """The entry as the export and the hash see it (``integrity.canonical.ENTRY_FIELDS``)."""
        return {
            "seq": self.seq,
            "at": utc_stamp(self.at),
            "kind": self.kind,
            "type": self.record_type,
            "path": self.path,
            "version": self.version,
            "content_sha256": self.content_sha256,
            "files": self.files,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        return entry_hash(self.public_fields())

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("发布存证只能追加，不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("发布存证只能追加，不能删除。")


class Checkpoint(models.Model):
    """The head of the chain at the end of a day (Beijing time), published in the Atom feed: an outside copy of it
    makes a later rewrite of that day's history detectable."""

    day = models.DateField(_("日期"), unique=True)
    seq = models.BigIntegerField(_("序号"))
    hash = models.CharField(_("哈希"), max_length=64)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("每日存证头")
        verbose_name_plural = _("每日存证头")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} #{self.seq}"
