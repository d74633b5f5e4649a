"""The stored statistics: one snapshot per scope (the whole government, or one organisation), replaced whole by
each run of the job, so the public pages and the API read one row instead of counting a million records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Organisation

ALL_SCOPE = "all"


class StatisticsSnapshot(models.Model):
    """The figures of one scope as computed at ``computed_at`` (``performance.figures``), as JSON."""

    scope = models.CharField(_("统计范围"), max_length=40, unique=True, help_text=_("all 或 org:<id>"))
    # Not unique of its own: ``scope`` is the one key the upsert of ``statistics_refresh`` conflicts on.
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("数据截至"))
    data = models.JSONField(_("统计数据"), default=dict)

    class Meta:
        verbose_name = _("公开工作统计快照")
        verbose_name_plural = _("公开工作统计快照")

    def __str__(self) -> str:
        return self.scope


def scope_key(organisation_id: int | None) -> str:
    return ALL_SCOPE if organisation_id is None else f"org:{organisation_id}"
