"""A document's timeline for staff: the workflow events and, per saved version, which fields changed how."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from disclosure.models import Document, DocumentEvent

DIFF_PREVIEW = 80


@dataclass
class Version:
    at: dt.datetime
    user: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # field label, old, new


@dataclass
class Timeline:
    events: list[DocumentEvent]
    versions: list[Version]


def _preview(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= DIFF_PREVIEW else text[:DIFF_PREVIEW] + "…"


def document_timeline(document: Document) -> Timeline:
    events = list(document.events.select_related("actor").order_by("at", "pk"))
    records = list(document.history.select_related("history_user").order_by("history_date", "history_id"))
    versions = []
    previous = None
    for record in records:
        version = Version(
            at=record.history_date,
            user=(record.history_user.get_full_name() or record.history_user.username)
            if record.history_user
            else "系统",
            reason=record.history_change_reason or "",
        )
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                label = str(Document._meta.get_field(change.field).verbose_name)
                version.changes.append((label, _preview(change.old), _preview(change.new)))
        versions.append(version)
        previous = record
    return Timeline(events=events, versions=list(reversed(versions)))
