"""The reply deadline of an application, derived from its recorded facts (R21–R24, R26), with the explanation of
how it was reached.

The clock starts on the receipt date (R21), or again on the day the corrected application arrived (R22), and runs
``20 + extension`` working days. A consultation (R23) or an unpaid fee notice (R26, 109号) pauses it from the day
after the letter up to and including the day the answer (or payment) came, never past its own limit (15 working
days for a consultation, the payment period for a fee). The paused days are a union: a day held by two pauses at
once is excluded once. Only pauses that began after the clock (re)started and on or before the running due date
count: time after the deadline has passed cannot be excluded, so a case stays overdue when a consultation starts
late. The due date is found by walking the working days from the start, skipping paused days; it is provisional
(R2) only when a day it walked, or the limit that ended a pause it used, lies in a year not yet loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.workdays import WorkCalendar
from requests_app.models import Channel, InformationRequest

REPLY_DAYS = 20  # Art 33
MAX_EXTENSION_DAYS = 20  # Art 33
CORRECTION_WINDOW_DAYS = 7  # Art 30: the office asks within 7 working days of receipt
CONSULTATION_DAYS = 15  # Art 32
FEE_PAYMENT_DAYS = 20  # 109号: the applicant pays within 20 working days of the notice

Status = InformationRequest.Status


class Clock:
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED_CORRECTION = "paused_correction"
    PAUSED_CONSULTATION = "paused_consultation"
    PAUSED_FEE = "paused_fee"
    STOPPED = "stopped"

    LABELS = {
        NOT_STARTED: gettext_lazy("尚未起算"),
        RUNNING: gettext_lazy("计时中"),
        PAUSED_CORRECTION: gettext_lazy("等待补正，暂停计时"),
        PAUSED_CONSULTATION: gettext_lazy("征求意见中，暂停计时"),
        PAUSED_FEE: gettext_lazy("等待缴费，暂停计时"),
        STOPPED: gettext_lazy("已结束"),
    }


RECEIPT_RULES = {
    Channel.ONLINE: gettext_lazy("网上申请，以双方确认（本机关受理）之日为收到申请之日"),
    Channel.IN_PERSON: gettext_lazy("当面提交，以提交之日为收到申请之日"),
    Channel.POST: gettext_lazy("邮寄申请，以本机关签收之日为收到申请之日"),
    Channel.LETTER: gettext_lazy("平常信函，以本机关与申请人确认之日为收到申请之日"),
    Channel.FAX: gettext_lazy("传真申请，以双方确认之日为收到申请之日"),
    Channel.ORAL: gettext_lazy("口头提出，以工作人员代为填写、申请人确认之日为收到申请之日"),
}


@dataclass(frozen=True)
class Step:
    text: str
    on: dt.date | None = None


@dataclass
class Deadline:
    clock: str
    due: dt.date | None = None
    steps: list[Step] = field(default_factory=list)
    provisional_years: set[int] = field(default_factory=set)
    correction_window_end: dt.date | None = None
    correction_due: dt.date | None = None
    fee_due: dt.date | None = None
    consultation_dues: dict[int, dt.date] = field(default_factory=dict)
    excluded_days: int = 0
    fee_pending: bool = False  # a fee notice is out, unpaid, within its payment period: no reply before payment

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def clock_label(self) -> str:
        return str(Clock.LABELS[self.clock])

    @property
    def paused(self) -> bool:
        return self.clock in (Clock.PAUSED_CORRECTION, Clock.PAUSED_CONSULTATION, Clock.PAUSED_FEE)


def compute_deadline(
    request: InformationRequest,
    *,
    today: dt.date,
    calendar: WorkCalendar | None = None,
    consultations: list | None = None,
) -> Deadline:
    """How the reply deadline of ``request`` stands on ``today``; ``consultations`` may be passed pre-fetched."""
    calendar = calendar or WorkCalendar()
    if request.received_on is None:
        return Deadline(Clock.NOT_STARTED, steps=[Step(_("尚未受理，答复期限尚未起算（《条例》第三十一条）。"))])
    deadline = Deadline(Clock.RUNNING)
    steps = deadline.steps
    start = request.received_on
    steps.append(
        Step(_("收到申请：%(rule)s（《条例》第三十一条）。") % {"rule": RECEIPT_RULES[request.channel]}, start)
    )
    # The correction window only bounds when staff may ask; it never moves the reply date, so it marks nothing 暂定.
    deadline.correction_window_end = calendar.add_working_days(start, CORRECTION_WINDOW_DAYS).value

    if request.correction_requested_on:
        correction_due = calendar.add_working_days(request.correction_requested_on, request.correction_period_days or 0)
        deadline.correction_due = correction_due.value
        steps.append(
            Step(
                _("告知补正，补正期限 %(n)s 个工作日，至 %(due)s（《条例》第三十条）。")
                % {"n": request.correction_period_days, "due": deadline.correction_due},
                request.correction_requested_on,
            )
        )
        if request.correction_answered_on is None:
            deadline.clock = Clock.PAUSED_CORRECTION
            deadline.provisional_years.update(correction_due.provisional_years)  # the date that matters now
            steps.append(Step(_("等待申请人补正：答复期限自收到补正材料之日起重新计算。")))
            return _finish(request, deadline)
        start = request.correction_answered_on
        steps.append(Step(_("收到补正材料，答复期限自该日重新起算（《条例》第三十条）。"), start))

    days = REPLY_DAYS
    steps.append(Step(_("法定答复期限：%(n)s 个工作日（起算日不计入）。") % {"n": REPLY_DAYS}))
    if request.extension_days:
        days += request.extension_days
        steps.append(
            Step(
                _("经政务公开办负责人批准延长 %(n)s 个工作日（《条例》第三十三条）。") % {"n": request.extension_days},
                request.extension_approved_on,
            )
        )

    pauses = _pauses(request, deadline, calendar=calendar, today=today, consultations=consultations)
    used, deadline.due, deadline.excluded_days, walked_years = _walk(calendar, start, days, pauses)
    deadline.provisional_years.update(walked_years)
    for pause in pauses:
        counted = pause in used
        if counted and pause.ended_by_limit:
            deadline.provisional_years.update(pause.limit_provisional_years)
        steps.append(
            Step(_pause_text(pause, counted=counted, restart=start, days=used.get(pause, 0)), pause.started_on)
        )
        if counted and pause.ongoing:
            deadline.clock = pause.clock
    if sum(used.values()) > deadline.excluded_days:
        steps.append(Step(_("暂停期间合计扣除 %(n)s 个工作日，同一天只扣除一次。") % {"n": deadline.excluded_days}))
    return _finish(request, deadline)


@dataclass(frozen=True, eq=False)
class Pause:
    """Working days after ``started_on`` up to and including ``ends_on`` do not count (R23, R26)."""

    kind: str  # "consultation" or "fee"
    label: str
    started_on: dt.date
    ends_on: dt.date
    limit: dt.date
    ongoing: bool  # no answer (payment) yet and the limit not reached: the pause is still running today
    ended_by_limit: bool  # the limit, not an answer, ended (or will end) the pause
    limit_provisional_years: tuple[int, ...] = ()

    @property
    def clock(self) -> str:
        return Clock.PAUSED_CONSULTATION if self.kind == "consultation" else Clock.PAUSED_FEE

    def holds(self, day: dt.date) -> bool:
        return self.started_on < day <= self.ends_on


def _pauses(
    request: InformationRequest,
    deadline: Deadline,
    *,
    calendar: WorkCalendar,
    today: dt.date,
    consultations: list | None,
) -> list[Pause]:
    pauses = []
    for consultation in consultations if consultations is not None else request.consultations.all():
        limit = calendar.add_working_days(consultation.started_on, CONSULTATION_DAYS)
        deadline.consultation_dues[consultation.pk] = limit.value
        answered = consultation.answered_on
        end = min(answered or today, limit.value)
        pauses.append(
            Pause(
                kind="consultation",
                label=str(consultation.get_kind_display()),
                started_on=consultation.started_on,
                ends_on=end,
                limit=limit.value,
                ongoing=answered is None and today < limit.value,
                ended_by_limit=answered is None or answered >= limit.value,
                limit_provisional_years=limit.provisional_years,
            )
        )
    if request.fee_notified_on and request.fee_amount:
        fee_due = calendar.add_working_days(request.fee_notified_on, FEE_PAYMENT_DAYS)
        deadline.fee_due = fee_due.value
        paid = request.fee_paid_on
        deadline.fee_pending = paid is None and today <= fee_due.value
        pauses.append(
            Pause(
                kind="fee",
                label=str(_("信息处理费")),
                started_on=request.fee_notified_on,
                ends_on=min(paid or today, fee_due.value),
                limit=fee_due.value,
                ongoing=deadline.fee_pending,
                ended_by_limit=paid is None or paid >= fee_due.value,
                limit_provisional_years=fee_due.provisional_years,
            )
        )
    return sorted(pauses, key=lambda p: p.started_on)


def _walk(
    calendar: WorkCalendar, start: dt.date, days: int, pauses: list[Pause]
) -> tuple[dict[Pause, int], dt.date, int, set[int]]:
    """Walk the working days after ``start``, skipping those a counted pause holds, until ``days`` have run.

    A pause counts when it began after ``start`` and on or before the due date as it stands with the pauses counted
    so far (the deadline had not passed); counting it can only move the due date later, so a later pause may then
    count too. Returns the paused days of each counted pause (a day two pauses hold counts for both), the due date,
    the days skipped (each once), and the unloaded years walked through.
    """
    counted: list[Pause] = []
    candidates = [p for p in pauses if p.started_on >= start]
    while True:
        used: dict[Pause, int] = dict.fromkeys(counted, 0)
        day, remaining, skipped, years = start, days, 0, set()
        while remaining:
            day += dt.timedelta(days=1)
            year = calendar.year(day.year)
            if year.provisional:
                years.add(day.year)
            if not year.is_working_day(day):
                continue
            holders = [p for p in counted if p.holds(day)]
            for holder in holders:
                used[holder] += 1
            if holders:
                skipped += 1
            else:
                remaining -= 1
        late = [p for p in candidates if p not in counted and p.started_on <= day]
        if not late:
            return used, day, skipped, years
        counted.extend(late)


def _pause_text(pause: Pause, *, counted: bool, restart: dt.date, days: int) -> str:
    if pause.started_on < restart:
        return _("%(what)s在答复期限重新起算（%(d)s）之前，不再扣除（《条例》第三十条）。") % {
            "what": _pause_name(pause),
            "d": restart,
        }
    if not counted:
        return _("%(what)s时答复期限已届满，期限届满后的时间不能扣除（《条例》第三十二条）。") % {
            "what": _pause_name(pause)
        }
    if pause.ongoing and pause.kind == "consultation":
        return _(
            "征求%(party)s意见中（%(limit)s 前答复），至今已扣除 %(n)s 个工作日，期间不计入答复期限（《条例》第三十二条）。"
        ) % {"party": pause.label, "limit": pause.limit, "n": days}
    if pause.ongoing:
        return _("等待缴纳信息处理费（%(due)s 前），至今已扣除 %(n)s 个工作日（《条例》第四十二条）。") % {
            "due": pause.limit,
            "n": days,
        }
    if pause.kind == "consultation":
        return _("征求%(party)s意见，扣除 %(n)s 个工作日（《条例》第三十二条）。") % {"party": pause.label, "n": days}
    return _("收费通知至缴费，扣除 %(n)s 个工作日（《条例》第四十二条）。") % {"n": days}


def _pause_name(pause: Pause) -> str:
    if pause.kind == "consultation":
        return _("征求%(party)s意见") % {"party": pause.label}
    return _("发出收费通知")


def _finish(request: InformationRequest, deadline: Deadline) -> Deadline:
    if deadline.due is not None:
        text = _("答复期限：%(due)s。") % {"due": deadline.due}
        if deadline.paused:
            text = _("按目前情况，答复期限不早于 %(due)s，暂停结束后确定。") % {"due": deadline.due}
        deadline.steps.append(Step(text, deadline.due))
    if deadline.provisional_years:
        years = "、".join(str(y) for y in sorted(deadline.provisional_years))
        deadline.steps.append(
            Step(_("%(years)s 年的放假安排尚未公布，该年按法定节假日暂定计算，公布后自动重算。") % {"years": years})
        )
    if request.status not in InformationRequest.OPEN_STATUSES:
        deadline.clock = Clock.STOPPED
    return deadline
