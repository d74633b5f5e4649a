"""The deadline sweep (every 15 minutes): reminders 5 and 1 working days before the reply is due, escalation of
overdue cases to the disclosure office, lapsed corrections and fee notices (视为放弃), consultations past their
15 days, online applications waiting for acceptance, and the refreshed deadline cache (R2, R22–R26).

It reads only the cases that can cross a threshold, so a run costs the same few queries however many open cases
sit quietly (issue 15: a million open cases, one run within seconds):

1. **Refresh the stored deadline where it can move without an event.** Services store ``due_on`` / ``clock`` /
   ``due_provisional`` with every event, so a running clock's date only moves when the calendar changes. A paused
   clock (consultation, fee) moves with every day that passes, and its pause ends by itself at its limit: those
   cases are recomputed on every run. After a calendar change (a year loaded or replaced, R2; detected by the
   calendar's history, remembered in the cache) every open case is recomputed once. Recomputing is done in chunks
   under ``SELECT … FOR UPDATE SKIP LOCKED`` (a case a service holds is refreshed by that service).
2. **Lapses** (a correction or a fee period past its end, a silent consultation past its 15 days) are found in SQL
   by a calendar-day lower bound (n working days are at least n calendar days) and then decided exactly, case by
   case, under the row lock, as before.
3. **Reminders, escalations, unaccepted applications** are selected in SQL from the stored due date: the case's
   threshold and its notification key are computed in the query, and a case whose key is already recorded is not
   read at all; the rest are recorded with one ``INSERT … ON CONFLICT DO NOTHING`` per chunk.

Safe to run twice at the same moment: every message has a unique key (case, threshold, due date), so only one
insert wins, and a case is abandoned under its row lock (``SKIP LOCKED``). The due date is in the key so that an
extension, which moves it, earns the new date its own reminders.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, CharField, DateField, Exists, F, OuterRef, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CalendarDay, Organisation, Role, WorkCalendarYear
from catalog.selectors import office_emails, role_member_emails
from catalog.workdays import WorkCalendar
from core.actors import System
from ops.models import Notification, OutboxMessage
from ops.services import notify_once
from requests_app.deadlines import CONSULTATION_DAYS, FEE_PAYMENT_DAYS, Clock, compute_deadline
from requests_app.models import Consultation, InformationRequest, RequestEvent
from requests_app.services import (
    handler_emails,
    request_abandon,
    request_deadline_refresh,
    staff_link,
    was_reopened,
)

logger = logging.getLogger(__name__)

Status = InformationRequest.Status
SWEPT_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.AWAITING_CORRECTION)
REMINDER_DAYS = (5, 1)
PAUSED_CLOCKS = (Clock.PAUSED_CONSULTATION, Clock.PAUSED_FEE)
CHUNK = 2000  # cases per refresh transaction / notifications per insert: bounded memory, few queries
CALENDAR_SEEN_KEY = "requests-sweep:refreshed"  # + the calendar's signature (+ the day, for the paused cases)
# What compute_deadline reads of a case: loading only these keeps the encrypted personal fields undecrypted.
DEADLINE_FIELDS = (
    "pk",
    "status",
    "channel",
    "received_on",
    "correction_requested_on",
    "correction_period_days",
    "correction_answered_on",
    "extension_days",
    "extension_approved_on",
    "fee_notified_on",
    "fee_amount",
    "fee_paid_on",
    "due_on",
    "due_provisional",
    "clock",
)
NOTIFY_TASK = "ops.tasks.deliver_notification"


def requests_sweep(*, today: dt.date | None = None) -> Counter:
    today = today or timezone.localdate()
    calendar = WorkCalendar()
    counts: Counter = Counter()
    _refresh_deadlines(today=today, calendar=calendar, counts=counts)
    for pk in _lapse_candidates(today):
        with transaction.atomic():
            request = (
                InformationRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("organisation", "handler")
                .filter(pk=pk, status__in=SWEPT_STATUSES)
                .first()
            )
            if request is None:
                counts["skipped"] += 1  # another sweep holds it, or it moved on meanwhile
                continue
            _sweep_one(request, today=today, calendar=calendar, counts=counts)
    context = _Context()
    _unaccepted_all(today=today, calendar=calendar, counts=counts, context=context)
    _reply_clocks(today=today, calendar=calendar, counts=counts, context=context)
    return counts


# --- 1. The stored deadline ------------------------------------------------------------------------------------------


def calendar_signature() -> str:
    """Changes whenever a calendar year or day is created, changed or deleted (every change leaves a history row)."""
    tables = [model._meta.db_table for model in (WorkCalendarYear, CalendarDay)]
    history = [model.history.model._meta.db_table for model in (WorkCalendarYear, CalendarDay)]
    parts = [f"(SELECT COUNT(*) FROM {table})" for table in tables] + [
        f"(SELECT COUNT(*) || '.' || COALESCE(MAX(history_id), 0) FROM {table})" for table in history
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        return ":".join(str(part) for part in cursor.fetchone())


def _remembered(key: str) -> bool | None:
    """Whether the cache holds ``key``; None when the cache does not answer."""
    try:
        return cache.get(key) is not None
    except Exception as exc:  # the cache is only a memory: without it the sweep recomputes, correctly
        logger.warning("requests sweep: cache unavailable (%s), recomputing", type(exc).__name__)
        return None


def _remember(key: str, timeout: int | None) -> None:
    try:
        cache.set(key, 1, timeout)
    except Exception as exc:
        logger.warning("requests sweep: could not remember %s (%s)", key, type(exc).__name__)


def _refresh_deadlines(*, today: dt.date, calendar: WorkCalendar, counts: Counter) -> None:
    """Every open case after a calendar change (or when the cache cannot say); otherwise the paused cases, once a
    day: their date moves with each day that passes, and within a day only an event moves it, whose service stores
    it. Without any memory (a new deployment, a flushed cache) everything is recomputed once, which also mends a
    stored date left wrong by an older version."""
    signature = calendar_signature()
    calendar_key = f"{CALENDAR_SEEN_KEY}:{signature}"
    paused_key = f"{CALENDAR_SEEN_KEY}:{signature}:paused:{today}"
    open_cases = InformationRequest.objects.filter(status__in=SWEPT_STATUSES)
    if not _remembered(calendar_key):
        counts["recomputed"] += refresh_deadlines(open_cases, today=today, calendar=calendar)
        _remember(calendar_key, None)
        _remember(paused_key, 2 * 24 * 3600)
    elif not _remembered(paused_key):
        paused = open_cases.filter(clock__in=PAUSED_CLOCKS)
        counts["recomputed"] += refresh_deadlines(paused, today=today, calendar=calendar)
        _remember(paused_key, 2 * 24 * 3600)


def refresh_deadlines(cases: QuerySet[InformationRequest], *, today: dt.date, calendar: WorkCalendar) -> int:
    """Recompute and store the deadline of ``cases``, a chunk per transaction; returns how many moved. Cases with
    the same facts have the same deadline: it is computed once per distinct set of facts."""
    moved, after = 0, 0
    known: dict[tuple, dict] = {}
    while True:
        with transaction.atomic():
            chunk = list(
                cases.filter(pk__gt=after)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .only(*DEADLINE_FIELDS)[:CHUNK]
            )
            if not chunk:
                return moved
            after = chunk[-1].pk
            consultations: dict[int, list[Consultation]] = defaultdict(list)
            for consultation in Consultation.objects.filter(request_id__in=[c.pk for c in chunk]).order_by(
                "started_on", "pk"
            ):
                consultations[consultation.request_id].append(consultation)
            stale = []
            for case in chunk:
                facts = _facts(case, consultations[case.pk])
                if facts not in known:
                    deadline = compute_deadline(
                        case, today=today, calendar=calendar, consultations=consultations[case.pk]
                    )
                    known[facts] = {
                        "due_on": deadline.due,
                        "due_provisional": deadline.provisional,
                        "clock": deadline.clock,
                    }
                values = known[facts]
                if any(getattr(case, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(case, name, value)
                    stale.append(case)
            _store(stale)
            moved += len(stale)
        if len(chunk) < CHUNK:
            return moved


def _facts(case: InformationRequest, consultations: list[Consultation]) -> tuple:
    """Everything ``compute_deadline`` derives the due date, its provisional mark and the clock from (the rest it
    reads only words the explanation)."""
    return (
        *(getattr(case, name) for name in DEADLINE_FIELDS if name not in ("pk", "due_on", "due_provisional", "clock")),
        tuple((c.started_on, c.answered_on) for c in consultations),
    )


def _store(cases: list[InformationRequest]) -> None:
    """One ``UPDATE … FROM (VALUES …)`` for the chunk (``bulk_update``'s CASE per row grows with the square of the
    chunk). Like ``request_deadline_refresh``: the cache of a derived value, not a change of the record (no history,
    no ``updated_at``)."""
    if not cases:
        return
    rows = ", ".join(["(%s, %s::date, %s, %s)"] * len(cases))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {InformationRequest._meta.db_table} AS r SET due_on = v.due_on, due_provisional = v.provisional, "
            f"clock = v.clock FROM (VALUES {rows}) AS v (id, due_on, provisional, clock) WHERE r.id = v.id",
            [value for case in cases for value in (case.pk, case.due_on, case.due_provisional, case.clock)],
        )


# --- 2. Lapses, case by case ------------------------------------------------------------------------------------------


def _lapse_candidates(today: dt.date) -> list[int]:
    """Open cases that may have lapsed today: a correction period, a fee payment period or a consultation past
    its end by the calendar-day bound. Each is then decided exactly by ``_sweep_one``; a reopened case never lapses
    again (Art 30), and a consultation already reported as lapsed is not read again."""
    started = InformationRequest.objects.filter(status__in=(Status.ACCEPTED, Status.AWAITING_CORRECTION))
    correction = (
        started.filter(
            status=Status.AWAITING_CORRECTION,
            correction_requested_on__isnull=False,
            correction_requested_on__lt=today - dt.timedelta(days=1),
        )
        .alias(
            correction_end=RawSQL(  # date + integer: the last calendar day the period could end on, at the earliest
                '"requests_app_informationrequest"."correction_requested_on" '
                '+ COALESCE("requests_app_informationrequest"."correction_period_days", 0)',
                (),
                output_field=DateField(),
            )
        )
        .filter(correction_end__lt=today)
        .exclude(Exists(RequestEvent.objects.filter(request=OuterRef("pk"), action=RequestEvent.Action.REOPENED)))
    )
    fee = started.filter(
        fee_notified_on__lt=today - dt.timedelta(days=FEE_PAYMENT_DAYS),
        fee_amount__gt=0,
        fee_paid_on__isnull=True,
    )
    silent = (
        Consultation.objects.filter(
            request_id=OuterRef("pk"),
            answered_on__isnull=True,
            started_on__lt=today - dt.timedelta(days=CONSULTATION_DAYS),
        )
        .annotate(
            notice_key=Concat(
                Value("request:"),
                Cast("request_id", CharField()),
                Value(":consultation-lapsed:"),
                Cast("pk", CharField()),
                output_field=CharField(),
            )
        )
        .exclude(Exists(Notification.objects.filter(key=OuterRef("notice_key"))))
    )
    consulted = started.filter(Exists(silent))
    union = correction.values_list("pk", flat=True).union(
        fee.values_list("pk", flat=True), consulted.values_list("pk", flat=True)
    )
    return sorted(union)


def _sweep_one(request: InformationRequest, *, today: dt.date, calendar: WorkCalendar, counts: Counter) -> None:
    consultations = list(request.consultations.all())
    deadline = compute_deadline(request, today=today, calendar=calendar, consultations=consultations)
    if request_deadline_refresh(request=request, deadline=deadline):
        counts["recomputed"] += 1
    if request.status == Status.SUBMITTED:
        return  # the batch below tells about it
    correction_lapsed = (
        deadline.correction_due
        and request.status == Status.AWAITING_CORRECTION
        and today > deadline.correction_due
        and not was_reopened(request)  # Art 30: reopened once for a 正当理由, it waits for the late correction
    )
    fee_lapsed = deadline.fee_due and not request.fee_paid_on and today > deadline.fee_due
    if correction_lapsed or fee_lapsed:
        request_abandon(request=request, actor=System("requests-sweep"), today=today)
        counts["abandoned"] += 1
        return
    for consultation in consultations:
        limit = deadline.consultation_dues.get(consultation.pk)
        if consultation.answered_on is None and limit and today > limit:
            silent = (
                _("第三方逾期未提出意见，由本机关依照《条例》规定决定是否公开（第三十二条）。")
                if consultation.kind == consultation.Kind.THIRD_PARTY
                else _("共同制作机关逾期未提出意见，视为同意公开（第三十四条）。")
            )
            counts["consultation_lapsed"] += notify_once(
                key=f"request:{request.pk}:consultation-lapsed:{consultation.pk}",
                recipients=handler_emails(request),
                subject=_("征求意见期满：%(code)s") % {"code": request.tracking_code},
                body=_(
                    "向%(party)s征求意见的 15 个工作日已于 %(d)s 届满。%(silent)s答复期限恢复计算，至 %(due)s：%(link)s"
                )
                % {
                    "party": consultation.party,
                    "d": limit,
                    "silent": silent,
                    "due": deadline.due,
                    "link": staff_link(request),
                },
            )
    # The reply clock's reminders of this case are sent with all the others by _reply_clocks.


# --- 3. Reminders, escalations, unaccepted applications, in bulk ------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    """What a message needs of a case (read as a tuple: a model instance per reminder costs more than the rest)."""

    pk: int
    tracking_code: str
    organisation_id: int
    handler_id: int | None
    handler_email: str | None
    day: dt.date  # the due date, or the day an application was submitted


class _Context:
    """Per run: the recipients (the handler, or the organisation's handlers, read once per organisation; the office
    once), the staff links (one ``reverse``), the organisations' names."""

    SENTINEL = 987654321

    def __init__(self) -> None:
        self._handlers: dict[int, list[str]] = {}
        self._office: list[str] | None = None
        self._organisations: dict[int, Organisation] = {}
        self._link = staff_link(InformationRequest(pk=self.SENTINEL))

    def organisation(self, pk: int) -> Organisation:
        if pk not in self._organisations:
            self._organisations[pk] = Organisation.objects.get(pk=pk)
        return self._organisations[pk]

    def handlers(self, case: _Case) -> list[str]:
        """``handler_emails`` of the case."""
        if case.handler_id and case.handler_email:
            return [case.handler_email]
        if case.organisation_id not in self._handlers:
            self._handlers[case.organisation_id] = role_member_emails(
                self.organisation(case.organisation_id), Role.HANDLER
            )
        return self._handlers[case.organisation_id]

    def office(self) -> list[str]:
        if self._office is None:
            self._office = office_emails()
        return self._office

    def link(self, case: _Case) -> str:
        """``staff_link`` of the case."""
        return self._link.replace(str(self.SENTINEL), str(case.pk))


