"""Who may see and handle applications, in pairs. Applications are never public (R27).

- The disclosure office sees and may handle every case; its head approves extensions (R24).
- An organisation's handlers (申请承办人) handle its cases; its reviewers may read them (masked), e.g. to sign off
  a reply or to act on an Art 44 cluster.
- Identity numbers and contacts are shown in full only to the disclosure office and to the case's handler; while a
  case has no handler yet, to the organisation's handlers, one of whom must confirm it with the applicant (R21).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from catalog.models import DISCLOSURE_SUBJECT, Organisation
from catalog.permissions import (
    User,
    has_role,
    has_role_anywhere,
    is_disclosure_office,
    is_disclosure_office_head,
    organisations_with_role,
)
from catalog.roles import Role
from requests_app.models import InformationRequest, LetterTemplate, Outcome


def can_view_request(user: User, request: InformationRequest) -> bool:
    return (
        is_disclosure_office(user)
        or has_role(user, request.organisation, Role.HANDLER)
        or has_role(user, request.organisation, Role.REVIEWER)
    )


def viewable_requests(user: User) -> QuerySet[InformationRequest]:
    if is_disclosure_office(user):
        return InformationRequest.objects.all()
    return InformationRequest.objects.filter(
        Q(organisation__in=organisations_with_role(user, Role.HANDLER))
        | Q(organisation__in=organisations_with_role(user, Role.REVIEWER))
    )


def can_handle_request(user: User, request: InformationRequest) -> bool:
    return is_disclosure_office(user) or has_role(user, request.organisation, Role.HANDLER)


def handleable_requests(user: User) -> QuerySet[InformationRequest]:
    if is_disclosure_office(user):
        return InformationRequest.objects.all()
    return InformationRequest.objects.filter(organisation__in=organisations_with_role(user, Role.HANDLER))


def can_register_request(user: User) -> bool:
    """Staff enter applications that arrived on paper, by fax or orally (R20)."""
    return is_disclosure_office(user) or has_role_anywhere(user, Role.HANDLER)


def registrable_organisations(user: User) -> QuerySet[Organisation]:
    """The 受理机关 an application may be registered for: 公开主体 only, never an internal office (处室)."""
    if is_disclosure_office(user):
        return Organisation.objects.filter(DISCLOSURE_SUBJECT)
    return organisations_with_role(user, Role.HANDLER).filter(DISCLOSURE_SUBJECT)


def can_see_personal_data(user: User, request: InformationRequest) -> bool:
    if is_disclosure_office(user):
        return True
    if request.handler_id is not None:
        return request.handler_id == getattr(user, "pk", None) and can_handle_request(user, request)
    return can_handle_request(user, request)


def personal_data_requests(user: User) -> QuerySet[InformationRequest]:
    if is_disclosure_office(user):
        return InformationRequest.objects.all()
    handled = handleable_requests(user)
    return handled.filter(Q(handler=user) | Q(handler__isnull=True))


def can_approve_extension(user: User, request: InformationRequest) -> bool:
    return is_disclosure_office_head(user)


def extension_approvable_requests(user: User) -> QuerySet[InformationRequest]:
    if not is_disclosure_office_head(user):
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(
        extension_proposed_days__isnull=False,
        extension_approved_by__isnull=True,
        extension_days=0,
        status=InformationRequest.Status.ACCEPTED,
    )


def can_record_review(user: User, request: InformationRequest) -> bool:
    """行政复议 / 行政诉讼 records (R29): the case's organisation's handlers and the office."""
    return can_handle_request(user, request)


def review_recordable_requests(user: User) -> QuerySet[InformationRequest]:
    return handleable_requests(user)


def can_view_art44(user: User) -> bool:
    return is_disclosure_office(user) or has_role_anywhere(user, Role.REVIEWER) or has_role_anywhere(user, Role.HANDLER)


def can_propose_art44(user: User, organisation: Organisation) -> bool:
    return is_disclosure_office(user) or has_role(user, organisation, Role.REVIEWER)


def art44_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.all()
    return organisations_with_role(user, Role.REVIEWER) | organisations_with_role(user, Role.HANDLER)


def can_reopen_request(user: User, request: InformationRequest) -> bool:
    """Art 30: only the disclosure office reopens a case closed as abandoned for want of a correction."""
    return is_disclosure_office(user)


def reopenable_requests(user: User) -> QuerySet[InformationRequest]:
    if not is_disclosure_office(user):
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(status=InformationRequest.Status.ABANDONED, outcome=Outcome.NO_CORRECTION)


# Reply letter templates: the office words them for every organisation or for one; handlers read what is in force.
def can_view_letter_templates(user: User) -> bool:
    return is_disclosure_office(user) or has_role_anywhere(user, Role.HANDLER)


def viewable_letter_templates(user: User) -> QuerySet[LetterTemplate]:
    if is_disclosure_office(user):
        return LetterTemplate.objects.all()
    return LetterTemplate.objects.filter(
        Q(organisation__isnull=True) | Q(organisation__in=organisations_with_role(user, Role.HANDLER))
    )


def can_edit_letter_templates(user: User) -> bool:
    return is_disclosure_office(user)


def editable_letter_templates(user: User) -> QuerySet[LetterTemplate]:
    return LetterTemplate.objects.all() if is_disclosure_office(user) else LetterTemplate.objects.none()
