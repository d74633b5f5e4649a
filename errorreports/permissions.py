"""Who may do what with error reports, in pairs. The disclosure office runs the site: it reads every report,
acknowledges, answers or declines it, and alone sees the reporter's contact. Staff of the organisation whose page a
report is about read it (to correct the content) with the contact masked. The public never reads a report here: the
reporter follows it by its code, and answers are public on their own page."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.permissions import User, has_any_role, is_disclosure_office, staff_organisations
from errorreports.models import ErrorReport


def can_view_report(user: User, report: ErrorReport) -> bool:
    if is_disclosure_office(user):
        return True
    return report.organisation_id is not None and has_any_role(user, at=report.organisation_id)


def viewable_reports(user: User) -> QuerySet[ErrorReport]:
    if is_disclosure_office(user):
        return ErrorReport.objects.all()
    return ErrorReport.objects.filter(organisation__in=staff_organisations(user))


def can_view_any_report(user: User) -> bool:
    """Whether the queue is there for ``user`` at all (the admin's module and list), reports or not yet."""
    return is_disclosure_office(user) or has_any_role(user)


def can_acknowledge_report(user: User, report: ErrorReport) -> bool:
    return report.status == ErrorReport.Status.RECEIVED and is_disclosure_office(user)


def acknowledgeable_reports(user: User) -> QuerySet[ErrorReport]:
    if not is_disclosure_office(user):
        return ErrorReport.objects.none()
    return ErrorReport.objects.filter(status=ErrorReport.Status.RECEIVED)


def can_answer_report(user: User, report: ErrorReport) -> bool:
    """Answer publicly or decline with a reason: an open report, by the office."""
    return report.status in ErrorReport.OPEN_STATUSES and is_disclosure_office(user)


def answerable_reports(user: User) -> QuerySet[ErrorReport]:
    if not is_disclosure_office(user):
        return ErrorReport.objects.none()
    return ErrorReport.objects.filter(status__in=ErrorReport.OPEN_STATUSES)


def can_see_report_contact(user: User, report: ErrorReport) -> bool:
    return is_disclosure_office(user)


def contact_visible_reports(user: User) -> QuerySet[ErrorReport]:
    return ErrorReport.objects.all() if is_disclosure_office(user) else ErrorReport.objects.none()