@dataclass(frozen=True)
class _Message:
    key: str
    recipients: list[str]
    subject: str
    body: str
    kind: str  # the counter it adds to when recorded


def _unrecorded(queryset: QuerySet, key: Concat, day: str) -> list[_Case]:
    """The cases of ``queryset`` whose notification ``key`` is not recorded yet, in the order of their ids."""
    rows = (
        queryset.annotate(notice_key=key)
        .exclude(Exists(Notification.objects.filter(key=OuterRef("notice_key"))))
        .order_by("pk")
        .values_list("pk", "tracking_code", "organisation_id", "handler_id", "handler__email", day)
    )
    return [_Case(*row) for row in rows]


def _in_chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _unaccepted_all(*, today: dt.date, calendar: WorkCalendar, counts: Counter, context: _Context) -> None:
    """An online application nobody has confirmed for a working day: its clock has not started, which is why
    it must not wait (R21)."""
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    waiting = InformationRequest.objects.filter(status=Status.SUBMITTED, submitted_at__lt=midnight)
    key = Concat(Value("request:"), Cast("pk", CharField()), Value(":unaccepted"), output_field=CharField())
    subject, body = (
        _("网上申请待受理：%(code)s"),
        _("该申请已提交超过 1 个工作日仍未受理，请与申请人确认后受理：%(link)s"),
    )
    messages = []
    for case in _unrecorded(waiting, key, "submitted_at"):
        submitted = timezone.localtime(case.day).date()
        if calendar.working_days_between(submitted, today).value >= 1:
            messages.append(
                _Message(
                    key=f"request:{case.pk}:unaccepted",
                    recipients=context.handlers(case),
                    subject=subject % {"code": case.tracking_code},
                    body=body % {"link": context.link(case)},
                    kind="unaccepted",
                )
            )
    for chunk in _in_chunks(messages):
        counts.update(notify_many(chunk))


