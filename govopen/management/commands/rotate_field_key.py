"""Re-encrypt every encrypted personal-data value (applicants', error reporters' contacts, notification recipients)
with the newest key and recompute the blind indexes.

Usage (PIPL Art 28 key rotation):
  1. generate a key: python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'
  2. put it first in GOVOPEN_FIELD_KEYS (new,old) and restart the web and worker processes;
  3. run ``manage.py rotate_field_key``; it works in batches and may be stopped and run again;
  4. remove the old key from GOVOPEN_FIELD_KEYS and restart.
After changing GOVOPEN_BLIND_INDEX_KEY, run it too: it recomputes every blind index. It also applies a changed
GOVOPEN_ENCRYPTED_FIELDS (encrypting newly listed fields, writing unlisted ones back as plaintext).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from core.crypto import reencrypt_table
from errorreports.models import CONTACT_FIELDS, ErrorReport
from ops.models import Notification
from requests_app.models import InformationRequest


class Command(BaseCommand):
    help = "用最新的字段加密密钥重新加密申请人和找错留言人的个人信息以及通知收件人，并重算盲索引。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            self.stderr.write("--batch-size 应为正整数。")
            raise SystemExit(2)
        fields = [InformationRequest._meta.get_field(name) for name in ("id_number", "phone", "email", "address")]
        contact = [ErrorReport._meta.get_field(name) for name in CONTACT_FIELDS]
        tables = [
            (
                InformationRequest._meta.db_table,
                {field.column: field.setting_key for field in fields},
                {"blind_index_column": "id_blind_index", "blind_index_sources": ("id_type", "id_number")},
            ),
            (ErrorReport._meta.db_table, {field.column: field.setting_key for field in contact}, {}),
            (Notification._meta.db_table, {"recipients": None}, {}),
        ]
        for table, columns, extra in tables:
            counts = reencrypt_table(connection, table=table, columns=columns, batch_size=batch_size, **extra)
            self.stdout.write(
                f"{table}: 重新写入 {counts.rewritten} 个值，已是最新 {counts.current} 个，空值 {counts.empty} 个，"
                f"重算盲索引 {counts.reindexed} 行"
            )
