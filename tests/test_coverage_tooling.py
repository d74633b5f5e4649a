"""The suite's coverage figure (scripts/test): SlipCover measures the pytest processes, coverage.py the processes they
start, and coverage.py counts the statements of both (scripts/coverage_from_slipcover.py). Shown here on a small
program run under each tool: the converted SlipCover lines are the lines coverage.py records itself."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from coverage import CoverageData
from django.conf import settings


def _script():
    spec = importlib.util.spec_from_file_location(
        "coverage_from_slipcover", Path(settings.BASE_DIR, "scripts", "coverage_from_slipcover.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PROGRAM = {
    "measured/__init__.py": "",
    "measured/rules.py": textwrap.dedent(
        '''
        """A module with lines run, lines not run and a frozen module's import (runpy is frozen in Python 3.11)."""
        import runpy


        def deadline(days: int) -> str:
            if days > 20:
                return "overdue"
            for day in range(days):
                if day == 3:
                    break
            return "on time"


        def never_called() -> None:
            print("not run")


        class Clock:
            def tick(self) -> int:
                return 1
        '''
    ),
    # Past SlipCover's threshold, so its probes are taken out while the program runs.
    "main.py": "from measured.rules import Clock, deadline\n\nfor _ in range(3000):\n    deadline(5)\nClock().tick()\n",
}


def _run(tmp_path: Path, *command: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "SLIPCOVER_"))}
    subprocess.run([sys.executable, *command], cwd=tmp_path, env=environment, check=True, capture_output=True)


def test_slipcovers_lines_turn_into_the_lines_coverage_py_records(tmp_path):
    for name, text in PROGRAM.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    arguments = _script().options()
    threshold = arguments[arguments.index("--threshold") : arguments.index("--threshold") + 2]  # as a whole run
    _run(
        tmp_path, "-m", "slipcover", *threshold, "--source", "measured", "--json", "--out", "slipcover.json", "main.py"
    )
    _run(tmp_path, "-m", "coverage", "run", "--data-file=traced", "--source", "measured", "main.py")

    _script().convert(str(tmp_path / "converted"), [str(tmp_path / "slipcover.json")], root=tmp_path)

    traced, converted = CoverageData(str(tmp_path / "traced")), CoverageData(str(tmp_path / "converted.slipcover-0"))
    traced.read()
    converted.read()
    rules = str((tmp_path / "measured" / "rules.py").resolve())
    assert rules in converted.measured_files()
    assert sorted(converted.lines(rules) or []) == sorted(traced.lines(rules) or [])
    not_run = PROGRAM["measured/rules.py"].splitlines().index('    print("not run")') + 1
    assert not_run not in (converted.lines(rules) or []) and not_run - 1 in (converted.lines(rules) or [])


def test_slipcover_measures_the_packages_and_leaves_out_what_coverage_leaves_out():
    arguments = _script().options()
    sources = arguments[arguments.index("--source") + 1].split(",")
    omit = arguments[arguments.index("--omit") + 1].split(",")
    pyproject = tomllib.loads(Path(settings.BASE_DIR, "pyproject.toml").read_text(encoding="utf-8"))
    run = pyproject["tool"]["coverage"]["run"]
    assert omit == run["omit"]
    assert {"catalog", "disclosure", "requests_app", "govopen", "core"} <= set(sources)
    assert "tests" not in sources and "bench" not in sources and "." not in sources
    assert all(Path(settings.BASE_DIR, source, "__init__.py").is_file() for source in sources)
