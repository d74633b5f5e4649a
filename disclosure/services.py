"""Every write that changes a document: one function per state change (R6–R9, R11–R14).

Each is atomic, checks the current state and the actor's role, saves only what it touched, writes a DocumentEvent
and the history reason, and leaves side effects (search indexing, e-mail) to ``transaction.on_commit``.
The actor is typed (core.actors): a staff user, or the ``System`` with its job (scheduled publishing, demo loading);
``None`` is refused.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import CatalogueNode, Organisation
from catalog.roles import Role
from catalog.selectors import role_member_emails
from core import actors, workflow
from core.actors import StaffOrSystem, System, User
from core.errors import DUPLICATE, INVALID, REASON_MISSING, Problem, Problems, forbidden, wrong_state
from core.pubversion import publication_changed
from core.records import save_checked
from disclosure import permissions
from disclosure.bundle import bundle_move, policy_problems
from disclosure.content import CheckedUpload, body_text, sanitise_body
from disclosure.models import (
    Attachment,
    Document,
    DocumentEvent,
    IndexSerial,
    NegativeListEntry,
    Repost,
    RepostEvent,
    SearchEntry,
    ValidityProposal,
)
from disclosure.personal_data import Finding, scan_text
from disclosure.search import backends
from disclosure.search.index import search_entry_sync
from integrity.models import Entry as IntegrityEntry
from integrity.services import integrity_document
from ops.services import notify_once

logger = logging.getLogger(__name__)
Status = Document.Status
Attribute = Document.Attribute
Action = DocumentEvent.Action

EDITABLE_FIELDS = (
    "title",
    "document_number",
    "issuer",
    "written_on",
    "keywords",
    "summary",
    "topic",
    "body",
    "attribute",
    "ground",
    "reason",
    "negative_list_entry",
    "is_policy",
    "validity",
    "successor",
    "repealed_on",
    "legal_form",
    "decision_kind",
    "decision_count",
)


class DocumentError(Problems):
    """A move the rules do not allow (core.errors): one problem per missing piece, each with its code."""


def _may(allowed: Callable[[User], bool], actor: StaffOrSystem) -> None:
    workflow.authorise(allowed, actor, DocumentError, _("您没有办理该文件这一操作的权限。"))


def _locked(document: Document) -> Document:
    """The document re-read under a row lock, so two reviewers clicking at once cannot both act."""
    return workflow.lock(document, "organisation")


def _record(
    document: Document, *, actor: StaffOrSystem, action: str, before: str, note: str = "", fields: Iterable[str] = ()
) -> DocumentEvent:
    return workflow.record(  # type: ignore[return-value]
        document,
        events=DocumentEvent,
        owner="document",
        actor=actor,
        action=action,
        label=str(DocumentEvent.Action(action).label),
        before=before,
        note=note,
        fields=fields,
    )


def _schedule_indexing(document_id: int) -> None:
    # An outbox message in the caller's transaction: a document committed while Redis is down is still indexed,
    # once, by the drain job (R39); the request never waits on or fails with the broker.
    from ops.outbox import outbox_enqueue

    outbox_enqueue(task="disclosure.tasks.index_document", kwargs={"document_id": document_id})


def _allocate_serial(*, organisation: Organisation, year: int) -> int:
    # The counter row is locked by the UPDATE until commit: concurrent creators queue behind it and each gets
    # the next number; a rolled-back creation gives its number back, a committed one never reuses it (R12).
    IndexSerial.objects.bulk_create([IndexSerial(organisation=organisation, year=year)], ignore_conflicts=True)
    IndexSerial.objects.filter(organisation=organisation, year=year).update(last=F("last") + 1)
    return IndexSerial.objects.get(organisation=organisation, year=year).last


def _validate(document: Document) -> None:
    problems: list[Problem | str] = []
    if document.negative_list_entry_id and document.negative_list_entry.organisation_id != document.organisation_id:
        problems.append(Problem("negative_list_foreign", _("所选负面清单事项不属于本机构。"), "negative_list_entry"))
    if document.successor_id and document.successor_id == document.pk:
        problems.append(_("修订后的文件不能是本文件。"))
    if document.validity == Document.Validity.AMENDED and not document.successor_id:
        problems.append(_("有效性为“已修订”时，请选择修订后的文件。"))
    if document.written_on and document.written_on > timezone.localdate() + dt.timedelta(days=366):
        problems.append(_("成文日期不能晚于一年以后。"))
    if document.decision_kind and not document.decision_count:
        problems.append(_("选择了公开的处理决定时，请填写处理决定数量（至少 1 件）。"))
    if document.decision_count and not document.decision_kind:
        problems.append(_("填写了处理决定数量时，请选择处理决定的类型。"))
    if problems:
        raise DocumentError(*problems)


def _apply(document: Document, changes: dict[str, Any], *, historical: bool = False) -> list[str]:
    """Set the editable fields. A 行政规范性文件 is a policy by its type (R15, R16): the 三同步 gate comes with it,
    whether or not the drafter ticked 政策性文件 — except for a ``historical`` import published before the platform."""
    touched = []
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable document field")
        if name == "body":
            value = sanitise_body(value)
        if getattr(document, name) != value:
            setattr(document, name, value)
            touched.append(name)
    if "body" in touched:
        document.body_text = body_text(document.body)
        touched.append("body_text")
    if document.attribute == Attribute.PROACTIVE and (
        document.ground or document.reason or document.negative_list_entry_id
    ):
        # A proactive document has no ground for withholding; keeping one would mislead the annual count.
        document.ground, document.reason, document.negative_list_entry = "", "", None
        touched += ["ground", "reason", "negative_list_entry"]
    if document.legal_form == Document.LegalForm.NORMATIVE and not document.is_policy and not historical:
        document.is_policy = True
        touched.append("is_policy")
    return list(dict.fromkeys(touched))


def _field_labels(fields: Iterable[str]) -> str:
    return "、".join(str(Document._meta.get_field(name).verbose_name) for name in fields if name != "body_text")


def document_check(
    *,
    document: Document | None,
    organisation: Organisation,
    changes: dict[str, Any],
    catalogue_nodes: Iterable[CatalogueNode] = (),
) -> None:
    """The checks ``document_create``/``document_update`` will make, without saving: forms call it to show the
    problems next to what the user typed."""
    draft = copy.copy(document) if document is not None else Document(organisation=organisation)
    _apply(draft, changes)
    _validate(draft)
    _check_nodes(draft, list(catalogue_nodes))


@transaction.atomic
def document_create(
    *,
    organisation: Organisation,
    actor: StaffOrSystem,
    changes: dict[str, Any],
    catalogue_nodes: Iterable[CatalogueNode] = (),
) -> Document:
    """A new draft with its 索引号 ``{code}/{YYYY}-{NNNNN}``; the year is that of the 成文日期, else this year (R12)."""
    _may(lambda user: permissions.can_create_document(user, organisation), actor)
    document = Document(organisation=organisation, drafter=actors.staff_user(actor), status=Status.DRAFT)
    _apply(document, changes)
    year = (document.written_on or timezone.localdate()).year
    document.index_year = year
    document.index_serial = _allocate_serial(organisation=organisation, year=year)
    document.index_no = f"{organisation.code}/{year}-{document.index_serial:05d}"
    _validate(document)
    document._change_reason = str(Action.CREATED.label)
    document._history_user = actors.staff_user(actor)
    document.save()
    nodes = list(catalogue_nodes)
    _check_nodes(document, nodes)
    document.catalogue_nodes.set(nodes)
    DocumentEvent.objects.create(
        document=document, actor=actors.staff_user(actor), action=Action.CREATED, to_status=Status.DRAFT
    )
    return document


@transaction.atomic
def document_import(
    *,
    organisation: Organisation,
    actor: StaffOrSystem,
    changes: dict[str, Any],
    published_at: dt.datetime,
    catalogue_nodes: Iterable[CatalogueNode] = (),
) -> Document:
    """Bring in a 主动公开 document that was published before the platform existed (a county moving its old
    portal here), keeping its original publication time. It still passes the attribute checks of R6."""
    if changes.get("attribute") != Attribute.PROACTIVE:
        raise DocumentError(_("只能导入已主动公开的文件。"))
    if published_at > timezone.now():
        raise DocumentError(_("导入文件的发布日期不能晚于现在。"))
    document = Document(organisation=organisation, drafter=actors.staff_user(actor), status=Status.DRAFT)
    _apply(document, changes, historical=True)
    year = (document.written_on or timezone.localtime(published_at).date()).year
    document.index_year = year
    document.index_serial = _allocate_serial(organisation=organisation, year=year)
    document.index_no = f"{organisation.code}/{year}-{document.index_serial:05d}"
    _validate(document)
    problems = [p for p in submission_problems(document) if p != _("请填写成文日期。")]
    if problems:
        raise DocumentError(*problems)
    document.status = Status.PUBLISHED
    document.published_at = document.decided_at = document.submitted_at = published_at
    document.confidentiality_checked = True
    document._change_reason = str(Action.IMPORTED.label)
    document._history_user = actors.staff_user(actor)
    document.save()
    nodes = list(catalogue_nodes)
    _check_nodes(document, nodes)
    document.catalogue_nodes.set(nodes)
    DocumentEvent.objects.create(
        document=document,
        actor=actors.staff_user(actor),
        action=Action.IMPORTED,
        to_status=Status.PUBLISHED,
        note=timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M"),
    )
    _schedule_indexing(document.pk)
    publication_changed(organisation)
    integrity_document(document=document, event=IntegrityEntry.Kind.PUBLISHED)
    return document


def _check_nodes(document: Document, nodes: list[CatalogueNode]) -> None:
    foreign = [n for n in nodes if n.organisation_id != document.organisation_id]
    if foreign:
        raise DocumentError(
            _("目录事项必须属于发布机构自己的目录：%(names)s") % {"names": "、".join(n.name for n in foreign)}
        )


@transaction.atomic
def document_update(
    *,
    document: Document,
    actor: StaffOrSystem,
    changes: dict[str, Any],
    catalogue_nodes: Iterable[CatalogueNode] | None = None,
) -> Document:
    """Edit a draft or a return (drafter), or redact a document in review (reviewer, R13)."""
    document = _locked(document)
    if document.status not in (Status.DRAFT, Status.RETURNED, Status.IN_REVIEW):
        raise DocumentError(
            wrong_state(_("“%(status)s”状态的文件不能修改。") % {"status": document.get_status_display()})
        )
    _may(lambda user: permissions.can_edit_document(user, document), actor)
    touched = _apply(document, changes)
    _validate(document)
    if catalogue_nodes is not None:
        nodes = list(catalogue_nodes)
        _check_nodes(document, nodes)
        if set(document.catalogue_nodes.all()) != set(nodes):
            document.catalogue_nodes.set(nodes)
            touched.append("catalogue_nodes")
    if touched:
        _record(
            document,
            actor=actor,
            action=Action.EDITED,
            before=document.status,
            note=_field_labels(touched),
            fields=[f for f in touched if f != "catalogue_nodes"],
        )
    return document


@transaction.atomic
def attachment_add(*, document: Document, actor: StaffOrSystem, upload: CheckedUpload) -> Attachment:
    document = _locked(document)
    if document.status not in (Status.DRAFT, Status.RETURNED, Status.IN_REVIEW):
        raise DocumentError(
            wrong_state(_("“%(status)s”状态的文件不能添加附件。") % {"status": document.get_status_display()})
        )
    _may(lambda user: permissions.can_edit_document(user, document), actor)
    attachment = Attachment(
        document=document,
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        extracted_text=upload.text,
    )
    attachment._history_user = actors.staff_user(actor)
    attachment.file.save(upload.name, ContentFile(upload.data), save=False)
    attachment.save()
    _record(document, actor=actor, action=Action.ATTACHED, before=document.status, note=upload.name)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: StaffOrSystem) -> None:
    document = _locked(attachment.document)
    if document.status not in (Status.DRAFT, Status.RETURNED, Status.IN_REVIEW):
        raise DocumentError(
            wrong_state(_("“%(status)s”状态的文件不能删除附件。") % {"status": document.get_status_display()})
        )
    _may(lambda user: permissions.can_edit_document(user, document), actor)
    name, stored = attachment.name, attachment.file.name
    attachment._history_user = actors.staff_user(actor)
    attachment.delete()
    # The file goes only once the deletion is committed; a rollback keeps both row and file.
    transaction.on_commit(lambda: Attachment.file.field.storage.delete(stored))
    _record(document, actor=actor, action=Action.DETACHED, before=document.status, note=name)


def submission_problems(document: Document) -> list[str]:
    """What keeps a document from entering review (R6, R12): each missing piece named."""
    problems = []
    if not document.title.strip():
        problems.append(_("请填写标题。"))
    if not document.written_on:
        problems.append(_("请填写成文日期。"))
    if not document.attribute:
        problems.append(_("未明确公开属性（主动公开、依申请公开或不予公开），文件不能流转。"))
    elif document.attribute != Attribute.PROACTIVE:
        label = document.get_attribute_display()
        if not document.ground:
            problems.append(_("公开属性为“%(attr)s”时，必须选择不公开的法定理由。") % {"attr": label})
        if not document.reason.strip():
            problems.append(_("公开属性为“%(attr)s”时，必须写明不公开的理由。") % {"attr": label})
    has_files = document.pk is not None and document.attachments.exists()
    if document.attribute == Attribute.PROACTIVE and not document.body_text and not has_files:
        problems.append(_("主动公开的文件需要正文或附件。"))
    return problems


@transaction.atomic
def document_submit(*, document: Document, actor: StaffOrSystem) -> Document:
    """Drafter → reviewer: the attribute is proposed with the document (R6, R8; seed 001 §1)."""
    document = _locked(document)
    _may(lambda user: permissions.can_submit_document(user, document), actor)
    if document.status not in (Status.DRAFT, Status.RETURNED):
        raise DocumentError(wrong_state(_("只有草稿或退回的文件可以提交审核。")))
    problems = submission_problems(document) + policy_problems(document)
    if problems:
        raise DocumentError(*problems)
    before = document.status
    document.status = Status.IN_REVIEW
    document.submitted_at = timezone.now()
    _record(document, actor=actor, action=Action.SUBMITTED, before=before, fields=["status", "submitted_at"])
    bundle_move(document=document, action=Action.SUBMITTED, actor=actor, at=document.submitted_at)
    return document


@transaction.atomic
def document_return(*, document: Document, actor: StaffOrSystem, reason: str) -> Document:
    """退文: back to the drafter with a reason (R8). The disclosure office may return any document in review or
    approved whose attribute or reason is missing or unlawful (seed 001 §1)."""
    document = _locked(document)
    _may(lambda user: permissions.can_return_document(user, document), actor)
    if document.status not in (Status.IN_REVIEW, Status.APPROVED):
        raise DocumentError(wrong_state(_("只有待审核或已审定（未发布）的文件可以退回。")))
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(Problem(REASON_MISSING, _("请写明退回理由，拟稿人将据此修改。"), "reason"))
    before = document.status
    document.status = Status.RETURNED
    document.return_reason = reason
    document.reviewer = actors.staff_user(actor)
    document.scheduled_at = None
    event = _record(
        document,
        actor=actor,
        action=Action.RETURNED,
        before=before,
        note=reason,
        fields=["status", "return_reason", "reviewer", "scheduled_at"],
    )
    bundle_move(document=document, action=Action.RETURNED, actor=actor, at=event.at, note=reason)
    drafter = document.drafter
    if drafter is not None and drafter.email:
        path = settings.GOVOPEN_SITE_URL + reverse("admin:disclosure_document_change", args=[document.pk])
        notify_once(
            key=f"document-returned:{event.pk}",
            recipients=[drafter.email],
            subject=_("文件被退回：%(title)s") % {"title": document.title},
            body=_("您起草的文件《%(title)s》（%(index)s）被退回。\n退回理由：%(reason)s\n请登录后台修改：%(path)s")
            % {"title": document.title, "index": document.index_no, "reason": reason, "path": path},
        )
    publication_changed(document.organisation)  # an approved 依申请公开 document leaves the directory
    return document


@transaction.atomic
def document_reconsider(*, document: Document, actor: StaffOrSystem, note: str) -> Document:
    """Art 44 (R28): an 依申请公开 document that several applicants asked for is proposed as 主动公开. It goes back
    to its organisation's reviewer with the new attribute, who approves (and so publishes) it or returns it."""
    document = _locked(document)
    _may(lambda user: permissions.can_reconsider_document(user, document), actor)
    if document.status != Status.APPROVED or document.attribute != Attribute.ON_REQUEST:
        raise DocumentError(wrong_state(_("只有已审定为依申请公开的文件可以提议转为主动公开。")))
    note = (note or "").strip()
    if not note:
        raise DocumentError(_("请写明提议理由。"))
    publication_changed(document.organisation)  # it leaves the 依申请公开目录 while in review
    return _back_to_review(
        document,
        actor=actor,
        action=Action.RECONSIDERED,
        attribute=Attribute.PROACTIVE,
        note=note,
        key="document-reconsider",
        subject=_("提议转为主动公开：%(title)s") % {"title": document.title},
    )


