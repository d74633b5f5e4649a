"""Writes of the annual report 政府信息公开工作年度报告 (R30–R32): drafts, the staff-written sections, publication.

Publishing computes the tables one last time, refuses while R32 breaks (naming the column), and stores the numbers
in the report: from then on the public page and the XLSX show the stored numbers, whatever later happens to the
records they were counted from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import permissions
from audits.models import AnnualReport
from audits.tables import carry_over_warnings, compute, invariant_problems, records_fingerprint, scope_of
from catalog.models import DISCLOSURE_SUBJECT, Organisation
from core import actors, workflow
from core.actors import StaffOrSystem, System
from core.errors import DUPLICATE, Problem, Problems, wrong_state
from core.pubversion import publication_changed
from core.softcache import cached_or_computed
from integrity.models import Entry as IntegrityEntry
from integrity.services import integrity_record

EDITABLE_FIELDS = ("overview", "problems", "other_matters", "admin_fees_wan")


class ReportError(Problems):
    """An annual-report move the rules do not allow."""


def _may(check: Callable[[actors.User], bool], actor: StaffOrSystem) -> None:
    workflow.authorise(check, actor, ReportError, _("您没有办理该年度报告这一操作的权限。"))


def report_data(report: AnnualReport, *, fresh: bool = False) -> dict:
    """The published numbers of a published report; the numbers as the records stand now for a draft (cached
    until a record of the year changes, or counted now when ``fresh``)."""
    if report.is_published:
        return report.data
    if fresh:
        data = compute(organisation=report.organisation, year=report.year)
    else:
        data = dict(draft_numbers(organisation=report.organisation, year=report.year))
    data["admin_fees_wan"] = None if report.admin_fees_wan is None else f"{report.admin_fees_wan.normalize():f}"
    return data


DRAFT_CACHE_SECONDS = 7 * 24 * 3600  # the key changes with the records; the expiry only clears forgotten years


def draft_numbers(*, organisation: Organisation, year: int) -> dict:
    """``compute`` for a draft, cached under the fingerprint of the records it counts: a view of the draft, its
    XLSX or its publication recomputes only after a record of that year changed (issue 15). A cache that does not
    answer costs a recomputation, never a stale number."""
    scope = scope_of(organisation)
    key = f"annual-report-draft:{organisation.pk}:{year}:{records_fingerprint(scope=scope, year=year)}"
    return cached_or_computed(key, lambda: compute(organisation=organisation, year=year), timeout=DRAFT_CACHE_SECONDS)


def previous_published(report: AnnualReport) -> AnnualReport | None:
    return AnnualReport.objects.filter(
        organisation=report.organisation, year=report.year - 1, status=AnnualReport.Status.PUBLISHED
    ).first()


def report_warnings(report: AnnualReport, data: dict) -> list[str]:
    previous = previous_published(report)
    return carry_over_warnings(data, previous.data if previous else None)


def publication_problems(report: AnnualReport, data: dict) -> list[str]:
    """Everything that stops publication: R32 per column, and the sections staff must write."""
    problems = invariant_problems(data)
    if not report.overview.strip():
        problems.append(_("请填写“一、总体情况”。"))
    if not report.problems.strip():
        problems.append(_("请填写“五、存在的主要问题及改进情况”。"))
    if report.admin_fees_wan is None:
        problems.append(_("请填写表二“行政事业性收费”本年收费金额（万元），没有的填 0。"))
    return problems


def creation_problems(*, organisation: Organisation, year: int, today: dt.date | None = None) -> list[str]:
    return [str(p) for p in _creation_problems(organisation=organisation, year=year, today=today)]


def _creation_problems(*, organisation: Organisation, year: int, today: dt.date | None = None) -> list[Problem]:
    """``creation_problems`` with their codes, for the service."""
    today = today or timezone.localdate()
    if year >= today.year:
        return [Problem("year_not_over", _("只能编制已经结束的年度的报告：%(y)s 年尚未结束。") % {"y": year}, "year")]
    if year < 2008:
        return [Problem("year_before_2008", _("年度不正确：《条例》自 2008 年起施行。"), "year")]
    if AnnualReport.objects.filter(organisation=organisation, year=year).exists():
        return [Problem(DUPLICATE, _("%(org)s %(y)s 年度报告已经存在。") % {"org": organisation.name, "y": year})]
    return []


@transaction.atomic
def report_create(
    *, organisation: Organisation, year: int, actor: StaffOrSystem, today: dt.date | None = None
) -> AnnualReport:
    """A draft report for a finished year (R30); one per organisation and year."""
    _may(lambda user: permissions.can_create_report(user, organisation), actor)
    problems = _creation_problems(organisation=organisation, year=year, today=today)
    if problems:
        raise ReportError(*problems)
    report = AnnualReport(organisation=organisation, year=year)
    report._change_reason = _("创建草稿")
    report._history_user = actors.staff_user(actor)
    report.save()
    return report


def _fee_amount(value: Any) -> Decimal:
    """The 行政事业性收费 amount typed by staff (万元): a number not below zero, as the column can hold it."""
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise ReportError(
            Problem("fee_not_number", _("行政事业性收费金额应为数字（单位：万元）。"), "admin_fees_wan")
        ) from None
    if not amount.is_finite() or amount < 0:
        raise ReportError(Problem("fee_negative", _("行政事业性收费金额应为不小于 0 的数字。"), "admin_fees_wan"))
    if amount >= Decimal(10) ** 8 or amount != amount.quantize(Decimal("0.0001")):
        raise ReportError(
            Problem("fee_out_of_range", _("行政事业性收费金额应小于一亿万元，最多四位小数。"), "admin_fees_wan")
        )
    return amount


@transaction.atomic
def report_update(*, report: AnnualReport, actor: StaffOrSystem, changes: dict[str, Any]) -> AnnualReport:
    """Sections 一, 五, 六 and the fee figure of Table 二, written by staff while the report is a draft."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    _may(lambda user: permissions.can_manage_report(user, report), actor)
    if report.is_published:
        raise ReportError(wrong_state(_("已发布的年度报告不能修改。")))
    touched = []
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable report field")
        if isinstance(value, str):
            value = value.strip()
        if name == "admin_fees_wan" and value is not None:
            value = _fee_amount(value)
        if getattr(report, name) != value:
            setattr(report, name, value)
            touched.append(name)
    if touched:
        report._change_reason = _("修改：%(f)s") % {
            "f": "、".join(str(AnnualReport._meta.get_field(n).verbose_name) for n in touched)
        }
        report._history_user = actors.staff_user(actor)
        report.save(update_fields=[*touched, "updated_at"])
    return report


