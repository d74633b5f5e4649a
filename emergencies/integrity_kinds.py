"""The emergency updates of the integrity log (docs/integrity.md). Registered by EmergenciesConfig.ready."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from integrity.canonical import local_stamp
from integrity.models import Entry
from integrity.records import RecordKind, register_kind, site_path

RecordType = Entry.RecordType


# --- Emergency updates -------------------------------------------------------------------------------------------------


def _update_model() -> type[Model]:
    from emergencies.models import EmergencyUpdate

    return EmergencyUpdate


def _update_path(update: Any) -> str:
    return site_path(reverse("emergencies:detail", args=[update.emergency_id])) + f"#update-{update.pk}"


def _public_updates() -> QuerySet:
    from emergencies.selectors import public_emergencies, published_updates

    # public_emergencies() counts updates per event; its ids are all this needs.
    return published_updates().filter(emergency__in=public_emergencies().values("pk"))


def _update_content(update: Any) -> dict[str, Any]:
    from emergencies.models import EmergencyUpdate

    row = EmergencyUpdate.objects.select_related("emergency__organisation").get(pk=update.pk)
    return {
        "type": RecordType.EMERGENCY_UPDATE.value,
        "path": _update_path(row),
        "organisation": row.emergency.organisation.code,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "held_at": local_stamp(row.held_at),
        "published_at": local_stamp(row.published_at),
    }


def register() -> None:
    register_kind(
        RecordKind(
            RecordType.EMERGENCY_UPDATE, _update_model, _update_path, _public_updates, _update_content, _no_files
        )
    )


def _no_files(update: Any) -> list[dict[str, Any]]:
    return []
