"""scripts/prod-smoke proves a production install from requirements.txt alone (scripts/test runs it before the
suite); here it is shown to catch what it exists for: a runtime dependency that only the development venv had.
GOVOPEN_SKIP_PROD_SMOKE=1 skips it (it builds a venv of its own the first time)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import unmeasured_environment


def _venv_key(requirements: Path) -> str:
    """The name prod-smoke keeps a venv under: the hash of the requirements file and the Python version."""
    script = (
        '. scripts/lib.sh; ( cat "$1"; "$(find_python)" -c "import sys; print(sys.version)" ) | sha256sum | cut -c1-16'
    )
    return subprocess.run(
        ["bash", "-c", script, "key", str(requirements)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def seed_venv(venvs: Path, *, requirements: Path, like: Path, leave_out: str) -> None:
    """Give prod-smoke, under ``venvs``, the venv of ``requirements`` (``like``'s lines but ``leave_out``) as a copy of
    ``like``'s production venv without that package: what pip would build, without its 25 s of installing. The copy
    is of hard links (280 MB not copied): pip uninstall and Python's bytecode writes replace or unlink files, never
    write into one, so the original venv is left as it was. When scripts/test has not built that venv (a partial run),
    prod-smoke builds the venv itself. Were ``leave_out`` required by another package, prod-smoke's ``pip check``
    would fail on the copy, not the import this test expects."""
    built = Path(os.environ.get("GOVOPEN_PROD_VENVS") or Path(settings.BASE_DIR, "var", "prod-venv")) / _venv_key(like)
    if not (built / ".complete").exists():
        return
    target = venvs / _venv_key(requirements)
    venvs.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(built), str(target)], check=True)
    subprocess.run(
        [str(target / "bin" / "python"), "-m", "pip", "uninstall", "-q", "-y", leave_out],
        check=True,
        capture_output=True,
    )


pytestmark = pytest.mark.skipif(
    os.environ.get("GOVOPEN_SKIP_PROD_SMOKE") == "1", reason="GOVOPEN_SKIP_PROD_SMOKE=1 asked to skip it"
)


def test_it_fails_a_production_install_whose_requirements_lack_a_package_the_celery_worker_imports(tmp_path):
    # requirements.txt as it was before issue 13: kombu's Redis transport imports 'packaging', which neither kombu
    # nor anything else in the file pulled in; the development venv had it through pytest.
    requirements = Path(settings.BASE_DIR, "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("packaging==") for line in requirements)
    without = tmp_path / "requirements-without-packaging.txt"
    without.write_text(
        "\n".join(line for line in requirements if not line.startswith("packaging==")) + "\n", encoding="utf-8"
    )

    venvs = tmp_path / "venvs"
    seed_venv(venvs, requirements=without, like=Path(settings.BASE_DIR, "requirements.txt"), leave_out="packaging")

    result = subprocess.run(
        ["bash", "scripts/prod-smoke"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**unmeasured_environment(), "GOVOPEN_PROD_REQUIREMENTS": str(without), "GOVOPEN_PROD_VENVS": str(venvs)},
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "No module named 'packaging'" in result.stderr
    # It fails on the imports, before anything touched the database (no migration with a venv that cannot run).
    assert "生产环境缺少运行所需的模块" in result.stderr
    assert "manage.py migrate" not in result.stderr
    assert "prod-smoke 失败" in result.stderr
    assert "production stack: ok" not in result.stderr
