"""Tables 二, 三 and 四 of the annual report (R31), computed from the records, and the R32 invariant.

The numbers are plain JSON (lists and dicts of integers and decimal strings), so a published report stores them
as they were and renders them again without touching the records (R30: publishing freezes the numbers).

Counting rules, for year Y (documented in docs/architecture.md, and stated in the report's notes, ``NOTES``):
- an application is *received* on ``received_on`` (Art 31; R21: an online, letter or fax application is received
  when the office confirms it). One not yet received is in no table: it is 新收 in the year it is received. It is
  *concluded* on the day of its reply, or the day it was closed as withdrawn or abandoned;
- 一 本年新收: received in Y. 二 上年结转: received before Y and not concluded before Y. 三 办理结果: concluded in Y,
  in the row of its outcome. 四 结转下年度: received by the end of Y and not concluded by then.
- Table 二: 现行有效 is the validity as it stood at the end of Y, read from the document's history; 本年废止 counts
  a document repealed or declared invalid (废止、失效) with effect in Y, or replaced by a new version (已修订) in Y.
- Table 四 (30号 layout): a review or suit concluded in Y is counted by its result; one filed by the end of Y and
  not concluded by then is 尚未审结. It belongs to the organisation it was brought against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db.models import BigIntegerField, Case, Count, DateField, F, Max, Min, Q, QuerySet, Sum, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Organisation
from disclosure.models import Document
from requests_app.models import REPORT_ROWS, ApplicantType, InformationRequest, ReviewCase

APPLICANT_COLUMNS = [t.value for t in ApplicantType]  # 自然人, then the five 法人或其他组织 kinds
TOTAL = "total"
COLUMNS = [*APPLICANT_COLUMNS, TOTAL]

# 三、本年度办理结果: (group code, group label, [(row code, row label)]); a group without sub-rows is one row.
RESULT_GROUPS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("（一）", "（一）予以公开", []),
    ("（二）", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    (
        "（三）",
        "（三）不予公开",
        [
            ("（三）1", "1.属于国家秘密"),
            ("（三）2", "2.其他法律行政法规禁止公开"),
            ("（三）3", "3.危及“三安全一稳定”"),
            ("（三）4", "4.保护第三方合法权益"),
            ("（三）5", "5.属于三类内部事务信息"),
            ("（三）6", "6.属于四类过程性信息"),
            ("（三）7", "7.属于行政执法案卷"),
            ("（三）8", "8.属于行政查询事项"),
        ],
    ),
    (
        "（四）",
        "（四）无法提供",
        [
            ("（四）1", "1.本机关不掌握相关政府信息"),
            ("（四）2", "2.没有现成信息需要另行制作"),
            ("（四）3", "3.补正后申请内容仍不明确"),
        ],
    ),
    (
        "（五）",
        "（五）不予处理",
        [
            ("（五）1", "1.信访举报投诉类申请"),
            ("（五）2", "2.重复申请"),
            ("（五）3", "3.要求提供公开出版物"),
            ("（五）4", "4.无正当理由大量反复申请"),
            ("（五）5", "5.要求行政机关确认或重新出具已获取信息"),
        ],
    ),
    (
        "（六）",
        "（六）其他处理",
        [
            ("（六）1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("（六）2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("（六）3", "3.其他"),
        ],
    ),
]
RESULT_ROWS = [code for group, _label, subs in RESULT_GROUPS for code in ([s for s, _l in subs] or [group])]
RESULT_TOTAL = "（七）"
NEW, CARRIED_IN, CARRIED_OUT = "new", "carried_in", "carried_out"
TABLE_THREE_ROWS = [NEW, CARRIED_IN, *RESULT_ROWS, RESULT_TOTAL, CARRIED_OUT]
REVIEW_RESULTS = [
    ReviewCase.Result.UPHELD,
    ReviewCase.Result.CORRECTED,
    ReviewCase.Result.OTHER,
    ReviewCase.Result.PENDING,
]
TABLE_FOUR_PARTS = ["review", "litigation_direct", "litigation_after_review"]


def scope_of(organisation: Organisation) -> list[int]:
    """A government's report covers it and every organisation under it; a department's covers itself."""
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        return [organisation.pk]
    children: dict[int | None, list[int]] = {}
    for pk, parent in Organisation.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    scope, todo = [], [organisation.pk]
    while todo:
        pk = todo.pop()
        scope.append(pk)
        todo.extend(children.get(pk, []))
    return sorted(scope)


def concluded_on(case: InformationRequest) -> dt.date | None:
    if case.status in (InformationRequest.Status.REPLIED, InformationRequest.Status.CLOSED):
        return case.replied_on or case.closed_on
    if case.status in (InformationRequest.Status.WITHDRAWN, InformationRequest.Status.ABANDONED):
        return case.closed_on
    return None


# The cases ``concluded_expression`` leaves without a date, as the predicates of two partial indexes on
# received_on: still open, and concluded without the date that concludes them (a record to correct).
_S = InformationRequest.Status
UNCONCLUDED = (
    Q(status__in=[_S.SUBMITTED, _S.ACCEPTED, _S.AWAITING_CORRECTION]),
    Q(status__in=[_S.REPLIED, _S.CLOSED], replied_on__isnull=True, closed_on__isnull=True)
    | Q(status__in=[_S.WITHDRAWN, _S.ABANDONED], closed_on__isnull=True),
)


def concluded_expression() -> Case:
    """``concluded_on`` in SQL. The same expression, with ``received_on``, is indexed (``request_concluded_received``),
    so the report finds the cases open across a year without reading the years before it."""
    Status = InformationRequest.Status
    return Case(
        When(status__in=(Status.REPLIED, Status.CLOSED), then=Coalesce("replied_on", "closed_on")),
        When(status__in=(Status.WITHDRAWN, Status.ABANDONED), then=F("closed_on")),
        default=None,
        output_field=DateField(),
    )


def _year_q(*, scope: list[int], year: int) -> Q:
    """Received in ``year``, or received before it and not concluded before it (on ``concluded``, the alias of
    ``concluded_expression``). The cases still open are bounded below by the oldest of them (one index probe), so
    the planner sees how few they are instead of guessing from the whole table."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    oldest_open = min(
        (
            day
            for day in (
                InformationRequest.objects.filter(organisation_id__in=scope)
                .filter(condition)
                .aggregate(oldest=Min("received_on"))["oldest"]
                for condition in UNCONCLUDED  # each one an index of its own: the first entry is the answer
            )
            if day is not None
        ),
        default=None,
    )
    q = Q(received_on__gte=first, received_on__lte=last) | Q(received_on__lt=first, concluded__gte=first)
    if oldest_open is not None and oldest_open < first:
        q |= Q(received_on__gte=oldest_open, received_on__lt=first, concluded__isnull=True)
    return q


