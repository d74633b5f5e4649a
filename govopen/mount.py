"""The portal as a column of the government's site, under ``GOVOPEN_URL_PREFIX`` (docs/deployment.md).

A WSGI wrapper: a request for ``/zwgk/xxgk/`` reaches Django with ``SCRIPT_NAME=/zwgk`` and ``PATH_INFO=/xxgk/``, so
every URL the portal resolves and reverses (and WhiteNoise's static files) follows the prefix. A proxy that already
strips the prefix (nginx ``proxy_pass http://portal/;``) sends ``/xxgk/``, which passes unchanged; settings'
``FORCE_SCRIPT_NAME`` then supplies the prefix. The bare prefix without its slash is redirected to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class MountedUnder:
    def __init__(self, application: WSGIApp, prefix: str) -> None:
        self.application, self.prefix = application, prefix.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if self.prefix and path == self.prefix:
            query = environ.get("QUERY_STRING", "")
            start_response(
                "301 Moved Permanently",
                [
                    ("Location", self.prefix + "/" + (f"?{query}" if query else "")),
                    ("Content-Length", "0"),
                ],
            )
            return [b""]
        if self.prefix and path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix) :]
        return self.application(environ, start_response)


def mounted(application: WSGIApp) -> WSGIApp:
    """``application`` under ``GOVOPEN_URL_PREFIX``, or as it is when the portal is at the root of its host."""
    from django.conf import settings

    prefix = settings.GOVOPEN_URL_PREFIX
    return MountedUnder(application, prefix) if prefix else application
