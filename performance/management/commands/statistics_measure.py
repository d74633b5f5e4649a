"""Compute the statistics without storing them (``compute_all`` reads in a read-only transaction) and print the
time and the peak memory: the measurement of docs/statistics.md, safe on a database nobody may write to."""

from __future__ import annotations

import json
import resource
import time

from django.core.management.base import BaseCommand

from performance.figures import compute_all


class Command(BaseCommand):
    help = "计算政务公开工作统计但不保存（只读），显示耗时和内存峰值。"

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        figures = compute_all()  # in one REPEATABLE READ, READ ONLY transaction on PostgreSQL
        seconds = time.monotonic() - started
        size = sum(len(json.dumps(data, default=str)) for data in figures.values())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self.stdout.write(f"{len(figures)} scopes, {seconds:.1f} s, peak RSS {peak} MB, {size} bytes of JSON")
