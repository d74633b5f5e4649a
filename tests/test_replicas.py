"""Public reads from a real PostgreSQL streaming replica (issue 15, goal 7).

``scripts/test`` starts a replica of the test cluster with ``pg_basebackup`` (GOVOPEN_TEST_REPLICA_PORT). These tests
serve the portal under gunicorn with ``DATABASE_REPLICA_URLS`` pointing at it, pause the replica's replay, publish on
the primary, and see which database answered: a document the replica has not replayed is a 404 there.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Iterator

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from core import dbrouter
from disclosure.services import document_import
from tests.conftest import wait_for
from tests.servers import child_database_url, gunicorn

pytestmark = [
    pytest.mark.serial,  # pausing the replica's replay stops it for every database of the cluster
    pytest.mark.skipif(not os.environ.get("GOVOPEN_TEST_REPLICA_PORT"), reason="scripts/test starts the replica"),
]


SERVER_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ.get("REDIS_URL", "")}
}


def _replica() -> psycopg2.extensions.connection:
    db = connection.settings_dict
    replica = psycopg2.connect(
        host="127.0.0.1", port=int(os.environ["GOVOPEN_TEST_REPLICA_PORT"]), user=db["USER"], dbname=db["NAME"]
    )
    replica.autocommit = True
    return replica


def _primary_position() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
        return int(cursor.fetchone()[0])


def _wait_for_replay(replica: psycopg2.extensions.connection) -> None:
    target = _primary_position()
    deadline = time.monotonic() + 30
    with replica.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
            if cursor.fetchone()[0] >= target:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 30 s")


@pytest.fixture
def portal(transactional_db) -> Iterator[str]:
    """gunicorn serving the test database with the replica configured; the page cache off (routing alone)."""
    db = connection.settings_dict
    replica = f"postgres://{db['USER']}@127.0.0.1:{os.environ['GOVOPEN_TEST_REPLICA_PORT']}/{db['NAME']}"
    with gunicorn(
        {
            "DATABASE_URL": child_database_url(),
            "DATABASE_REPLICA_URLS": replica,
            "GOVOPEN_PAGE_CACHE_SECONDS": "0",
            "STATIC_MANIFEST": "1",
        }
    ) as base:
        yield base


def _status(url: str, *, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _publish(org_a, drafter_a, node_a, title: str):
    return document_import(
        organisation=org_a,
        actor=drafter_a,
        changes={"title": title, "body": "正文。", "attribute": "proactive", "written_on": dt.date(2026, 1, 1)},
        published_at=dt.datetime(2026, 1, 5, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        catalogue_nodes=[node_a],
    )


def test_public_reads_go_to_a_replica_that_has_replayed_the_last_publication_and_others_to_the_primary(
    portal, org_a, drafter_a, node_a, monkeypatch
):
    replica = _replica()
    first = _publish(org_a, drafter_a, node_a, "关于城市排水设施巡查的通报")
    _wait_for_replay(replica)
    assert _status(portal + reverse("disclosure:document", args=first.index_path)) == 200

    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        # Published on the primary while the replica stands still, with no publication position recorded (the
        # write happened outside the portal's settings): the replica still answers anonymous visitors.
        second = _publish(org_a, drafter_a, node_a, "关于夜间施工噪声管理的通告")
        committed = _primary_position()
        url = portal + reverse("disclosure:document", args=second.index_path)
        assert _status(url) == 404  # read from the replica, which has not replayed it
        assert _status(url, cookie="sessionid=anything") == 200  # a session (staff, applicants): the primary
        assert _status(url, cookie=f"{dbrouter.READ_PRIMARY_COOKIE}=1") == 200  # just wrote: the primary

        # What a publication through the portal does after its commit: the replica is now behind the recorded
        # position, so it is skipped and the primary answers.
        monkeypatch.setattr(dbrouter, "replica_aliases", lambda: ["replica1"])
        with override_settings(CACHES=SERVER_CACHE):  # the Redis the server reads, whatever earlier tests left
            dbrouter.publication_position_advance()
            recorded = int(dbrouter._redis().get(dbrouter.POSITION_KEY))
        assert recorded >= committed  # the publication's commit is behind the recorded position
        assert _status(url) == 200
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    _wait_for_replay(replica)
    # Caught up: the replica serves it too. Under load (a whole run on every core) a standby may show the replayed
    # commit a moment after its LSN is reported: the answer is polled, and must come within seconds.
    assert wait_for(lambda: _status(url) == 200, seconds=30)
    replica.close()


def test_writes_and_migrations_stay_on_the_primary():
    router = dbrouter.ReplicaRouter()
    assert router.db_for_write(object) == "default"
    assert router.allow_migrate("replica1", "disclosure") is False
    assert router.allow_migrate("default", "disclosure") is True
    assert router.db_for_read(object) == "default"  # outside a request (jobs, commands): the primary


def test_the_replica_urls_become_databases_and_the_router(tmp_path):
    probe = "from django.conf import settings\nprint(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)\n"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_REPLICA_URLS": "postgres://u@r1.example:5432/govopen, postgres://u@r2.example:5432/govopen",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            f"'govopen.settings'); django.setup()\n{probe}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "['default', 'replica1', 'replica2'] ['core.dbrouter.ReplicaRouter']"
    bad = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'govopen.settings'); django.setup()",
        ],
        cwd=settings.BASE_DIR,
        env={**env, "DATABASE_REPLICA_URLS": "sqlite:///x.db"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "DATABASE_REPLICA_URLS" in bad.stderr
