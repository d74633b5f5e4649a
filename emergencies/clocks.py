"""Open emergency clocks (R19): 5 hours to authoritative information, 24 hours to a press conference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.roles import Role
from catalog.selectors import office_emails, role_member_emails
from emergencies.models import Emergency
from ops.clocks import OVERDUE, Clock


def _recipients(emergency: Emergency):
    def recipients(state: str) -> list[str]:
        people = role_member_emails(emergency.organisation, Role.DRAFTER) + role_member_emails(
            emergency.organisation, Role.REVIEWER
        )
        if state == OVERDUE:
            people += office_emails()
        return people

    return recipients


def emergency_clocks(*, organisations: Iterable[int] | None = None) -> list[Clock]:
    emergencies = Emergency.objects.filter(
        status=Emergency.Status.OPEN, level__in=Emergency.CLOCK_LEVELS
    ).select_related("organisation")
    if organisations is not None:
        emergencies = emergencies.filter(organisation_id__in=list(organisations))
    warn = dt.timedelta(minutes=settings.GOVOPEN_EMERGENCY_WARN_MINUTES)
    clocks = []
    for emergency in emergencies:
        path = reverse("admin:emergencies_emergency_change", args=[emergency.pk])
        common = dict(
            title=emergency.title,
            organisation_id=emergency.organisation_id,
            organisation_name=emergency.organisation.name,
            started_at=emergency.started_at,
            admin_path=path,
            recipients=_recipients(emergency),
            basis="",
        )
        if emergency.first_info_at is None and emergency.info_due_at:
            clocks.append(
                Clock(
                    key=f"emergency:{emergency.pk}:info",
                    kind=_("突发事件权威信息发布"),
                    due_at=emergency.info_due_at,
                    warn_from=emergency.info_due_at - warn,
                    **common,
                )
            )
        if emergency.press_held_at is None and emergency.press_due_at:
            clocks.append(
                Clock(
                    key=f"emergency:{emergency.pk}:press",
                    kind=_("突发事件新闻发布会"),
                    due_at=emergency.press_due_at,
                    warn_from=emergency.press_due_at - warn,
                    **common,
                )
            )
    return clocks
