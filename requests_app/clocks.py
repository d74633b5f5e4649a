"""Open applications as legal clocks (R24) for the office's dashboard and home: due at the end of the reply day
(《条例》第三十三条), due soon from the third working day before it."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.workdays import WorkCalendar
from ops.clocks import Clock
from requests_app.models import InformationRequest

WARN_WORKING_DAYS = 3


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def request_clocks(*, organisations: list[int] | None = None) -> list[Clock]:
    """One clock per open application with a reply day, nearest first."""
    cases = InformationRequest.objects.filter(
        status__in=InformationRequest.OPEN_STATUSES, due_on__isnull=False
    ).select_related("organisation")
    if organisations is not None:
        cases = cases.filter(organisation_id__in=organisations)
    calendar = WorkCalendar()
    clocks = []
    for case in cases.order_by("due_on", "pk"):
        due = case.due_on
        if due is None:  # excluded by the query; the model allows it before acceptance
            continue
        warn_day = calendar.subtract_working_days(due, WARN_WORKING_DAYS).value
        clocks.append(
            Clock(
                key=f"request:{case.pk}",
                kind=_("依申请公开答复"),
                basis=_("《条例》第三十三条"),
                title=case.tracking_code,
                organisation_id=case.organisation_id,
                organisation_name=case.organisation.name,
                started_at=end_of(due),
                due_at=end_of(due),
                warn_from=end_of(warn_day),
                admin_path=reverse("admin:requests_app_informationrequest_change", args=[case.pk]),
                provisional=case.due_provisional,
            )
        )
    return clocks
