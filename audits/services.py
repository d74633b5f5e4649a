"""Writes of the self-audit (R36): a run that reconciles findings, and the rectification steps of a finding.

A run is one transaction under a named lock: two runs started together (beat and a click in the admin) run one
after the other, and the second finds the first's findings instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import permissions
from audits.checks import CHECKS, Hit
from audits.models import HISTORICAL_KINDS, AuditRun, Finding, FindingEvent
from catalog.models import Organisation
from catalog.roles import Role
from catalog.selectors import office_emails, role_member_emails
from catalog.workdays import WorkCalendar
from core import actors, workflow
from core.actors import StaffOrSystem
from core.errors import REASON_MISSING, Problem, Problems, wrong_state
from core.locks import hold_job_lock
from ops.services import notify_once

FStatus = Finding.Status
Action = FindingEvent.Action


class AuditError(Problems):
    """A self-audit move the rules do not allow."""


def _may(check: Callable[[actors.User], bool], actor: StaffOrSystem) -> None:
    workflow.authorise(check, actor, AuditError, _("您没有这一操作的权限。"))


def collect_hits(*, today: dt.date) -> list[Hit]:
    calendar = WorkCalendar()
    hits: dict[tuple[str, str], Hit] = {}
    for check in CHECKS:
        for hit in check(today=today, calendar=calendar):
            hits.setdefault((hit.kind, hit.key), hit)
    return list(hits.values())


def _event(
    finding: Finding,
    *,
    action: str,
    before: str,
    actor: StaffOrSystem | None = None,
    run: AuditRun | None = None,
    note: str = "",
) -> None:
    """A finding's event; a run's events name the run instead of an actor."""
    workflow.event(
        FindingEvent,
        actor=actor,
        note=note,
        finding=finding,
        run=run,
        action=action,
        from_status=before,
        to_status=finding.status,
    )


def _apply_hit(finding: Finding, hit: Hit, now: dt.datetime) -> None:
    finding.organisation_id, finding.severity = hit.organisation_id, hit.severity
    finding.title, finding.detail, finding.evidence_url = hit.title[:300], hit.detail, hit.evidence_url[:300]
    finding.last_found_at = now


@transaction.atomic
def audit_run(*, trigger: str, actor: StaffOrSystem, today: dt.date | None = None) -> AuditRun:
    """R36 (seed 001 §4; seed 003 四(一)): check everything, open a finding for each new problem, update the ones
    found again, reopen a fixed one that is back, and close the ones no longer true (except for things that
    happened, such as a late publication, which staff close). Records the run's counts for its report."""
    _may(permissions.can_run_audit, actor)
    hold_job_lock("self-audit")
    today = today or timezone.localdate()
    now = timezone.now()
    previous = AuditRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    run = AuditRun.objects.create(
        audit_date=today, trigger=trigger, actor=actors.staff_user(actor), previous=previous, started_at=now
    )
    hits = collect_hits(today=today)
    existing = {(f.kind, f.key): f for f in Finding.objects.select_for_update()}
    new, reopened, found_ids = 0, 0, []
    for hit in hits:
        finding = existing.get((hit.kind, hit.key))
        if finding is None:
            finding = Finding(kind=hit.kind, key=hit.key, first_found_at=now)
            _apply_hit(finding, hit, now)
            finding.save()
            _event(finding, action=Action.FOUND, before="", run=run, note=hit.detail)
            new += 1
        else:
            _apply_hit(finding, hit, now)
            before = finding.status
            if before == FStatus.FIXED and finding.kind not in HISTORICAL_KINDS:
                finding.status, finding.closed_at = FStatus.OPEN, None
                reopened += 1
            finding.save()
            if finding.status != before:
                _event(finding, action=Action.REOPENED, before=before, run=run, note=hit.detail)
        found_ids.append(finding.pk)
    run.found.set(found_ids)
    resolved = 0
    stale = (
        Finding.objects.filter(status__in=Finding.ACTIVE_STATUSES)
        .exclude(pk__in=found_ids)
        .exclude(kind__in=HISTORICAL_KINDS)
    )
    for finding in stale:
        before = finding.status
        finding.status, finding.closed_at = FStatus.FIXED, now
        finding.save(update_fields=["status", "closed_at", "updated_at"])
        _event(finding, action=Action.RESOLVED, before=before, run=run, note=_("复查时问题已不存在，自动关闭。"))
        resolved += 1
    run.summary = _summary(hits, new=new, reopened=reopened, resolved=resolved, previous=previous)
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "finished_at"])
    _notify(run)
    return run


