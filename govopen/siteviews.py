"""Site-level pages the national rules for government websites ask of every site (政府网站发展指引): 网站地图 and
联系我们, linked from every page's footer."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.models import Organisation
from catalog.selectors import disclosure_subjects

KIND_ORDER = (Organisation.Kind.GOVERNMENT, Organisation.Kind.DEPARTMENT, Organisation.Kind.OTHER)


def _subjects_by_kind() -> list[tuple[str, list[Organisation]]]:
    subjects = list(disclosure_subjects().order_by("sort_order", "code"))
    labels = dict(Organisation.Kind.choices)
    return [
        (labels[kind], [o for o in subjects if o.kind == kind])
        for kind in KIND_ORDER
        if any(o.kind == kind for o in subjects)
    ]


@require_safe
def site_map(request: HttpRequest) -> HttpResponse:
    """网站地图: every column of the portal, and each 公开主体's page, guide and catalogue."""
    return render(request, "site_map.html", {"groups": _subjects_by_kind()})


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    """联系我们: the site's sponsor and organiser from the settings, then each 公开主体's 政府信息公开工作机构 from its
    record (address, hours, telephone, e-mail), where applications and questions go."""
    return render(
        request,
        "contact.html",
        {
            "groups": _subjects_by_kind(),
            "sponsor": settings.GOVOPEN_SPONSOR,
            "organiser": settings.GOVOPEN_ORGANISER,
            "phone": settings.GOVOPEN_CONTACT_PHONE,
            "email": settings.GOVOPEN_CONTACT_EMAIL,
        },
    )
