"""gunicorn settings for production: ``gunicorn -c govopen/gunicorn.conf.py`` (docs/deployment.md).

The application is loaded once in the master before the workers fork (``preload_app``), together with jieba's
dictionary (``govopen/wsgi.py`` warms the search segmenter), so N workers share one copy of it instead of holding
N: a worker's own memory stays small after its first search. ``gc.freeze()`` in the master keeps the collector from
touching — and so copying — the shared objects in every worker. No database connection is opened before the fork
(Django connects lazily, per worker).
"""

import gc
import multiprocessing
import os

wsgi_app = "govopen.wsgi:application"
preload_app = True
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter, so they do not all restart at once): whatever one
# request leaked goes with it.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: object) -> None:
    gc.freeze()
