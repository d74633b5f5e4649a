"""The bulk export files of the open-data page (issue 17 §3): one row per file currently published."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    DOCUMENTS = "documents", _("主动公开政府信息目录")
    REPORT_CELLS = "report_cells", _("政府信息公开工作年度报告统计表")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV（UTF-8，带 BOM，可用 Excel 打开）")
    JSONL = "jsonl", _("JSON Lines（UTF-8，每行一个 JSON 对象）")


class ExportFile(models.Model):
    """The current generation of one public file, under its stable public ``name`` (``documents.csv``).

    Only the latest generation is kept: a run writes new files under new names on disk (``stored_name``), then
    replaces the rows in one transaction, and only after the commit deletes the files the old rows named. A download
    that opened an old file keeps reading it (POSIX keeps an unlinked file while it is open)."""

    name = models.CharField(_("文件名"), max_length=60, unique=True)
    kind = models.CharField(_("数据集"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("格式"), max_length=10, choices=ExportFormat.choices)
    stored_name = models.CharField(_("存储文件名"), max_length=120, unique=True, editable=False)
    size = models.BigIntegerField(_("大小（字节）"))
    rows = models.BigIntegerField(_("数据行数"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The moment "public" was evaluated at: the file holds what the public could read then.
    snapshot_at = models.DateTimeField(_("数据截至"))
    generated_at = models.DateTimeField(_("生成时间"))
    # The head of the integrity log (发布存证) when the data was read: a withdrawal logged after it means the file may
    # hold a record that is no longer public, and it is not served until rebuilt (opendata.selectors.stale_kinds).
    log_seq = models.BigIntegerField(_("发布存证序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("开放数据文件")
        verbose_name_plural = _("开放数据文件")
        ordering = ["kind", "format"]

    def __str__(self) -> str:
        return self.name
