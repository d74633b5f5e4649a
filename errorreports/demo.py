"""Demo error reports in every state, on dates counted back from the day the demo is loaded, so the clocks are live:
one just received, one whose acknowledgement is overdue, one acknowledged and waiting for its answer, one answered
publicly (listed at /jiucuo/answers/), one declined with its reason.

Every report goes through the services. The only shortcut: the moments of past reports (receipt, acknowledgement,
answer and their events) are moved back after the services stamped "now", and their deadlines recomputed from the
moved receipt with the same function the service uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.demo import ORG_A
from catalog.workdays import WorkCalendar
from disclosure.selectors import public_documents
from errorreports.models import ErrorReport, ErrorReportEvent
from errorreports.services import report_acknowledge, report_answer, report_deadlines, report_decline, report_receive

Action = ErrorReportEvent.Action


def _working_days_back(count: int, *, at: dt.time) -> dt.datetime:
    """The moment ``at`` on the working day ``count`` working days before today."""
    calendar = WorkCalendar()
    day = timezone.localdate()
    while count:
        day -= dt.timedelta(days=1)
        count -= calendar.is_working_day(day)
    return timezone.make_aware(dt.datetime.combine(day, at))


def _document_page() -> str:
    document = public_documents().filter(organisation__code=ORG_A).order_by("-published_at").first()
    if document is None:
        return reverse("disclosure:column")
    code, number = document.index_path
    return reverse("disclosure:document", kwargs={"code": code, "number": number})


def _move_back(
    report: ErrorReport,
    *,
    received: dt.datetime,
    acknowledged: dt.datetime | None = None,
    closed: dt.datetime | None = None,
) -> None:
    # Historical demo: the report arrived at ``received`` and was handled at the given moments.
    due = report_deadlines(received)
    ErrorReport.objects.filter(pk=report.pk).update(
        received_at=received,
        ack_due_at=due.ack_due_at,
        answer_due_at=due.answer_due_at,
        due_provisional=due.provisional,
        acknowledged_at=acknowledged,
        answered_at=closed,
    )
    moments = {
        Action.RECEIVED: received,
        Action.ACKNOWLEDGED: acknowledged,
        Action.ANSWERED: closed,
        Action.DECLINED: closed,
    }
    for event in report.events.all():
        if moments.get(event.action):
            ErrorReportEvent.objects.filter(pk=event.pk).update(at=moments[event.action])


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    if ErrorReport.objects.exists():
        return
    office = get_user_model().objects.get(username="office")
    guide = reverse("disclosure:guide", kwargs={"code": ORG_A})

    answered = report_receive(
        values={
            "page_url": _document_page(),
            "kind": ErrorReport.Kind.TYPO,
            "description": "正文第二段“城市管理”误写为“城市管里”。",
            "contact_name": "林晓东",
            "contact_phone": "13900001234",
        }
    )
    report_acknowledge(report=answered, actor=office)
    report_answer(
        report=answered,
        actor=office,
        answer=("感谢您的指正。经核实，该文件正文第二段确有错别字，发布机构已更正并重新核对全文。"),
    )
    received = _working_days_back(4, at=dt.time(10, 20))
    _move_back(
        answered,
        received=received,
        acknowledged=received + dt.timedelta(hours=2),
        closed=received + dt.timedelta(days=1, hours=5),
    )

    declined = report_receive(
        values={
            "page_url": reverse("disclosure:interpretations"),
            "kind": ErrorReport.Kind.OTHER,
            "description": "建议网站增加英文版页面，方便外籍人士查询。",
        }
    )
    report_decline(
        report=declined,
        actor=office,
        reason=("您的留言是对网站建设的建议，不属于网站内容或功能错误。建议已转网站主办单位研究参考，感谢您的关心。"),
    )
    received = _working_days_back(3, at=dt.time(15, 5))
    _move_back(
        declined,
        received=received,
        acknowledged=received + dt.timedelta(days=1),
        closed=received + dt.timedelta(days=1),
    )

    in_progress = report_receive(
        values={
            "page_url": guide,
            "kind": ErrorReport.Kind.BROKEN_LINK,
            "description": "政府信息公开指南中“申请表下载”的链接打不开，提示页面不存在。",
            "contact_email": "reporter@example.org",
        }
    )
    report_acknowledge(report=in_progress, actor=office)
    received = _working_days_back(2, at=dt.time(16, 40))
    _move_back(in_progress, received=received, acknowledged=received + dt.timedelta(hours=18))

    overdue = report_receive(
        values={
            "page_url": reverse("disclosure:on_request"),
            "kind": ErrorReport.Kind.OUTDATED,
            "description": "依申请公开目录显示的最新一期还是两个月前的，是否没有按月更新？",
        }
    )
    _move_back(overdue, received=_working_days_back(3, at=dt.time(9, 40)))

    report_receive(
        values={
            "page_url": reverse("disclosure:home"),
            "kind": ErrorReport.Kind.DISPLAY,
            "description": "用手机浏览首页时，顶部导航栏的文字重叠在一起，看不清。",
        }
    )
    write("网站找错：留言 5 条（待确认 2 条，其中 1 条确认已逾期；处理中 1 条；已答复 1 条并公开；不予处理 1 条）")
