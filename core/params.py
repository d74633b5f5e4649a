"""Reading what the public sends in a URL without trusting it: one set of rules for every public view.

Hostile input never yields a 500 (issue 13). The rules, and why each answer was chosen:

1. **Control characters → 400.** A NUL or any other control character (C0, DEL, C1) in the path, or in the name or
   value of a query parameter, is refused before any view runs by ``govopen.hostile.RejectHostileInputMiddleware``,
   with a 400 and the Chinese page ``400.html``. No link of the site produces one and no browser form sends one, so
   the request is a probe or a broken client; PostgreSQL refuses NUL in text, and answering in one place covers every
   view, including views written later, instead of each view remembering to drop such a value. TAB, LF and CR are
   allowed in query values only (text pasted into the search box may carry them; they are whitespace to the search),
   never in the path. POST bodies are not looked at here: Django's form fields refuse NUL themselves
   (``ProhibitNullCharactersValidator``), so a form answers 400 with its error next to what was typed, as every
   rejected form does.
2. **Integers are ASCII digits within the column's range.** ``str.isdigit()`` is true for ``²`` (``int()`` then
   fails) and ``int()`` accepts ``２０２６`` and ``٢٠٢٦``; neither is a number our links produce. A *filter* whose value
   is not such a number is ignored, and the page renders unfiltered with a note saying so (friendlier than an error
   for a hand-edited link, and the same rule as an unknown filter value). A *path* integer is matched by Django's
   ``int`` converter (``[0-9]+``, ASCII only) or an explicit ``[0-9]`` pattern; one too large for the column matches
   no row (Django 5 turns an out-of-range integer lookup into an empty result), so it answers the same 404 as a
   missing page.
3. **Page numbers** go through ``Paginator.get_page`` as before: not a number → the first page, beyond the range →
   the last page (Django's behaviour, kept for every list).
"""

from __future__ import annotations

import datetime as dt
import re

# C0 controls, DEL and C1 controls. In query values TAB, LF and CR pass (see rule 1).
_CONTROL_IN_PATH = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_QUERY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,20}")

# BigAutoField (settings.DEFAULT_AUTO_FIELD) on PostgreSQL.
ID_MAX = 2**63 - 1
# Publication years the site can hold: documents imported from an older site go back decades, not centuries, and the
# upper bound keeps year lookups clear of datetime's year 9999 (made aware in Asia/Shanghai, it would overflow).
YEAR_MIN = 1900
YEAR_MAX = 2999


def path_has_control_characters(path: str) -> bool:
    return _CONTROL_IN_PATH.search(path) is not None


def query_has_control_characters(text: str) -> bool:
    return _CONTROL_IN_QUERY.search(text) is not None


def bounded_int(value: str | None, *, minimum: int, maximum: int) -> int | None:
    """The integer written in ``value`` with ASCII digits only, if within ``minimum``–``maximum``; else None.

    Surrounding whitespace is tolerated; signs, decimal points, exponents and non-ASCII digits are not."""
    text = (value or "").strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def id_param(value: str | None) -> int | None:
    """A primary key from a query parameter: a positive ASCII integer that fits the column."""
    return bounded_int(value, minimum=1, maximum=ID_MAX)


def year_param(value: str | None) -> int | None:
    """A publication year from a query parameter."""
    return bounded_int(value, minimum=YEAR_MIN, maximum=YEAR_MAX)


_DATE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")


def date_param(value: str | None) -> dt.date | None:
    """A calendar day from a query parameter: 2024-03-05 (what a date input sends), also 2024/3/5 or 2024.3.5, in the
    years a publication can have; else None."""
    found = _DATE.fullmatch((value or "").strip())
    if not found:
        return None
    year, month, day = (int(part) for part in found.groups())
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
