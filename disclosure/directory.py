"""The 依申请公开目录 (R10): compiled for each past month (or quarter) and published as a page of the column.

Only metadata is compiled: title, 索引号, 文号, 内容概述, organisation and dates. The rows are frozen in the issue, so a later
change of a document's attribute does not rewrite a directory the public has already seen; the next issue lists
documents decided in its own period.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.pubversion import publication_changed
from disclosure.models import DirectoryIssue
from disclosure.selectors import on_request_directory


def last_complete_period(*, today: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The most recent month or calendar quarter that ended before ``today``."""
    first_of_month = today.replace(day=1)
    if period == DirectoryIssue.Period.QUARTER:
        quarter_start = first_of_month.replace(month=(today.month - 1) // 3 * 3 + 1)
        end = quarter_start - dt.timedelta(days=1)
        return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end
    end = first_of_month - dt.timedelta(days=1)
    return end.replace(day=1), end


def _json_row(row: dict) -> dict:
    return {
        "title": row["title"],
        "index_no": row["index_no"],
        "document_number": row["document_number"],
        "summary": row["summary"],
        "organisation": row["organisation__name"],
        "written_on": row["written_on"].isoformat() if row["written_on"] else "",
        "decided_on": timezone.localtime(row["decided_at"]).date().isoformat(),
    }


def directory_compile(*, today: dt.date | None = None, period: str | None = None) -> DirectoryIssue | None:
    """Compile and publish the last complete period's directory; None when it is published already, so the job
    is safe to run twice, or at once on two workers (the unique period decides, in the database)."""
    today = today or timezone.localdate()
    period = period or settings.GOVOPEN_DIRECTORY_PERIOD
    start, end = last_complete_period(today=today, period=period)
    if DirectoryIssue.objects.filter(period_start=start, period_end=end).exists():
        return None
    rows = [_json_row(row) for row in on_request_directory(start=start, end=end)]
    try:
        with transaction.atomic():
            publication_changed()  # after the commit, and never when a concurrent run won (rolled back)
            return DirectoryIssue.objects.create(period=period, period_start=start, period_end=end, rows=rows)
    except IntegrityError:
        return None