def _back_to_review(
    document: Document,
    *,
    actor: StaffOrSystem,
    action: str,
    attribute: str,
    note: str,
    key: str,
    subject: str,
    ground: str = "",
    reason: str = "",
    event_note: str = "",
) -> Document:
    """An approved document goes back to its reviewer with a new attribute (Art 44 proposal, R11 re-review): the
    reviewer approves it (a proactive one is then published) or returns it. The reviewers are told once."""
    before = document.status
    document.status, document.attribute = Status.IN_REVIEW, attribute
    document.ground, document.reason = (ground, reason) if attribute == Attribute.ON_REQUEST else ("", "")
    document.negative_list_entry = None
    document.submitted_at = timezone.now()
    _record(
        document,
        actor=actor,
        action=action,
        before=before,
        note=event_note or note,
        fields=["status", "attribute", "ground", "reason", "negative_list_entry", "submitted_at"],
    )
    path = settings.GOVOPEN_SITE_URL + reverse("admin:disclosure_document_review", args=[document.pk])
    notify_once(
        key=f"{key}:{document.pk}:{document.submitted_at.timestamp():.0f}",
        recipients=role_member_emails(document.organisation, Role.REVIEWER),
        subject=subject,
        body=_("%(note)s\n请审核：%(path)s") % {"note": note, "path": path},
    )
    return document


