"""The portal served as deployed, by gunicorn in a child process, for the tests that need a real web server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_database_url() -> str:
    """The test database, for a child process (the test must use ``transactional_db`` for it to see the rows)."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def gunicorn(env: dict[str, str], *, probe: str = "/robots-probe-404") -> Iterator[str]:
    """gunicorn with one worker serving ``govopen.wsgi`` under the test settings plus ``env``; yields its base URL
    once ``probe`` answers (a 404 will do), prints its output when stopped."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "govopen.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + probe, timeout=2)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)  # noqa: T201 - pytest shows it when the test failed
