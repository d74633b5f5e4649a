"""``manage.py opendata_export``: build and publish the open-data files now (the nightly job's service).

``--to DIR`` writes the files into DIR without publishing anything (no lock, no row, nothing written to the
database) and prints rows, size, SHA-256, seconds and the process's peak memory: a dry run, and how the export is
measured against a large read-only database."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from opendata.models import ExportKind
from opendata.services import STEMS, export_build, open_data_export


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Command(BaseCommand):
    help = "生成开放数据文件（主动公开政府信息目录、年度报告统计表），或用 --to 只写到指定目录试运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="只把文件写到这个目录，不发布、不写数据库（试运行、测量）")
        parser.add_argument(
            "--kind",
            choices=[k.value for k in ExportKind],
            action="append",
            help="只写这个数据集（可重复；仅用于 --to）",
        )

    def handle(self, *args: Any, to: Path | None, kind: list[str] | None, **options: Any) -> None:
        if to is None:
            if kind:
                raise CommandError("--kind 只能与 --to 一起使用：发布时总是生成全部文件")
            files = open_data_export()
            if files is None:
                raise CommandError("另一次导出正在进行，本次未执行。")
            for f in files:
                self.stdout.write(f"{f.name}\t{f.rows} 行\t{filesizeformat(f.size)}\tsha256 {f.sha256}")
            return
        self._dry_run(to, kinds=kind or [k.value for k in ExportKind])

    def _dry_run(self, directory: Path, *, kinds: list[str]) -> None:
        if not directory.is_dir():
            raise CommandError(f"目录 {directory} 不存在")
        before = _peak_mib()
        started = time.monotonic()
        # One read-only transaction: on PostgreSQL the rows then stream from a server-side cursor.
        with transaction.atomic():
            built = export_build(directory=directory, now=timezone.now(), kinds=kinds)
        seconds = time.monotonic() - started
        for item in built:
            target = directory / f"{STEMS[item.kind]}.{item.format}"
            os.replace(item.written.path, target)
            self.stdout.write(
                f"{target}\trows={item.written.rows}\tbytes={item.written.size}\tsha256={item.written.sha256}"
            )
        self.stdout.write(f"seconds={seconds:.1f}\tpeak_rss_mib={_peak_mib():.1f}\tpeak_rss_before_mib={before:.1f}")
