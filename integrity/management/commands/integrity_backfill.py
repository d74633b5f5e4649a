"""Register every public record that has no live entry in the integrity log (存量登记): run once after deploying
the log, and again after any bulk load that bypassed the publishing services. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from integrity.services import integrity_backfill


class Command(BaseCommand):
    help = "为尚无发布存证的公开记录补记存量登记条目（可重复运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        appended = integrity_backfill()
        self.stdout.write(f"发布存证存量登记：新增 {appended} 条")
