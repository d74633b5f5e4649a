"""The daily head of the integrity log as an Atom feed: one entry per day with that day's last seq and hash. Feed
readers, archives and anyone's copies keep these, so a later rewrite of the chain no longer matches them."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from integrity import selectors
from integrity.models import Checkpoint


class DailyHeadFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("发布存证每日链头")

    def subtitle(self) -> str:
        return _("每天结束时发布存证哈希链的最后一条序号和哈希，用于事后核对存证是否被改写。")

    def link(self) -> str:
        return reverse("integrity:list")

    def items(self) -> list[Checkpoint]:
        return selectors.checkpoints()

    def item_title(self, item: Checkpoint) -> str:
        return _("%(day)s 链头：第 %(seq)d 条") % {"day": item.day.isoformat(), "seq": item.seq}

    def item_description(self, item: Checkpoint) -> str:
        return _("%(day)s 结束时（北京时间）发布存证共 %(seq)d 条，最后一条的哈希为 %(hash)s。") % {
            "day": item.day.isoformat(),
            "seq": item.seq,
            "hash": item.hash,
        }

    def item_link(self, item: Checkpoint) -> str:
        return reverse("integrity:entry", args=[item.seq])

    def item_guid(self, item: Checkpoint) -> str:
        return f"integrity-head:{item.day.isoformat()}:{item.seq}:{item.hash}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Checkpoint) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(item.day + dt.timedelta(days=1), dt.time.min))

    def item_updateddate(self, item: Checkpoint) -> dt.datetime:
        return item.recorded_at
