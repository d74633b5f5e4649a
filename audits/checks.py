"""The checks of the self-audit (R36). Each one reads the records and returns ``Hit`` values; the audit service
turns hits into findings. A check never writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import FindingKind, Severity
from catalog.models import CatalogueNode, Organisation
from catalog.services import calendar_missing_next_year
from catalog.workdays import WorkCalendar
from disclosure.bundle import needs_interpretation
from disclosure.models import Document, DocumentEvent, Interpretation, Repost
from disclosure.selectors import public_documents, withheld_due_for_review
from requests_app.models import InformationRequest
from requests_app.selectors import art44_clusters

Status = Document.Status
Attribute = Document.Attribute


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    organisation_id: int
    severity: str
    title: str
    detail: str
    evidence_url: str


def _admin(name: str, pk: int) -> str:
    return reverse(f"admin:{name}_change", args=[pk])


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def documents_without_attribute(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R6: drafts that have sat unclassified longer than the publication limit (a draft in progress is no finding)."""
    limit = settings.GOVOPEN_PUBLICATION_WORKING_DAYS
    hits = []
    for document in Document.objects.filter(attribute="", status__in=(Status.DRAFT, Status.RETURNED)).order_by("pk"):
        formed = document.written_on or _day(document.created_at)
        waited = calendar.working_days_between(formed, today).value
        if waited <= limit:
            continue
        hits.append(
            Hit(
                FindingKind.NO_ATTRIBUTE,
                f"document:{document.pk}",
                document.organisation_id,
                Severity.MEDIUM,
                _("《%(t)s》未确定公开属性") % {"t": document.title},
                _("成文（创建）于 %(d)s，已过 %(n)s 个工作日仍未确定公开属性，无法流转。")
                % {"d": formed.isoformat(), "n": waited},
                _admin("disclosure_document", document.pk),
            )
        )
    return hits


