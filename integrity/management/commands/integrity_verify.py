"""Check the integrity log: the chain in the database (every hash recomputed, every link followed), optionally an
export file against itself and against the database, and optionally every public record's content against its
latest entry. Exits 1 (CommandError) at the first problem."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrity import selectors
from integrity.records import KINDS, content_hash
from integrity.verify import ChainReport, read_export, verify_entries


def _db_entries():
    for item in selectors.entries_in_order():
        yield {**item.public_fields(), "hash": item.hash}


class Command(BaseCommand):
    help = "校验发布存证的哈希链（数据库中的，或导出文件的），可选核对公开记录的当前内容。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--export", metavar="FILE", help="同时校验导出的 JSON Lines 文件，并与数据库逐条比对")
        parser.add_argument("--content", action="store_true", help="核对每条公开记录的当前内容与其最新存证的内容哈希")

    def handle(self, *args: Any, export: str | None, content: bool, **options: Any) -> None:
        report = verify_entries(_db_entries())
        self._check(report, "数据库中的发布存证")
        if export:
            with open(export, encoding="utf-8") as handle:
                file_report = verify_entries(read_export(handle))
            self._check(file_report, f"导出文件 {export}")
            if (file_report.head_seq, file_report.head_hash) != (report.head_seq, report.head_hash):
                if file_report.head_seq and report.head_seq and file_report.head_seq < report.head_seq:
                    self._prefix_check(export, file_report)
                else:
                    raise CommandError(
                        f"导出文件与数据库不一致：文件末条第 {file_report.head_seq} 条 {file_report.head_hash}，"
                        f"数据库末条第 {report.head_seq} 条 {report.head_hash}"
                    )
        if content:
            self._content_check()
        self.stdout.write(
            f"OK 发布存证完好：共 {report.count} 条，链头第 {report.head_seq} 条，哈希 {report.head_hash}"
        )

    def _check(self, report: ChainReport, what: str) -> None:
        if not report.ok:
            raise CommandError(
                f"{what}第 {report.first_broken} 条校验失败：{report.problem}（此前 {report.count} 条完好）"
            )

    def _prefix_check(self, export: str, file_report: ChainReport) -> None:
        # An older export: its head must still be in the chain, unchanged (a rewrite of history shows here).
        item = selectors.entry(file_report.head_seq)
        if item is None or item.hash != file_report.head_hash:
            raise CommandError(f"导出文件 {export} 的末条第 {file_report.head_seq} 条与数据库中的不一致：历史被改写")

    def _content_check(self) -> None:
        drifted = []
        for type_, kind in KINDS.items():
            for record in kind.public().order_by("pk").iterator(chunk_size=500):
                latest = selectors.Entry.objects.filter(record_type=type_, record_id=record.pk).order_by("-seq").first()
                if latest is None or latest.kind == latest.Kind.WITHDRAWN:
                    drifted.append(f"{kind.path(record)}（无存证）")
                elif content_hash(kind, record) != latest.content_sha256 or kind.files(record) != latest.files:
                    drifted.append(f"{kind.path(record)}（内容与第 {latest.seq} 条存证不符）")
        if drifted:
            raise CommandError("公开记录与存证不符：" + "；".join(drifted[:50]))
