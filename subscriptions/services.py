"""Writes of the subscriptions: subscribe (double opt-in), confirm, unsubscribe, the office's deletion, and the daily
digest (prepared once per subscription and day, delivered through the outbox).

The address never reaches a log: errors are logged by the exception's type only, and a mail server's message is
masked (``core.logfilters.mask_personal_data``) before it is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import workflow
from core.actors import StaffOrSystem
from core.errors import Problems
from core.logfilters import mask_personal_data
from ops.outbox import outbox_enqueue
from ops.services import notifications_erase, notify_once
from subscriptions.models import DigestMail, Subscription
from subscriptions.selectors import (
    NewItem,
    Target,
    address_digest,
    confirm_url,
    new_items,
    normalise_email,
    subscription_by_link,
    target_of,
    unsubscribe_url,
)

logger = logging.getLogger(__name__)
Status = Subscription.Status
MAX_DELIVERY_ATTEMPTS = 5


class SubscriptionError(Problems):
    """A refused subscription step (core.errors); ``message`` is shown as it is."""


def _nonce() -> str:
    return secrets.token_hex(16)


def subscription_request(*, email: str, target: Target, now: dt.datetime | None = None) -> Subscription:
    """A citizen asks to follow ``target``: a pending subscription and a confirmation mail with a signed link
    (double opt-in). Asking again while pending sends a new link (the old one stops working); asking again once
    confirmed sends nothing, and the page says the same either way, so it tells nobody who follows what."""
    now = now or timezone.now()
    address = normalise_email(email)
    digest = address_digest(address)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update().filter(email_digest=digest, target_key=target.key).first()
        )
        if subscription is not None and subscription.status == Status.CONFIRMED:
            return subscription
        if subscription is None:
            subscription = Subscription(
                email=address,
                email_digest=digest,
                kind=target.kind,
                organisation=target.organisation,
                node=target.node,
                topic=target.topic,
                query=target.query,
                filters=target.filters,
                target_key=target.key,
            )
        subscription.nonce = _nonce()
        subscription.confirmation_sent_at = now
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # the same address and target at the same moment: the other request sends the mail
            return Subscription.objects.get(email_digest=digest, target_key=target.key)
        notify_once(
            key=f"{_confirm_key(subscription.pk)}{subscription.nonce[:12]}",
            recipients=[address],
            subject=_("请确认订阅：%(label)s") % {"label": _mail_label(target)},
            body=_confirmation_body(subscription, target),
        )
    return subscription


def _mail_label(target: Target) -> str:
    """What the confirmation mail calls the target. Not a saved search's words: the form sends this mail to any
    address typed in, and the site must not carry a stranger's text to it."""
    return _("按检索条件订阅的信息") if target.kind == Subscription.Kind.SEARCH else target.label


def _confirm_key(subscription_id: int) -> str:
    return f"subscription-confirm:{subscription_id}:"


def _erase(subscription_ids: list[int]) -> int:
    """Delete subscriptions with their confirmation mails (which hold the address too)."""
    for pk in subscription_ids:
        notifications_erase(key_prefix=_confirm_key(pk))
    deleted, _by_model = Subscription.objects.filter(pk__in=subscription_ids).delete()
    return deleted


def _confirmation_body(subscription: Subscription, target: Target) -> str:
    days = settings.GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS
    return _(
        "您好：\n\n有人（希望是您本人）在%(site)s申请用这个邮箱订阅“%(label)s”的更新。\n\n"
        "如确是您本人申请，请在 %(days)s 天内打开下面的链接并点击“确认订阅”：\n%(link)s\n\n"
        "确认后，每天有新信息时我们会发一封摘要邮件，每封邮件都附有退订链接。\n"
        "如果不是您本人申请，请忽略本邮件，我们不会再给您发送邮件。\n"
    ) % {
        "site": settings.GOVOPEN_SITE_NAME,
        "label": _mail_label(target),
        "days": days,
        "link": confirm_url(subscription),
    }


