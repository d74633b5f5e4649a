"""The public timeline of emergency information (R19)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from emergencies.models import Emergency
from emergencies.selectors import public_emergencies, public_emergency
from ops.clocks import remaining_text

PAGE_SIZE = 15


def _elapsed(start: dt.datetime, end: dt.datetime | None) -> str:
    return remaining_text(end - start) if end else ""


@require_safe
def emergency_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_emergencies(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "emergencies/list.html", {"page": page})


@require_safe
def emergency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    emergency = public_emergency(pk)
    if emergency is None:
        raise Http404
    facts = {
        "info_elapsed": _elapsed(emergency.started_at, emergency.first_info_at),
        "press_elapsed": _elapsed(emergency.started_at, emergency.press_held_at),
        "info_limit": int((emergency.info_due_at - emergency.started_at).total_seconds() // 3600)
        if emergency.info_due_at
        else 0,
        "info_late": bool(
            emergency.info_due_at and emergency.first_info_at and emergency.first_info_at > emergency.info_due_at
        ),
        "press_late": bool(
            emergency.press_due_at and emergency.press_held_at and emergency.press_held_at > emergency.press_due_at
        ),
    }
    return render(request, "emergencies/detail.html", {"emergency": emergency, "Emergency": Emergency, **facts})
