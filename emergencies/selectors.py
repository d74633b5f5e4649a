"""Public reads of emergencies: an event is public once it has a published update (R19)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from emergencies.models import Emergency, EmergencyUpdate


def published_updates() -> QuerySet[EmergencyUpdate]:
    return EmergencyUpdate.objects.filter(status=EmergencyUpdate.Status.PUBLISHED, published_at__isnull=False)


def public_emergencies() -> QuerySet[Emergency]:
    return (
        Emergency.objects.filter(organisation__is_active=True, first_info_at__isnull=False)
        .annotate(update_count=Count("updates", filter=Q(updates__status=EmergencyUpdate.Status.PUBLISHED)))
        .filter(update_count__gt=0)
        .select_related("organisation")
        .order_by("-started_at", "-pk")
    )


def public_emergency(pk: int) -> Emergency | None:
    return (
        public_emergencies()
        .prefetch_related(
            Prefetch("updates", queryset=published_updates().order_by("published_at", "pk"), to_attr="timeline")
        )
        .filter(pk=pk)
        .first()
    )