@transaction.atomic
def document_interpretation_waive_problems(document: Document, actor: StaffOrSystem) -> list[Problem]:
    """Whether the waiver may be given now, before any reason is typed: the admin offers it exactly then."""
    if not workflow.permitted(lambda user: permissions.can_waive_interpretation(user, document), actor):
        return [forbidden(_("您没有办理该文件这一操作的权限。"))]
    if not document.is_policy or document.status not in permissions.WAIVABLE_STATUSES:
        return [wrong_state(_("只有尚未审定的政策性文件可以免于同步解读。"))]
    if document.interpretation_waiver:
        return [Problem(DUPLICATE, _("该文件已批准免于同步解读。"))]
    return []


def document_interpretation_waive(*, document: Document, actor: StaffOrSystem, reason: str) -> Document:
    """R15/R16: the disclosure office lets one policy (or 行政规范性文件) be submitted and published without the
    三同步 interpretation, e.g. a purely technical amendment, with the reason on record."""
    document = _locked(document)
    workflow.check(document_interpretation_waive_problems(document, actor), DocumentError)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DocumentError(Problem(REASON_MISSING, _("请写明免于同步解读的理由（至少 4 个字）。"), "reason"))
    document.interpretation_waiver = reason
    document.interpretation_waived_by = actors.staff_user(actor)
    document.interpretation_waived_at = timezone.now()
    _record(
        document,
        actor=actor,
        action=Action.WAIVED,
        before=document.status,
        note=reason,
        fields=["interpretation_waiver", "interpretation_waived_by", "interpretation_waived_at"],
    )
    return document