def subscription_confirm(*, subscription_id: int, nonce: str, now: dt.datetime | None = None) -> Subscription | None:
    """Confirm from the signed link; confirming twice changes nothing. None when the link's subscription is gone
    (unsubscribed, deleted, or asked again since, which made a new link)."""
    with transaction.atomic():
        subscription = subscription_by_link(subscription_id, nonce)
        if subscription is None:
            return None
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.status != Status.CONFIRMED:
            moment = now or timezone.now()
            subscription.status = Status.CONFIRMED
            subscription.confirmed_at = moment
            subscription.digest_since = moment  # the first digest holds what is published after confirming
            subscription.save(update_fields=["status", "confirmed_at", "digest_since"])
    return subscription


def subscription_unsubscribe(*, subscription_id: int, nonce: str) -> bool:
    """One-click unsubscribe (RFC 8058): the row, and with it the address and any unsent digest, is deleted.
    Unsubscribing twice is not an error; False when there was nothing left to delete."""
    with transaction.atomic():
        subscription = subscription_by_link(subscription_id, nonce)
        if subscription is None:
            return False
        deleted = _erase([subscription.pk])
    return bool(deleted)


def subscription_delete(*, subscription: Subscription, actor: StaffOrSystem) -> None:
    """The office deletes a subscription (a complaint, a bounced address): the same erasure as unsubscribing."""
    from subscriptions.permissions import can_delete_subscription

    workflow.authorise(
        lambda user: can_delete_subscription(user, subscription), actor, SubscriptionError, _("您没有删除订阅的权限。")
    )
    with transaction.atomic():
        _erase([subscription.pk])


def subscriptions_purge_unconfirmed(*, now: dt.datetime | None = None) -> int:
    """Pending subscriptions whose link has expired are deleted: an address nobody confirmed is not kept."""
    line = (now or timezone.now()) - dt.timedelta(days=settings.GOVOPEN_SUBSCRIPTION_CONFIRM_DAYS)
    with transaction.atomic():
        expired = list(
            Subscription.objects.filter(status=Status.PENDING, confirmation_sent_at__lt=line).values_list(
                "pk", flat=True
            )
        )
        return _erase(expired)


# --- The daily digest ----------------------------------------------------------------------------------------------


