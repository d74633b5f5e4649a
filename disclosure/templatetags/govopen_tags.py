"""Query-string helpers for the search page: links keep the query and the other filters."""

from __future__ import annotations

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
    params = {"q": query, **{k: v for k, v in filters.items() if k != name}} if query else {
        k: v for k, v in filters.items() if k != name
    }
    return urlencode(params)