REREVIEW_KEEP = "keep"


@transaction.atomic
def document_rereview_problems(document: Document, actor: StaffOrSystem) -> list[Problem]:
    """Whether the yearly re-review may be recorded now (R11), before any conclusion is typed: the admin offers it
    exactly then."""
    if not workflow.permitted(lambda user: permissions.can_rereview_document(user, document), actor):
        return [forbidden(_("您没有办理该文件这一操作的权限。"))]
    if document.status != Status.APPROVED or document.attribute != Attribute.WITHHELD:
        return [wrong_state(_("只有已审定为不予公开的文件需要年度复核。"))]
    return []


def document_available_actions(document: Document, user: User) -> frozenset[str]:
    """The steps ``user`` may take on ``document`` now: the admin shows a button and opens an action page exactly for
    these, from the same permission pairs and ``*_problems`` checks the services apply under their row lock."""
    allowed: dict[str, Callable[[], bool]] = {
        "submit": lambda: permissions.can_submit_document(user, document),
        "approve": lambda: permissions.can_approve_document(user, document),
        "return": lambda: permissions.can_return_document(user, document),
        "withdraw": lambda: permissions.can_withdraw_document(user, document),
        "set_validity": lambda: permissions.can_set_validity(user, document),
        "propose_validity": lambda: permissions.can_propose_validity(user, document),
        "rereview": lambda: not document_rereview_problems(document, user),
        "waive_interpretation": lambda: not document_interpretation_waive_problems(document, user),
    }
    return frozenset(name for name, check in allowed.items() if check())


