"""The disclosure office's dashboard of every open legal clock: reposts (R18), emergencies (R19), the applications'
reply deadlines (R24), the annual reports (R30) and the error reports of 我为政府网站找错 (acknowledge and answer),
nearest first. Staff of an organisation see its own clocks (error reports about its pages)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.admin import site
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.clocks import annual_report_clocks
from catalog.permissions import has_any_role, is_disclosure_office, staff_organisations
from disclosure.clocks import repost_clocks
from disclosure.models import FeedSource
from emergencies.clocks import emergency_clocks
from errorreports.clocks import error_report_clocks
from ops.clocks import OVERDUE, RUNNING, SOON, Clock, remaining_text
from ops.models import JobRun
from ops.outbox import outbox_dead
from requests_app.clocks import request_clocks

FAILED_JOBS_DAYS = 7


def open_clocks(user: object, *, requests: bool = True) -> list[Clock]:
    """Every open clock the user may see, nearest first. ``requests=False`` leaves out the applications' reply
    clocks (the office home counts those with two queries instead of walking every open case)."""
    organisations = None if is_disclosure_office(user) else list(staff_organisations(user).values_list("pk", flat=True))
    clocks = (
        repost_clocks(organisations=organisations)
        + emergency_clocks(organisations=organisations)
        + (request_clocks(organisations=organisations) if requests else [])
        + annual_report_clocks(organisations=organisations)
        + error_report_clocks(organisations=organisations)
    )
    return sorted(clocks, key=lambda c: (c.due_at, c.key))


def clocks_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (is_disclosure_office(user) or has_any_role(user)):
        raise Http404
    now = timezone.now()
    rows = [(c, c.state(now), remaining_text(c.due_at - now)) for c in open_clocks(user)]
    counts = {state: sum(1 for _c, s, _r in rows if s == state) for state in (OVERDUE, SOON, RUNNING)}
    office = is_disclosure_office(user)
    feeds = list(FeedSource.objects.filter(is_active=True).exclude(last_error="")) if office else []
    # Jobs that failed (or whose worker was killed: the reaper marks those failed) and side effects given up on:
    # a clock may be wrong because of them, so the office sees them beside the clocks.
    failed_jobs = (
        list(
            JobRun.objects.filter(
                status=JobRun.Status.FAILED, started_at__gte=now - dt.timedelta(days=FAILED_JOBS_DAYS)
            ).order_by("-started_at")[:50]
        )
        if office
        else []
    )
    dead_messages = list(outbox_dead().order_by("created_at")[:50]) if office else []
    context = {
        **site.each_context(request),
        "title": _("公开时限看板"),
        "rows": rows,
        "counts": counts,
        "feeds": feeds,
        "failed_jobs": failed_jobs,
        "dead_messages": dead_messages,
        "OVERDUE": OVERDUE,
        "SOON": SOON,
        "error_report_days": (
            settings.GOVOPEN_ERROR_REPORT_ACK_WORKDAYS,
            settings.GOVOPEN_ERROR_REPORT_ANSWER_WORKDAYS,
        ),
    }
    return TemplateResponse(request, "admin/govopen/clocks.html", context)
