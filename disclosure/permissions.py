"""Who may do what with documents, in pairs: ``can_x(user, document)`` beside ``x_documents(user)``.

Drafters act for their organisations' drafts and returns, reviewers for their organisations' review queue; the
disclosure office sees everything and may return any document in review or approved (R8, seed 001 §1).
"""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Organisation
from catalog.permissions import (
    User,
    has_role,
    is_disclosure_office,
    organisations_with_role,
    staff_organisations,
)
from catalog.roles import Role
from disclosure.models import Document, NegativeListEntry

Status = Document.Status
DRAFTER_EDITABLE = (Status.DRAFT, Status.RETURNED)
REVIEWER_EDITABLE = (Status.IN_REVIEW,)
OFFICE_RETURNABLE = (Status.IN_REVIEW, Status.APPROVED)


def can_view_document(user: User, document: Document) -> bool:
    return is_disclosure_office(user) or staff_organisations(user).filter(pk=document.organisation_id).exists()


def viewable_documents(user: User) -> QuerySet[Document]:
    if is_disclosure_office(user):
        return Document.objects.all()
    return Document.objects.filter(organisation__in=staff_organisations(user))


def can_create_document(user: User, organisation: Organisation | None = None) -> bool:
    if organisation is None:
        return organisations_with_role(user, Role.DRAFTER).exists()
    return has_role(user, organisation, Role.DRAFTER)


def creatable_organisations(user: User) -> QuerySet[Organisation]:
    return organisations_with_role(user, Role.DRAFTER).filter(is_active=True)


def can_edit_document(user: User, document: Document) -> bool:
    """Drafters edit drafts and returns; reviewers may redact a document in review (R13)."""
    if document.status in DRAFTER_EDITABLE:
        return has_role(user, document.organisation, Role.DRAFTER)
    if document.status in REVIEWER_EDITABLE:
        return has_role(user, document.organisation, Role.REVIEWER)
    return False


def editable_documents(user: User) -> QuerySet[Document]:
    return Document.objects.filter(
        organisation__in=organisations_with_role(user, Role.DRAFTER), status__in=DRAFTER_EDITABLE
    ) | Document.objects.filter(
        organisation__in=organisations_with_role(user, Role.REVIEWER), status__in=REVIEWER_EDITABLE
    )


def can_submit_document(user: User, document: Document) -> bool:
    return document.status in DRAFTER_EDITABLE and has_role(user, document.organisation, Role.DRAFTER)


def submittable_documents(user: User) -> QuerySet[Document]:
    return Document.objects.filter(
        organisation__in=organisations_with_role(user, Role.DRAFTER), status__in=DRAFTER_EDITABLE
    )


def can_approve_document(user: User, document: Document) -> bool:
    return document.status == Status.IN_REVIEW and has_role(user, document.organisation, Role.REVIEWER)


def approvable_documents(user: User) -> QuerySet[Document]:
    return Document.objects.filter(
        organisation__in=organisations_with_role(user, Role.REVIEWER), status=Status.IN_REVIEW
    )


def can_return_document(user: User, document: Document) -> bool:
    if is_disclosure_office(user):
        return document.status in OFFICE_RETURNABLE
    return document.status == Status.IN_REVIEW and has_role(user, document.organisation, Role.REVIEWER)


def returnable_documents(user: User) -> QuerySet[Document]:
    if is_disclosure_office(user):
        return Document.objects.filter(status__in=OFFICE_RETURNABLE)
    return approvable_documents(user)


def can_view_review_queue(user: User) -> bool:
    return is_disclosure_office(user) or organisations_with_role(user, Role.REVIEWER).exists()


def review_queue_documents(user: User) -> QuerySet[Document]:
    """Documents this user may approve or return, the oldest submission first."""
    return (approvable_documents(user) | returnable_documents(user)).order_by("submitted_at", "pk")


def can_withdraw_document(user: User, document: Document) -> bool:
    if document.status != Status.PUBLISHED:
        return False
    return is_disclosure_office(user) or has_role(user, document.organisation, Role.REVIEWER)


def withdrawable_documents(user: User) -> QuerySet[Document]:
    published = Document.objects.filter(status=Status.PUBLISHED)
    if is_disclosure_office(user):
        return published
    return published.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


def can_set_validity(user: User, document: Document) -> bool:
    """有效性 changes after publication (a repeal, a revision) and needs no new review of the attribute."""
    if document.status != Status.PUBLISHED:
        return False
    return is_disclosure_office(user) or any(
        has_role(user, document.organisation, role) for role in (Role.DRAFTER, Role.REVIEWER)
    )


def validity_settable_documents(user: User) -> QuerySet[Document]:
    published = Document.objects.filter(status=Status.PUBLISHED)
    if is_disclosure_office(user):
        return published
    return published.filter(
        organisation__in=organisations_with_role(user, Role.DRAFTER) | organisations_with_role(user, Role.REVIEWER)
    )


# --- Negative list (R14) ---------------------------------------------------------------------------------------------


def can_edit_negative_list(user: User, organisation: Organisation | None) -> bool:
    if is_disclosure_office(user):
        return True
    if organisation is None:
        return organisations_with_role(user, Role.REVIEWER).exists()
    return has_role(user, organisation, Role.REVIEWER)


def editable_negative_list(user: User) -> QuerySet[NegativeListEntry]:
    if is_disclosure_office(user):
        return NegativeListEntry.objects.all()
    return NegativeListEntry.objects.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


def can_view_negative_list(user: User, organisation: Organisation) -> bool:
    return is_disclosure_office(user) or staff_organisations(user).filter(pk=organisation.pk).exists()


def viewable_negative_list(user: User) -> QuerySet[NegativeListEntry]:
    if is_disclosure_office(user):
        return NegativeListEntry.objects.all()
    return NegativeListEntry.objects.filter(organisation__in=staff_organisations(user))


def can_reconsider_document(user: User, document: Document) -> bool:
    """Art 44: the disclosure office, or the organisation's reviewer, proposes an on-request document as proactive."""
    return is_disclosure_office(user) or has_role(user, document.organisation, Role.REVIEWER)


def reconsiderable_documents(user: User) -> QuerySet[Document]:
    candidates = Document.objects.filter(status=Document.Status.APPROVED, attribute=Document.Attribute.ON_REQUEST)
    if is_disclosure_office(user):
        return candidates
    return candidates.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))
