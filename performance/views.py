"""Public statistics pages (政务公开工作统计), their XLSX and the API, all reading the stored snapshot of the scope.

A page for the whole government and one per public organisation (an active 公开主体, by its code); any other code
answers 404. Before the job's first run the page says so (200) and the XLSX and API answer 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audits.xlsx import xlsx_response
from catalog.models import Organisation
from core.charts import columns, horizontal_bars
from performance.figures import MIN_CASES, PUBLICATION_LIMIT, SECTIONS
from performance.models import StatisticsSnapshot
from performance.selectors import RECENT, snapshot_period, statistics_organisation, statistics_snapshot
from performance.xlsx import statistics_xlsx


def _organisation_or_404(code: str | None) -> Organisation | None:
    if code is None:
        return None
    organisation = statistics_organisation(code)
    if organisation is None:
        raise Http404
    return organisation


def month_label(key: str) -> str:
    return _("%(m)s月") % {"m": int(key[5:])}


def _charts(prefix: str, period: dict) -> list:
    """The period's four charts; the tables beside them on the page hold the same numbers."""
    received = [(month_label(row["month"]), row["received"]) for row in period["months"]]
    documents = [(month_label(row["month"]), row["documents"]) for row in period["months"]]
    outcomes = [(row["label"], row["count"]) for row in period["outcomes"] if row["count"]]
    sections = [(row["label"], row["count"]) for row in period["documents"]["by_section"]]
    return [
        columns(chart_id=f"{prefix}-received", title=_("各月收到政府信息公开申请数量"), items=received, unit=_("件")),
        horizontal_bars(chart_id=f"{prefix}-outcomes", title=_("申请办理结果"), items=outcomes, unit=_("件")),
        columns(chart_id=f"{prefix}-documents", title=_("各月主动公开政府信息数量"), items=documents, unit=_("条")),
        horizontal_bars(
            chart_id=f"{prefix}-sections", title=_("主动公开政府信息按公开类别"), items=sections, unit=_("条")
        ),
    ]


def _section_months(period: dict) -> list[tuple[dict, list[int]]]:
    return [(row, [row["sections"][s] for s in SECTIONS]) for row in period["months"]]


@require_safe
def statistics_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    organisation = _organisation_or_404(code)
    snapshot = statistics_snapshot(organisation)
    context: dict = {
        "organisation": organisation,
        "snapshot": snapshot,
        "min_cases": MIN_CASES,
        "limit": PUBLICATION_LIMIT,
    }
    if snapshot is None:
        return render(request, "performance/statistics.html", context)
    key = request.GET.get("period", RECENT)
    period = snapshot_period(snapshot, key)
    context["periods"] = snapshot.data.get("periods", [])
    if period is None:
        context["period_error"] = _("没有这个统计期间，请从列表中选择。")
        return render(request, "performance/statistics.html", context, status=400)
    context.update(
        {
            "period": period,
            "key": period["key"],
            "computed_at": timezone.localtime(snapshot.computed_at),
            "open": snapshot.data.get("open", {}),
            "charts": _charts(f"stats-{period['key']}", period),
            "section_labels": [row["label"] for row in period["documents"]["by_section"]],
            "section_months": _section_months(period),
        }
    )
    return render(request, "performance/statistics.html", context)


@require_safe
def statistics_download(request: HttpRequest, code: str | None = None) -> HttpResponse:
    organisation = _organisation_or_404(code)
    snapshot = statistics_snapshot(organisation)
    period = snapshot_period(snapshot, request.GET.get("period", RECENT)) if snapshot else None
    if period is None:
        raise Http404
    name = organisation.code if organisation else "all"
    return xlsx_response(
        statistics_xlsx(snapshot=snapshot, period=period, title=page_title(organisation)),
        f"statistics-{name}-{period['key']}.xlsx",
    )


def page_title(organisation: Organisation | None) -> str:
    if organisation is None:
        return _("政务公开工作统计")
    return _("%(name)s政务公开工作统计") % {"name": organisation.name}


def snapshot_payload(snapshot: StatisticsSnapshot, organisation: Organisation | None, period: dict) -> dict:
    """What the API answers: the same numbers the page shows."""
    return {
        "scope": organisation.code if organisation else "all",
        "organisation": {"code": organisation.code, "name": organisation.name} if organisation else None,
        "computed_at": snapshot.computed_at,
        "periods": snapshot.data.get("periods", []),
        "open": snapshot.data.get("open", {"open": 0, "overdue": 0}),
        "period": period,
    }
