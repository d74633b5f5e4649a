"""R1–R4 through ``manage.py workdays``, as staff and scripts use it."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.models import WorkCalendarYear


def workdays(*args: str) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().strip()


def test_r4_add_prints_the_date(work_calendar):
    assert workdays("add", "2025-09-26", "20") == "2025-10-30"
    assert workdays("add", "2026-02-12", "7") == "2026-02-28"


def test_r2_add_into_an_unloaded_year_says_provisional(work_calendar):
    assert workdays("add", "2026-12-10", "20") == "2027-01-08 provisional"


def test_r3_between_prints_the_count(work_calendar):
    assert workdays("between", "2025-09-26", "2025-11-27") == "40"


def test_r1_load_loads_the_package_years(db):
    assert "2004–2026" in workdays("load")
    assert WorkCalendarYear.objects.filter(year=2026, source="package").exists()
    assert "无变化" in workdays("load")


def test_r1_show_lists_holidays_and_makeup_days(work_calendar):
    shown = workdays("show", "2026")
    assert "2026-02-28 周六 调休上班 春节" in shown
    assert "2026-10-01 周四 放假 国庆节" in shown


def test_r2_show_of_an_unloaded_year_lists_the_provisional_holidays(db):
    shown = workdays("show", "2027")
    assert "provisional" in shown
    assert "2027-02-06 周六 放假 春节" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "2025-02-30", "20"], "日期“2025-02-30”无效"),
        (["add", "2025-09-26", "twenty"], "工作日数“twenty”无效"),
        (["add", "2025-09-26", "-3"], "工作日数“-3”无效"),
        (["add", "1850-01-01", "3"], "超出支持范围"),
        (["between", "2025-09-26", "yesterday"], "日期“yesterday”无效"),
        (["show", "twenty"], "年份“twenty”无效"),
    ],
)
def test_bad_input_is_a_clear_error(db, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("workdays", *args)
    assert message in str(caught.value)
    assert caught.value.returncode == 2


def test_bad_input_from_the_shell_prints_one_line_and_exits_2():
    result = subprocess.run(
        [sys.executable, "manage.py", "workdays", "add", "2025-13-01", "20"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "日期“2025-13-01”无效" in lines[0]
