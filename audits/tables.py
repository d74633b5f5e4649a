"""Tables 二, 三 and 四 of the annual report (R31), computed from the records, and the R32 invariant.

The numbers are plain JSON (lists and dicts of integers and decimal strings), so a published report stores them
as they were and renders them again without touching the records (R30: publishing freezes the numbers).

Counting rules, for year Y (documented in docs/architecture.md):
- an application is *received* on ``received_on`` (Art 31), or the day it was submitted while it waits for
  acceptance; it is *concluded* on the day of its reply, or the day it was closed as withdrawn or abandoned;
- 一 本年新收: received in Y. 二 上年结转: received before Y and not concluded before Y. 三 办理结果: concluded in Y,
  in the row of its outcome. 四 结转下年度: received by the end of Y and not concluded by then.
- Table 四 counts the review and litigation cases filed in Y, with their result as it stood on 31 December.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

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
    ("（三）", "（三）不予公开", [
        ("（三）1", "1.属于国家秘密"), ("（三）2", "2.其他法律行政法规禁止公开"),
        ("（三）3", "3.危及“三安全一稳定”"), ("（三）4", "4.保护第三方合法权益"),
        ("（三）5", "5.属于三类内部事务信息"), ("（三）6", "6.属于四类过程性信息"),
        ("（三）7", "7.属于行政执法案卷"), ("（三）8", "8.属于行政查询事项"),
    ]),
    ("（四）", "（四）无法提供", [
        ("（四）1", "1.本机关不掌握相关政府信息"), ("（四）2", "2.没有现成信息需要另行制作"),
        ("（四）3", "3.补正后申请内容仍不明确"),
    ]),
    ("（五）", "（五）不予处理", [
        ("（五）1", "1.信访举报投诉类申请"), ("（五）2", "2.重复申请"), ("（五）3", "3.要求提供公开出版物"),
        ("（五）4", "4.无正当理由大量反复申请"), ("（五）5", "5.要求行政机关确认或重新出具已获取信息"),
    ]),
    ("（六）", "（六）其他处理", [
        ("（六）1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("（六）2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("（六）3", "3.其他"),
    ]),
]
RESULT_ROWS = [code for group, _label, subs in RESULT_GROUPS for code in ([s for s, _l in subs] or [group])]
RESULT_TOTAL = "（七）"
NEW, CARRIED_IN, CARRIED_OUT = "new", "carried_in", "carried_out"
TABLE_THREE_ROWS = [NEW, CARRIED_IN, *RESULT_ROWS, RESULT_TOTAL, CARRIED_OUT]
REVIEW_RESULTS = [ReviewCase.Result.UPHELD, ReviewCase.Result.CORRECTED, ReviewCase.Result.OTHER, ReviewCase.Result.PENDING]
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


def _received_on(case: InformationRequest) -> dt.date:
    return case.received_on or timezone.localtime(case.submitted_at).date()


def concluded_on(case: InformationRequest) -> dt.date | None:
    if case.status in (InformationRequest.Status.REPLIED, InformationRequest.Status.CLOSED):
        return case.replied_on or case.closed_on
    if case.status in (InformationRequest.Status.WITHDRAWN, InformationRequest.Status.ABANDONED):
        return case.closed_on
    return None


def table_three(*, scope: list[int], year: int) -> dict:
    """Rows of TABLE_THREE_ROWS, each a list of numbers in COLUMNS order, plus ``unclassified``: tracking codes of
    applications concluded in the year with no Table 三 row (they break R32 and are named in its refusal)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = {code: [0] * len(COLUMNS) for code in TABLE_THREE_ROWS}
    unclassified: list[str] = []
    cases = InformationRequest.objects.filter(organisation_id__in=scope).only(
        "pk", "tracking_code", "applicant_type", "status", "outcome", "received_on", "submitted_at", "replied_on",
        "closed_on",
    )
    for case in cases.order_by("pk"):
        received, concluded = _received_on(case), concluded_on(case)
        if received > last:
            continue
        column = APPLICANT_COLUMNS.index(case.applicant_type)

        def count(code: str) -> None:
            rows[code][column] += 1
            rows[code][-1] += 1

        if received >= first:
            count(NEW)
        elif concluded is None or concluded >= first:
            count(CARRIED_IN)
        else:
            continue  # concluded in an earlier year
        if concluded is not None and first <= concluded <= last:
            code = REPORT_ROWS.get(case.outcome)
            if code in rows:
                count(code)
                count(RESULT_TOTAL)
            else:
                unclassified.append(case.tracking_code)
        elif concluded is None or concluded > last:
            count(CARRIED_OUT)
        else:
            unclassified.append(case.tracking_code)  # concluded before it was received: a date is wrong
    return {"rows": rows, "unclassified": unclassified}


