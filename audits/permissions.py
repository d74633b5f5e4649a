"""Who may run audits, see and work findings, and write and publish annual reports. Each question in a pair:
"may this user act on this object" beside "which objects may this user act on"."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from audits.models import AnnualReport, Finding
from catalog.models import Organisation
from catalog.permissions import (
    has_any_role,
    has_role,
    is_disclosure_office,
    organisations_with_role,
    staff_organisations,
)
from catalog.roles import Role
from core.actors import User


def can_run_audit(user: User) -> bool:
    """R36: the self-audit covers every organisation, so the disclosure office starts it."""
    return is_disclosure_office(user)


def can_view_audit_runs(user: User) -> bool:
    return is_disclosure_office(user)


def can_view_finding(user: User, finding: Finding) -> bool:
    return is_disclosure_office(user) or has_any_role(user, at=finding.organisation_id)


def viewable_findings(user: User) -> QuerySet[Finding]:
    if is_disclosure_office(user):
        return Finding.objects.all()
    return Finding.objects.filter(organisation__in=staff_organisations(user))


def can_work_finding(user: User, finding: Finding) -> bool:
    """The owner organisation's reviewers rectify its findings; the office may act on any."""
    return is_disclosure_office(user) or has_role(user, finding.organisation, Role.REVIEWER)


def workable_findings(user: User) -> QuerySet[Finding]:
    if is_disclosure_office(user):
        return Finding.objects.all()
    return Finding.objects.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


def _report_organisations(user: User) -> QuerySet[Organisation]:
    """A department's reviewers write its own report; the government's report is the office's (R30)."""
    return organisations_with_role(user, Role.REVIEWER).exclude(kind=Organisation.Kind.GOVERNMENT)


def can_manage_report(user: User, report: AnnualReport) -> bool:
    if is_disclosure_office(user):
        return True
    return _report_organisations(user).filter(pk=report.organisation_id).exists()


def manageable_reports(user: User) -> QuerySet[AnnualReport]:
    if is_disclosure_office(user):
        return AnnualReport.objects.all()
    return AnnualReport.objects.filter(organisation__in=_report_organisations(user))


def can_create_report(user: User, organisation: Organisation) -> bool:
    return is_disclosure_office(user) or _report_organisations(user).filter(pk=organisation.pk).exists()


def report_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.filter(is_active=True)
    return _report_organisations(user)


def can_view_report(user: User, report: AnnualReport) -> bool:
    return report.is_published or can_manage_report(user, report) or has_any_role(user, at=report.organisation_id)


def viewable_reports(user: User) -> QuerySet[AnnualReport]:
    if is_disclosure_office(user):
        return AnnualReport.objects.all()
    return AnnualReport.objects.filter(
        Q(organisation__in=staff_organisations(user)) | Q(status=AnnualReport.Status.PUBLISHED)
    )