def digest_prepare(*, subscription_id: int, now: dt.datetime | None = None) -> DigestMail | None:
    """The digest of one subscription for today (Asia/Shanghai), or None: none is made twice for a day, none when
    nothing new was published, none while another run holds the subscription (skip-locked).

    The window ends ``GOVOPEN_SUBSCRIPTION_DIGEST_LAG_MINUTES`` before now: a publication is stamped when its
    transaction runs and visible when it commits (and searchable a moment later), so the lag keeps a record
    committed just after the run from falling between two windows."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    until = now - dt.timedelta(minutes=settings.GOVOPEN_SUBSCRIPTION_DIGEST_LAG_MINUTES)
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation", "node__organisation", "topic")
            .filter(pk=subscription_id, status=Status.CONFIRMED)
            .first()
        )
        if subscription is None or DigestMail.objects.filter(subscription=subscription, day=day).exists():
            return None
        since = subscription.digest_since or subscription.confirmed_at or now
        if until <= since:
            return None
        target = target_of(subscription)
        limit = settings.GOVOPEN_SUBSCRIPTION_DIGEST_ITEMS
        items = new_items(target, since=since, until=until, limit=limit + 1) if target is not None else []
        subscription.digest_since = until
        subscription.save(update_fields=["digest_since"])
        if not items:
            return None
        digest = DigestMail.objects.create(
            subscription=subscription,
            day=day,
            window_start=since,
            window_end=until,
            item_count=min(len(items), limit),
            subject=_("%(label)s有新信息（%(day)s）") % {"label": target.label, "day": day.isoformat()},
            body=_digest_body(subscription, target, items, limit=limit, since=since, until=until),
        )
        outbox_enqueue(task="subscriptions.tasks.deliver_digest", kwargs={"digest_id": digest.pk})
    return digest


def _digest_body(
    subscription: Subscription,
    target: Target,
    items: list[NewItem],
    *,
    limit: int,
    since: dt.datetime,
    until: dt.datetime,
) -> str:
    site = settings.GOVOPEN_SITE_URL
    lines = [
        _("您订阅的“%(label)s”在 %(start)s 至 %(end)s 有以下新信息：")
        % {
            "label": target.label,
            "start": f"{timezone.localtime(since):%Y-%m-%d %H:%M}",
            "end": f"{timezone.localtime(until):%Y-%m-%d %H:%M}",
        },
        "",
    ]
    for number, item in enumerate(items[:limit], start=1):
        lines += [
            f"{number}. {item.title}",
            f"   {item.organisation} · {timezone.localtime(item.published_at):%Y-%m-%d %H:%M}",
            f"   {site}{item.path}",
            "",
        ]
    if len(items) > limit:
        lines += [_("新信息较多，以上只列出最新的 %(n)s 条。") % {"n": limit}, ""]
    lines += [
        _("查看全部：%(url)s") % {"url": site + target.page_url},
        "",
        _("不想再收到这类邮件？点击退订（无需登录）：%(url)s") % {"url": unsubscribe_url(subscription)},
        _("本邮件由%(site)s自动发送，请勿直接回复。") % {"site": settings.GOVOPEN_SITE_NAME},
    ]
    return "\n".join(lines) + "\n"


def digest_deliver(*, digest_id: int) -> bool:
    """Send one unsent digest with the RFC 8058 one-click unsubscribe headers; a failure is recorded for the next
    run, never raised. Once sent, its text is dropped."""
    with transaction.atomic():
        digest = (
            DigestMail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=digest_id, sent_at__isnull=True)
            .first()
        )
        if digest is None:
            return False  # sent already, unsubscribed since (deleted with the subscription), or being sent now
        digest.attempts += 1
        subscription = digest.subscription
        # Listed again now, not as prepared: a retry may come days later, and a record withdrawn meanwhile must
        # not go out by mail. The window stays the one prepared.
        target = target_of(subscription)
        limit = settings.GOVOPEN_SUBSCRIPTION_DIGEST_ITEMS
        items = (
            new_items(target, since=digest.window_start, until=digest.window_end, limit=limit + 1)
            if target is not None
            else []
        )
        if not items:
            digest.sent_at, digest.body, digest.item_count = timezone.now(), "", 0
            digest.last_error = "所列信息已全部撤回，未发送"
            digest.save(update_fields=["attempts", "sent_at", "body", "item_count", "last_error"])
            return False
        body = _digest_body(
            subscription, target, items, limit=limit, since=digest.window_start, until=digest.window_end
        )
        link = unsubscribe_url(subscription)
        message = EmailMessage(
            subject=digest.subject,
            body=body,
            to=[subscription.email],
            headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        try:
            message.send()
        except Exception as exc:  # the mail server's failure must not lose the record
            digest.last_error = mask_personal_data(f"{type(exc).__name__}: {exc}")[:500]
            digest.save(update_fields=["attempts", "last_error"])
            logger.warning("subscription digest %s not sent: %s", digest.pk, type(exc).__name__)
            return False
        digest.sent_at = timezone.now()
        digest.last_error = ""
        digest.body = ""
        digest.save(update_fields=["attempts", "sent_at", "last_error", "body"])
        return True


def digests_retry() -> int:
    pending = DigestMail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_DELIVERY_ATTEMPTS)
    return sum(digest_deliver(digest_id=pk) for pk in pending.values_list("pk", flat=True))


def digests_run(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """The daily job: a digest for every confirmed subscription with something new, each in its own transaction,
    then a retry of earlier digests not yet sent and the purge of expired pending subscriptions. Safe to run twice
    or at once with itself: ``digest_prepare`` skips what another run holds or has already made for the day."""
    from subscriptions.selectors import subscriptions_due

    outcome = {"prepared": 0, "checked": 0}
    last = 0
    while True:
        ids = list(subscriptions_due().filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        for pk in ids:
            outcome["checked"] += 1
            if digest_prepare(subscription_id=pk, now=now) is not None:
                outcome["prepared"] += 1
        if len(ids) < batch:
            break
        last = ids[-1]
    outcome["retried"] = digests_retry()
    outcome["purged"] = subscriptions_purge_unconfirmed(now=now)
    return outcome