def table_two(*, scope: list[int], year: int) -> dict:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    published = Document.objects.filter(organisation_id__in=scope, status=Document.Status.PUBLISHED)
    forms = {}
    for form in (Document.LegalForm.RULE, Document.LegalForm.NORMATIVE):
        of_form = published.filter(legal_form=form)
        forms[form.value] = {
            "issued": of_form.filter(published_at__year=year).count(),
            "repealed": of_form.filter(repealed_on__gte=first, repealed_on__lte=last).count(),
            # In force on 31 December: published by then, and not repealed, expired or replaced by then.
            "valid": of_form.filter(published_at__date__lte=last).exclude(repealed_on__lte=last).exclude(
                validity=Document.Validity.AMENDED
            ).count(),
        }
    decisions = {}
    for kind in (Document.DecisionKind.LICENSING, Document.DecisionKind.PENALTY, Document.DecisionKind.COERCION):
        total = published.filter(
            attribute=Document.Attribute.PROACTIVE, decision_kind=kind, published_at__year=year
        ).aggregate(n=Sum("decision_count"))["n"]
        decisions[kind.value] = total or 0
    return {"forms": forms, "decisions": decisions}


def table_four(*, scope: list[int], year: int) -> dict:
    last = dt.date(year, 12, 31)
    parts = {part: [0] * (len(REVIEW_RESULTS) + 1) for part in TABLE_FOUR_PARTS}
    cases = ReviewCase.objects.filter(request__organisation_id__in=scope, filed_on__year=year)
    for case in cases.only("kind", "after_review", "result", "concluded_on"):
        if case.kind == ReviewCase.Kind.REVIEW:
            part = "review"
        else:
            part = "litigation_after_review" if case.after_review else "litigation_direct"
        decided = case.result != ReviewCase.Result.PENDING and case.concluded_on is not None and case.concluded_on <= last
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
        organisation_id__in=scope, status=Document.Status.PUBLISHED, attribute=Document.Attribute.PROACTIVE,
        published_at__year=year,
    ).values_list("published_at", flat=True)
    for moment in moments:
        months[timezone.localtime(moment).month - 1] += 1
    return months


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
        "computed_at": timezone.now().isoformat(),
    }


def column_label(column: str) -> str:
    return str(dict(ApplicantType.choices).get(column, _("总计")))


def invariant_problems(data: dict) -> list[str]:
    """R32: in every column of Table 三, 一 + 二 = 三（七） + 四. One sentence per broken column, naming it."""
    rows = data["table_three"]
    problems = []
    for index, column in enumerate(COLUMNS):
        new, carried_in = rows[NEW][index], rows[CARRIED_IN][index]
        total, carried_out = rows[RESULT_TOTAL][index], rows[CARRIED_OUT][index]
        if new + carried_in != total + carried_out:
            problems.append(
                _("表三“%(col)s”列不平衡：本年新收 %(a)s + 上年结转 %(b)s ≠ 办理结果总计 %(c)s + 结转下年度 %(d)s（R32）。")
                % {"col": column_label(column), "a": new, "b": carried_in, "c": total, "d": carried_out}
            )
    if problems and data.get("unclassified"):
        problems.append(
            _("以下申请已办结但没有可计入表三的办理结果，或办结日期早于收到日期，请先更正：%(codes)s。")
            % {"codes": "、".join(data["unclassified"])}
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
