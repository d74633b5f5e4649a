"""Rebuild the whole search index from the public documents (R39): after a dictionary change or a restore."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from disclosure.search.index import search_rebuild

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "重建全文检索索引：索引全部公开文件，移除其余条目。默认每个 CPU 核一个进程。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jobs", type=int, default=None, help="并行进程数（默认：CPU 核数）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        interactive = self.stderr.isatty()
        last = [-1]

        def progress(done: int, total: int) -> None:
            share = done / total if total else 1.0
            tenth = int(share * 10)
            if not interactive and tenth == last[0] and done != total:
                return  # a log file gets a line per tenth, a terminal a bar that moves
            last[0] = tenth
            seconds = time.monotonic() - started
            rate = done / seconds if seconds else 0.0
            filled = int(share * BAR_WIDTH)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            line = f"[{bar}] {share:4.0%} {done}/{total} 件，{rate:.0f} 件/秒"
            self.stderr.write(f"\r{line}" if interactive else line, ending="" if interactive else "\n")
            if interactive and done == total:
                self.stderr.write("")

        indexed, removed = search_rebuild(jobs=options["jobs"], progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(f"已索引 {indexed} 件，移除 {removed} 件，用时 {seconds:.1f} 秒。")
