"""Issue 17 §4: the statistics job run by two workers at once (its own module: the test commits, which the shared
records of tests/test_performance.py must not see)."""

from __future__ import annotations

import pytest

from performance.models import StatisticsSnapshot
from performance.services import statistics_refresh
from tests.conftest import run_twice_at_once


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_leave_one_snapshot_per_scope(org_a, org_b, work_calendar):
    """Two workers at the same moment, three times: the upsert on the unique scope lets the later commit win; on
    PostgreSQL each computation reads in its own REPEATABLE READ transaction (not inside a test transaction here)."""
    run_twice_at_once(statistics_refresh, rounds=3)
    assert sorted(StatisticsSnapshot.objects.values_list("scope", flat=True)) == sorted(
        ["all", f"org:{org_a.pk}", f"org:{org_b.pk}"]
    )
