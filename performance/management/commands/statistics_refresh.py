"""Recompute the public statistics now (the nightly job does the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ops.services import job_run
from performance.services import statistics_refresh


class Command(BaseCommand):
    help = "重新计算政务公开工作统计（与每晚的任务相同）。"

    def handle(self, *args: object, **options: object) -> None:
        with job_run(name="statistics-refresh") as job:
            stored = statistics_refresh()
            job.summary = f"{stored} statistics snapshots"
        self.stdout.write(f"{stored} statistics snapshots stored")
