"""The figures of the statistics pages, computed from the records for every organisation and the whole government
in one pass (the snapshot job calls ``compute_all``).

Counts come from aggregate SQL grouped by organisation and month; the months are then added up into periods (the
last twelve months, and each calendar year), so nothing is counted twice over. Two figures need a computation per
case, and both go through the project's own arithmetic on one ``WorkCalendar`` snapshot:

- the reply deadline of each replied (or open) application is ``requests_app.deadlines.compute_deadline``, memoised
  on the facts it is derived from (most cases share their start date and extension with many others);
- working days between two dates use ``WorkdayIndex``: a running count of the calendar's working days, so
  ``index.between(a, b)`` equals ``WorkCalendar.working_days_between(a, b)`` (the days after ``a`` up to and
  including ``b``) without walking the span again for each of a million documents.

The replies are streamed (``iterator()``) as tuples of the columns the clock reads; nothing else per case is kept
in memory: working days to reply are a histogram per organisation and month.

Nothing here identifies an applicant: the output holds counts, sums and percentiles only, and a percentile of
fewer than ``MIN_CASES`` replies is left out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, F, Q, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.tables import RESULT_GROUPS, RESULT_ROWS, concluded_expression
from catalog.models import Organisation, Section
from catalog.selectors import disclosure_subjects
from catalog.workdays import WorkCalendar
from disclosure.models import Interpretation
from disclosure.selectors import public_documents
from requests_app.deadlines import compute_deadline
from requests_app.models import REPORT_ROWS, Consultation, InformationRequest, ReviewCase

MIN_CASES = 5  # a median or 90th percentile of fewer replies would describe single cases: left out
RECENT_MONTHS = 12
PUBLICATION_LIMIT = 20  # Art 26 (R9): public within 20 working days of being formed
NO_SECTION = "none"
SECTIONS = [*Section.values, NO_SECTION]
REVIEW_PARTS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_RESULTS = [
    r.value
    for r in (ReviewCase.Result.UPHELD, ReviewCase.Result.CORRECTED, ReviewCase.Result.OTHER, ReviewCase.Result.PENDING)
]
Status = InformationRequest.Status


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month(column: str) -> TruncMonth:
    """The first day of the month of a date, or of a timestamp in Beijing time, as a date."""
    return TruncMonth(column, output_field=DateField())


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


class WorkdayIndex:
    """``between(a, b)`` = working days after ``a`` up to and including ``b`` on ``calendar``, as
    ``WorkCalendar.working_days_between`` counts them: ``n[d]`` grows by one on each working day, so a difference of
    two entries is the count between them. The index covers the span of the dates asked for, extended on demand."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._n: dict[dt.date, int] = {}
        self._first: dt.date | None = None
        self._last: dt.date | None = None

    def _cover(self, day: dt.date) -> None:
        if self._first is None or self._last is None:
            self._first = self._last = day
            self._n[day] = 0
            return
        one = dt.timedelta(days=1)
        while day < self._first:  # n[d] = n[d + 1] - (d + 1 is a working day)
            after = self._first
            self._first = after - one
            self._n[self._first] = self._n[after] - self.calendar.is_working_day(after)
        while day > self._last:
            self._last += one
            self._n[self._last] = self._n[self._last - one] + self.calendar.is_working_day(self._last)

    def between(self, start: dt.date, end: dt.date) -> int:
        for day in (start, end):
            if day not in self._n:
                self._cover(day)
        return self._n[end] - self._n[start]


@dataclass
class Month:
    """What happened in one month in one scope."""

    counts: Counter = field(default_factory=Counter)
    reply_days: Counter = field(default_factory=Counter)  # working days to reply → replies
    outcomes: Counter = field(default_factory=Counter)  # Table 三 row → concluded cases
    sections: Counter = field(default_factory=Counter)  # section → public documents


