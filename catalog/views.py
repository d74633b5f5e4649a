"""Public pages of the organisations: the home page and each organisation's contact page (R38)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.selectors import public_organisations


def home(request: HttpRequest) -> HttpResponse:
    organisations = list(public_organisations())
    roots = [o for o in organisations if o.parent_id is None]
    children: dict[int, list] = {}
    for organisation in organisations:
        if organisation.parent_id is not None:
            children.setdefault(organisation.parent_id, []).append(organisation)
    tree = [(root, children.get(root.pk, [])) for root in roots]
    return render(request, "catalog/home.html", {"tree": tree})


def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    organisation = public_organisations().filter(code=code).first()
    if organisation is None:
        raise Http404
    departments = public_organisations().filter(parent=organisation)
    return render(
        request, "catalog/organisation_detail.html", {"organisation": organisation, "departments": departments}
    )
