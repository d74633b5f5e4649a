"""Who may do what with documents, in pairs: ``can_x(user, document)`` beside ``x_documents(user)``.

Drafters act for their organisations' drafts and returns, reviewers for their organisations' review queue; the
disclosure office sees everything and may return any document in review or approved (R8, seed 001 §1).
"""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Organisation
from catalog.permissions import (
    User,
    has_any_role,
    has_role,
    has_role_anywhere,
    is_disclosure_office,
    organisations_with_role,
    staff_organisations,
)
from catalog.roles import Role
from disclosure.models import (
    Document,
    FeedSource,
    Interpretation,
    NegativeListEntry,
    Repost,
    SearchSynonym,
    ValidityProposal,
)

Status = Document.Status
DRAFTER_EDITABLE = (Status.DRAFT, Status.RETURNED)
REVIEWER_EDITABLE = (Status.IN_REVIEW,)
OFFICE_RETURNABLE = (Status.IN_REVIEW, Status.APPROVED)


def can_view_document(user: User, document: Document) -> bool:
    return is_disclosure_office(user) or has_any_role(user, at=document.organisation_id)


def viewable_documents(user: User) -> QuerySet[Document]:
    if is_disclosure_office(user):
        return Document.objects.all()
    return Document.objects.filter(organisation__in=staff_organisations(user))


def can_create_document(user: User, organisation: Organisation | None = None) -> bool:
    if organisation is None:
        return has_role_anywhere(user, Role.DRAFTER)
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
    return is_disclosure_office(user) or has_role_anywhere(user, Role.REVIEWER)


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
    """有效性 of a published document (a repeal, a revision) is decided by a reviewing official: the organisation's
    reviewer or the office. It needs no new review of the attribute."""
    if document.status != Status.PUBLISHED:
        return False
    return is_disclosure_office(user) or has_role(user, document.organisation, Role.REVIEWER)


def validity_settable_documents(user: User) -> QuerySet[Document]:
    published = Document.objects.filter(status=Status.PUBLISHED)
    if is_disclosure_office(user):
        return published
    return published.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


def can_propose_validity(user: User, document: Document) -> bool:
    """A drafter asks for a change of 有效性; it takes effect when a reviewer or the office approves it."""
    return document.status == Status.PUBLISHED and has_role(user, document.organisation, Role.DRAFTER)


def can_decide_validity_proposal(user: User, proposal: ValidityProposal) -> bool:
    """The reviewer or the office decides, and never on their own request (four eyes)."""
    return (
        proposal.outcome == ValidityProposal.Outcome.PENDING
        and proposal.proposed_by_id != getattr(user, "pk", None)
        and can_set_validity(user, proposal.document)
    )


def validity_proposals_to_decide(user: User) -> QuerySet[ValidityProposal]:
    pending = ValidityProposal.objects.filter(outcome=ValidityProposal.Outcome.PENDING).exclude(
        proposed_by_id=getattr(user, "pk", None)
    )
    return pending.filter(document__in=validity_settable_documents(user))


# --- Negative list (R14) ---------------------------------------------------------------------------------------------


def can_edit_negative_list(user: User, organisation: Organisation | None) -> bool:
    if is_disclosure_office(user):
        return True
    if organisation is None:
        return has_role_anywhere(user, Role.REVIEWER)
    return has_role(user, organisation, Role.REVIEWER)


def editable_negative_list(user: User) -> QuerySet[NegativeListEntry]:
    if is_disclosure_office(user):
        return NegativeListEntry.objects.all()
    return NegativeListEntry.objects.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


def can_view_negative_list(user: User, organisation: Organisation) -> bool:
    return is_disclosure_office(user) or has_any_role(user, at=organisation.pk)


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


def can_rereview_document(user: User, document: Document) -> bool:
    """R11: the organisation's reviewer, or the disclosure office, re-reviews a withheld document."""
    return is_disclosure_office(user) or has_role(user, document.organisation, Role.REVIEWER)


def rereviewable_documents(user: User) -> QuerySet[Document]:
    candidates = Document.objects.filter(status=Document.Status.APPROVED, attribute=Document.Attribute.WITHHELD)
    if is_disclosure_office(user):
        return candidates
    return candidates.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


# --- Interpretations (R15, R16) ----------------------------------------------------------------------------------

IStatus = Interpretation.Status
# A policy takes new interpretations while it is being drafted, or after publication (a later 媒体解读, say).
INTERPRETABLE_POLICY_STATUSES = (Status.DRAFT, Status.RETURNED, Status.PUBLISHED)


WAIVABLE_STATUSES = (Document.Status.DRAFT, Document.Status.RETURNED, Document.Status.IN_REVIEW)


def can_waive_interpretation(user: User, document: Document) -> bool:
    """Only the disclosure office lets a policy go out without its 三同步 interpretation (R16), before approval."""
    return is_disclosure_office(user) and document.is_policy and document.status in WAIVABLE_STATUSES


def interpretation_waivable_documents(user: User) -> QuerySet[Document]:
    if not is_disclosure_office(user):
        return Document.objects.none()
    return Document.objects.filter(is_policy=True, status__in=WAIVABLE_STATUSES)


def can_create_interpretation(user: User, policy: Document) -> bool:
    """谁起草谁解读 (R15): only the drafting organisation's drafters interpret its policy."""
    return (
        policy.is_policy
        and policy.status in INTERPRETABLE_POLICY_STATUSES
        and has_role(user, policy.organisation, Role.DRAFTER)
    )


def interpretable_policies(user: User) -> QuerySet[Document]:
    return Document.objects.filter(
        is_policy=True,
        status__in=INTERPRETABLE_POLICY_STATUSES,
        organisation__in=organisations_with_role(user, Role.DRAFTER),
        repost__isnull=True,
    )


