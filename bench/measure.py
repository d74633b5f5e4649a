#!/usr/bin/env python
"""Measure every page class against the bare view: run by bench/run, which starts both servers.

For each class, in order:
1. queries per request: one in-process request through Django's test client (same settings and database as the
   served portal, DEBUG off), counted with CaptureQueriesContext, under a 30 s statement timeout;
2. single-client latency: sequential requests with a 30 s timeout (20, fewer for slow pages), p50 and p95, after
   ``--warmup`` unmeasured ones (both workers have served the page, its rows are in the database's memory: the
   first request after a server start is not what a visitor of a running site waits); a page whose first request
   times out is reported as "timeout" and not loaded further;
3. throughput: ``wrk -t2 -c16 -d10s --timeout 10s`` on the bare view, then on the page, ``--rounds`` times; the
   medians of both and the ratio of the medians;
4. peak worker RSS: the largest VmHWM of the portal's gunicorn workers after the class (peaks only grow).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govopen.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import page_classes  # noqa: E402

REQUEST_TIMEOUT = 30.0
WRK_TIMEOUT = "10s"


@dataclass
class Result:
    name: str
    path: str
    status: str = "ok"
    queries: int | None = None
    p50: float | None = None
    p95: float | None = None
    rps: list[float] = field(default_factory=list)
    bare_rps: list[float] = field(default_factory=list)
    errors: int = 0
    rss_mib: float | None = None

    @property
    def rps_median(self) -> float | None:
        return statistics.median(self.rps) if self.rps else None

    @property
    def bare_median(self) -> float | None:
        return statistics.median(self.bare_rps) if self.bare_rps else None


def wrk(url: str, duration: int) -> tuple[float, int, int]:
    """(requests/s, completed requests, timeouts + non-2xx/3xx) of one wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", WRK_TIMEOUT, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    completed = int(re.search(r"(\d+) requests in", out).group(1))
    timeouts = re.search(r"timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = (int(timeouts.group(1)) if timeouts else 0) + (int(non2xx.group(1)) if non2xx else 0)
    return rps, completed, errors


def timed_get(url: str) -> float | None:
    """Seconds for one complete response, None on timeout; raises on a non-200 answer."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: HTTP {response.status}")
    except (TimeoutError, urllib.error.URLError) as exc:
        if isinstance(exc, urllib.error.HTTPError):
            raise RuntimeError(f"{url}: HTTP {exc.code}") from exc
        if "timed out" in str(exc) or isinstance(exc, TimeoutError):
            return None
        raise
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def worker_rss_mib(pidfile: str) -> float | None:
    """The largest peak resident set (VmHWM) among the children of the gunicorn master."""
    try:
        master = int(Path(pidfile).read_text().strip())
    except (OSError, ValueError):
        return None
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"PPid:\s+(\d+)", text)
        hwm = re.search(r"VmHWM:\s+(\d+) kB", text)
        if ppid and hwm and int(ppid.group(1)) == master:
            peak = max(peak, int(hwm.group(1)))
    return peak / 1024 if peak else None


def count_queries(path: str) -> int | None:
    client = Client()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = %s", [int(REQUEST_TIMEOUT * 1000)])
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
    except Exception as exc:
        if "statement timeout" in str(exc):
            connection.close()
            return None
        raise
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code} in process")
    return len(queries)


def wait_idle(limit: float = 90.0) -> None:
    """Wait until no other database session is running a query: requests wrk left queued on a slow page would
    otherwise still be eating the CPU during the next bare round."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.5)
    time.sleep(1)


def measure(name: str, path: str, args: argparse.Namespace) -> Result:
    result = Result(name, path)
    url = args.portal + path
    result.queries = count_queries(path)
    first = timed_get(url)
    if first is None or result.queries is None:
        result.status = "timeout"
        result.rss_mib = worker_rss_mib(args.portal_pidfile)
        return result
    for _ in range(args.warmup):
        if timed_get(url) is None:
            break
    samples: list[float] = []
    budget = max(3, min(args.samples, int(20 / max(first, 1e-3))))
    while len(samples) < budget:
        seconds = timed_get(url)
        if seconds is None:
            result.status = "timeout"
            break
        samples.append(seconds)
    result.p50, result.p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    for _round in range(args.rounds):
        bare_rps, _completed, _errors = wrk(args.bare + "/", args.duration)
        rps, completed, errors = wrk(url, args.duration)
        wait_idle()
        result.bare_rps.append(bare_rps)
        result.rps.append(rps if completed else 0.0)
        result.errors += errors
    result.rss_mib = worker_rss_mib(args.portal_pidfile)
    return result


def fmt_ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def table(results: list[Result]) -> str:
    lines = [
        "| class | path | req/s | bare req/s | ratio | p50 | p95 | queries | peak worker RSS | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        rps, bare = r.rps_median, r.bare_median
        ratio = f"{rps / bare * 100:.1f}%" if rps is not None and bare else "—"
        notes = []
        if r.status == "timeout":
            notes.append("timeout (no response within 30 s)" if r.p50 is None else "some requests timed out")
        if r.errors:
            notes.append(f"{r.errors} wrk timeouts/errors")
        lines.append(
            f"| {r.name} | `{r.path}` | {'—' if rps is None else f'{rps:,.1f}'} | "
            f"{'—' if bare is None else f'{bare:,.0f}'} | {ratio} | {fmt_ms(r.p50)} | {fmt_ms(r.p95)} | "
            f"{'—' if r.queries is None else r.queries} | {'—' if r.rss_mib is None else f'{r.rss_mib:.0f} MiB'} | "
            f"{'; '.join(notes)} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", required=True)
    parser.add_argument("--bare", required=True)
    parser.add_argument("--portal-pidfile", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--documents", type=int, default=0)
    parser.add_argument("--out", default="")
    parser.add_argument("--label", default="the working tree")
    args = parser.parse_args()
    prefixes = tuple(p for p in args.only.split(",") if p)  # --only api_,feed_ : several prefixes
    classes = [(n, p) for n, p in page_classes() if not prefixes or n.startswith(prefixes)]
    if not classes:
        parser.error(f"no class starts with {args.only!r}: " + ", ".join(n for n, _p in page_classes()))
    results = []
    for name, path in classes:
        started = time.monotonic()
        print(f"  {name:<22} {path}", file=sys.stderr, flush=True)
        results.append(measure(name, path, args))
        r = results[-1]
        print(
            f"  {'':<22} {r.status}, {r.rps_median or 0:,.1f} req/s (bare {r.bare_median or 0:,.0f}), "
            f"p50 {fmt_ms(r.p50)}, queries {r.queries}, {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    header = (
        f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {os.cpu_count()} cores; "
        f"{args.documents:,} documents and applications; code: {args.label}; wrk -t2 -c16 -d{args.duration}s --timeout {WRK_TIMEOUT}, "
        f"{args.rounds} rounds alternating with the bare view (medians); p50/p95 of sequential single-client "
        f"requests after {args.warmup} unmeasured ones."
    )
    text = header + "\n\n" + table(results) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
