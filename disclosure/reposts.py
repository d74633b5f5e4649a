"""Reposts 转载 of superior policies and interpretations within the deadline of R18.

A repost is registered (by staff, or queued by the feed importer), gets its deadline from the source's publication
time, and becomes a normal document that names its source and links to it; publishing that document stops the clock.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from catalog.models import Organisation
from catalog.workdays import WorkCalendar
from core import actors, workflow
from core.actors import StaffOrSystem
from core.errors import DUPLICATE, REASON_MISSING, Problem
from disclosure import permissions
from disclosure.models import Document, FeedSource, Repost, RepostEvent, SuperiorLevel
from disclosure.services import DocumentError, _may, document_create

DUPLICATE_TITLE_DAYS = 7
CLOCK_SKEW = dt.timedelta(minutes=10)
TRACKING = re.compile(r"^(utm_|spm$|from$|source$)")
NOT_TITLE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class RepostDeadline:
    due_at: dt.datetime
    provisional: bool
    rule: str


def repost_deadline(source_published_at: dt.datetime, *, calendar: WorkCalendar | None = None) -> RepostDeadline:
    """R18: 1 working day after the source's publication, i.e. by the end of the next working day on the R1
    calendar (a 调休 Saturday counts); or, where a province uses it, a number of clock hours."""
    amount, unit = settings.GOVOPEN_REPOST_DEADLINE
    if unit == "h":
        return RepostDeadline(source_published_at + dt.timedelta(hours=amount), False, _("%(n)s 小时") % {"n": amount})
    day = (calendar or WorkCalendar()).add_working_days(timezone.localtime(source_published_at).date(), amount)
    end = timezone.make_aware(dt.datetime.combine(day.value, dt.time(23, 59, 59)))
    return RepostDeadline(end, day.provisional, _("%(n)s 个工作日") % {"n": amount})


def url_key(url: str) -> str:
    """The same page whatever the scheme, ``www.``, trailing slash, fragment or tracking parameters."""
    parts = urlsplit((url or "").strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k.lower())))
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}{'?' + query if query else ''}"[:500]


def title_key(title: str) -> str:
    """Titles compared without spacing, punctuation or full-/half-width differences."""
    return NOT_TITLE.sub("", unicodedata.normalize("NFKC", title or "")).lower()[:300]


def find_duplicate(*, organisation: Organisation, source_url: str, title: str, at: dt.datetime) -> Repost | None:
    """The repost already registered for the same source: the same page, or the same title published within a
    week (superior policies travel through several portals, each with its own address)."""
    window = dt.timedelta(days=DUPLICATE_TITLE_DAYS)
    return (
        Repost.objects.filter(organisation=organisation)
        .filter(
            Q(url_key=url_key(source_url))
            | Q(title_key=title_key(title), source_published_at__range=(at - window, at + window))
        )
        .order_by("pk")
        .first()
    )


def registration_problems(
    *, source_url: str, title: str, source_organisation: str, at: dt.datetime | None, level: str
) -> list[str]:
    """What keeps a repost from being registered (R18), each named; the admin form asks the same."""
    return [
        str(p)
        for p in _registration_problems(
            source_url=source_url, title=title, source_organisation=source_organisation, at=at, level=level
        )
    ]


def _registration_problems(
    *, source_url: str, title: str, source_organisation: str, at: dt.datetime | None, level: str
) -> list[Problem | str]:
    """``registration_problems`` with their codes, for the service."""
    problems: list[Problem | str] = []
    if not (title or "").strip():
        problems.append(_("请填写标题。"))
    if not (source_organisation or "").strip():
        problems.append(_("请填写来源机构。"))
    if urlsplit(source_url or "").scheme not in ("http", "https"):
        problems.append(_("原文链接须以 http:// 或 https:// 开头。"))
    if at is None:
        problems.append(_("请填写来源发布时间。"))
    elif at > timezone.now() + CLOCK_SKEW:
        problems.append(Problem("source_time_future", _("来源发布时间不能晚于现在。"), "source_published_at"))
    if level not in SuperiorLevel.values:
        problems.append(_("请选择来源层级（国务院、省、市）。"))
    return problems


@transaction.atomic
def repost_register(
    *,
    organisation: Organisation,
    actor: StaffOrSystem,
    level: str,
    kind: str,
    source_organisation: str,
    source_url: str,
    title: str,
    source_published_at: dt.datetime | None,
    feed: FeedSource | None = None,
    feed_guid: str = "",
) -> Repost:
    """Register a superior policy or interpretation to repost; its deadline runs from the source time (R18)."""
    _may(lambda user: permissions.can_register_repost(user, organisation), actor)
    problems = _registration_problems(
        source_url=source_url, title=title, source_organisation=source_organisation, at=source_published_at, level=level
    )
    if problems:
        raise DocumentError(*problems)
    duplicate = find_duplicate(organisation=organisation, source_url=source_url, title=title, at=source_published_at)
    if duplicate is not None:
        raise DocumentError(
            Problem(
                DUPLICATE,
                _("已登记过：《%(title)s》（%(status)s，登记于 %(at)s）。")
                % {
                    "title": duplicate.title,
                    "status": duplicate.get_status_display(),
                    "at": timezone.localtime(duplicate.registered_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        )
    deadline = repost_deadline(source_published_at)
    repost = Repost(
        organisation=organisation,
        level=level,
        kind=kind or Repost.Kind.POLICY,
        source_organisation=source_organisation.strip(),
        source_url=source_url.strip(),
        url_key=url_key(source_url),
        title=title.strip()[:300],
        title_key=title_key(title),
        source_published_at=source_published_at,
        due_at=deadline.due_at,
        due_provisional=deadline.provisional,
        deadline_rule=deadline.rule,
        feed=feed,
        feed_guid=feed_guid[:500],
        registered_by=actors.staff_user(actor),
    )
    repost._history_user = actors.staff_user(actor)
    repost._change_reason = str(_("登记转载（来自订阅源）") if feed else _("登记转载"))
    try:
        with transaction.atomic():
            repost.save()
    except IntegrityError as exc:  # a concurrent registration of the same page won
        raise DocumentError(Problem(DUPLICATE, _("已登记过：《%(title)s》。") % {"title": repost.title})) from exc
    _event(repost, actor=actor, action=RepostEvent.Action.REGISTERED, before="", note=feed.name if feed else "")
    return repost


def _event(repost: Repost, *, actor: StaffOrSystem, action: str, before: str, note: str = "") -> RepostEvent:
    return workflow.event(
        RepostEvent, actor=actor, note=note, repost=repost, action=action, from_status=before, to_status=repost.status
    )


def _locked(repost: Repost) -> Repost:
    return workflow.lock(repost, "organisation")


def repost_body(repost: Repost) -> str:
    at = timezone.localtime(repost.source_published_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"<p>{escape(_('来源'))}：{escape(repost.source_organisation)}　{escape(_('发布时间'))}：{at}</p>"
        f'<p>{escape(_("原文链接"))}：<a href="{escape(repost.source_url)}">{escape(repost.source_url)}</a></p>'
    )


@transaction.atomic
def repost_draft(*, repost: Repost, actor: StaffOrSystem) -> Document:
    """The repost becomes a draft document of the organisation, naming its source and linking to it; it then goes
    through the normal review, and its publication stops the clock."""
    repost = _locked(repost)
    _may(lambda user: permissions.can_handle_repost(user, repost), actor)
    if repost.status != Repost.Status.QUEUED:
        raise DocumentError(_("该转载已有转载稿或已办结。"))
    document = document_create(
        organisation=repost.organisation,
        actor=actor,
        catalogue_nodes=[],
        changes={
            "title": repost.title,
            "issuer": repost.source_organisation,
            "written_on": timezone.localtime(repost.source_published_at).date(),
            "body": repost_body(repost),
            "attribute": Document.Attribute.PROACTIVE,
            # The superior interprets its own policy (R15): our copy is not one of our policies to interpret.
        },
    )
    repost.document, repost.status = document, Repost.Status.DRAFTED
    repost._history_user, repost._change_reason = actors.staff_user(actor), str(_("建立转载稿"))
    repost.save(update_fields=["document", "status"])
    _event(repost, actor=actor, action=RepostEvent.Action.DRAFTED, before=Repost.Status.QUEUED, note=document.index_no)
    return document


@transaction.atomic
def repost_dismiss(*, repost: Repost, actor: StaffOrSystem, reason: str) -> Repost:
    """Not every superior item concerns this organisation: declining it stops the clock, with a reason on record."""
    repost = _locked(repost)
    _may(lambda user: permissions.can_dismiss_repost(user, repost), actor)
    if repost.status != Repost.Status.QUEUED:
        raise DocumentError(_("只有待转载的条目可以不予转载。"))
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(Problem(REASON_MISSING, _("请写明不予转载的理由。"), "reason"))
    repost.status, repost.dismiss_reason = Repost.Status.DISMISSED, reason
    repost._history_user, repost._change_reason = actors.staff_user(actor), str(_("不予转载"))[:100]
    repost.save(update_fields=["status", "dismiss_reason"])
    _event(repost, actor=actor, action=RepostEvent.Action.DISMISSED, before=Repost.Status.QUEUED, note=reason)
    return repost


def repost_deadlines_refresh(*, calendar: WorkCalendar | None = None) -> int:
    """R2: open reposts whose deadline used a provisional year are recomputed once that year is loaded."""
    calendar = calendar or WorkCalendar()
    changed = 0
    for repost in Repost.objects.filter(status__in=Repost.OPEN_STATUSES, due_provisional=True):
        deadline = repost_deadline(repost.source_published_at, calendar=calendar)
        if (deadline.due_at, deadline.provisional) != (repost.due_at, repost.due_provisional):
            changed += Repost.objects.filter(pk=repost.pk, due_at=repost.due_at).update(
                due_at=deadline.due_at, due_provisional=deadline.provisional
            )
    return changed
