"""The feed importer: Atom and RSS feeds of superior portals, polled by Celery, queue new items as reposts (R18).

Parsing uses defusedxml (no entity expansion, no external entities: the feeds come from outside). A malformed feed
changes nothing and leaves its error on the source for the office to see.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from defusedxml import ElementTree
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actors import System
from disclosure.models import FeedSource, Repost
from disclosure.reposts import find_duplicate, repost_register
from disclosure.services import DocumentError

logger = logging.getLogger(__name__)
ATOM = "{http://www.w3.org/2005/Atom}"
MAX_AGE = dt.timedelta(days=7)


class FeedError(Exception):
    """The feed cannot be read; the message is in Chinese, for the office."""


@dataclass(frozen=True)
class FeedItem:
    guid: str
    title: str
    url: str
    published_at: dt.datetime | None


@dataclass
class PollResult:
    new: list[int] = field(default_factory=list)
    duplicates: int = 0
    too_old: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""


def _text(element: object | None) -> str:
    return ("".join(element.itertext()) if element is not None else "").strip()


def _date(raw: str) -> dt.datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(raw)  # RSS: RFC 822
    except (TypeError, ValueError):
        try:
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))  # Atom: RFC 3339
        except ValueError:
            return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)  # a bare time is Beijing time


def parse_feed(data: bytes, *, base_url: str = "") -> list[FeedItem]:
    """The items of an RSS 2.0 or Atom document; raises FeedError when it is not one."""
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises ParseError or its own refusals (entities, DTDs)
        raise FeedError(_("订阅内容不是格式正确的 XML：%(error)s") % {"error": exc}) from exc
    items = []
    if root.tag == "rss" or root.tag.endswith("RDF"):
        for item in root.iter("item"):
            link = _text(item.find("link"))
            items.append(
                FeedItem(
                    guid=_text(item.find("guid")) or link,
                    title=_text(item.find("title")),
                    url=urljoin(base_url, link) if link else "",
                    published_at=_date(_text(item.find("pubDate"))),
                )
            )
    elif root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            links = entry.findall(f"{ATOM}link")
            chosen = next(
                (link for link in links if link.get("rel", "alternate") == "alternate"), links[0] if links else None
            )
            href = chosen.get("href", "") if chosen is not None else ""
            items.append(
                FeedItem(
                    guid=_text(entry.find(f"{ATOM}id")) or href,
                    title=_text(entry.find(f"{ATOM}title")),
                    url=urljoin(base_url, href) if href else "",
                    published_at=_date(_text(entry.find(f"{ATOM}published")) or _text(entry.find(f"{ATOM}updated"))),
                )
            )
    else:
        raise FeedError(_("不是 RSS 或 Atom 订阅（根元素为 %(tag)s）。") % {"tag": root.tag})
    return items


def fetch_feed(url: str) -> bytes:
    """The feed's bytes over HTTP(S), within the size and time limits."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FeedError(_("订阅地址须以 http:// 或 https:// 开头。"))
    limit = settings.GOVOPEN_FEED_MAX_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": "govopen-feed/1.0"})
    try:
        with urllib.request.urlopen(request, timeout=settings.GOVOPEN_FEED_TIMEOUT_SECONDS) as response:
            data = response.read(limit + 1)
    except OSError as exc:
        raise FeedError(_("无法读取订阅：%(error)s") % {"error": exc}) from exc
    if len(data) > limit:
        raise FeedError(_("订阅超过 %(kb)s KB 的大小限制。") % {"kb": limit // 1024})
    return data


def feed_poll(*, source: FeedSource, data: bytes | None = None) -> PollResult:
    """Read one feed and queue its new items for the source's organisation. Items already registered (the same page,
    or the same title within a week, from any feed or by hand) are counted as duplicates; items older than a week
    are not queued (a first poll must not fill the queue with last year's policies)."""
    result = PollResult()
    try:
        items = parse_feed(data if data is not None else fetch_feed(source.url), base_url=source.url)
    except FeedError as exc:
        result.error = str(exc)
        FeedSource.objects.filter(pk=source.pk).update(last_polled_at=timezone.now(), last_error=result.error)
        logger.warning("feed %s not read: %s", source.pk, result.error)
        return result
    now = timezone.now()
    for item in items:
        if not item.title or not item.url or item.published_at is None:
            result.skipped.append(item.title or item.url or item.guid or "?")
            continue
        if now - item.published_at > MAX_AGE:
            result.too_old += 1
            continue
        published_at = min(item.published_at, now)
        if find_duplicate(organisation=source.organisation, source_url=item.url, title=item.title, at=published_at):
            result.duplicates += 1
            continue
        try:
            with transaction.atomic():
                repost = repost_register(
                    organisation=source.organisation,
                    actor=System("feed-poll"),
                    level=source.level,
                    kind=Repost.Kind.POLICY,
                    source_organisation=source.source_organisation,
                    source_url=item.url,
                    title=item.title,
                    source_published_at=published_at,
                    feed=source,
                    feed_guid=item.guid,
                )
        except DocumentError:  # registered by a concurrent poll or by hand in the meantime
            result.duplicates += 1
            continue
        result.new.append(repost.pk)
    note = _("跳过缺少标题、链接或时间的条目：%(items)s") % {"items": "；".join(result.skipped)[:900]}
    FeedSource.objects.filter(pk=source.pk).update(
        last_polled_at=now,
        last_error=note if result.skipped else "",
        last_new=len(result.new),
        last_duplicates=result.duplicates,
    )
    return result
