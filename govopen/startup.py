"""Load settings before anything else runs, turning a bad environment value into one line and exit code 2."""

import os
import sys


def load_settings_or_exit() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govopen.settings")
    from django.conf import settings

    from core.env import EnvError

    try:
        settings.INSTALLED_APPS  # noqa: B018 - touching it imports the settings module
    except EnvError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)  # noqa: T201 - before logging is configured
        sys.exit(2)
