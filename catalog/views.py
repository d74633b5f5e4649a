"""Public page of each organisation: its contact data (R38) and links into its part of the column."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.selectors import disclosure_subjects


def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = disclosure_subjects().filter(code=code).first()
    if organisation is None:
        raise Http404
    departments = disclosure_subjects().filter(parent=organisation)
    return render(
        request, "catalog/organisation_detail.html", {"organisation": organisation, "departments": departments}
    )
