"""Public reads from PostgreSQL streaming replicas (issue 15, goal 7).

With ``DATABASE_REPLICA_URLS`` set, the anonymous GETs of visitors without a session (the public site) read from a
replica; everything else reads from the primary: staff and applicants (any session), writes, a visitor who wrote in
the last few seconds (``READ_PRIMARY_COOKIE``), Celery jobs and commands. Writes always go to the primary.

A replica may lag. It is used only once it has replayed the primary's WAL up to the position recorded after the last
publication change (``publication_changed`` and ``search_changed`` advance it after their commit, with an atomic
maximum in Redis): a page rendered there can never be older than the publication versions that key the page cache,
so a withdrawn document never comes back from a lagging replica, and a stale page can never be cached under a new
version. A replica that lags, fails or cannot be reached is skipped for ``DOWN_SECONDS``; when none is fit, or Redis
does not answer, the primary serves.
"""

from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA_PREFIX = "replica"
POSITION_KEY = "govopen:replica:wal-position"  # a raw Redis key: the primary's WAL position, in bytes
READ_PRIMARY_COOKIE = "govopen_rw"
READ_PRIMARY_SECONDS = 10
DOWN_SECONDS = 5.0

_reads: ContextVar[str] = ContextVar("govopen_reads", default=PRIMARY)
_down_until: dict[str, float] = {}

# max(current, new) in one step, so that two publications committing together never leave the lower position.
_ADVANCE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('GET', KEYS[1])
"""


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class ReplicaRouter:
    """Reads go where the request's middleware decided (the primary by default), writes to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return _reads.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def _redis() -> Any:
    from django.core.cache import cache

    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        raise RuntimeError("replicas need the Redis cache (REDIS_URL)")
    return client.get_client(POSITION_KEY, write=True)


def _primary_position() -> int:
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
        return int(cursor.fetchone()[0])


def publication_position_advance() -> None:
    """Record the primary's WAL position after a publication change's commit (called by ``core.pubversion``).
    Does nothing without replicas; never raises (the write stands; replicas are skipped until Redis answers)."""
    if not replica_aliases():
        return
    try:
        _redis().eval(_ADVANCE, 1, POSITION_KEY, _primary_position())
    except Exception as exc:
        logger.warning("replicas: publication position not recorded (%s)", type(exc).__name__)


def _required_position() -> int:
    client = _redis()
    value = client.get(POSITION_KEY)
    if value is None:  # Redis restarted: everything committed until now must be replayed
        value = client.eval(_ADVANCE, 1, POSITION_KEY, _primary_position())
    return int(value)


def _fit_replica(required: int) -> str | None:
    now = time.monotonic()
    candidates = [alias for alias in replica_aliases() if _down_until.get(alias, 0.0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
                replayed = cursor.fetchone()[0]
        except DatabaseError as exc:
            logger.warning("replica %s skipped: %s", alias, type(exc).__name__)
            connections[alias].close()
            _down_until[alias] = now + DOWN_SECONDS
            continue
        if replayed is not None and int(replayed) >= required:
            return alias
    return None


def read_database_for(request: HttpRequest) -> str:
    """The database this request reads from."""
    if not replica_aliases() or request.method not in ("GET", "HEAD"):
        return PRIMARY
    if settings.SESSION_COOKIE_NAME in request.COOKIES or READ_PRIMARY_COOKIE in request.COOKIES:
        return PRIMARY
    try:
        required = _required_position()
    except Exception as exc:
        logger.warning("replicas unused: %s", type(exc).__name__)
        return PRIMARY
    return _fit_replica(required) or PRIMARY


class ReplicaReadsMiddleware:
    """Chooses the database of the request's reads; after an unsafe request, keeps the visitor on the primary for a
    few seconds so that they read their own write."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = read_database_for(request)
        token = _reads.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS") and replica_aliases():
            response.set_cookie(
                READ_PRIMARY_COOKIE,
                "1",
                max_age=READ_PRIMARY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