def year_cases(*, scope: list[int], year: int) -> QuerySet[InformationRequest]:
    """The applications Table 三 of ``year`` counts: received in the year, or received before it and not
    concluded before it (still open, or concluded in or after it). Nothing else is read. Not yet received (an
    online application waiting for confirmation, or withdrawn before it): in no table (R21)."""
    return (
        InformationRequest.objects.filter(organisation_id__in=scope)
        .alias(concluded=concluded_expression())
        .filter(_year_q(scope=scope, year=year))
    )


def table_three(*, scope: list[int], year: int) -> dict:
    """Rows of TABLE_THREE_ROWS, each a list of numbers in COLUMNS order, plus ``unclassified``: tracking codes of
    applications concluded in the year with no Table 三 row (they break R32 and are named in its refusal).

    Counted in the database, grouped by applicant type and outcome: a year's report reads the year's cases and
    the cases open across it, whatever the size of the other years."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = {code: [0] * len(COLUMNS) for code in TABLE_THREE_ROWS}
    in_year = Q(concluded__gte=first, concluded__lte=last)
    groups = (
        year_cases(scope=scope, year=year)
        .values("applicant_type", "outcome")
        .annotate(
            new=Count("pk", filter=Q(received_on__gte=first)),
            carried_in=Count("pk", filter=Q(received_on__lt=first)),
            concluded_in_year=Count("pk", filter=in_year),
            carried_out=Count("pk", filter=Q(concluded__isnull=True) | Q(concluded__gt=last)),
            # Received in the year but concluded before the year began: a date is wrong.
            concluded_before=Count("pk", filter=Q(concluded__lt=first)),
        )
        .order_by()
    )
    wrong = False
    for group in groups:
        column = APPLICANT_COLUMNS.index(group["applicant_type"])

        def count(code: str, n: int, column: int = column) -> None:
            rows[code][column] += n
            rows[code][-1] += n

        count(NEW, group["new"])
        count(CARRIED_IN, group["carried_in"])
        count(CARRIED_OUT, group["carried_out"])
        code = REPORT_ROWS.get(group["outcome"])
        if code in rows:
            count(code, group["concluded_in_year"])
            count(RESULT_TOTAL, group["concluded_in_year"])
        elif group["concluded_in_year"]:
            wrong = True
        wrong = wrong or bool(group["concluded_before"])
    unclassified: list[str] = []
    if wrong:  # rare: name the cases, in the order of their records
        unclassified = list(
            year_cases(scope=scope, year=year)
            .filter((in_year & ~Q(outcome__in=list(REPORT_ROWS))) | Q(concluded__lt=first))
            .order_by("pk")
            .values_list("tracking_code", flat=True)
        )
    return {"rows": rows, "unclassified": unclassified}


def records_fingerprint(*, scope: list[int], year: int) -> str:
    """Changes whenever a record the report of ``year`` is counted from changes, and not otherwise: the year's
    applications (those of Table 三 and the fees paid in the year; a hash of every field the report reads, so even
    a queryset ``update()`` shows), the organisations' documents (their history), review cases and the scope itself.
    A draft's numbers are cached under it (``audits.reports.report_data``)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    cases = (
        InformationRequest.objects.filter(organisation_id__in=scope)
        .alias(concluded=concluded_expression())
        .filter(_year_q(scope=scope, year=year) | Q(fee_paid_on__gte=first, fee_paid_on__lte=last))
    )
    applications = cases.aggregate(
        n=Count("pk"),
        h=Sum(
            _row_hash(
                "id",
                "organisation_id",
                "tracking_code",
                "applicant_type",
                "status",
                "outcome",
                "received_on",
                "replied_on",
                "closed_on",
                "fee_paid_on",
                "fee_amount",
            )
        ),
    )
    reviews = ReviewCase.objects.filter(organisation_id__in=scope).aggregate(
        n=Count("pk"),
        h=Sum(
            _row_hash(
                "id",
                "organisation_id",
                "kind",
                "after_review",
                "filed_on",
                "result",
                "concluded_on",
            )
        ),
    )
    documents = Document.history.filter(organisation_id__in=scope).aggregate(last=Max("history_id"))
    parts = [scope, applications, reviews, documents]
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def _row_hash(*columns: str) -> RawSQL:
    """A 32-bit hash of a row's columns (PostgreSQL's ``hash_record``), to be summed: the sum changes when any row
    is added, removed or changed."""
    joined = ", ".join(f'"{column}"' for column in columns)
    return RawSQL(f"hash_record(({joined}))::bigint", (), output_field=BigIntegerField())