def _summary(hits: list[Hit], *, new: int, reopened: int, resolved: int, previous: AuditRun | None) -> dict:
    names = dict(Organisation.objects.values_list("pk", "name"))
    by_org = Counter(h.organisation_id for h in hits)
    return {
        "total": len(hits),
        "by_kind": dict(Counter(h.kind for h in hits)),
        "by_severity": dict(Counter(h.severity for h in hits)),
        "by_org": [[pk, names.get(pk, ""), n] for pk, n in sorted(by_org.items(), key=lambda x: (-x[1], x[0]))],
        "new": new,
        "reopened": reopened,
        "resolved": resolved,
        "still_open": Finding.objects.filter(status__in=Finding.ACTIVE_STATUSES).count(),
        "previous_total": previous.summary.get("total") if previous else None,
    }


def _notify(run: AuditRun) -> None:
    path = settings.GOVOPEN_SITE_URL + reverse("admin:audits_auditrun_report", args=[run.pk])
    summary = run.summary
    notify_once(
        key=f"audit-run:{run.pk}",
        recipients=office_emails(),
        subject=_("自查完成：发现问题 %(n)s 项，新增 %(new)s 项") % {"n": summary["total"], "new": summary["new"]},
        body=_(
            "自查日期：%(d)s\n发现问题 %(n)s 项（新增 %(new)s，再次出现 %(re)s，已解决 %(res)s）。\n自查报告：%(path)s"
        )
        % {
            "d": run.audit_date.isoformat(),
            "n": summary["total"],
            "new": summary["new"],
            "re": summary["reopened"],
            "res": summary["resolved"],
            "path": path,
        },
    )
    new_by_org = Counter(
        FindingEvent.objects.filter(run=run, action__in=(Action.FOUND, Action.REOPENED)).values_list(
            "finding__organisation_id", flat=True
        )
    )
    for organisation in Organisation.objects.filter(pk__in=new_by_org):
        notify_once(
            key=f"audit-run:{run.pk}:org:{organisation.pk}",
            recipients=role_member_emails(organisation, Role.REVIEWER),
            subject=_("自查发现本机构问题 %(n)s 项，请整改") % {"n": new_by_org[organisation.pk]},
            body=_("请登录后台查看并整改：%(path)s")
            % {
                "path": settings.GOVOPEN_SITE_URL
                + reverse("admin:audits_finding_changelist")
                + f"?organisation__id__exact={organisation.pk}&status__exact=open",
            },
        )


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _move(
    finding: Finding,
    *,
    actor: StaffOrSystem,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    note: str,
    empty: str,
) -> Finding:
    finding = _locked(finding)
    _may(lambda user: permissions.can_work_finding(user, finding), actor)
    if finding.status not in allowed_from:
        raise AuditError(
            wrong_state(_("该问题当前状态为“%(s)s”，不能执行此操作。") % {"s": finding.get_status_display()})
        )
    note = (note or "").strip()
    if not note:
        raise AuditError(Problem(REASON_MISSING, empty, "note"))
    before = finding.status
    finding.status, finding.status_note = to, note
    finding.closed_at = timezone.now() if to in (FStatus.FIXED, FStatus.ACCEPTED) else None
    finding.save(update_fields=["status", "status_note", "closed_at", "updated_at"])
    _event(finding, action=action, before=before, actor=actor, note=note)
    return finding


@transaction.atomic
def finding_start(*, finding: Finding, actor: StaffOrSystem, note: str) -> Finding:
    """整改: the owner records the measures it is taking."""
    return _move(
        finding,
        actor=actor,
        allowed_from=(FStatus.OPEN,),
        to=FStatus.IN_PROGRESS,
        action=Action.STARTED,
        note=note,
        empty=_("请写明整改措施。"),
    )


@transaction.atomic
def finding_fix(*, finding: Finding, actor: StaffOrSystem, note: str) -> Finding:
    """The rectification is done. A problem still there at the next run is reopened by it."""
    return _move(
        finding,
        actor=actor,
        allowed_from=Finding.ACTIVE_STATUSES,
        to=FStatus.FIXED,
        action=Action.FIXED,
        note=note,
        empty=_("请写明整改结果。"),
    )


@transaction.atomic
def finding_accept(*, finding: Finding, actor: StaffOrSystem, reason: str) -> Finding:
    """Kept as it is, for a stated reason (a withheld document whose ground still holds, say); runs leave it so."""
    return _move(
        finding,
        actor=actor,
        allowed_from=Finding.ACTIVE_STATUSES,
        to=FStatus.ACCEPTED,
        action=Action.ACCEPTED,
        note=reason,
        empty=_("请写明保留的理由。"),
    )
