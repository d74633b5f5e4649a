"""Read settings from the environment, refusing bad values by name.

Every helper raises ``EnvError`` (an ``ImproperlyConfigured``) whose message names the variable, so that a
mistyped value stops start-up with one clear line instead of a default silently taking its place.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ImproperlyConfigured):
    """A bad value in one environment variable; the message names it."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(f"环境变量 {name} 无效：{problem}")


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] = os.environ) -> str | None:
    value = environ.get(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(name, f"“{raw}” 不是布尔值，应为 1/0、true/false、yes/no 或 on/off")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] = os.environ,
) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise EnvError(name, f"“{raw}” 不是整数") from None
    if minimum is not None and value < minimum:
        raise EnvError(name, f"{value} 小于允许的最小值 {minimum}")
    if maximum is not None and value > maximum:
        raise EnvError(name, f"{value} 大于允许的最大值 {maximum}")
    return value


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] = os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(
    name: str, default: str, *, conn_max_age: int = 60, environ: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    """Parse a database URL; only PostgreSQL and SQLite are supported."""
    import dj_database_url

    raw = (environ.get(name) or "").strip() or default
    scheme = raw.split(":", 1)[0].lower()
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise EnvError(name, f"不支持的数据库类型“{scheme}”，应以 postgres:// 或 sqlite:/// 开头")
    try:
        config = dj_database_url.parse(raw, conn_max_age=0 if scheme == "sqlite" else conn_max_age)
    except ValueError as exc:
        raise EnvError(name, f"无法解析（{exc}）") from None
    if scheme != "sqlite" and not config.get("NAME"):
        raise EnvError(name, "缺少数据库名")
    return config


def env_redis_url(name: str, *, environ: Mapping[str, str] = os.environ) -> str | None:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise EnvError(name, f"“{raw}” 不是 Redis 地址，应以 redis://、rediss:// 或 unix:// 开头")
    return raw


def env_deadline(name: str, default: str, *, environ: Mapping[str, str] = os.environ) -> tuple[int, str]:
    """A deadline as ``(amount, unit)``: ``"1d"`` working days on the R1 calendar, or ``"8h"`` clock hours."""
    raw = (environ.get(name) or default).strip().lower()
    amount, unit = raw[:-1], raw[-1:]
    if unit not in ("d", "h") or not amount.isdigit() or not 1 <= int(amount) <= (30 if unit == "d" else 240):
        raise EnvError(name, f"“{raw}” 应写成工作日数加 d（如 1d，1–30）或小时数加 h（如 8h，1–240）")
    return int(amount), unit


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] = os.environ) -> str:
    """One of ``choices``; anything else stops start-up naming the variable and the accepted values."""
    raw = (environ.get(name) or default).strip().lower()
    if raw not in choices:
        raise EnvError(name, f"“{raw}” 不是可选值，应为 {'、'.join(choices)} 之一")
    return raw


_PREFIX_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def env_url_prefix(name: str, *, environ: Mapping[str, str] = os.environ) -> str:
    """A path under which the portal is mounted, as ``/zwgk`` or ``/gov/zwgk`` (no trailing slash), or "" at the root.
    Letters, digits, ``-`` and ``_`` between slashes only."""
    raw = (environ.get(name) or "").strip()
    segments = [segment for segment in raw.split("/") if segment]
    if not all(_PREFIX_SEGMENT.fullmatch(segment) for segment in segments):
        raise EnvError(name, f"“{raw}” 应为网站下的路径，如 /zwgk，只能包含字母、数字、- 和 _")
    if segments and segments[0] in ("static", "admin"):
        raise EnvError(name, f"“{raw}” 与平台自身的路径冲突")
    return "/" + "/".join(segments) if segments else ""
