"""Public page of each organisation: its contact data (R38) and links into its part of the column."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.selectors import public_organisations


def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = public_organisations().filter(code=code).first()
    if organisation is None:
        raise Http404
    departments = public_organisations().filter(parent=organisation)
    return render(
        request, "catalog/organisation_detail.html", {"organisation": organisation, "departments": departments}
    )
