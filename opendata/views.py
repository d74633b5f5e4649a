"""The open-data page, its JSON listing and the file downloads. The files are public data by construction (built
from the public selectors only); a name that is not one of the current files answers 404."""

from __future__ import annotations

import logging
import os
import zoneinfo
from pathlib import Path
from typing import IO

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from auditlog.services import audit_export
from opendata.models import ExportFile, ExportFormat
from opendata.selectors import FIELDS, export_file, export_files, stale_kinds
from opendata.services import STORED_NAME, export_directory

logger = logging.getLogger(__name__)

CONTENT_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/jsonl; charset=utf-8"}
# Revalidate every time (the ETag makes that a 304): a stale copy kept by a proxy after the nightly run would not
# match the SHA-256 the page shows.
CACHE_CONTROL = "public, no-cache"


def datasets() -> list[tuple[str, str, list]]:
    """(kind, label, fields) of each data set, for the data dictionary."""
    return [(kind.value, str(kind.label), fields) for kind, fields in FIELDS.items()]


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    files = list(export_files())
    stale = stale_kinds() if files else set()
    for f in files:
        f.rows_display = f"{f.rows:,}"  # 1,000,000: the locale's formats group no digits
        f.stale = f.kind in stale
    return render(request, "opendata/index.html", {"files": files, "datasets": datasets()})


def _open(row: ExportFile) -> IO[bytes] | None:
    """The row's file, opened, if it is there and is the file the row describes (its size)."""
    if not STORED_NAME.match(row.stored_name):  # the name is ours, never a path
        return None
    path = Path(export_directory()) / row.stored_name
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return None
    if os.fstat(handle.fileno()).st_size != row.size:
        handle.close()
        return None
    return handle


def _current(name: str) -> tuple[ExportFile, IO[bytes]]:
    # A run that commits between reading the row and opening its file deletes that file: read the row again once.
    for _attempt in range(2):
        row = export_file(name)
        if row is None:
            raise Http404
        handle = _open(row)
        if handle is not None:
            return row, handle
    logger.warning("open data: the file of %s (%s) is missing", name, row.stored_name)
    raise Http404


def _rebuilding() -> HttpResponse:
    response = HttpResponse(
        _("该文件生成后有信息被撤回，正在重新生成，请几分钟后再下载。").encode("utf-8"),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "300"
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def download(request: HttpRequest, name: str) -> HttpResponseBase:
    row = export_file(name)
    if row is not None and row.kind in stale_kinds():
        # The file may hold a record withdrawn since it was made: not served until the refresh job rebuilds it.
        return _rebuilding()
    row, handle = _current(name)
    etag, modified = f'"{row.sha256}"', row.generated_at.timestamp()
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        handle.close()
        response: HttpResponseBase = not_modified
    else:
        response = FileResponse(handle, as_attachment=True, filename=row.name, content_type=CONTENT_TYPES[row.format])
        response["Content-Length"] = str(row.size)
        if request.user.is_authenticated:
            # As for the annual report's XLSX: staff downloads are recorded like an admin export; the public's are
            # not security events.
            audit_export(request=request, obj=row, filename=row.name)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def listing(request: HttpRequest) -> dict:
    """The JSON listing's content: every file with its URL and checksum, and the data dictionary."""
    files = list(export_files())
    stale = stale_kinds() if files else set()
    return {
        "files": [
            {
                "name": f.name,
                "dataset": f.kind,
                "format": f.format,
                "url": request.build_absolute_uri(reverse("opendata:file", args=[f.name])),
                "size": f.size,
                "rows": f.rows,
                "sha256": f.sha256,
                "generated_at": f.generated_at.astimezone(_zone()).isoformat(timespec="seconds"),
                "snapshot_at": f.snapshot_at.astimezone(_zone()).isoformat(timespec="seconds"),
                "available": f.kind not in stale,
            }
            for f in files
        ],
        "datasets": [
            {
                "dataset": kind,
                "title": label,
                "fields": [
                    {"key": field.key, "csv_header": str(field.label), "description": str(field.description)}
                    for field in fields
                ],
            }
            for kind, label, fields in datasets()
        ],
        "page": request.build_absolute_uri(reverse("opendata:index")),
    }


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)
