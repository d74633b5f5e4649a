"""mypy over the whole tree against a baseline that may only shrink.

Every error mypy reports is reduced to "path: message [code]" (no line numbers, so unrelated edits above an old error
do not move it). An error that is not in the baseline fails the check; so does a baseline line that no longer occurs
(delete it: the baseline only shrinks). ``--write`` rewrites the baseline from the current errors; use it only to
remove lines, never to hide a new error.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error: (?P<message>.*)$")


def current_errors() -> Counter[str]:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-pretty", "--no-error-summary", "--hide-error-context", "."],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1):
        sys.exit(f"mypy did not run:\n{result.stdout}{result.stderr}")
    found: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            message = re.sub(r"\bline \d+\b", "line N", match["message"])
            found[f"{match['path']}: {message}"] += 1
    return found


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = [line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return Counter(lines)


def main() -> int:
    errors = current_errors()
    if "--write" in sys.argv:
        header = "# mypy errors known before issue 18; this file may only shrink (scripts/typecheck.py).\n"
        BASELINE.write_text(header + "".join(f"{e}\n" for e in sorted(errors.elements())), encoding="utf-8")
        print(f"baseline: {sum(errors.values())} errors")
        return 0
    baseline = read_baseline()
    new = errors - baseline
    gone = baseline - errors
    for line in sorted(new.elements()):
        print(f"new type error: {line}")
    for line in sorted(gone.elements()):
        print(f"fixed, remove from {BASELINE.relative_to(ROOT)}: {line}")
    print(
        f"mypy: {sum(errors.values())} known errors in the baseline, {sum(new.values())} new, {sum(gone.values())} fixed"
    )
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())
