"""Reads of the statistics: the public organisation a page is about, and its stored snapshot."""

from __future__ import annotations

from catalog.models import Organisation
from catalog.selectors import disclosure_subjects
from performance.models import StatisticsSnapshot, scope_key

RECENT = "recent"


def statistics_organisation(code: str) -> Organisation | None:
    """The public organisation (an active 公开主体) with ``code``; anything else has no statistics page."""
    return disclosure_subjects().filter(code=code).first()


def statistics_snapshot(organisation: Organisation | None) -> StatisticsSnapshot | None:
    """The stored figures of the whole government (``None``) or of one organisation, or ``None`` before the job's
    first run."""
    return StatisticsSnapshot.objects.filter(scope=scope_key(organisation.pk if organisation else None)).first()


def snapshot_period(snapshot: StatisticsSnapshot, key: str) -> dict | None:
    """The figures of one period (``recent`` or a year) of a snapshot; ``None`` for a period it does not hold."""
    return snapshot.data.get("figures", {}).get(key or RECENT)