def document_rereview(
    *, document: Document, actor: StaffOrSystem, attribute: str, note: str, ground: str = "", reason: str = ""
) -> Document:
    """R11 (seed 003 四(一)): the yearly re-review of a 不予公开 document. Keeping it withheld is recorded with the
    reason it still holds; a lapsed reason sends it back to the reviewer as 主动公开 or 依申请公开 (with its ground)."""
    document = _locked(document)
    workflow.check(document_rereview_problems(document, actor), DocumentError)
    note, reason = (note or "").strip(), (reason or "").strip()
    problems = []
    if not note:
        problems.append(_("请写明复核意见。"))
    if attribute not in (REREVIEW_KEEP, Attribute.PROACTIVE, Attribute.ON_REQUEST):
        problems.append(_("请选择复核结论。"))
    if attribute == Attribute.ON_REQUEST and not (ground and reason):
        problems.append(_("转为依申请公开须选择法定理由并说明理由。"))
    if problems:
        raise DocumentError(*problems)
    if attribute == REREVIEW_KEEP:
        DocumentEvent.objects.create(
            document=document,
            actor=actors.staff_user(actor),
            action=Action.REREVIEWED,
            from_status=document.status,
            to_status=document.status,
            note=_("维持不予公开：%(note)s") % {"note": note},
        )
        return document
    label = dict(Attribute.choices)[attribute]
    return _back_to_review(
        document,
        actor=actor,
        action=Action.REREVIEWED,
        attribute=attribute,
        ground=ground,
        reason=reason,
        note=note,
        event_note=_("不予公开理由已消失，转为%(attr)s：%(note)s") % {"attr": label, "note": note},
        key="document-rereview",
        subject=_("不予公开文件复核后转为%(attr)s：%(title)s") % {"attr": label, "title": document.title},
    )