def _reply_clocks(*, today: dt.date, calendar: WorkCalendar, counts: Counter, context: _Context) -> None:
    """Reminders 5 and 1 working days before the stored due date, and escalation the day after it (R24).

    ``remaining <= n`` working days is ``due < the (n+1)-th working day after today``, so the query finds exactly
    the cases at a threshold and names the threshold, without a calendar in SQL."""
    thresholds = sorted(REMINDER_DAYS)  # the nearest threshold wins: 1 day left is a 1-day reminder, not both
    bounds = {n: calendar.add_working_days(today, n + 1).value for n in thresholds}
    kind = Case(
        When(due_on__lt=today, then=Value("overdue")),
        *[When(due_on__lt=bounds[n], then=Value(f"due-in-{n}")) for n in thresholds],
        output_field=CharField(),
    )
    running = InformationRequest.objects.filter(
        status=Status.ACCEPTED,
        clock=Clock.RUNNING,
        due_on__isnull=False,
        due_on__lt=bounds[thresholds[-1]],
    ).annotate(threshold=kind)
    key = Concat(
        Value("request:"),
        Cast("pk", CharField()),
        Value(":"),
        F("threshold"),
        Value(":"),
        Cast("due_on", CharField()),
        output_field=CharField(),
    )
    # Translated once per run, not once per message.
    overdue_subject = _("申请逾期未答复：%(code)s")
    overdue_body = _("%(org)s的申请 %(code)s 答复期限为 %(due)s，已逾期 %(n)s 个工作日，请政务公开办督办：%(link)s")
    soon_subject = _("申请即将到期：%(code)s")
    soon_body = _("申请 %(code)s 的答复期限为 %(due)s，还剩 %(n)s 个工作日：%(link)s")
    messages = []
    for case in _unrecorded(running, key, "due_on"):
        due = case.day
        values = {"code": case.tracking_code, "due": due, "link": context.link(case)}
        if today > due:
            overdue = calendar.working_days_between(due, today).value
            messages.append(
                _Message(
                    key=f"request:{case.pk}:overdue:{due}",
                    recipients=context.handlers(case) + context.office(),
                    subject=overdue_subject % values,
                    body=overdue_body
                    % {**values, "org": context.organisation(case.organisation_id).display_name, "n": overdue},
                    kind="overdue",
                )
            )
            continue
        remaining = calendar.working_days_between(today, due).value
        threshold = next(n for n in thresholds if remaining <= n)
        messages.append(
            _Message(
                key=f"request:{case.pk}:due-in-{threshold}:{due}",
                recipients=context.handlers(case),
                subject=soon_subject % values,
                body=soon_body % {**values, "n": remaining},
                kind=f"due_in_{threshold}",
            )
        )
    for chunk in _in_chunks(messages):
        counts.update(notify_many(chunk))


