from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def hash_wrap(value: str) -> SafeString:
    """A 64-digit hash (or a long line of JSON) that may wrap on a phone: a <wbr> break chance every 16
    characters, which copying ignores."""
    text = value or ""
    # Split first, then escape each piece: a break inside "&quot;" would leave a broken character reference.
    return mark_safe("<wbr>".join(escape(text[i : i + 16]) for i in range(0, len(text), 16)))
