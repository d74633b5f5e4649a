"""Public pages of the annual reports (R30): the list, a report in the official layout, and its XLSX. Only
published reports exist for the public; anything else is the same 404 as a missing page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from auditlog.services import audit_export
from audits.models import AnnualReport
from audits.selectors import fees_sentence, published_reports, report_charts, report_notes, report_tables
from audits.xlsx import report_xlsx, xlsx_response


def _published_or_404(pk: int) -> AnnualReport:
    report = published_reports().filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    reports = published_reports().order_by("-year", "organisation__sort_order", "organisation__name")
    return render(request, "audits/report_list.html", {"reports": reports})


@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _published_or_404(pk)
    data = report.data
    return render(
        request,
        "audits/report.html",
        {
            "report": report,
            "tables": report_tables(report, data),
            "charts": report_charts(report, data),
            "fees_sentence": fees_sentence(data),
            "notes": report_notes(data),
        },
    )


@require_safe
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _published_or_404(pk)
    content, filename = report_xlsx(report), f"annual-report-{report.organisation.code}-{report.year}.xlsx"
    if request.user.is_authenticated:
        # Staff downloading the public file are recorded like an admin export. The public's downloads of a
        # published report are not security events, and a row per anonymous hit would let anyone grow the log.
        audit_export(request=request, obj=report, filename=filename)
    return xlsx_response(content, filename)