def notify_many(messages: Iterable[_Message]) -> Counter:
    """``notify_once`` for many messages in one transaction: one ``INSERT … ON CONFLICT (key) DO NOTHING`` decides,
    in the database, which keys are new (a concurrent sweep's insert of the same key waits for its commit and then
    does nothing); each new notification gets its outbox message, published after commit. Returns the counts by
    kind of the messages recorded."""
    messages = list(messages)
    if not messages:
        return Counter()
    field = Notification._meta.get_field("recipients")
    now = timezone.now()
    kinds = {m.key: m.kind for m in messages}
    rows = [
        (m.key, field.get_db_prep_value(sorted(set(m.recipients)), connection), m.subject, m.body, now)
        for m in sorted(messages, key=lambda m: m.key)  # one order for every sweep: concurrent inserts never deadlock
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            values = ", ".join(["(%s, %s, %s, %s, %s, NULL, 0, '')"] * len(rows))
            cursor.execute(
                f"INSERT INTO {Notification._meta.db_table} "
                "(key, recipients, subject, body, created_at, sent_at, attempts, last_error) "
                f"VALUES {values} ON CONFLICT (key) DO NOTHING RETURNING id, key",
                [value for row in rows for value in row],
            )
            created = cursor.fetchall()
            # The outbox rows outbox_enqueue would write, one per new notification, in one statement.
            cursor.execute(
                f"INSERT INTO {OutboxMessage._meta.db_table} (task, kwargs, created_at, attempts, last_error, done_at) "
                "SELECT %s, jsonb_build_object('notification_id', id), %s, 0, '', NULL "
                "FROM unnest(%s::bigint[]) AS id ORDER BY id RETURNING id",
                [NOTIFY_TASK, now, sorted(pk for pk, _key in created)],
            )
            ids = sorted(pk for (pk,) in cursor.fetchall())
        if ids:
            transaction.on_commit(lambda: _publish(ids), robust=True)
    return Counter(kinds[key] for _pk, key in created)


def _publish(message_ids: list[int]) -> None:
    """Hand a chunk's outbox messages to a worker as one task (``run_sweep_messages``): publishing them one by one
    costs milliseconds each, which at ten thousand reminders is the whole run. Never raises: when the broker does
    not answer, the drain job runs the messages, exactly as for a single one (``ops.outbox.outbox_publish``)."""
    from ops.outbox import publish_now

    try:
        publish_now("requests_app.tasks.run_sweep_messages", kwargs={"message_ids": message_ids})
    except Exception as exc:  # any broker failure: the rows wait for the drain
        logger.warning(
            "%s outbox messages not published (%s); the drain job will run them", len(message_ids), type(exc).__name__
        )
