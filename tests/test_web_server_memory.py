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
        "from disclosure.search.segment import dictionary_loaded\n"
        "print(int(dictionary_loaded()))\n"
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


def test_two_first_searches_at_once_load_the_dictionary_once(monkeypatch):
    """A threaded server's first searches, arriving together, share one load of the dictionary (a second of CPU and
    ~100 MB each) instead of loading it once per thread, one after the other."""
    import jieba

    from disclosure.search import segment
    from tests.conftest import run_twice_at_once

    loads: list[object] = []
    initialize = jieba.Tokenizer.initialize

    def counted(self, *args, **kwargs):
        loads.append(self)
        return initialize(self, *args, **kwargs)

    monkeypatch.setattr(jieba.Tokenizer, "initialize", counted)
    monkeypatch.setattr(segment, "_tokenizer", None)  # a process that has not searched yet
    first, second = run_twice_at_once(segment._segmenter, rounds=1)
    assert len(loads) == 1 and first is second is loads[0]
    assert segment.query_tokens("政务公开") == ["政务公开"]
