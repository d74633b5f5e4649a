"""Query-string helpers for the search page (links keep the query and the other filters), and small filters."""

from __future__ import annotations

import re

from django import template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def query_with(query: str, filters: dict[str, str], name: str, value: str) -> str:
    params = {"q": query, **filters} if query else dict(filters)
    if name:
        params[name] = value
    encoded = urlencode(params)
    return f"{encoded}&" if encoded else ""


@register.simple_tag
def query_without(query: str, filters: dict[str, str], name: str) -> str:
    params = (
        {"q": query, **{k: v for k, v in filters.items() if k != name}}
        if query
        else {k: v for k, v in filters.items() if k != name}
    )
    return urlencode(params)


@register.filter
def approximately(number: int) -> str:
    """An estimated count to two significant figures, in 万 from ten thousand: 999965 → 100万, 34833 → 3.5万."""
    number = int(number)
    if number < 100:
        return str(number)
    digits = len(str(number)) - 2
    rounded = round(number, -digits)
    if rounded < 10_000:
        return str(rounded)
    wan = rounded / 10_000
    return f"{wan:.1f}".rstrip("0").rstrip(".") + "万"


_FIRST_IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@register.filter
def first_image(html: str) -> str:
    """The address of the first image in a body of HTML, or "" (the Image meta tag of an article)."""
    found = _FIRST_IMAGE.search(html or "")
    return found.group(1) if found else ""