def can_view_interpretation(user: User, interpretation: Interpretation) -> bool:
    return is_disclosure_office(user) or has_any_role(user, at=interpretation.organisation_id)


def viewable_interpretations(user: User) -> QuerySet[Interpretation]:
    if is_disclosure_office(user):
        return Interpretation.objects.all()
    return Interpretation.objects.filter(organisation__in=staff_organisations(user))


def can_edit_interpretation(user: User, interpretation: Interpretation) -> bool:
    """Drafters edit drafts and returns; the reviewer may correct one in review, as with documents (R13)."""
    if interpretation.status in (IStatus.DRAFT, IStatus.RETURNED):
        return has_role(user, interpretation.organisation, Role.DRAFTER)
    if interpretation.status == IStatus.IN_REVIEW:
        return has_role(user, interpretation.organisation, Role.REVIEWER)
    return False


def editable_interpretations(user: User) -> QuerySet[Interpretation]:
    return Interpretation.objects.filter(
        organisation__in=organisations_with_role(user, Role.DRAFTER), status__in=(IStatus.DRAFT, IStatus.RETURNED)
    ) | Interpretation.objects.filter(
        organisation__in=organisations_with_role(user, Role.REVIEWER), status=IStatus.IN_REVIEW
    )


def can_submit_interpretation(user: User, interpretation: Interpretation) -> bool:
    """On its own only for a policy already published; before that it goes with the policy (R16)."""
    return (
        interpretation.status in (IStatus.DRAFT, IStatus.RETURNED)
        and interpretation.policy.status == Status.PUBLISHED
        and has_role(user, interpretation.organisation, Role.DRAFTER)
    )


def submittable_interpretations(user: User) -> QuerySet[Interpretation]:
    return Interpretation.objects.filter(
        status__in=(IStatus.DRAFT, IStatus.RETURNED),
        policy__status=Status.PUBLISHED,
        organisation__in=organisations_with_role(user, Role.DRAFTER),
    )


def can_review_interpretation(user: User, interpretation: Interpretation) -> bool:
    return (
        interpretation.status == IStatus.IN_REVIEW
        and interpretation.policy.status == Status.PUBLISHED
        and has_role(user, interpretation.organisation, Role.REVIEWER)
    )


def reviewable_interpretations(user: User) -> QuerySet[Interpretation]:
    return Interpretation.objects.filter(
        status=IStatus.IN_REVIEW,
        policy__status=Status.PUBLISHED,
        organisation__in=organisations_with_role(user, Role.REVIEWER),
    )


def can_withdraw_interpretation(user: User, interpretation: Interpretation) -> bool:
    if interpretation.status != IStatus.PUBLISHED:
        return False
    return is_disclosure_office(user) or has_role(user, interpretation.organisation, Role.REVIEWER)


def withdrawable_interpretations(user: User) -> QuerySet[Interpretation]:
    published = Interpretation.objects.filter(status=IStatus.PUBLISHED)
    if is_disclosure_office(user):
        return published
    return published.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


# --- Reposts and feeds (R18) -------------------------------------------------------------------------------------


def can_register_repost(user: User, organisation: Organisation | None = None) -> bool:
    """Drafters register superior policies to repost, and draft the repost document."""
    if organisation is None:
        return is_disclosure_office(user) or has_role_anywhere(user, Role.DRAFTER)
    return is_disclosure_office(user) or has_role(user, organisation, Role.DRAFTER)


def repost_organisations(user: User) -> QuerySet[Organisation]:
    if is_disclosure_office(user):
        return Organisation.objects.filter(is_active=True)
    return organisations_with_role(user, Role.DRAFTER).filter(is_active=True)


def can_handle_repost(user: User, repost: Repost) -> bool:
    return repost.is_open and has_role(user, repost.organisation, Role.DRAFTER)


def handleable_reposts(user: User) -> QuerySet[Repost]:
    return Repost.objects.filter(
        status__in=Repost.OPEN_STATUSES, organisation__in=organisations_with_role(user, Role.DRAFTER)
    )


def can_dismiss_repost(user: User, repost: Repost) -> bool:
    """Declining to repost is a judgement the reviewer or the office makes, with a reason."""
    if repost.status != Repost.Status.QUEUED:
        return False
    return is_disclosure_office(user) or has_role(user, repost.organisation, Role.REVIEWER)


def dismissable_reposts(user: User) -> QuerySet[Repost]:
    queued = Repost.objects.filter(status=Repost.Status.QUEUED)
    if is_disclosure_office(user):
        return queued
    return queued.filter(organisation__in=organisations_with_role(user, Role.REVIEWER))


def can_view_repost(user: User, repost: Repost) -> bool:
    return is_disclosure_office(user) or has_any_role(user, at=repost.organisation_id)


def viewable_reposts(user: User) -> QuerySet[Repost]:
    if is_disclosure_office(user):
        return Repost.objects.all()
    return Repost.objects.filter(organisation__in=staff_organisations(user))


def can_edit_feed_source(user: User, source: FeedSource | None = None) -> bool:
    """Feeds are configured by the disclosure office: they decide what reaches every organisation's queue."""
    return is_disclosure_office(user)


def editable_feed_sources(user: User) -> QuerySet[FeedSource]:
    return FeedSource.objects.all() if is_disclosure_office(user) else FeedSource.objects.none()


def can_edit_search_synonyms(user: User, group: SearchSynonym | None = None) -> bool:
    """The search's synonyms are kept by the disclosure office: they change what every citizen's query finds."""
    return is_disclosure_office(user)


def editable_search_synonyms(user: User) -> QuerySet[SearchSynonym]:
    return SearchSynonym.objects.all() if is_disclosure_office(user) else SearchSynonym.objects.none()
