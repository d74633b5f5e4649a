"""Demo data of the open-data page: the export files built from whatever the other demo loaders published."""

from __future__ import annotations

from collections.abc import Callable

from django.template.defaultfilters import filesizeformat

from opendata.services import open_data_export


def load(*, reset_passwords: bool = False, write: Callable[[str], object] = print) -> None:
    """Build the open-data files now (the nightly job does it afterwards). Safe to run again: each run replaces
    the previous files. Call it last, after every loader that publishes documents or annual reports."""
    files = open_data_export()
    if files is None:
        write("开放数据：另一次导出正在进行，跳过。")
        return
    for f in files:
        write(f"开放数据：{f.name}，{f.rows} 行，{filesizeformat(f.size)}")