def document_scan(document: Document) -> list[Finding]:
    """R13: personal data in the title, body and attachment texts."""
    findings = scan_text(document.title, where=str(_("标题"))) + scan_text(document.body_text, where=str(_("正文")))
    for attachment in document.attachments.all():
        findings += scan_text(attachment.extracted_text, where=str(_("附件“%(name)s”") % {"name": attachment.name}))
    return findings


def describe_findings(findings: list[Finding]) -> str:
    return "；".join(f"{f.label} {f.masked}（{f.where}）" for f in findings)


@transaction.atomic
def document_approve(
    *,
    document: Document,
    actor: StaffOrSystem,
    confidentiality_checked: bool,
    personal_data_note: str = "",
    publish_at: dt.datetime | None = None,
) -> Document:
    """The reviewer confirms the attribute after the confidentiality review (R8, Art 17). A 主动公开 document is
    published at once or at ``publish_at`` (R9); 依申请公开 goes to the directory (R10); 不予公开 stays internal."""
    document = _locked(document)
    _may(lambda user: permissions.can_approve_document(user, document), actor)
    if document.status != Status.IN_REVIEW:
        raise DocumentError(wrong_state(_("只有待审核的文件可以审定。")))
    problems: list[Problem | str] = [*submission_problems(document), *policy_problems(document)]
    problems += workflow.confidentiality_problems(confidentiality_checked)
    findings = document_scan(document)
    note = (personal_data_note or "").strip()
    if findings and not note:
        problems.append(
            _("发现疑似个人信息：%(found)s。请先删除或遮盖后再审定，或写明可以公开的理由。")
            % {"found": describe_findings(findings)}
        )
    if publish_at is not None and document.attribute != Attribute.PROACTIVE:
        problems.append(Problem("schedule_proactive_only", _("只有主动公开的文件可以定时发布。"), "publish_at"))
    if publish_at is not None and publish_at > timezone.now() + dt.timedelta(days=366):
        problems.append(_("定时发布时间不能晚于一年以后。"))
    if problems:
        raise DocumentError(*problems)
    now = timezone.now()
    document.status = Status.APPROVED
    document.decided_at = now
    document.reviewer = actors.staff_user(actor)
    document.confidentiality_checked = True
    document.personal_data_note = note if findings else ""
    event_note = str(document.get_attribute_display())
    if findings:
        event_note += _("；经审核可公开的个人信息：%(found)s；理由：%(note)s") % {
            "found": describe_findings(findings),
            "note": note,
        }
    _record(
        document,
        actor=actor,
        action=Action.APPROVED,
        before=Status.IN_REVIEW,
        note=event_note,
        fields=["status", "decided_at", "reviewer", "confidentiality_checked", "personal_data_note"],
    )
    bundle_move(document=document, action=Action.APPROVED, actor=actor, at=now)
    if document.attribute == Attribute.PROACTIVE:
        if publish_at is not None and publish_at > now:
            document.scheduled_at = publish_at
            _record(
                document,
                actor=actor,
                action=Action.SCHEDULED,
                before=Status.APPROVED,
                note=timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M"),
                fields=["scheduled_at"],
            )
        else:
            _publish(document, actor=actor)
    publication_changed(document.organisation)  # published now, or (依申请公开) listed in the directory
    return document


def _publish(document: Document, *, actor: StaffOrSystem) -> None:
    """Publish the document, its interpretations in the same moment (R16), and close its repost clock (R18)."""
    problems = policy_problems(document)
    if problems:
        raise DocumentError(*problems)
    document.status = Status.PUBLISHED
    document.published_at = timezone.now()
    document.scheduled_at = None
    _record(
        document,
        actor=actor,
        action=Action.PUBLISHED,
        before=Status.APPROVED,
        fields=["status", "published_at", "scheduled_at"],
    )
    bundle_move(document=document, action=Action.PUBLISHED, actor=actor, at=document.published_at)
    reposted = list(Repost.objects.filter(document=document, status=Repost.Status.DRAFTED).values_list("pk", flat=True))
    if reposted:
        Repost.objects.filter(pk__in=reposted).update(status=Repost.Status.PUBLISHED, reposted_at=document.published_at)
        RepostEvent.objects.bulk_create(
            RepostEvent(
                repost_id=pk,
                at=document.published_at,
                actor=actors.staff_user(actor),
                action=RepostEvent.Action.PUBLISHED,
                from_status=Repost.Status.DRAFTED,
                to_status=Repost.Status.PUBLISHED,
                note=document.index_no,
            )
            for pk in reposted
        )
    _schedule_indexing(document.pk)
    integrity_document(document=document, event=IntegrityEntry.Kind.PUBLISHED)  # last: it takes the chain lock