ENDED = (Document.Validity.REPEALED, Document.Validity.EXPIRED)


def _end_of(year: int) -> dt.datetime:
    return dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time(), tzinfo=timezone.get_current_timezone())


def _validity_timelines(ids: list[int]) -> dict[int, list[dict]]:
    """Each document's validity as its history recorded it, oldest first."""
    timelines: dict[int, list[dict]] = {}
    rows = (
        Document.history.filter(id__in=ids)
        .order_by("history_date", "history_id")
        .values("id", "history_date", "validity", "repealed_on", "successor_id")
    )
    for row in rows:
        timelines.setdefault(row["id"], []).append(row)
    return timelines


def _in_force(document: Document, timeline: list[dict], *, year: int) -> bool:
    """In force on 31 December of ``year``: the validity as it stood then (the last history row by then, or the
    first one for a document entered later), unless a repeal recorded later took effect by then."""
    last, end = dt.date(year, 12, 31), _end_of(year)
    before = [row for row in timeline if row["history_date"] < end]
    state = (
        before[-1]
        if before
        else (
            timeline[0]
            if timeline
            else {
                "validity": document.validity,
                "repealed_on": document.repealed_on,
            }
        )
    )
    if state["validity"] == Document.Validity.AMENDED:
        return False
    if state["validity"] in ENDED and (state["repealed_on"] is None or state["repealed_on"] <= last):
        return False
    return not (document.validity in ENDED and document.repealed_on is not None and document.repealed_on <= last)


