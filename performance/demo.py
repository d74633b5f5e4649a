"""Demo of issue 17 §4: the statistics snapshot computed from the demo's applications and documents, so
/statistics/ has numbers at once (the nightly job would do the same). Last in ``DEMO_LOADERS``: it reads what the
other loaders made. Safe to run again: each run replaces the snapshots."""

from __future__ import annotations

from collections.abc import Callable

from performance.services import statistics_refresh


def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    stored = statistics_refresh()
    write(f"工作统计：已计算 {stored} 个统计快照（/statistics/）")
