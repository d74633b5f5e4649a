"""Checks on what a reporter typed: one list of Chinese messages per field, so the form shows them next to the field
and the service refuses the same input. The page must be one of this site's: a path, or a full URL of the site,
stored as its path and query."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http.request import split_domain_port, validate_host
from django.utils.translation import gettext as _

from errorreports.models import CODE_PREFIX, DESCRIPTION_MAX, PAGE_URL_MAX, ErrorReport
from requests_app.validation import MARKUP

FIELDS = ("page_url", "kind", "description", "contact_name", "contact_phone", "contact_email")
MAX_LENGTHS = {"description": DESCRIPTION_MAX, "contact_name": 50, "contact_phone": 30, "contact_email": 254}
DESCRIPTION_MIN = 5
PHONE = re.compile(r"[\d\s+\-()（）转]{7,30}")
# Browsers read a backslash as a slash ("/\evil.example" is another host) and drop control characters.
UNSAFE_IN_PAGE = re.compile(r"[\s\\\x00-\x1f\x7f-\x9f]")
STAFF_PREFIX = "/admin/"


class PageRefused(ValueError):
    """The page is not a page of this site; ``str()`` is the Chinese sentence to show."""


def _not_this_site() -> PageRefused:
    return PageRefused(
        _(
            "只能报告本网站页面的错误：请填写本网站的网址（%(site)s 开头）或以 / 开头的本站路径；其他网站的问题请向其主办单位反映。"
        )
        % {"site": settings.GOVOPEN_SITE_URL}
    )


def site_hosts(*, request_host: str = "") -> set[str]:
    """The host names of this site: that of ``GOVOPEN_SITE_URL`` and the one the visitor used (already checked by
    Django against ``ALLOWED_HOSTS``)."""
    hosts = {(urlsplit(settings.GOVOPEN_SITE_URL).hostname or "").lower()}
    if request_host:
        hosts.add(split_domain_port(request_host)[0].lower())
    return hosts - {""}


def _is_site_host(host: str, hosts: Iterable[str]) -> bool:
    if host in hosts or host == (urlsplit(settings.GOVOPEN_SITE_URL).hostname or "").lower():
        return True
    # The deployment's own names; a wildcard says nothing about which site is ours.
    return validate_host(host, [name for name in settings.ALLOWED_HOSTS if name != "*"])


def same_site_path(value: str, *, hosts: Iterable[str]) -> str:
    """The path (with its query, without the fragment) of a page of this site, given as a path or as a full URL of
    the site; ``PageRefused`` otherwise, also for the staff admin, which is not part of the public site."""
    text = (value or "").strip()
    if not text:
        raise PageRefused(_("请填写出错页面的地址。"))
    if len(text) > PAGE_URL_MAX:
        raise PageRefused(_("页面地址不能超过 %(n)s 个字符。") % {"n": PAGE_URL_MAX})
    if UNSAFE_IN_PAGE.search(text):
        raise PageRefused(_("页面地址不能包含空格、反斜杠或控制字符，请从浏览器地址栏复制。"))
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        has_user = bool(parts.username or parts.password)
    except ValueError:  # a malformed host such as "http://[::1"
        raise _not_this_site() from None
    if parts.scheme:
        if parts.scheme.lower() not in ("http", "https") or not host or has_user or not _is_site_host(host, hosts):
            raise _not_this_site()
    elif parts.netloc:  # "//other.example/page": another host
        raise _not_this_site()
    elif not text.startswith("/"):
        raise PageRefused(_("请填写以 / 开头的本站路径，或以 http:// 或 https:// 开头的本站网址。"))
    # One leading slash: "//other.example" in a link is another host.
    path = "/" + parts.path.lstrip("/")
    if path == STAFF_PREFIX.rstrip("/") or path.startswith(STAFF_PREFIX):
        raise PageRefused(_("工作人员后台不属于公开网站，请填写公开页面的地址。"))
    return path + (f"?{parts.query}" if parts.query else "")


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: str(values.get(name) or "").strip() for name in FIELDS}
    cleaned["contact_email"] = cleaned["contact_email"].lower()
    return cleaned


def report_problems(values: dict[str, Any], *, hosts: Iterable[str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """``values`` cleaned (the page as a path) and everything wrong with them, by field name."""
    cleaned = clean_values(values)
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    try:
        cleaned["page_url"] = same_site_path(cleaned["page_url"], hosts=hosts)
    except PageRefused as exc:
        add("page_url", str(exc))
    if cleaned["kind"] not in ErrorReport.Kind.values:
        add("kind", _("请选择错误类型。"))
    for name, limit in MAX_LENGTHS.items():
        if MARKUP.search(cleaned[name]):
            add(name, _("请不要输入网页标记或脚本（如 <、&#、javascript:），只填写文字。"))
        if len(cleaned[name]) > limit:
            add(name, _("不能超过 %(n)s 个字。") % {"n": limit})
    description = cleaned["description"]
    if not description:
        add("description", _("请描述错误：在页面的什么位置、错在哪里、正确的应是什么。"))
    elif len(description) < DESCRIPTION_MIN:
        add("description", _("描述过短，请写明错误所在的位置和内容。"))
    phone = cleaned["contact_phone"]
    digits = re.sub(r"\D", "", phone)
    if phone and (not PHONE.fullmatch(phone) or not 7 <= len(digits) <= 20):
        add("contact_phone", _("联系电话格式不正确，请填写手机号码或带区号的固定电话。"))
    if cleaned["contact_email"]:
        try:
            validate_email(cleaned["contact_email"])
        except ValidationError:
            add("contact_email", _("电子邮箱格式不正确。"))
    return cleaned, problems


def normalise_code(code: str) -> str:
    """A tracking code as stored (``JC2026-ABCD-EFGH-JKLM``), whether typed in lower case, with spaces or without
    the hyphens."""
    compact = re.sub(r"[\s\-]", "", code or "").upper()
    if len(compact) == len(CODE_PREFIX) + 4 + 12 and compact.startswith(CODE_PREFIX):
        head = len(CODE_PREFIX) + 4
        return f"{compact[:head]}-{compact[head : head + 4]}-{compact[head + 4 : head + 8]}-{compact[head + 8 :]}"
    return compact