def withheld_documents_due(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R11: withheld documents whose yearly re-review is due."""
    return [
        Hit(
            FindingKind.WITHHELD_REVIEW,
            f"document:{document.pk}",
            document.organisation_id,
            Severity.MEDIUM,
            _("不予公开信息《%(t)s》待年度复核") % {"t": document.title},
            _("最近一次审定或复核：%(d)s；理由：%(g)s。请复核不予公开的理由是否仍然存在。")
            % {"d": _day(document.last_reviewed_at).isoformat(), "g": document.get_ground_display() or "—"},
            _admin("disclosure_document", document.pk),
        )
        for document in withheld_due_for_review(today=today).order_by("pk")
    ]


def on_request_clusters(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R28 (Art 44): the same information asked for by several applicants; the key follows the linked document or
    the cluster's first application, so a cluster that grows stays one finding."""
    hits = []
    for cluster in art44_clusters(InformationRequest.objects.all(), today=today):
        first = min(cluster.requests, key=lambda r: r.pk)
        key = f"document:{cluster.document.pk}" if cluster.document is not None else f"request:{first.pk}"
        codes = "、".join(r.tracking_code for r in sorted(cluster.requests, key=lambda r: r.pk))
        hits.append(
            Hit(
                FindingKind.ART44_CLUSTER,
                key,
                cluster.organisation_id,
                Severity.LOW,
                _("“%(s)s”被 %(n)s 件申请请求，可考虑转为主动公开")
                % {"s": cluster.summary, "n": len(cluster.requests)},
                _("申请：%(codes)s（%(m)s 个月内，申请人 %(a)s 个）。《条例》第四十四条。")
                % {"codes": codes, "m": settings.GOVOPEN_ART44_MONTHS, "a": cluster.applicants},
                reverse("admin:requests_app_informationrequest_art44"),
            )
        )
    return hits


def late_publications(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R9 (Art 26): proactive documents published this year more than 20 working days after they were formed, and
    those still unpublished past that line. Imported historical documents are not judged."""
    limit = settings.GOVOPEN_PUBLICATION_WORKING_DAYS
    imported = DocumentEvent.objects.filter(document=OuterRef("pk"), action=DocumentEvent.Action.IMPORTED)
    candidates = (
        Document.objects.filter(attribute=Attribute.PROACTIVE)
        .filter(
            Q(status=Status.PUBLISHED, published_at__year=today.year)
            | Q(status__in=(Status.DRAFT, Status.RETURNED, Status.IN_REVIEW, Status.APPROVED))
        )
        .exclude(Exists(imported))
        .order_by("pk")
    )
    hits = []
    for document in candidates:
        formed = document.written_on or _day(document.created_at)
        due = calendar.add_working_days(formed, limit).value
        if document.status == Status.PUBLISHED:
            published = _day(document.published_at)
            if published <= due:
                continue
            detail = _(
                "成文于 %(f)s，应于 %(d)s 前公开，实际 %(p)s 公开，超过 %(n)s 个工作日（《条例》第二十六条）。"
            ) % {
                "f": formed.isoformat(),
                "d": due.isoformat(),
                "p": published.isoformat(),
                "n": calendar.working_days_between(due, published).value,
            }
        else:
            if today <= due:
                continue
            detail = _("成文于 %(f)s，应于 %(d)s 前公开，至今尚未公开（当前状态：%(s)s）。") % {
                "f": formed.isoformat(),
                "d": due.isoformat(),
                "s": document.get_status_display(),
            }
        hits.append(
            Hit(
                FindingKind.LATE_PUBLICATION,
                f"document:{document.pk}",
                document.organisation_id,
                Severity.MEDIUM,
                _("《%(t)s》未在 %(n)s 个工作日内公开") % {"t": document.title, "n": limit},
                detail,
                _admin("disclosure_document", document.pk),
            )
        )
    return hits


def policies_without_interpretation(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R16: published policies with no published interpretation (imported ones, say, or one whose last was
    withdrawn before the rule held)."""
    interpreted = Interpretation.objects.filter(policy=OuterRef("pk"), status=Interpretation.Status.PUBLISHED)
    hits = []
    for document in public_documents().filter(is_policy=True).exclude(Exists(interpreted)).order_by("pk"):
        if not needs_interpretation(document):
            continue
        hits.append(
            Hit(
                FindingKind.NO_INTERPRETATION,
                f"document:{document.pk}",
                document.organisation_id,
                Severity.HIGH,
                _("政策性文件《%(t)s》没有政策解读") % {"t": document.title},
                _("%(d)s 发布，尚无已发布的解读材料（三同步）。") % {"d": _day(document.published_at).isoformat()},
                _admin("disclosure_document", document.pk),
            )
        )
    return hits


def late_reposts(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R18: reposts published after their deadline this year, and those still waiting past it."""
    now = timezone.now()
    rows = Repost.objects.filter(
        Q(status=Repost.Status.PUBLISHED, reposted_at__gt=F("due_at"), reposted_at__year=today.year)
        | Q(status__in=(Repost.Status.QUEUED, Repost.Status.DRAFTED), due_at__lt=now)
    ).order_by("pk")
    hits = []
    for repost in rows:
        due = timezone.localtime(repost.due_at).strftime("%Y-%m-%d %H:%M")
        if repost.status == Repost.Status.PUBLISHED:
            done = timezone.localtime(repost.reposted_at).strftime("%Y-%m-%d %H:%M")
            detail = _("%(src)s 发布的文件应于 %(due)s 前转载，实际 %(done)s 转载。") % {
                "src": repost.source_organisation,
                "due": due,
                "done": done,
            }
        else:
            detail = _("%(src)s 发布的文件应于 %(due)s 前转载，至今尚未转载。") % {
                "src": repost.source_organisation,
                "due": due,
            }
        hits.append(
            Hit(
                FindingKind.LATE_REPOST,
                f"repost:{repost.pk}",
                repost.organisation_id,
                Severity.MEDIUM,
                _("转载《%(t)s》滞后") % {"t": repost.title},
                detail,
                _admin("disclosure_repost", repost.pk),
            )
        )
    return hits


def overdue_applications(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R24: open applications past their reply deadline. The title names the tracking code, never the applicant."""
    rows = InformationRequest.objects.filter(status__in=InformationRequest.OPEN_STATUSES, due_on__lt=today).order_by(
        "due_on", "pk"
    )
    return [
        Hit(
            FindingKind.OVERDUE_APPLICATION,
            f"request:{case.pk}",
            case.organisation_id,
            Severity.HIGH,
            _("申请 %(code)s 逾期未答复") % {"code": case.tracking_code},
            _("答复期限 %(due)s，已逾期 %(n)s 个工作日（《条例》第三十三条）。")
            % {
                "due": case.due_on.isoformat(),
                "n": calendar.working_days_between(case.due_on, today).value,
            },
            _admin("requests_app_informationrequest", case.pk),
        )
        for case in rows
    ]


def catalogue_freshness(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R35: an item with an update requirement silent longer than its threshold, and any item with nothing in it.
    A "本期无" notice covering the recent period answers for a silent item."""
    public = public_documents()
    nodes = (
        CatalogueNode.objects.filter(is_active=True, organisation__is_active=True)
        .annotate(
            last_own=Max("documents__published_at", filter=Q(documents__in=public)),
            last_child=Max("children__documents__published_at", filter=Q(children__documents__in=public)),
            last_nil=Max("nil_notices__period_end"),
        )
        .order_by("pk")
    )
    hits = []
    for node in nodes:
        latest = max((d for d in (node.last_own, node.last_child) if d is not None), default=None)
        evidence = reverse("disclosure:node", args=[node.pk])
        if latest is None and node.last_nil is None:
            hits.append(
                Hit(
                    FindingKind.EMPTY_CATALOGUE,
                    f"node:{node.pk}",
                    node.subject_id,
                    Severity.MEDIUM,
                    _("目录事项“%(n)s”没有内容") % {"n": node.name},
                    _("该事项下没有已公开的信息，也没有“本期无”说明。"),
                    evidence,
                )
            )
            continue
        days = settings.GOVOPEN_FRESHNESS_DAYS.get(node.freshness)
        if not days:
            continue
        since = today - dt.timedelta(days=days)
        fresh = latest is not None and _day(latest) >= since
        answered = node.last_nil is not None and node.last_nil >= since
        if fresh or answered:
            continue
        hits.append(
            Hit(
                FindingKind.STALE_CATALOGUE,
                f"node:{node.pk}",
                node.subject_id,
                Severity.MEDIUM,
                _("目录事项“%(n)s”更新不及时") % {"n": node.name},
                _("要求 %(d)s 天内有更新；最近一次发布：%(last)s。")
                % {"d": days, "last": _day(latest).isoformat() if latest else "—"},
                evidence,
            )
        )
    return hits


def next_year_calendar(*, today: dt.date, calendar: WorkCalendar) -> list[Hit]:
    """R2: from 1 November, next year's working-day calendar must be loaded."""
    year = calendar_missing_next_year(today=today)
    owner = (
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, parent=None).order_by("sort_order", "pk").first()
    )
    if year is None or owner is None:
        return []
    return [
        Hit(
            FindingKind.CALENDAR_MISSING,
            f"year:{year}",
            owner.pk,
            Severity.HIGH,
            _("%(y)s 年工作日历尚未录入") % {"y": year},
            _("跨入 %(y)s 年的期限只能按暂定日历计算。请在国务院办公厅放假安排通知发布后录入。") % {"y": year},
            reverse("admin:catalog_workcalendaryear_changelist"),
        )
    ]


CHECKS: list[Callable[..., list[Hit]]] = [
    documents_without_attribute,
    withheld_documents_due,
    on_request_clusters,
    late_publications,
    policies_without_interpretation,
    late_reposts,
    overdue_applications,
    catalogue_freshness,
    next_year_calendar,
]
