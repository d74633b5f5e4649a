"""Saving a simple record the one way every service does: validated, with its history author."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model

from core import actors

RecordT = TypeVar("RecordT", bound=Model)


def save_checked(record: RecordT, *, actor: actors.StaffOrSystem) -> RecordT:
    """``full_clean`` (a bad value raises ValidationError before anything is written), then save with ``actor`` as
    the simple-history author (a job is stored as no user). ``None`` is refused (core.actors)."""
    actors.require(actor)
    record.full_clean()
    record._history_user = actors.staff_user(actor)
    record.save()
    return record