def _replaced_on(document: Document, timeline: list[dict]) -> dt.date | None:
    """The day a document now 已修订 with a successor became so: the history row that first recorded it (after
    its last other state); for one entered already replaced, the successor's publication."""
    if document.validity != Document.Validity.AMENDED or not document.successor_id:
        return None
    moment = None
    for row in timeline:
        if row["validity"] != Document.Validity.AMENDED:
            moment = None
        elif moment is None:
            moment = row["history_date"]
    entered_replaced = all(row["validity"] == Document.Validity.AMENDED for row in timeline)
    if moment is not None and not entered_replaced:
        return timezone.localtime(moment).date()
    successor = document.successor
    if successor is not None and successor.published_at is not None:
        return timezone.localtime(successor.published_at).date()
    return timezone.localtime(moment).date() if moment is not None else None


def table_two(*, scope: list[int], year: int) -> dict:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    published = Document.objects.filter(organisation_id__in=scope, status=Document.Status.PUBLISHED)
    forms = {}
    for form in (Document.LegalForm.RULE, Document.LegalForm.NORMATIVE):
        of_form = list(
            published.filter(legal_form=form)
            .select_related("successor")
            .only(
                "pk",
                "published_at",
                "validity",
                "repealed_on",
                "successor__published_at",
            )
        )
        timelines = _validity_timelines([d.pk for d in of_form])
        issued = repealed = valid = 0
        for document in of_form:
            timeline = timelines.get(document.pk, [])
            published_on = timezone.localtime(document.published_at).date() if document.published_at else None
            if published_on is None or published_on > last:
                continue
            issued += published_on >= first
            valid += _in_force(document, timeline, year=year)
            ended = document.repealed_on if document.validity in ENDED else _replaced_on(document, timeline)
            repealed += ended is not None and first <= ended <= last
        forms[form.value] = {"issued": issued, "repealed": repealed, "valid": valid}
    decisions = {}
    for kind in (Document.DecisionKind.LICENSING, Document.DecisionKind.PENALTY, Document.DecisionKind.COERCION):
        total = published.filter(
            attribute=Document.Attribute.PROACTIVE, decision_kind=kind, published_at__year=year
        ).aggregate(n=Sum("decision_count"))["n"]
        decisions[kind.value] = total or 0
    return {"forms": forms, "decisions": decisions}


