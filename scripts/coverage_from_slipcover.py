"""Turn SlipCover's reports into coverage.py data files, beside those of the processes coverage.py measured.

scripts/test measures the pytest processes with SlipCover (probes in the bytecode that remove themselves once hit,
so the measured code keeps Python 3.11's specialising interpreter; coverage.py's tracer doubled the suite's CPU) and
the Python processes the tests start (Celery workers, gunicorn, manage.py) with coverage.py. Each SlipCover report
becomes ``<data file>.slipcover-<n>``, so ``coverage combine`` merges everything and coverage.py alone decides which
lines are statements: the figure and its floor mean what they meant before.

    python scripts/coverage_from_slipcover.py DATA_FILE REPORT.json [REPORT.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coverage import CoverageData


def convert(data_file: str, reports: list[str]) -> int:
    for number, report in enumerate(reports):
        measured = json.loads(Path(report).read_text(encoding="utf-8"))
        if measured.get("meta", {}).get("software") != "slipcover":
            raise SystemExit(f"{report} is not a SlipCover JSON report")
        data = CoverageData(basename=f"{data_file}.slipcover-{number}")
        data.add_lines({str(Path(name).resolve()): file["executed_lines"] for name, file in measured["files"].items()})
        data.write()
    return len(reports)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    convert(sys.argv[1], sys.argv[2:])
