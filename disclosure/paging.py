"""Lists that stay fast at a million documents: totals counted once per publication version, and pages reached by
a cursor (the last row shown) rather than an offset, so page 100 of the largest catalogue item costs what page 1
costs. A bare ``?page=N`` (a typed or bookmarked address) still works, through an offset."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Q, QuerySet

from core import pubversion

logger = logging.getLogger(__name__)
T = TypeVar("T")


def cached_count(name: str, *, organisation_code: str | None, compute: Callable[[], T]) -> T:
    """``compute()`` once per publication version of the organisation (or of the whole site): a publication or a
    withdrawal bumps the version, and the entry expires after ``GOVOPEN_COUNT_CACHE_SECONDS`` in any case (a
    scheduled publication that reaches its time without a bump is counted within that time).

    When the version moved on (or the entry expired), the last total is shown if it is at most
    ``GOVOPEN_COUNT_STALE_SECONDS`` old, and a worker counts again (``disclosure.tasks.refresh_count``, once per
    version): a total may lag a publication by the seconds that takes, and no visitor waits for a count. ``name``
    must be one ``disclosure.selectors.count_computation`` knows. With the cache down: computed."""
    try:
        epoch, version = pubversion.versions(organisation_code=organisation_code)
        key, latest = f"count:{name}:{epoch}:{version}", f"count-latest:{name}"
        found = cache.get_many([key, latest])
    except Exception as exc:  # Redis down: the count is computed, the page still answers
        logger.debug("count cache unavailable: %s", type(exc).__name__)
        return compute()
    if key in found:
        return found[key]
    stale = found.get(latest)
    if stale is not None and time.time() - stale[0] <= settings.GOVOPEN_COUNT_STALE_SECONDS and _refresh(name, key):
        fresh = _get(key)  # a worker as fast as the request (or tasks run inline) has counted already
        return stale[1] if fresh is None else fresh
    value = compute()
    _keep(key, latest, value)
    return value


def count_again(name: str, *, organisation_code: str | None, compute: Callable[[], object]) -> None:
    """Count ``name`` under the current version and keep it (the worker's side of ``cached_count``). The version is
    read before counting: a publication committed meanwhile leaves the total under the older version only."""
    epoch, version = pubversion.versions(organisation_code=organisation_code)
    _keep(f"count:{name}:{epoch}:{version}", f"count-latest:{name}", compute())


def _get(key: str) -> object | None:
    try:
        return cache.get(key)
    except Exception:  # the cache just answered; if it stopped, the stale total will do
        return None


def _keep(key: str, latest: str, value: object) -> None:
    try:
        cache.set(key, value, settings.GOVOPEN_COUNT_CACHE_SECONDS)
        if settings.GOVOPEN_COUNT_STALE_SECONDS:
            cache.set(latest, (time.time(), value), settings.GOVOPEN_COUNT_STALE_SECONDS)
    except Exception as exc:
        logger.warning("cache unavailable (%s): count not kept", type(exc).__name__)


def _refresh(name: str, key: str) -> bool:
    """Ask a worker to count ``name`` again, once per version; False when that cannot be done (then the request
    counts). A refresh already asked for counts as done: its total arrives within seconds."""
    from ops.outbox import publish_now

    try:
        if not cache.add(f"count-refresh:{key}", 1, timeout=60):
            return True
        publish_now("disclosure.tasks.refresh_count", kwargs={"name": name})
    except Exception as exc:  # broker or cache down: count in the request
        logger.warning(
            "count refresh not sent (%s): %s counted in the request", type(exc).__name__, name.split(":", 1)[0]
        )
        try:
            cache.delete(f"count-refresh:{key}")
        except Exception:
            pass
        return False
    return True


def _cursor(document: object) -> str:
    return f"{document.published_at.isoformat()}~{document.pk}"


def _parse_cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    """A cursor from the address, or None when it is absent or not one we wrote (then the offset is used)."""
    if not raw or len(raw) > 60 or "~" not in raw:
        return None
    stamp, _sep, pk = raw.rpartition("~")
    try:
        moment = dt.datetime.fromisoformat(stamp)
        number = int(pk)
    except ValueError:
        return None
    if moment.tzinfo is None or not 0 < number < 2**62:
        return None
    return moment, number


def _positive(raw: str | None, default: int = 1) -> int:
    try:
        value = int(raw or default)
    except ValueError:
        return default
    return value if value >= 1 else default


@dataclass
class CursorPage:
    """One page of a newest-first list (``-published_at, -pk``) with links that carry a cursor."""

    object_list: list
    number: int
    num_pages: int
    count: int
    next_query: str = ""
    previous_query: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_query)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_query)


def _without_parallel_workers(alias: str, read: Callable[[], list]) -> list:
    """``read()`` on PostgreSQL without parallel workers: a skipped offset walks an index in order and stops early,
    where starting workers and merging their streams cost more than the walk (a catalogue item's page 100 at 1M:
    the statement 21 ms with two workers, 7 ms without)."""
    if connections[alias].vendor != "postgresql":
        return read()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return read()


def cursor_page(
    queryset: QuerySet, *, count: int, params: dict, per_page: int, extra: dict | None = None
) -> CursorPage:
    """The page asked for by ``params`` (``page`` and ``after`` / ``before``) of ``queryset``, which must be
    ordered ``-published_at, -pk``. ``extra`` is kept in the links (filters of the list)."""
    num_pages = max(1, -(-count // per_page))
    number = min(_positive(params.get("page")), num_pages)
    after, before = _parse_cursor(params.get("after")), _parse_cursor(params.get("before"))
    if after is not None:
        moment, pk = after
        rows = list(queryset.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))[:per_page])
    elif before is not None:
        moment, pk = before
        rows = list(
            queryset.filter(Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk)).order_by(
                "published_at", "pk"
            )[:per_page]
        )[::-1]
    elif number > 1:
        # An address with a page number only (typed, bookmarked): the offset is skipped over the ids alone (an
        # index-only walk), and only the page's rows are read.
        start = (number - 1) * per_page
        rows = _without_parallel_workers(
            queryset.db, lambda: list(queryset.filter(pk__in=queryset.values("pk")[start : start + per_page]))
        )
    else:
        rows = list(queryset[:per_page])
    if not rows and number > 1 and (after or before):  # a stale cursor: start again from the first page
        number, rows = 1, list(queryset[:per_page])
    keep = dict(extra or {})
    page = CursorPage(object_list=rows, number=number, num_pages=num_pages, count=count)
    if rows and number < num_pages:
        page.next_query = urlencode({**keep, "page": number + 1, "after": _cursor(rows[-1])})
    if rows and number > 1:
        page.previous_query = urlencode({**keep, "page": number - 1, "before": _cursor(rows[0])})
    return page
