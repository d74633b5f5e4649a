"""Demo subscriptions: a citizen who follows 示范县统计局 (confirmed), so ``manage.py subscriptions_digest`` prints
a digest through the console mail backend of the demo; safe to run again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from catalog.selectors import disclosure_subjects
from disclosure.selectors import public_document_rows
from subscriptions.models import Subscription
from subscriptions.selectors import Target, address_digest
from subscriptions.services import subscription_confirm, subscription_request

DEMO_ADDRESS = "dingyue.demo@example.com"
DEMO_ORGANISATION = "SF00118"  # 示范县统计局 (catalog/demo.py)


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    organisation = disclosure_subjects().filter(code=DEMO_ORGANISATION).first()
    if organisation is None:
        return
    target = Target(Subscription.Kind.ORGANISATION, organisation=organisation)
    if Subscription.objects.filter(email_digest=address_digest(DEMO_ADDRESS), target_key=target.key).exists():
        return
    subscription = subscription_request(email=DEMO_ADDRESS, target=target)
    subscription_confirm(subscription_id=subscription.pk, nonce=subscription.nonce)
    # Historical demo: confirmed before the organisation's last few publications, so the first digest has content.
    newest = list(public_document_rows().filter(organisation=organisation).values_list("published_at", flat=True)[:5])
    start = min(newest) - dt.timedelta(minutes=1) if newest else timezone.now() - dt.timedelta(days=30)
    Subscription.objects.filter(pk=subscription.pk).update(confirmed_at=start, digest_since=start)
    write(f"订阅：{DEMO_ADDRESS} 已订阅 {organisation.name}（运行 manage.py subscriptions_digest 查看摘要邮件）")