def documents_publish_due(*, now: dt.datetime | None = None) -> list[int]:
    """Publish approved 主动公开 documents whose scheduled time has come (R9). Safe when two workers run it at once:
    each document is taken under a skip-locked row lock and its state checked again."""
    now = now or timezone.now()
    published = []
    due = Document.objects.filter(
        status=Status.APPROVED, attribute=Attribute.PROACTIVE, scheduled_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            document = (
                Document.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, status=Status.APPROVED, scheduled_at__lte=now)
                .first()
            )
            if document is None:
                continue
            try:
                with transaction.atomic():
                    _publish(document, actor=System("publish-due"))
            except DocumentError as exc:
                logger.warning("scheduled document %s not published: %s", pk, exc)
                continue
            published.append(pk)
            publication_changed(document.organisation)
    return published


@transaction.atomic
def document_withdraw(*, document: Document, actor: StaffOrSystem, reason: str) -> Document:
    """Take a published document off the public site, with a reason. It leaves search in the same transaction."""
    document = _locked(document)
    _may(lambda user: permissions.can_withdraw_document(user, document), actor)
    if document.status != Status.PUBLISHED:
        raise DocumentError(wrong_state(_("只有已发布的文件可以撤回。")))
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(Problem(REASON_MISSING, _("请写明撤回理由。"), "reason"))
    document.status = Status.WITHDRAWN
    document.withdraw_reason = reason
    event = _record(
        document,
        actor=actor,
        action=Action.WITHDRAWN,
        before=Status.PUBLISHED,
        note=reason,
        fields=["status", "withdraw_reason"],
    )
    bundle_move(document=document, action=Action.WITHDRAWN, actor=actor, at=event.at, note=reason)
    SearchEntry.objects.filter(document=document).delete()
    backends.remove(document.pk)
    publication_changed()  # everywhere: it may be named on other organisations' pages (a successor link)
    integrity_document(document=document, event=IntegrityEntry.Kind.WITHDRAWN)
    return document


def _validity_problems(
    document: Document, *, validity: str, successor: Document | None, repealed_on: dt.date | None
) -> list[Problem]:
    """What is wrong with a change of 有效性, whoever asks for it (R12)."""
    if document.status != Status.PUBLISHED:
        return [wrong_state(_("只有已发布的文件可以变更有效性。"))]
    if validity not in Document.Validity.values:
        return [Problem(INVALID, _("未知的有效性。"), "validity")]
    if validity in (Document.Validity.REPEALED, Document.Validity.EXPIRED) and repealed_on is None:
        return [Problem("repeal_date_missing", _("请填写废止（失效）日期。"), "repealed_on")]
    if validity == Document.Validity.AMENDED and successor is None:
        return [Problem("successor_missing", _("有效性为“已修订”时，请选择修订后的文件。"), "successor")]
    return []


def _validity_apply(
    document: Document,
    *,
    actor: StaffOrSystem,
    validity: str,
    successor: Document | None,
    repealed_on: dt.date | None,
    note: str = "",
) -> Document:
    if validity == Document.Validity.VALID:
        successor, repealed_on = None, None
    document.validity, document.successor, document.repealed_on = validity, successor, repealed_on
    _validate(document)
    label = str(document.get_validity_display())
    _record(
        document,
        actor=actor,
        action=Action.VALIDITY,
        before=document.status,
        note=f"{label}：{note}" if note else label,
        fields=["validity", "successor", "repealed_on"],
    )
    search_entry_sync(document=document)
    publication_changed(document.organisation)
    integrity_document(document=document, event=IntegrityEntry.Kind.VALIDITY)
    return document


@transaction.atomic
def document_validity_set(
    *,
    document: Document,
    actor: StaffOrSystem,
    validity: str,
    successor: Document | None = None,
    repealed_on: dt.date | None = None,
) -> Document:
    """有效性 of a published document: 有效 / 失效 / 废止 / 已修订 with its successor (R12), set by the reviewing
    official (the organisation's reviewer or the office). A drafter asks with ``document_validity_propose``."""
    document = _locked(document)
    _may(lambda user: permissions.can_set_validity(user, document), actor)
    problems = _validity_problems(document, validity=validity, successor=successor, repealed_on=repealed_on)
    if problems:
        raise DocumentError(*problems)
    if document.validity_proposals.filter(outcome=ValidityProposal.Outcome.PENDING).exists():
        raise DocumentError(wrong_state(_("该文件有待审核的有效性变更申请，请先批准或退回。")))
    return _validity_apply(document, actor=actor, validity=validity, successor=successor, repealed_on=repealed_on)


