"""Calendar jobs: thin wrappers that record their run and call a service."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.selectors import office_emails
from catalog.services import calendar_load_package, calendar_missing_next_year
from core.actors import System
from ops.services import job_run, notify_once


@shared_task
def sync_package_calendars() -> None:
    """Load any year the installed chinesecalendar package knows (R1); years entered by hand are kept."""
    with job_run(name="calendar-sync") as run:
        report = calendar_load_package(actor=System("calendar-sync"))
        run.summary = str(report)
        run.details = asdict(report)


@shared_task
def watch_next_year_calendar() -> None:
    """R2: from 1 November, tell the disclosure office once that next year's calendar is missing."""
    with job_run(name="calendar-watch") as run:
        missing = calendar_missing_next_year(today=timezone.localdate())
        if missing is None:
            run.summary = _("下一年度工作日历已录入或尚未到提醒日期")
            return
        sent = notify_once(
            key=f"calendar-missing:{missing}",
            recipients=office_emails(),
            subject=_("请录入 %(year)s 年工作日历") % {"year": missing},
            body=_(
                "%(year)s 年的工作日历尚未录入。跨入该年的办理期限目前按法定节假日推算，并标注为“暂定”。"
                "国务院办公厅关于 %(year)s 年部分节假日安排的通知发布后，请在管理后台“年度工作日历”中录入。"
            )
            % {"year": missing},
        )
        run.summary = _("%(year)s 年工作日历缺失，%(what)s") % {
            "year": missing,
            "what": _("已通知政务公开办") if sent else _("此前已通知"),
        }
        run.details = {"missing_year": missing, "notified_now": sent}
