"""Open repost clocks (R18) as ``ops.clocks.Clock`` values, for the dashboard and the alert sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.roles import Role
from catalog.selectors import office_emails, role_member_emails
from disclosure.models import Repost
from ops.clocks import OVERDUE, Clock


def _recipients(repost: Repost):
    def recipients(state: str) -> list[str]:
        people = role_member_emails(repost.organisation, Role.DRAFTER)
        if state == OVERDUE:
            people += role_member_emails(repost.organisation, Role.REVIEWER) + office_emails()
        return people

    return recipients


def repost_clock(repost: Repost) -> Clock:
    return Clock(
        key=f"repost:{repost.pk}",
        kind=_("转载上级文件"),
        basis="",
        title=repost.title,
        organisation_id=repost.organisation_id,
        organisation_name=repost.organisation.name,
        started_at=repost.source_published_at,
        due_at=repost.due_at,
        warn_from=repost.due_at - dt.timedelta(hours=settings.GOVOPEN_REPOST_WARN_HOURS),
        admin_path=reverse("admin:disclosure_repost_change", args=[repost.pk]),
        provisional=repost.due_provisional,
        recipients=_recipients(repost),
    )


def repost_clocks(*, organisations: Iterable[int] | None = None) -> list[Clock]:
    reposts = Repost.objects.filter(status__in=Repost.OPEN_STATUSES).select_related("organisation")
    if organisations is not None:
        reposts = reposts.filter(organisation_id__in=list(organisations))
    return [repost_clock(r) for r in reposts.order_by("due_at", "pk")]