@transaction.atomic
def document_validity_propose(
    *,
    document: Document,
    actor: StaffOrSystem,
    validity: str,
    reason: str,
    successor: Document | None = None,
    repealed_on: dt.date | None = None,
) -> ValidityProposal:
    """A drafter's request to change 有效性 (R12); nothing changes on the public page until it is approved."""
    document = _locked(document)
    _may(lambda user: permissions.can_propose_validity(user, document), actor)
    problems = _validity_problems(document, validity=validity, successor=successor, repealed_on=repealed_on)
    if not reason.strip():
        problems.append(Problem("reason_missing", _("请说明申请变更有效性的理由。"), "reason"))
    if document.validity_proposals.filter(outcome=ValidityProposal.Outcome.PENDING).exists():
        problems.append(Problem(DUPLICATE, _("该文件已有待审核的有效性变更申请。")))
    if problems:
        raise DocumentError(*problems)
    proposal = ValidityProposal.objects.create(
        document=document,
        validity=validity,
        successor=successor if validity == Document.Validity.AMENDED else None,
        repealed_on=repealed_on if validity in (Document.Validity.REPEALED, Document.Validity.EXPIRED) else None,
        reason=reason.strip(),
        proposed_by=actors.staff_user(actor),
    )
    _record(
        document,
        actor=actor,
        action=Action.VALIDITY_PROPOSED,
        before=document.status,
        note=f"{proposal.get_validity_display()}：{proposal.reason}",
    )
    return proposal


def _locked_proposal(proposal: ValidityProposal) -> ValidityProposal:
    return ValidityProposal.objects.select_for_update().select_related("document").get(pk=proposal.pk)


@transaction.atomic
def validity_proposal_approve(*, proposal: ValidityProposal, actor: StaffOrSystem, note: str = "") -> Document:
    """The reviewer or the office approves a drafter's change of 有效性, which takes effect now (R12)."""
    proposal = _locked_proposal(proposal)
    document = _locked(proposal.document)
    proposal.document = document
    _may(lambda user: permissions.can_decide_validity_proposal(user, proposal), actor)
    if proposal.outcome != ValidityProposal.Outcome.PENDING:
        raise DocumentError(wrong_state(_("该申请已经审核过。")))
    problems = _validity_problems(
        document, validity=proposal.validity, successor=proposal.successor, repealed_on=proposal.repealed_on
    )
    if problems:
        raise DocumentError(*problems)
    proposal.outcome, proposal.decided_by, proposal.decided_at = (
        ValidityProposal.Outcome.APPROVED,
        actors.staff_user(actor),
        timezone.now(),
    )
    proposal.decision_note = note.strip()
    proposal.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note"])
    return _validity_apply(
        document,
        actor=actor,
        validity=proposal.validity,
        successor=proposal.successor,
        repealed_on=proposal.repealed_on,
        note=_("批准 %(who)s 的申请") % {"who": proposal.proposed_by.get_full_name() or proposal.proposed_by},
    )


@transaction.atomic
def validity_proposal_return(*, proposal: ValidityProposal, actor: StaffOrSystem, note: str) -> ValidityProposal:
    """The reviewer or the office returns a drafter's change of 有效性 with the reason; the document is unchanged."""
    proposal = _locked_proposal(proposal)
    _may(lambda user: permissions.can_decide_validity_proposal(user, proposal), actor)
    if proposal.outcome != ValidityProposal.Outcome.PENDING:
        raise DocumentError(wrong_state(_("该申请已经审核过。")))
    if not note.strip():
        raise DocumentError(Problem("reason_missing", _("请写明退回理由。"), "note"))
    proposal.outcome, proposal.decided_by, proposal.decided_at = (
        ValidityProposal.Outcome.RETURNED,
        actors.staff_user(actor),
        timezone.now(),
    )
    proposal.decision_note = note.strip()
    proposal.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note"])
    document = proposal.document
    _record(document, actor=actor, action=Action.VALIDITY_RETURNED, before=document.status, note=proposal.decision_note)
    return proposal


@transaction.atomic
def negative_list_entry_save(*, entry: NegativeListEntry, actor: StaffOrSystem) -> NegativeListEntry:
    """An entry of the organisation's 负面清单 (R14)."""
    _may(lambda user: permissions.can_edit_negative_list(user, entry.organisation), actor)
    return save_checked(entry, actor=actor)
