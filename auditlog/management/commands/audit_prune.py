"""Delete audit rows older than a date, never younger than the retention period (网络安全法 Art 21)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditlog.services import AuditError, audit_prune
from core.actors import System


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” 不是日期，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "清理某日之前的安全审计日志（不得短于保存期限），保留的记录仍可校验。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, help="清理此日期（YYYY-MM-DD，本地时间零点）之前的记录")

    def handle(self, *args: Any, before: str, **options: Any) -> None:
        try:
            deleted = audit_prune(before=_date(before), actor=System("audit_prune"))
        except AuditError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已清理 {deleted} 条审计日志记录")
