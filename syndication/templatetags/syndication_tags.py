"""Links to a page's Atom feed and to the e-mail subscription of the same content."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def subscribe_url(kind: str, **params: Any) -> str:
    """The subscribe form for ``kind`` with what names the target (``org``, ``node``, ``topic``)."""
    query = {"kind": kind, **{name: value for name, value in params.items() if value not in (None, "")}}
    return f"{reverse('subscriptions:subscribe')}?{urlencode(query)}"


@register.simple_tag
def search_subscribe_url(result: Any) -> str:
    """The subscribe form for a search page's query and facets (not its sort, page or date range)."""
    from subscriptions.selectors import SEARCH_PARAMS

    query = {"kind": "search", "q": result.query}
    query.update({name: value for name, value in result.filters.items() if name in SEARCH_PARAMS})
    return f"{reverse('subscriptions:subscribe')}?{urlencode(query)}"