class Tally:
    """Months by scope: an organisation's id, and ``None`` for the whole government (every addition goes to both)."""

    def __init__(self) -> None:
        self.months: dict[int | None, dict[str, Month]] = defaultdict(lambda: defaultdict(Month))
        self.open: dict[int | None, Counter] = defaultdict(Counter)
        self.reviews: dict[int | None, list[tuple]] = defaultdict(list)

    def month(self, organisation_id: int, key: str) -> Iterator[Month]:
        yield self.months[organisation_id][key]
        yield self.months[None][key]

    def count(self, organisation_id: int, key: str, name: str, n: int = 1) -> None:
        for month in self.month(organisation_id, key):
            month.counts[name] += n

    def month_keys(self) -> set[str]:
        return set(self.months[None])


class DeadlineMemo:
    """``compute_deadline`` of a case, computed once per distinct set of the facts the due date depends on."""

    FIELDS = (
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
    )

    def __init__(self, *, calendar: WorkCalendar, today: dt.date) -> None:
        self.calendar, self.today = calendar, today
        self._due: dict[tuple, dt.date | None] = {}

    def due(self, facts: tuple, consultations: list[Consultation]) -> dt.date | None:
        """``facts``: the values of FIELDS, in that order."""
        key = (facts, tuple((c.started_on, c.answered_on) for c in consultations))  # all the due date reads of them
        if key not in self._due:
            case = InformationRequest(status=Status.CLOSED, **dict(zip(self.FIELDS, facts)))
            self._due[key] = compute_deadline(
                case, today=self.today, calendar=self.calendar, consultations=consultations
            ).due
        return self._due[key]


