"""``manage.py subscriptions_digest``: run the daily digest job now, in this process (its mails go through the
configured backend; the demo's console backend prints them). Safe to run twice: a subscription gets one digest a
day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ops.services import job_run
from subscriptions.services import digests_run


class Command(BaseCommand):
    help = "立即生成并发送今天的订阅摘要邮件（每个订阅每天最多一封）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with job_run(name="subscriptions-digest") as run:
            outcome = digests_run()
            run.summary = f"检查订阅 {outcome['checked']} 个，生成摘要 {outcome['prepared']} 封"
            run.details = outcome
        self.stdout.write(
            f"检查订阅 {outcome['checked']} 个，生成摘要 {outcome['prepared']} 封，发送 {outcome['retried']} 封，"
            f"清理未确认订阅 {outcome['purged']} 个。"
        )
