"""Applicants' e-mail addresses and secrets never reach the server log (R27; PIPL Art 28)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys

from django.conf import settings

from core.logfilters import PersonalDataFilter, mask_personal_data

SEND = """
import django; django.setup()
from django.conf import settings
from django.core.mail import send_mail
print("backend", settings.EMAIL_BACKEND)
send_mail("查询密码", "查询密码：ABCD-EFGH-JKLM", None, ["zhangsan@example.com"])
"""


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    env.update({"DEBUG": "0", "GOVOPEN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "govopen.settings", **extra})
    return env


def test_r27_production_without_smtp_writes_mail_to_a_private_file_never_to_the_log(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SEND],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "govopen.mail.PrivateFileBackend" in result.stdout
    output = result.stdout + result.stderr
    assert "zhangsan@example.com" not in output and "ABCD-EFGH-JKLM" not in output
    folder = tmp_path / "mail"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (message,) = list(folder.iterdir())
    assert stat.S_IMODE(message.stat().st_mode) == 0o600
    assert "zhangsan@example.com" in message.read_text()


def test_r27_the_console_backend_is_refused_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "EMAIL_BACKEND" in result.stderr and "console" in result.stderr


def test_r27_personal_data_in_a_log_message_is_masked():
    record = logging.LogRecord(
        "x",
        logging.WARNING,
        __file__,
        1,
        "mail to %s (%s, %s) failed",
        ("li@example.org", "13812345678", "11010519491231002X"),
        None,
    )
    assert PersonalDataFilter().filter(record)
    text = record.getMessage()
    assert "li@example.org" not in text and "13812345678" not in text and "11010519491231002X" not in text
    assert "138****5678" in text and "l***@example.org" in text
    assert mask_personal_data("索引号 A001/2026-00012，文号 20260001") == "索引号 A001/2026-00012，文号 20260001"
