"""Settings come from the environment; a bad value stops start-up with the variable's name."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from core.env import EnvError, env_bool, env_database, env_int, env_list, env_redis_url


def test_env_bool_names_the_variable():
    assert env_bool("DEBUG", False, environ={"DEBUG": "yes"}) is True
    assert env_bool("DEBUG", True, environ={"DEBUG": "0"}) is False
    assert env_bool("DEBUG", True, environ={}) is True
    with pytest.raises(EnvError, match="DEBUG"):
        env_bool("DEBUG", False, environ={"DEBUG": "maybe"})


def test_env_int_refuses_words_and_out_of_range():
    assert env_int("EMAIL_PORT", 587, environ={"EMAIL_PORT": "25"}) == 25
    with pytest.raises(EnvError, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 587, environ={"EMAIL_PORT": "smtp"})
    with pytest.raises(EnvError, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 587, maximum=65535, environ={"EMAIL_PORT": "70000"})


def test_env_list_and_urls():
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "a.gov.cn, b.gov.cn,"}) == ["a.gov.cn", "b.gov.cn"]
    assert env_database("DATABASE_URL", "sqlite:///x.db", environ={})["ENGINE"] == "django.db.backends.sqlite3"
    pg = env_database("DATABASE_URL", "", environ={"DATABASE_URL": "postgres://u:p@db:5432/govopen"})
    assert pg["ENGINE"] == "django.db.backends.postgresql" and pg["NAME"] == "govopen"
    with pytest.raises(EnvError, match="DATABASE_URL"):
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": "mysql://u@db/x"})
    with pytest.raises(EnvError, match="REDIS_URL"):
        env_redis_url("REDIS_URL", environ={"REDIS_URL": "localhost:6379"})
    assert env_redis_url("REDIS_URL", environ={}) is None


def test_the_running_suite_uses_postgresql_and_redis():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = dict(os.environ)
    environ.update({k: v for k, v in env.items() if v is not None})
    for key in [k for k, v in env.items() if v is None]:
        environ.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_bad_environment_value_stops_start_up_with_its_name():
    result = manage("check", DEBUG="maybe")
    assert result.returncode == 2
    assert "DEBUG" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_secret_key_stops_production_start_up():
    result = manage("check", DEBUG="0", SECRET_KEY=None)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_check_is_clean_with_production_values():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 10 + "production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="gk.example.gov.cn",
        SECURE_SSL_REDIRECT=None,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_redis_the_embedded_default_uses_local_memory_and_the_filesystem_broker(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND']);print(s.CELERY_BROKER_URL);print(s.DATABASES['default']['ENGINE'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django;django.setup();{code}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
            "DJANGO_SETTINGS_MODULE": "govopen.settings",
            "GOVOPEN_VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "filesystem://",
        "django.db.backends.sqlite3",
    ]
