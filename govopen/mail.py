"""The production mail backend when no SMTP server is configured: one file per message under ``EMAIL_FILE_PATH``.

Messages to applicants carry their e-mail address and, once, the secret that opens their case, so they must never
reach the server log (the console backend writes to stdout). The folder is created owner-only (0700) and each file
is made owner-only (0600), so only the service user can read them; the operator delivers or discards them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend


class PrivateFileBackend(EmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        path = Path(file_path or settings.EMAIL_FILE_PATH)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask, and an existing folder keeps its own
        previous = os.umask(0o077)  # files created below are 0600 whatever the service's umask
        try:
            super().__init__(*args, file_path=str(path), **kwargs)
        finally:
            os.umask(previous)

    def open(self) -> bool:
        previous = os.umask(0o077)
        try:
            return super().open()
        finally:
            os.umask(previous)