def table_four(*, scope: list[int], year: int) -> dict:
    """30号 layout: the cases concluded in the year by their result, and the cases filed by 31 December and not
    concluded by then as 尚未审结 (so a case filed in December and decided in March is 尚未审结 in the first year
    and counted by its result in the second). Scoped by the organisation the case is brought against."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    parts = {part: [0] * (len(REVIEW_RESULTS) + 1) for part in TABLE_FOUR_PARTS}
    cases = ReviewCase.objects.filter(organisation_id__in=scope, filed_on__lte=last).exclude(concluded_on__lt=first)
    for case in cases.only("kind", "after_review", "result", "concluded_on"):
        if case.kind == ReviewCase.Kind.REVIEW:
            part = "review"
        else:
            part = "litigation_after_review" if case.after_review else "litigation_direct"
        # Concluded in an earlier year was excluded above; concluded after 31 December is still pending then.
        decided = (
            case.result != ReviewCase.Result.PENDING and case.concluded_on is not None and case.concluded_on <= last
        )
        result = case.result if decided else ReviewCase.Result.PENDING
        parts[part][REVIEW_RESULTS.index(result)] += 1
        parts[part][-1] += 1
    return parts


def fees_collected(*, scope: list[int], year: int) -> dict:
    """Section 六: the 信息处理费 actually paid in the year (Art 42; 国办函〔2020〕109号)."""
    paid = InformationRequest.objects.filter(organisation_id__in=scope, fee_paid_on__year=year, fee_amount__gt=0)
    total = paid.aggregate(n=Sum("fee_amount"))["n"] or Decimal("0")
    return {"amount": f"{total:.2f}", "count": paid.count()}


def proactive_by_month(*, scope: list[int], year: int) -> list[int]:
    months = [0] * 12
    moments = Document.objects.filter(
        organisation_id__in=scope,
        status=Document.Status.PUBLISHED,
        attribute=Document.Attribute.PROACTIVE,
        published_at__year=year,
    ).values_list("published_at", flat=True)
    for moment in moments:
        months[timezone.localtime(moment).month - 1] += 1
    return months


# The counting rules as the report states them (its notes), stored with the numbers so a published report keeps
# the rules it was counted by.
NOTES = [
    gettext_lazy(
        "表三按收到申请之日计数：网上、信函、传真申请以确认收到之日为收到之日，年底尚未确认收到的申请不计入本年度，"
        "计入确认收到的年度的“本年新收”；办理结果按答复（或撤回、视为放弃）的日期计入当年。"
    ),
    gettext_lazy(
        "表二“现行有效件数”按 12 月 31 日当日的有效性统计；“本年废止件数”包括本年废止、宣布失效和被修订后的新文件替代的文件。"
    ),
    gettext_lazy(
        "表四按国办公开办函〔2021〕30号的口径：本年审结的行政复议、行政诉讼按审结结果计数，截至 12 月 31 日已立案尚未审结的计入"
        "“尚未审结”；包括针对答复、未按期答复和其他政府信息公开行为的案件。"
    ),
]


def compute(*, organisation: Organisation, year: int) -> dict:
    """Every number of the report, as JSON."""
    scope = scope_of(organisation)
    three = table_three(scope=scope, year=year)
    return {
        "year": year,
        "scope": scope,
        "table_two": table_two(scope=scope, year=year),
        "table_three": three["rows"],
        "unclassified": three["unclassified"],
        "table_four": table_four(scope=scope, year=year),
        "fees": fees_collected(scope=scope, year=year),
        "proactive_by_month": proactive_by_month(scope=scope, year=year),
        "notes": [str(note) for note in NOTES],
        "computed_at": timezone.now().isoformat(),
    }


def column_label(column: str) -> str:
    return str(dict(ApplicantType.choices).get(column, _("总计")))


def invariant_problems(data: dict) -> list[str]:
    """Everything that makes the numbers impossible, one sentence each, naming the place: numbers that are not
    counts (or amounts below zero), then R32 (in every column of Table 三, 一 + 二 = 三（七） + 四), then the sums
    of ``sum_problems``. Published numbers must have none (``AnnualReport.save`` refuses them)."""
    numbers = number_problems(data)
    if not all(_count(v) for v in _counts(data)):
        return numbers  # the sums of values that are not counts say nothing more
    rows = data["table_three"]
    problems = []
    for index, column in enumerate(COLUMNS):
        new, carried_in = rows[NEW][index], rows[CARRIED_IN][index]
        total, carried_out = rows[RESULT_TOTAL][index], rows[CARRIED_OUT][index]
        if new + carried_in != total + carried_out:
            problems.append(
                _("表三“%(col)s”列不平衡：本年新收 %(a)s + 上年结转 %(b)s ≠ 办理结果总计 %(c)s + 结转下年度 %(d)s。")
                % {"col": column_label(column), "a": new, "b": carried_in, "c": total, "d": carried_out}
            )
    if problems and data.get("unclassified"):
        problems.append(
            _("以下申请已办结但没有可计入表三的办理结果，或办结日期早于收到日期，请先更正：%(codes)s。")
            % {"codes": "、".join(data["unclassified"])}
        )
    return numbers + problems + sum_problems(data)


def _row_label(code: str) -> str:
    labels = {
        NEW: _("一、本年新收"),
        CARRIED_IN: _("二、上年结转"),
        RESULT_TOTAL: _("（七）总计"),
        CARRIED_OUT: _("四、结转下年度继续办理"),
    }
    for group, label, subs in RESULT_GROUPS:
        labels[group] = label.split("（区分")[0]
        for sub, sub_label in subs:
            labels[sub] = f"{group}{sub_label}"
    return str(labels.get(code, code))


def _part_label(part: str) -> str:
    return str(
        {
            "review": _("行政复议"),
            "litigation_direct": _("行政诉讼（未经复议直接起诉）"),
            "litigation_after_review": _("行政诉讼（复议后起诉）"),
        }[part]
    )


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _amount(value: object) -> bool:
    try:
        return Decimal(str(value)).is_finite() and Decimal(str(value)) >= 0
    except (ArithmeticError, ValueError):
        return False


def _counts(data: dict) -> list[object]:
    return [
        *[v for cells in data["table_three"].values() for v in cells],
        *[v for cells in data["table_four"].values() for v in cells],
        *[v for row in data["table_two"]["forms"].values() for v in row.values()],
        *data["table_two"]["decisions"].values(),
    ]


def number_problems(data: dict) -> list[str]:
    """Every number of the tables is a count (a whole number, not negative), and every amount a number not below
    zero, whether counted or typed by staff (the 行政事业性收费 amount)."""
    problems = []
    bad = [value for value in _counts(data) if not _count(value)]
    if bad:
        problems.append(_("统计表中有不是非负整数的数字：%(v)s。") % {"v": "、".join(str(v) for v in bad)})
    fees = data.get("admin_fees_wan")
    if fees is not None and not _amount(fees):
        problems.append(_("表二“行政事业性收费”本年收费金额应为不小于 0 的数字，现为“%(v)s”。") % {"v": fees})
    if not _amount(data.get("fees", {}).get("amount", "0")):
        problems.append(_("信息处理费金额应为不小于 0 的数字。"))
    return problems


def sum_problems(data: dict) -> list[str]:
    """Beyond R32: in Table 三 the result rows add up to （七） in every column and 总计 is the sum of the six
    applicant columns in every row; in Table 四 each group's four results add up to its 总计."""
    rows, four = data["table_three"], data["table_four"]
    problems = []
    for code in TABLE_THREE_ROWS:
        cells = rows[code]
        if sum(cells[:-1]) != cells[-1]:
            problems.append(
                _("表三“%(row)s”行：总计 %(t)s ≠ 各类申请人之和 %(s)s。")
                % {"row": _row_label(code), "t": cells[-1], "s": sum(cells[:-1])}
            )
    for index, column in enumerate(COLUMNS):
        parts = sum(rows[code][index] for code in RESULT_ROWS)
        if parts != rows[RESULT_TOTAL][index]:
            problems.append(
                _("表三“%(col)s”列：办理结果各项之和 %(s)s ≠（七）总计 %(t)s。")
                % {"col": column_label(column), "s": parts, "t": rows[RESULT_TOTAL][index]}
            )
    for part in TABLE_FOUR_PARTS:
        cells = four[part]
        if sum(cells[:-1]) != cells[-1]:
            problems.append(
                _("表四“%(part)s”：结果维持、结果纠正、其他结果、尚未审结之和 %(s)s ≠ 总计 %(t)s。")
                % {"part": _part_label(part), "s": sum(cells[:-1]), "t": cells[-1]}
            )
    return problems


def carry_over_warnings(data: dict, previous: dict | None) -> list[str]:
    """二 上年结转 should equal last year's published 四 结转下年度; a difference means last year's records changed
    after its report was published. A warning, not a refusal: the published report stays as it was."""
    if not previous:
        return []
    now_in, then_out = data["table_three"][CARRIED_IN], previous["table_three"][CARRIED_OUT]
    return [
        _("表三“%(col)s”列：上年结转 %(a)s 与上年度报告的结转下年度 %(b)s 不一致，上年度的申请记录在报告发布后有改动。")
        % {"col": column_label(column), "a": now_in[i], "b": then_out[i]}
        for i, column in enumerate(COLUMNS)
        if now_in[i] != then_out[i]
    ]
