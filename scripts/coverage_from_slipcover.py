"""SlipCover for the pytest processes of a whole run, coverage.py for the rest and for the figure (scripts/test).

scripts/test measures the pytest processes with SlipCover (probes in the bytecode that remove themselves once hit,
so the measured code keeps Python 3.11's specialising interpreter; coverage.py's tracer doubled the suite's CPU) and
the Python processes the tests start (Celery workers, gunicorn, manage.py) with coverage.py (tests/conftest.py).

    python scripts/coverage_from_slipcover.py options
        SlipCover's options, one per line, from pyproject.toml's [tool.coverage.run]: the project's packages as
        sources (not ".", as SlipCover would take a frozen module's origin, "frozen", for a file of the current
        folder) and the same files left out; and when a line's probe is taken out (DEINSTRUMENT_AFTER).
    python scripts/coverage_from_slipcover.py convert DATA_FILE REPORT.json [REPORT.json ...]
        Each SlipCover report becomes ``<DATA_FILE>.slipcover-<n>``, so ``coverage combine`` merges everything and
        coverage.py alone decides which lines are statements: the figure and its floor mean what they meant before.
"""

from __future__ import annotations

import json
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from coverage import CoverageData

ROOT = Path(__file__).resolve().parent.parent
# SlipCover records a line at its first run; its probe is then taken out of the bytecode once it has run this many
# more times. Each removal walks every function of every measured module, so SlipCover's default (50) had the suite's
# workers spend about 5 % of their CPU on removals; at 1000 a client-heavy sample used 11 % less CPU in all
# (52 -> 46 core-s, each measured twice), with the same lines recorded: the threshold only decides when a probe goes.
DEINSTRUMENT_AFTER = 1000


def options() -> list[str]:
    run = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["coverage"]["run"]
    omit: list[str] = run["omit"]
    if run.get("source") != ["."]:
        raise SystemExit("scripts/coverage_from_slipcover.py expects [tool.coverage.run] source = ['.']")
    packages = [
        folder.name
        for folder in sorted(ROOT.iterdir())
        if (folder / "__init__.py").is_file() and not any(fnmatch(f"{folder.name}/__init__.py", p) for p in omit)
    ]
    # Python files at the top level, outside the packages, are left out of the figure (manage.py) or are none.
    return ["--source", ",".join(packages), "--omit", ",".join(omit), "--threshold", str(DEINSTRUMENT_AFTER)]


def convert(data_file: str, reports: list[str], *, root: Path = ROOT) -> None:
    """SlipCover names the files relative to the folder it ran in: scripts/test runs it in the project's root."""
    for number, report in enumerate(reports):
        measured = json.loads(Path(report).read_text(encoding="utf-8"))
        if measured.get("meta", {}).get("software") != "slipcover":
            raise SystemExit(f"{report} is not a SlipCover JSON report")
        data = CoverageData(basename=f"{data_file}.slipcover-{number}")
        data.add_lines(
            {str((root / name).resolve()): file["executed_lines"] for name, file in measured["files"].items()}
        )
        data.write()


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["options"]:
            print("\n".join(options()))
        case ["convert", data_file, *reports] if reports:
            convert(data_file, reports)
        case _:
            raise SystemExit(__doc__)
