"""Reads of error reports: the public answers, the reporter's lookup by code, the organisation a page belongs to,
and the order of the office's queue."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.db.models import Case, DateTimeField, F, Model, QuerySet, Value, When
from django.urls import Resolver404, resolve

from audits.models import AnnualReport
from catalog.models import CatalogueNode, Organisation
from disclosure.models import Interpretation
from emergencies.models import Emergency
from errorreports.models import ErrorReport
from errorreports.validation import normalise_code

Status = ErrorReport.Status

# Pages that name their organisation by its code in the path.
CODE_PAGES = frozenset(
    {
        "disclosure:document",
        "disclosure:document_qr",
        "disclosure:attachment",
        "disclosure:guide",
        "disclosure:catalogue",
        "catalog:organisation",
    }
)


def _organisation_of(model: type[Model]) -> Callable[[int], int | None]:
    def find(pk: int) -> int | None:
        return model._default_manager.filter(pk=pk).values_list("organisation_id", flat=True).first()

    return find


# Pages of one record, by primary key, whose organisation is the record's.
RECORD_PAGES: dict[str, Callable[[int], int | None]] = {
    "disclosure:node": _organisation_of(CatalogueNode),
    "disclosure:interpretation": _organisation_of(Interpretation),
    "emergencies:detail": _organisation_of(Emergency),
    "audits:report": _organisation_of(AnnualReport),
}


def page_organisation(page_url: str) -> Organisation | None:
    """The organisation whose content the page shows (a document, guide, catalogue, catalogue item, interpretation,
    emergency or annual report), or None for the site's shared pages and paths that match nothing (a broken link)."""
    path = unquote(urlsplit(page_url).path)
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in CODE_PAGES:
        return Organisation.objects.filter(code=match.kwargs.get("code", "")).first()
    find = RECORD_PAGES.get(match.view_name)
    if find is None:
        return None
    organisation_id = find(match.kwargs.get("pk"))
    return Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None


def public_answers() -> QuerySet[ErrorReport]:
    """Answered reports, newest answer first: what the public list shows (never the contact)."""
    return (
        ErrorReport.objects.filter(status=Status.ANSWERED, answered_at__isnull=False)
        .select_related("organisation")
        .only("kind", "page_url", "received_at", "answered_at", "answer", "organisation__name")
        .order_by("-answered_at", "-pk")
    )


def report_for_code(code: str) -> ErrorReport | None:
    """The reporter's report by its tracking code, typed loosely; None for anything else."""
    normalised = normalise_code(code)
    if not normalised:
        return None
    return ErrorReport.objects.select_related("organisation").filter(tracking_code=normalised).first()


def next_due() -> Case:
    """The deadline an open report is worked against (acknowledgement, then the answer); none once it is closed.
    The queue sorts by it, earliest first, so overdue reports lead."""
    return Case(
        When(status=Status.RECEIVED, then=F("ack_due_at")),
        When(status=Status.ACKNOWLEDGED, then=F("answer_due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
