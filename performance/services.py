"""Writes of the statistics: the snapshot refresh, the one state change of this app."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.pubversion import global_pages_changed
from performance.figures import compute_all
from performance.models import StatisticsSnapshot, scope_key


def statistics_refresh(*, today: dt.date | None = None) -> int:
    """Compute every scope's figures and replace the stored snapshots (one row per scope, upserted by its unique
    ``scope``, so two runs, even at once, leave one snapshot per scope: the later commit wins). Snapshots of
    organisations that no longer have figures are removed. The figures are computed before the transaction, which
    then only writes. Returns the number of snapshots stored."""
    computed_at = timezone.now()
    figures = compute_all(today=today)
    rows = [
        StatisticsSnapshot(
            scope=scope_key(organisation_id), organisation_id=organisation_id, computed_at=computed_at, data=data
        )
        for organisation_id, data in figures.items()
    ]
    rows.sort(key=lambda row: row.scope)  # one order for every run: two runs at once lock the rows alike, no deadlock
    with transaction.atomic():
        StatisticsSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["computed_at", "data"],
            batch_size=50,
        )
        StatisticsSnapshot.objects.exclude(scope__in=[row.scope for row in rows]).delete()
        transaction.on_commit(global_pages_changed)  # the statistics pages are cached under the global version
    return len(rows)
