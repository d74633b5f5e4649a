"""Issue 15, goal 6: the web server shares jieba's dictionary between its workers. gunicorn runs with
govopen/gunicorn.conf.py (preload_app: the application is imported once in the master), and importing the WSGI
application loads the dictionary, so the workers fork with it instead of each loading a copy at its first search.
Memory figures are measured outside the suite (docs/deployment.md); scripts/prod-smoke serves with this config."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_it_preloads_the_application_in_the_gunicorn_master():
    config = runpy.run_path(str(Path(settings.BASE_DIR, "govopen", "gunicorn.conf.py")))
    assert config["preload_app"] is True and config["wsgi_app"] == "govopen.wsgi:application"
    assert config["max_requests"] > 0 and callable(config["when_ready"])


def test_it_loads_the_search_dictionary_when_the_wsgi_application_is_imported():
    probe = (
        "import govopen.wsgi\n"
        "from disclosure.search.segment import _segmenter\n"
        "print(_segmenter.cache_info().currsize)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "1"