@transaction.atomic
def report_publish(*, report: AnnualReport, actor: StaffOrSystem) -> AnnualReport:
    """Art 49–50 (R30): publish, freezing the numbers. Refused while R32 breaks in any column of Table 三, or a
    required section is empty; the refusal lists every problem at once."""
    report = AnnualReport.objects.select_for_update().select_related("organisation").get(pk=report.pk)
    _may(lambda user: permissions.can_manage_report(user, report), actor)
    if report.is_published:
        raise ReportError(wrong_state(_("该年度报告已经发布。")))
    data = report_data(report, fresh=True)  # the numbers frozen are counted at this moment, not a cached copy
    problems = publication_problems(report, data)
    if problems:
        raise ReportError(*problems)
    report.data = data
    report.status = AnnualReport.Status.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = actors.staff_user(actor)
    report._change_reason = _("发布（统计数据已固定）")
    report._history_user = actors.staff_user(actor)
    report.save(update_fields=["data", "status", "published_at", "published_by", "updated_at"])
    publication_changed(report.organisation)
    integrity_record(record=report, event=IntegrityEntry.Kind.PUBLISHED)
    return report


def report_drafts_create(*, year: int, today: dt.date | None = None) -> list[AnnualReport]:
    """Early January (R30): a draft for every active government and department that has none for ``year`` (an
    internal office reports through its department). Safe to run twice, or at once: the unique (organisation, year)
    decides."""
    created = []
    for organisation in reporting_organisations():
        if AnnualReport.objects.filter(organisation=organisation, year=year).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    report_create(
                        organisation=organisation, year=year, actor=System("annual-report-drafts"), today=today
                    )
                )
        except (IntegrityError, ReportError):
            continue
    return created


def reporting_organisations() -> QuerySet[Organisation]:
    """Who publishes an annual report of its own (Art 49–50): every 公开主体 — governments, their departments and the
    bodies authorised by law (Art 54, reporting by 31 January as departments do); never an internal office."""
    return Organisation.objects.filter(DISCLOSURE_SUBJECT, is_active=True).order_by("pk")


def report_deadline(organisation: Organisation, year: int) -> dt.date:
    """R30 (Art 49–50): departments by 31 January, the government by 31 March of the following year."""
    if organisation.kind == Organisation.Kind.GOVERNMENT:
        return dt.date(year + 1, 3, 31)
    return dt.date(year + 1, 1, 31)
