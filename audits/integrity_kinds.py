"""The annual reports of the integrity log (docs/integrity.md). Registered by AuditsConfig.ready."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse

from integrity.canonical import local_stamp
from integrity.models import Entry
from integrity.records import RecordKind, register_kind, site_path

RecordType = Entry.RecordType


# --- Annual reports ----------------------------------------------------------------------------------------------------


def _report_model() -> type[Model]:
    from audits.models import AnnualReport

    return AnnualReport


def _report_path(report: Any) -> str:
    return site_path(reverse("audits:report", args=[report.pk]))


def _public_reports() -> QuerySet:
    from audits.selectors import published_reports

    return published_reports()


def _report_content(report: Any) -> dict[str, Any]:
    from audits.models import AnnualReport

    row = AnnualReport.objects.select_related("organisation").get(pk=report.pk)
    return {
        "type": RecordType.ANNUAL_REPORT.value,
        "path": _report_path(row),
        "organisation": row.organisation.code,
        "year": row.year,
        "published_at": local_stamp(row.published_at),
        "overview": row.overview,
        "problems": row.problems,
        "other_matters": row.other_matters,
        "admin_fees_wan": None if row.admin_fees_wan is None else str(row.admin_fees_wan),
        "data": row.data,
    }


def _report_title(report: Any) -> str:
    return str(report.title)


def _no_files(report: Any) -> list[dict[str, Any]]:
    return []


def register() -> None:
    register_kind(
        RecordKind(
            RecordType.ANNUAL_REPORT,
            _report_model,
            _report_path,
            _public_reports,
            _report_content,
            _no_files,
            title=_report_title,
        )
    )
