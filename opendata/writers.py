"""Streaming file writers: records go to a temporary file in the export directory while the SHA-256, the size and the
row count are computed from the very bytes written, so nothing is read back and nothing is held in memory."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from opendata.selectors import LIST_SEPARATOR, Field

TEMP_PREFIX = ".tmp-"
BUFFER_BYTES = 1 << 16


class _HashingFile(io.RawIOBase):
    """The raw layer under the text and buffer layers: every byte that reaches the file passes through the hash."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._file = io.FileIO(fd, "wb", closefd=True)
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:
        written = self._file.write(data)
        if written:
            self.sha256.update(memoryview(data)[:written])
            self.size += written
        return written

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


@dataclass(frozen=True)
class Written:
    """A finished temporary file and what was computed while writing it."""

    path: Path
    size: int
    rows: int
    sha256: str


class _Sink:
    """One output file: a temporary file in ``directory`` (same file system, so the final rename is atomic)."""

    encoding = "utf-8"

    def __init__(self, *, directory: Path, fields: list[Field]) -> None:
        self.keys = [field.key for field in fields]
        fd, name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX)
        self.path = Path(name)
        self._raw = _HashingFile(fd)
        self._text = io.TextIOWrapper(
            io.BufferedWriter(self._raw, buffer_size=BUFFER_BYTES), encoding=self.encoding, newline=""
        )
        self.rows = 0

    def write(self, record: dict) -> None:
        raise NotImplementedError

    def close(self) -> Written:
        """Flush, force to disk and close; the file is then complete under its temporary name."""
        self._text.flush()
        os.fsync(self._raw.fileno())
        self._text.close()
        os.chmod(self.path, 0o644)  # public data; mkstemp made it owner-only
        return Written(path=self.path, size=self._raw.size, rows=self.rows, sha256=self._raw.sha256.hexdigest())

    def discard(self) -> None:
        try:
            self._text.close()
        except OSError:
            pass
        self.path.unlink(missing_ok=True)


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


class CsvSink(_Sink):
    """RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, quote or line break), UTF-8 with a byte
    order mark so that Excel reads the Chinese text; the header row gives the columns' Chinese names."""

    encoding = "utf-8-sig"

    def __init__(self, *, directory: Path, fields: list[Field]) -> None:
        super().__init__(directory=directory, fields=fields)
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._csv.writerow([str(field.label) for field in fields])

    def write(self, record: dict) -> None:
        self._csv.writerow([_csv_value(record[key]) for key in self.keys])
        self.rows += 1


class JsonLinesSink(_Sink):
    """JSON Lines: UTF-8 without a byte order mark, one object per line (keys as in the data dictionary), LF ends."""

    def write(self, record: dict) -> None:
        self._text.write(json.dumps({key: record[key] for key in self.keys}, ensure_ascii=False, separators=(",", ":")))
        self._text.write("\n")
        self.rows += 1


SINKS = {"csv": CsvSink, "jsonl": JsonLinesSink}


def write_all(records: Iterable[dict], sinks: list[_Sink]) -> list[Written]:
    """Write every record to every sink in one pass over ``records`` (so the CSV and the JSON Lines of a data set
    hold the same rows), then finish them; on any error every temporary file is removed and the error raised."""
    try:
        for record in records:
            for sink in sinks:
                sink.write(record)
        return [sink.close() for sink in sinks]
    except BaseException:
        for sink in sinks:
            sink.discard()
        raise
