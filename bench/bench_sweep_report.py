#!/usr/bin/env python
"""Benchmark of the deadline sweep and the annual report at provincial scale (issue 15, goal 5).

    nice -n 10 .venv/bin/python bench/bench_sweep_report.py --scale 1000000 [--old /dir/with/old_sweep.py+old_tables.py]

Without DATABASE_URL it starts a private PostgreSQL cluster and Redis server on free loopback ports under a
temporary directory (as scripts/test does; the cluster belongs to the ``postgres`` user when run as root), runs
everything against them, and removes them at the end. With DATABASE_URL and REDIS_URL set it uses those (the
database must be empty: it is migrated and filled here).

The database (``--scale N``), on "today" = 2026-03-23, a Monday, with the official calendars loaded:
- N open applications, accepted and running: 1% cross a threshold today (0.4% five working days left, 0.3% one
  day left, 0.3% overdue since yesterday), 1% overdue for weeks with their escalation already recorded (the backlog
  the sweep must pass over), 0.5% paused by a consultation started three working days ago (stored date as the
  service left it then), the rest quiet (6 to 19 working days left);
- N concluded applications received over 2016–2025 (replied, closed, abandoned, withdrawn; every Table 三 outcome
  and applicant type; 1% paid a fee), and 10 applications in 2015.
Rows are copied in SQL (generate_series) from 100 template rows saved through the ORM, so the encrypted fields and
the blind index are valid for the configured keys.

Printed: one sweep run (the 1% sent), the second run (nothing sent), a run after a calendar change (every open case
recomputed), the annual report of 2025 and of 2015 (10 applications), the cached draft, each with its peak RSS
(each phase runs in a fresh process). ``--old DIR`` also times the previous implementations loaded from
DIR/old_sweep.py and DIR/old_tables.py (``git show <commit>:requests_app/sweep.py > DIR/old_sweep.py``); the old
sweep reads every open case, so it is run on ``--old-sweep-cases`` of them and the full run extrapolated.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import importlib.util
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 3, 23)
REPORT_YEAR, SMALL_YEAR = 2025, 2015


# --- Private servers --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else cmd


def with_private_servers(argv: list[str]) -> int:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    tmp = Path(tempfile.mkdtemp(prefix="govopen-bench-sweep."))
    tmp.chmod(0o755)
    pg_port, redis_port = _free_port(), _free_port()
    if os.getuid() == 0:
        subprocess.run(["id", "postgres"], check=True, capture_output=True)
        subprocess.run(["install", "-d", "-o", "postgres", str(tmp / "pg")], check=True)
    else:
        (tmp / "pg").mkdir()
    data = tmp / "pg" / "data"
    try:
        subprocess.run(
            _as_pg(
                [
                    str(pg_bin / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "govopen",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {pg_port} -k {tmp / 'pg'} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_buffers=512MB -c maintenance_work_mem=256MB -c max_wal_size=4GB"
        )
        subprocess.run(
            _as_pg(
                [str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(tmp / "pg" / "log"), "-w", "start", "-o", options]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_pg([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(pg_port), "-U", "govopen", "govopen"]),
            check=True,
        )
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(tmp),
                "--pidfile",
                str(tmp / "redis.pid"),
                "--logfile",
                str(tmp / "redis.log"),
            ],
            check=True,
        )
        time.sleep(0.5)
        key = lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()  # noqa: E731
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://govopen@127.0.0.1:{pg_port}/govopen",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SECRET_KEY": "bench-" + os.urandom(16).hex(),
            "GOVOPEN_FIELD_KEYS": key(),
            "GOVOPEN_BLIND_INDEX_KEY": key(),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "GOVOPEN_VAR_DIR": str(tmp / "var"),
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "DATABASE_CONN_MAX_AGE": "60",
        }
        return subprocess.run([sys.executable, __file__, *argv], env=env).returncode
    finally:
        subprocess.run(
            _as_pg([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        pid = tmp / "redis.pid"
        if pid.exists():
            with contextlib.suppress(OSError, ValueError):  # already gone, or the pid file half-written
                os.kill(int(pid.read_text().strip()), 15)
        shutil.rmtree(tmp, ignore_errors=True)


# --- Phases (each in its own process, so peak RSS is the phase's) --------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govopen.settings")
    import django

    django.setup()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def working_days_before(calendar, day: dt.date, n: int) -> dt.date:
    while n:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def paused_dates(calendar) -> list[tuple[dt.date, dt.date, dt.date]]:
    """The paused cases' facts, in ~45 combinations: received 10 to 19 working days ago, consultation sent 1 to 9
    working days ago (after the receipt), and the due date the service stored on that day (stale today: the day's
    first sweep moves it)."""
    from requests_app.deadlines import compute_deadline
    from requests_app.models import Consultation, InformationRequest

    combinations = []
    for back in range(10, 20):
        received = working_days_before(calendar, TODAY, back)
        for ago in range(1, 10, 2):
            consulted_on = working_days_before(calendar, TODAY, ago)
            probe = InformationRequest(received_on=received, channel="in_person", status="accepted")
            stale = compute_deadline(
                probe,
                today=consulted_on,
                calendar=calendar,
                consultations=[Consultation(pk=0, kind="third_party", started_on=consulted_on)],
            )
            combinations.append((received, consulted_on, stale.due))
    return combinations


def reset() -> dict:
    """Back to the state right after the build: the sweeps' notifications and outbox rows gone, the paused cases'
    facts spread over their combinations with the stale stored dates, the sweep's memory cleared (so one database
    serves many runs)."""
    from django.core.cache import cache
    from django.db import connection

    from catalog.workdays import WorkCalendar
    from requests_app.models import Consultation, InformationRequest

    combinations = paused_dates(WorkCalendar())
    k = len(combinations)
    values = ", ".join(["(%s, %s::date, %s::date, %s::date)"] * k)
    params = [
        value for i, (received, consulted, due) in enumerate(combinations) for value in (i, received, consulted, due)
    ]
    requests, consultations = InformationRequest._meta.db_table, Consultation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ops_notification WHERE body <> '（基准数据）'")
        cursor.execute("DELETE FROM ops_outboxmessage")
        cursor.execute(
            f"UPDATE {requests} AS r SET received_on = v.received, arrived_on = v.received, due_on = v.due, "
            f"clock = 'paused_consultation' FROM (VALUES {values}) AS v (k, received, consulted, due) "
            f"WHERE r.id IN (SELECT request_id FROM {consultations}) AND MOD(r.id, {k}) = v.k",
            params,
        )
        cursor.execute(
            f"UPDATE {consultations} AS c SET started_on = v.consulted FROM (VALUES {values}) AS v (k, received, "
            f"consulted, due) WHERE MOD(c.request_id, {k}) = v.k",
            params,
        )
    cache.clear()
    return {"phase": "reset", "paused_combinations": k}


def build(scale: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import Organisation
    from catalog.services import calendar_load_package
    from catalog.workdays import WorkCalendar
    from core.actors import System
    from requests_app.models import REPORT_ROWS, ApplicantType, Consultation, InformationRequest

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    calendar_load_package(actor=System("bench"))
    organisation = Organisation.objects.create(
        code="B001", name="基准市人民政府办公室", kind=Organisation.Kind.DEPARTMENT
    )
    handler = get_user_model().objects.create(username="bench-handler", email="handler@example.gov.cn")
    templates = InformationRequest.objects.bulk_create(
        [
            InformationRequest(
                organisation=organisation,
                handler=handler,
                tracking_code=f"TPL-{i:03d}",
                secret_hash="0" * 64,
                applicant_type=list(ApplicantType)[i % 6],
                applicant_name=f"申请人{i}",
                id_type="passport",
                id_number=f"E{i:08d}",
                phone=f"1380000{i:04d}",
                email=f"a{i}@example.com",
                address=f"甲市中山路 {i} 号",
                description="请提供本市共享单车停放点位设置方案。",
                information_form="electronic",
                delivery="online",
                status="closed",
                outcome="open",
                received_on=dt.date(2000, 1, 1),
                closed_on=dt.date(2000, 1, 1),
            )
            for i in range(100)
        ]
    )
    base = templates[0].pk
    calendar = WorkCalendar()
    columns = [f.column for f in InformationRequest._meta.concrete_fields if f.column != "id"]
    table = InformationRequest._meta.db_table

    def insert(n: int, overrides: dict[str, str], offset: int) -> None:
        """``n`` rows copied from the templates, with ``overrides`` (SQL expressions over g, 0..n-1)."""
        if n <= 0:
            return
        select = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in columns)}) "
                f"SELECT {select} FROM generate_series(0, {n - 1}) g JOIN {table} t ON t.id = {base} + (g % 100)",
            )

    def open_cases(n: int, received: dt.date, offset: int, *, clock: str = "running", due: dt.date | None) -> None:
        insert(
            n,
            {
                "tracking_code": f"'OPN-{offset:08d}-' || g",
                "status": "'accepted'",
                "outcome": "''",
                "received_on": f"DATE '{received}'",
                "arrived_on": f"DATE '{received}'",
                "closed_on": "NULL",
                "submitted_at": f"TIMESTAMPTZ '{received} 09:00+08'",
                "created_at": "now()",
                "updated_at": "now()",
                "due_on": f"DATE '{due}'" if due else "NULL",
                "clock": f"'{clock}'",
                "due_provisional": "false",
            },
            offset,
        )

    # Open cases: received on the day that puts their due date at each distance from today.
    n_five, n_one, n_over = scale * 4 // 1000, scale * 3 // 1000, scale * 3 // 1000
    n_backlog, n_paused = scale // 100, scale // 200
    n_quiet = scale - n_five - n_one - n_over - n_backlog - n_paused
    offset = 0
    for n, back in ((n_five, 15), (n_one, 19), (n_over, 21)):
        received = working_days_before(calendar, TODAY, back)
        open_cases(n, received, offset, due=calendar.add_working_days(received, 20).value)
        offset += 1
    quiet_days = list(range(1, 15))  # 6..19 working days left
    for i, back in enumerate(quiet_days):
        received = working_days_before(calendar, TODAY, back)
        share = n_quiet // len(quiet_days) + (1 if i < n_quiet % len(quiet_days) else 0)
        open_cases(share, received, offset, due=calendar.add_working_days(received, 20).value)
        offset += 1
    backlog_received = working_days_before(calendar, TODAY, 45)
    backlog_due = calendar.add_working_days(backlog_received, 20).value
    open_cases(n_backlog, backlog_received, offset, due=backlog_due)
    offset += 1
    paused_received, consulted_on, stale_due = paused_dates(calendar)[0]  # spread over the others by reset()
    open_cases(n_paused, paused_received, offset, clock="paused_consultation", due=stale_due)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Consultation._meta.db_table} (request_id, kind, party, matter, started_on, answer, answer_note) "
            f"SELECT id, 'third_party', '某科技有限公司', '', DATE '{consulted_on}', '', '' FROM {table} "
            f"WHERE tracking_code LIKE 'OPN-{offset:08d}-%%'"
        )
        # The backlog's escalations were sent on earlier days.
        from ops.models import Notification

        recipients = Notification._meta.get_field("recipients").get_db_prep_value([handler.email], connection)
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} (key, recipients, subject, body, created_at, sent_at, attempts, "
            "last_error) SELECT 'request:' || id || ':overdue:' || due_on, %s, '申请逾期未答复', '（基准数据）', now(), now(), "
            f"1, '' FROM {table} WHERE tracking_code LIKE 'OPN-{offset - 1:08d}-%%'",
            [recipients],
        )
    # Concluded applications over 2016–2025, and ten in 2015.
    outcomes = list(REPORT_ROWS)
    outcome_sql = "(ARRAY[" + ", ".join(f"'{o}'" for o in outcomes) + f"])[1 + g % {len(outcomes)}]"
    status_sql = (
        "(CASE WHEN g % 20 = 1 THEN 'closed' WHEN g % 20 = 2 THEN 'abandoned' WHEN g % 20 = 3 "
        "THEN 'withdrawn' ELSE 'replied' END)"
    )

    def concluded(n: int, first: dt.date, days: int, prefix: str) -> None:
        # In the order they came: rows of one year sit together, as in a table filled over the years.
        received = f"(DATE '{first}' + (g::bigint * {days} / {n})::int)"
        finished = f"({received} + 5 + g % 36)"
        insert(
            n,
            {
                "tracking_code": f"'{prefix}-' || g",
                "status": status_sql,
                "outcome": outcome_sql,
                "received_on": received,
                "arrived_on": received,
                "submitted_at": f"({received} + TIME '09:00')::timestamptz",
                "replied_on": f"(CASE WHEN g % 20 IN (2, 3) THEN NULL ELSE {finished} END)",
                "closed_on": f"(CASE WHEN g % 20 IN (1, 2, 3) THEN {finished} ELSE NULL END)",
                "fee_amount": "(CASE WHEN g % 100 = 7 THEN 100 ELSE 0 END)",
                "fee_paid_on": f"(CASE WHEN g % 100 = 7 THEN {received} + 3 ELSE NULL END)",
                "due_on": "NULL",
                "clock": "'stopped'",
                "created_at": "now()",
                "updated_at": "now()",
            },
            0,
        )

    concluded(scale, dt.date(2016, 1, 1), (dt.date(2025, 12, 1) - dt.date(2016, 1, 1)).days, "OLD")
    concluded(10, dt.date(2015, 3, 1), 200, "Y15")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE tracking_code LIKE 'TPL-%%'")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE status = 'accepted') FROM {table}")
        total, open_total = cursor.fetchone()
    reset()
    return {
        "phase": "build",
        "seconds": round(time.monotonic() - started, 1),
        "applications": total,
        "open": open_total,
        "peak_rss_mib": round(peak_rss_mib()),
    }


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, round(time.perf_counter() - started, 3)


def sweep_phase() -> dict:
    from django.core.cache import cache
    from django.urls import reverse

    from requests_app.sweep import CALENDAR_SEEN_KEY, calendar_signature, requests_sweep

    # Earlier runs saw this calendar (yesterday's runs, not today's: this is the day's first run).
    cache.set(f"{CALENDAR_SEEN_KEY}:{calendar_signature()}", 1, None)
    reverse("admin:requests_app_informationrequest_change", args=[1])  # a worker has its URLconf loaded already
    baseline = peak_rss_mib()
    if os.environ.get("BENCH_PROFILE"):  # where the first run spends its time, on stderr
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        first, first_s = _timed(profiler.runcall, requests_sweep, today=TODAY)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(
            os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        ).print_stats(30)
    else:
        first, first_s = _timed(requests_sweep, today=TODAY)
    second, second_s = _timed(requests_sweep, today=TODAY)
    return {
        "phase": "sweep",
        "first_run_s": first_s,
        "first_run": dict(first),
        "second_run_s": second_s,
        "second_run": dict(second),
        "baseline_rss_mib": round(baseline),
        "peak_rss_mib": round(peak_rss_mib()),
    }


def full_refresh_phase() -> dict:
    from django.core.cache import cache

    from requests_app.sweep import requests_sweep

    cache.clear()  # as after a calendar year is loaded (a new signature), or on a new deployment
    counts, seconds = _timed(requests_sweep, today=TODAY)
    return {
        "phase": "sweep after a calendar change",
        "seconds": seconds,
        "counts": dict(counts),
        "peak_rss_mib": round(peak_rss_mib()),
    }


def report_phase(year: int, *, cached: bool) -> dict:
    from audits.reports import draft_numbers
    from audits.tables import compute
    from catalog.models import Organisation

    organisation = Organisation.objects.get(code="B001")
    baseline = peak_rss_mib()
    data, seconds = _timed(compute, organisation=organisation, year=year)
    result = {
        "phase": f"annual report {year}",
        "seconds": seconds,
        "new": data["table_three"]["new"][-1],
        "carried_in": data["table_three"]["carried_in"][-1],
        "baseline_rss_mib": round(baseline),
        "peak_rss_mib": round(peak_rss_mib()),
    }
    if cached:
        draft_numbers(organisation=organisation, year=year)
        _data, result["cached_draft_s"] = _timed(draft_numbers, organisation=organisation, year=year)
    return result


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def old_report_phase(old: Path, year: int) -> dict:
    from catalog.models import Organisation

    tables = _load(old / "old_tables.py", "old_tables")
    organisation = Organisation.objects.get(code="B001")
    baseline = peak_rss_mib()
    data, seconds = _timed(tables.compute, organisation=organisation, year=year)
    return {
        "phase": f"OLD annual report {year}",
        "seconds": seconds,
        "new": data["table_three"]["new"][-1],
        "baseline_rss_mib": round(baseline),
        "peak_rss_mib": round(peak_rss_mib()),
    }


def old_sweep_phase(old: Path, cases: int) -> dict:
    """The old sweep visits every open case; timed on ``cases`` of them (the others hidden in a transaction that is
    rolled back), and extrapolated to all."""
    from django.db import connection, transaction

    from requests_app.models import InformationRequest

    sweep = _load(old / "old_sweep.py", "old_sweep")
    open_total = InformationRequest.objects.filter(status__in=sweep.SWEPT_STATUSES).count()
    with transaction.atomic():
        keep = list(
            InformationRequest.objects.filter(status__in=sweep.SWEPT_STATUSES)
            .order_by("?")
            .values_list("pk", flat=True)[:cases]
        )
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_keep (id bigint PRIMARY KEY)")
            cursor.execute("INSERT INTO bench_keep SELECT unnest(%s::bigint[])", [keep])
            cursor.execute(
                f"UPDATE {InformationRequest._meta.db_table} SET status = 'closed' WHERE status IN "
                "('submitted', 'accepted', 'awaiting_correction') AND id NOT IN (SELECT id FROM bench_keep)"
            )
        counts, seconds = _timed(sweep.requests_sweep, today=TODAY)
        transaction.set_rollback(True)
    per_case_ms = seconds / cases * 1000
    return {
        "phase": "OLD sweep",
        "cases": cases,
        "seconds": seconds,
        "per_case_ms": round(per_case_ms, 2),
        "extrapolated_full_run_s": round(per_case_ms * open_total / 1000),
        "counts": dict(counts),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="open applications, and as many concluded ones")
    parser.add_argument("--old", type=Path, help="directory with old_sweep.py and old_tables.py to time as well")
    parser.add_argument("--old-sweep-cases", type=int, default=5000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        setup_django()
        if args.phase == "build":
            result = build(args.scale)
        elif args.phase == "reset":
            result = reset()
        elif args.phase == "sweep":
            result = sweep_phase()
        elif args.phase == "full-refresh":
            result = full_refresh_phase()
        elif args.phase.startswith("report-"):
            year = int(args.phase.split("-")[1])
            result = report_phase(year, cached=year == REPORT_YEAR)
        elif args.phase.startswith("old-report-"):
            result = old_report_phase(args.old, int(args.phase.split("-")[2]))
        elif args.phase == "old-sweep":
            result = old_sweep_phase(args.old, args.old_sweep_cases)
        else:
            raise SystemExit(f"unknown phase {args.phase}")
        print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
        return 0
    if "DATABASE_URL" not in os.environ:
        return with_private_servers(sys.argv[1:])
    # BENCH_PHASES="reset sweep" reruns phases on a database built before (DATABASE_URL set, no build).
    phases = (
        os.environ.get("BENCH_PHASES") or f"build sweep full-refresh report-{REPORT_YEAR} report-{SMALL_YEAR}"
    ).split()
    if args.old and not os.environ.get("BENCH_PHASES"):
        phases += [f"old-report-{REPORT_YEAR}", f"old-report-{SMALL_YEAR}", "old-sweep"]
    for phase in phases:
        command = [
            sys.executable,
            __file__,
            "--scale",
            str(args.scale),
            "--phase",
            phase,
            "--old-sweep-cases",
            str(args.old_sweep_cases),
        ]
        if args.old:
            command += ["--old", str(args.old)]
        if subprocess.run(command).returncode:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
