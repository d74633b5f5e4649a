"""Legal clocks in hours (R18 reposts, R19 emergencies): one shape for the dashboard and for the alert sweep.

Each app turns its open records into ``Clock`` values; ``clocks_alert`` sends one message per clock and threshold
(due soon, overdue), decided by the unique notification key, so two sweeps running at once send it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops.services import job_run, notify_once

RUNNING, SOON, OVERDUE = "running", "soon", "overdue"
STATE_LABELS = {RUNNING: gettext_lazy("计时中"), SOON: gettext_lazy("即将到期"), OVERDUE: gettext_lazy("已逾期")}


@dataclass(frozen=True)
class Clock:
    key: str  # stable per record and clock, e.g. "repost:12" or "emergency:3:info"
    kind: str  # what must happen, in Chinese: 转载、权威信息发布、新闻发布会、依申请公开答复
    basis: str  # its legal basis as staff read it, e.g. "《条例》第三十三条"; empty when the kind says it all
    title: str
    organisation_id: int
    organisation_name: str
    started_at: dt.datetime
    due_at: dt.datetime
    warn_from: dt.datetime
    admin_path: str
    provisional: bool = False
    recipients: Callable[[str], list[str]] = field(default=lambda state: [], compare=False, repr=False)

    def state(self, now: dt.datetime) -> str:
        if now > self.due_at:
            return OVERDUE
        return SOON if now >= self.warn_from else RUNNING

    def state_label(self, now: dt.datetime) -> str:
        return str(STATE_LABELS[self.state(now)])


def remaining_text(delta: dt.timedelta) -> str:
    """``3 小时 20 分`` or ``逾期 1 天 2 小时``: what the dashboard and the e-mails say."""
    late = delta.total_seconds() < 0
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    parts = ([_("%(n)s 天") % {"n": days}] if days else []) + ([_("%(n)s 小时") % {"n": hours}] if hours else [])
    if not days:
        parts.append(_("%(n)s 分") % {"n": minutes})
    text = " ".join(parts)
    return _("逾期 %(t)s") % {"t": text} if late else text


def clocks_alert(clocks: Iterable[Clock], *, now: dt.datetime | None = None, site_url: str = "") -> list[str]:
    """Alert each clock that is due soon or overdue, once per threshold and due time. Returns the keys sent."""
    now = now or timezone.now()
    sent = []
    for clock in clocks:
        state = clock.state(now)
        if state == RUNNING:
            continue
        due = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
        key = f"clock:{clock.key}:{state}:{clock.due_at.timestamp():.0f}"
        subject = (_("【已逾期】%(kind)s：%(title)s") if state == OVERDUE else _("【即将到期】%(kind)s：%(title)s")) % {
            "kind": clock.kind,
            "title": clock.title,
        }
        body = _("%(org)s：%(kind)s%(basis)s\n%(title)s\n期限：%(due)s（%(left)s）\n请登录后台办理：%(url)s") % {
            "org": clock.organisation_name,
            "kind": clock.kind,
            "title": clock.title,
            "basis": f"（{clock.basis}）" if clock.basis else "",
            "due": due,
            "left": remaining_text(clock.due_at - now),
            "url": site_url + clock.admin_path,
        }
        with transaction.atomic():
            if notify_once(key=key, recipients=clock.recipients(state), subject=subject, body=body):
                sent.append(key)
    return sent


def clocks_job(*, name: str, clocks: list[Clock]) -> None:
    """The body of a clock sweep task: alert ``clocks`` under a ``JobRun`` named ``name``; a sweep with no open clock
    (most runs, every five minutes) leaves no row."""
    if not clocks:
        return
    with job_run(name=name) as run:
        sent = clocks_alert(clocks, site_url=settings.GOVOPEN_SITE_URL)
        run.summary = f"{len(clocks)} open clocks, {len(sent)} alerts"
        run.details = {"sent": sent}