def count_applications(tally: Tally) -> None:
    """Received (R21), corrections asked (R22), extensions approved (R24), and conclusions by Table 三 row, in one
    scan: grouped by the month of each of those dates at once (they are mostly the same month or the next, so the
    groups stay few)."""
    groups = (
        InformationRequest.objects.filter(received_on__isnull=False)
        .annotate(
            concluded=concluded_expression(),
            extended=Case(
                When(extension_days__gt=0, then=F("extension_approved_on")), default=None, output_field=DateField()
            ),
        )
        .values(
            "organisation_id",
            "outcome",
            received=_month("received_on"),
            corrected=_month("correction_requested_on"),
            extension=_month("extended"),
            concluded_month=_month("concluded"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter = Counter()  # (organisation, month, name) → applications
    outcomes: Counter = Counter()  # (organisation, month, Table 三 row) → concluded applications
    for row in groups.iterator(chunk_size=5000):
        organisation_id, n = row["organisation_id"], row["n"]
        for name, column in (("received", "received"), ("corrections", "corrected"), ("extensions", "extension")):
            if row[column] is not None:
                counts[organisation_id, _day(row[column]), name] += n
        code = REPORT_ROWS.get(row["outcome"])
        if row["concluded_month"] is not None and code is not None:  # else open, or a record to correct
            outcomes[organisation_id, _day(row["concluded_month"]), code] += n
    for (organisation_id, day, name), n in counts.items():
        tally.count(organisation_id, month_key(day), name, n)
    for (organisation_id, day, code), n in outcomes.items():
        for month in tally.month(organisation_id, month_key(day)):
            month.outcomes[code] += n
            month.counts["concluded"] += n


CLOCK_COLUMNS = ("pk", "organisation_id", "status", "replied_on", *DeadlineMemo.FIELDS)
_RECEIVED = DeadlineMemo.FIELDS.index("received_on")
_CORRECTED = DeadlineMemo.FIELDS.index("correction_answered_on")


def _consultations() -> dict[int, list[Consultation]]:
    found: dict[int, list[Consultation]] = defaultdict(list)
    for consultation in (
        Consultation.objects.only("pk", "request_id", "kind", "started_on", "answered_on")
        .order_by("request_id", "started_on", "pk")
        .iterator(chunk_size=5000)
    ):
        found[consultation.request_id].append(consultation)
    return found


def time_replies(tally: Tally, *, calendar: WorkCalendar, index: WorkdayIndex, today: dt.date) -> None:
    """Each reply on time or late against its legal deadline (R24, ``compute_deadline``), and the working days it
    took from the start of the clock (receipt, or the corrected application, R22) to the reply. Open cases past
    their deadline today are counted as overdue."""
    memo = DeadlineMemo(calendar=calendar, today=today)
    consultations = _consultations()
    cases = InformationRequest.objects.filter(received_on__isnull=False).filter(
        Q(status__in=[Status.REPLIED, Status.CLOSED], replied_on__isnull=False)
        | Q(status__in=InformationRequest.OPEN_STATUSES)
    )
    # A million rows: the loop only counts into two Counters; they are folded into the months afterwards.
    replies: Counter = Counter()  # (organisation, year, month, on time / late / None, working days) → replies
    opened: Counter = Counter()  # (organisation, overdue) → open cases
    open_statuses = set(InformationRequest.OPEN_STATUSES)
    for pk, organisation_id, status, replied_on, *values in cases.values_list(*CLOCK_COLUMNS).iterator(chunk_size=5000):
        facts = tuple(values)
        due = memo.due(facts, consultations.get(pk, []))
        if status in open_statuses:
            opened[organisation_id, due is not None and due < today] += 1
            continue
        start = facts[_CORRECTED] or facts[_RECEIVED]
        verdict = None if due is None else ("on_time" if replied_on <= due else "late")
        replies[
            organisation_id, replied_on.year, replied_on.month, verdict, max(index.between(start, replied_on), 0)
        ] += 1
    for (organisation_id, overdue), n in opened.items():
        for scope in (organisation_id, None):
            tally.open[scope]["open"] += n
            tally.open[scope]["overdue"] += n if overdue else 0
    for (organisation_id, year, number, verdict, days), n in replies.items():
        for month in tally.month(organisation_id, f"{year:04d}-{number:02d}"):
            month.counts["replied"] += n
            if verdict is not None:
                month.counts[verdict] += n
            month.reply_days[days] += n


def count_documents(tally: Tally, *, index: WorkdayIndex) -> None:
    """Public documents by month of publication (Beijing time) and section, and the working days from 成文日期 to
    publication (R9: within 20)."""
    public = public_documents()
    by_section = (
        public.values("organisation_id", "catalogue_nodes__section", month=_month("published_at"))
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for row in by_section:
        for month in tally.month(row["organisation_id"], month_key(_day(row["month"]))):
            month.sections[row["catalogue_nodes__section"] or NO_SECTION] += row["n"]
    # One scan for the totals and the delays: documents by (organisation, 成文日期, day of publication).
    pairs = (
        public.values("organisation_id", "written_on", published_on=TruncDate("published_at"))
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organisation_id", "written_on", "published_on", "n")
    )
    counts: Counter = Counter()  # (organisation, year, month, name) → n
    for organisation_id, written_on, published_on, n in pairs.iterator(chunk_size=5000):
        at = (organisation_id, published_on.year, published_on.month)
        counts[(*at, "documents")] += n
        if written_on is None:
            continue
        delay = max(index.between(written_on, published_on), 0)  # published before 成文日期: no delay
        counts[(*at, "dated")] += n
        counts[(*at, "delay_sum")] += delay * n
        counts[(*at, "within_limit")] += n if delay <= PUBLICATION_LIMIT else 0
    for (organisation_id, year, number, name), n in counts.items():
        tally.count(organisation_id, f"{year:04d}-{number:02d}", name, n)


def count_interpretations(tally: Tally) -> None:
    """Public policies by month of publication, with and without a published interpretation (R15–R16)."""
    now = timezone.now()
    published = Q(interpretations__status=Interpretation.Status.PUBLISHED, interpretations__published_at__lte=now)
    policies = (
        public_documents()
        .filter(is_policy=True)
        .annotate(interpretation_count=Count("interpretations", filter=published))
        .values_list("organisation_id", "published_at", "interpretation_count")
    )
    for organisation_id, published_at, n in policies.iterator(chunk_size=5000):
        key = month_key(timezone.localtime(published_at).date())
        tally.count(organisation_id, key, "policies")
        tally.count(organisation_id, key, "interpreted" if n else "uninterpreted")
        tally.count(organisation_id, key, "interpretations", n)


def collect_reviews(tally: Tally) -> None:
    rows = ReviewCase.objects.values_list(
        "organisation_id", "kind", "after_review", "filed_on", "result", "concluded_on"
    )
    for organisation_id, *case in rows.iterator(chunk_size=5000):
        tally.reviews[organisation_id].append(tuple(case))
        tally.reviews[None].append(tuple(case))


# --- Periods ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    first: dt.date
    last: dt.date

    def months(self) -> list[str]:
        keys, day = [], self.first
        while day <= self.last:
            keys.append(month_key(day))
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return keys


def periods(*, today: dt.date, years: Iterable[int]) -> list[Period]:
    """The last twelve months (this month included), then each year, newest first."""
    first = today.replace(day=1)
    for _step in range(RECENT_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    recent = Period(
        "recent", _("近12个月（%(a)s 至 %(b)s）") % {"a": month_key(first), "b": month_key(today)}, first, today
    )
    return [
        recent,
        *(
            Period(str(year), _("%(y)s年") % {"y": year}, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
            for year in sorted(set(years), reverse=True)
            if year <= today.year
        ),
    ]


def nearest_rank(histogram: Counter, share: float) -> int | None:
    """The smallest value with at least ``share`` of the observations at or below it (nearest-rank percentile);
    ``None`` below MIN_CASES observations."""
    total = sum(histogram.values())
    if total < MIN_CASES:
        return None
    rank, seen = math.ceil(share * total), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # unreachable: seen reaches total


def percent(part: int, whole: int) -> float | None:
    return None if not whole else float(round(Decimal(100 * part) / Decimal(whole), 1))


def _outcome_rows(outcomes: Counter) -> list[dict]:
    labels = {}
    for group, label, subs in RESULT_GROUPS:
        for sub, sub_label in subs or [(group, "")]:
            labels[sub] = f"{label.split('（区分')[0]}{('：' + sub_label) if sub_label else ''}"
    return [{"code": code, "label": labels[code], "count": outcomes.get(code, 0)} for code in RESULT_ROWS]


def _review_rows(cases: list[tuple], period: Period) -> list[dict]:
    """Table 四's rule over the period: concluded in it, by result; filed by its end and not concluded by then,
    尚未审结."""
    parts = {part: Counter() for part in REVIEW_PARTS}
    for kind, after_review, filed_on, result, concluded_on in cases:
        if filed_on > period.last or (concluded_on is not None and concluded_on < period.first):
            continue
        part = (
            "review"
            if kind == ReviewCase.Kind.REVIEW
            else ("litigation_after_review" if after_review else "litigation_direct")
        )
        decided = result != ReviewCase.Result.PENDING and concluded_on is not None and concluded_on <= period.last
        parts[part][result if decided else ReviewCase.Result.PENDING.value] += 1
    labels = {
        "review": _("行政复议"),
        "litigation_direct": _("行政诉讼（未经复议直接起诉）"),
        "litigation_after_review": _("行政诉讼（复议后起诉）"),
    }
    return [
        {
            "part": part,
            "label": str(labels[part]),
            **{r: parts[part][r] for r in REVIEW_RESULTS},
            "total": sum(parts[part].values()),
        }
        for part in REVIEW_PARTS
    ]


def period_figures(months: dict[str, Month], reviews: list[tuple], period: Period) -> dict:
    keys = period.months()
    counts, days, outcomes, sections = Counter(), Counter(), Counter(), Counter()
    rows = []
    for key in keys:
        month = months.get(key) or Month()
        counts.update(month.counts)
        days.update(month.reply_days)
        outcomes.update(month.outcomes)
        sections.update(month.sections)
        rows.append(
            {
                "month": key,
                **{
                    name: month.counts.get(name, 0)
                    for name in ("received", "replied", "on_time", "late", "extensions", "corrections", "documents")
                },
                "sections": {section: month.sections.get(section, 0) for section in SECTIONS},
            }
        )
    labels = dict(Section.choices) | {NO_SECTION: _("未编入目录")}
    dated = counts["dated"]
    return {
        "key": period.key,
        "label": period.label,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "months": rows,
        "applications": {
            "received": counts["received"],
            "concluded": counts["concluded"],
            "replied": counts["replied"],
            "on_time": counts["on_time"],
            "late": counts["late"],
            "on_time_percent": percent(counts["on_time"], counts["on_time"] + counts["late"]),
            "median_days": nearest_rank(days, 0.5),
            "p90_days": nearest_rank(days, 0.9),
            "extensions": counts["extensions"],
            "corrections": counts["corrections"],
        },
        "outcomes": _outcome_rows(outcomes),
        "reviews": _review_rows(reviews, period),
        "documents": {
            "total": counts["documents"],
            "by_section": [{"section": s, "label": str(labels[s]), "count": sections.get(s, 0)} for s in SECTIONS],
            "dated": dated,
            "average_delay_days": None if not dated else float(round(Decimal(counts["delay_sum"]) / dated, 1)),
            "within_limit": counts["within_limit"],
            "within_limit_percent": percent(counts["within_limit"], dated),
        },
        "interpretations": {
            "policies": counts["policies"],
            "interpreted": counts["interpreted"],
            "uninterpreted": counts["uninterpreted"],
            "interpretations": counts["interpretations"],
        },
    }


def _organisation_rows(figures: dict[int, dict], organisations: list[Organisation], key: str) -> list[dict]:
    """The whole government's page compares its public organisations on the headline figures of a period."""
    rows = []
    for organisation in organisations:
        period = figures.get(organisation.pk, {}).get(key)
        if period is None:
            continue
        applications, documents = period["applications"], period["documents"]
        rows.append(
            {
                "code": organisation.code,
                "name": organisation.name,
                **{
                    name: applications[name]
                    for name in ("received", "replied", "on_time", "late", "on_time_percent", "median_days")
                },
                "documents": documents["total"],
                "average_delay_days": documents["average_delay_days"],
            }
        )
    return rows


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every query of the computation sees the database as of one moment (PostgreSQL REPEATABLE READ, READ ONLY),
    so the whole government stays the sum of its organisations while cases are replied to during the run. Inside
    a transaction already (tests) it uses that one."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def compute_all(*, today: dt.date | None = None) -> dict[int | None, dict]:
    """Every scope's figures: ``{organisation id: data, None: the whole government}``, each with its periods."""
    with one_snapshot():
        return _compute_all(today=today)


def _compute_all(*, today: dt.date | None) -> dict[int | None, dict]:
    today = today or timezone.localdate()
    calendar = WorkCalendar()
    index = WorkdayIndex(calendar)
    tally = Tally()
    count_applications(tally)
    time_replies(tally, calendar=calendar, index=index, today=today)
    count_documents(tally, index=index)
    count_interpretations(tally)
    collect_reviews(tally)
    years = {int(key[:4]) for key in tally.month_keys()} | {today.year}
    years |= {case[2].year for case in tally.reviews[None]}
    chosen = periods(today=today, years=years)
    subjects = list(disclosure_subjects())
    scopes = set(tally.months) | set(tally.reviews) | {None} | {organisation.pk for organisation in subjects}
    figures = {
        scope: {
            period.key: period_figures(tally.months.get(scope, {}), tally.reviews.get(scope, []), period)
            for period in chosen
        }
        for scope in scopes
    }
    result: dict[int | None, dict] = {}
    for scope in scopes:
        data = {
            "today": today.isoformat(),
            "periods": [{"key": p.key, "label": p.label} for p in chosen],
            "open": {"open": tally.open[scope]["open"], "overdue": tally.open[scope]["overdue"]},
            "figures": figures[scope],
        }
        if scope is None:
            for period in chosen:
                figures[None][period.key]["organisations"] = _organisation_rows(figures, subjects, period.key)
        result[scope] = data
    return result
