"""Every write of a policy interpretation 政策解读 (R15–R17): one function per state change.

Before its policy is published an interpretation moves with the policy (``disclosure.bundle``); afterwards a further
interpretation (a later 媒体解读, say) is submitted, reviewed and published on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import actors, workflow
from core.actors import StaffOrSystem, User
from core.errors import Problem, forbidden
from core.pubversion import publication_changed
from disclosure import permissions
from disclosure.bundle import interpretation_record, material_problems
from disclosure.content import CheckedUpload, body_text, sanitise_body
from disclosure.models import (
    Document,
    DocumentEvent,
    Interpretation,
    InterpretationForm,
    InterpretationMedia,
    InterpretationPlan,
    InterpretationQuestion,
)
from disclosure.personal_data import personal_data_problems
from disclosure.services import DocumentError, _may, _schedule_indexing
from integrity.models import Entry as IntegrityEntry
from integrity.services import integrity_record

IStatus = Interpretation.Status
Action = DocumentEvent.Action
EDITABLE_FIELDS = ("title", "form", "speaker", "summary", "body", "link")
PLAN_FIELDS = ("planned_on", "channels", "forms", "outline")


def _locked(interpretation: Interpretation) -> Interpretation:
    return workflow.lock(interpretation, "policy", "organisation")


def _apply(interpretation: Interpretation, changes: dict[str, Any]) -> list[str]:
    touched = []
    for name in EDITABLE_FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if name == "body":
            value = sanitise_body(value or "")
        elif isinstance(value, str):
            value = value.strip()
        if getattr(interpretation, name) != value:
            setattr(interpretation, name, value or "")
            touched.append(name)
    if "body" in touched:
        interpretation.body_text = body_text(interpretation.body)
        touched.append("body_text")
    if interpretation.form not in InterpretationForm.values:
        raise DocumentError(_("请选择解读形式。"))
    if not interpretation.title.strip():
        raise DocumentError(_("请填写解读标题。"))
    return touched


def media_kind(content_type: str) -> str:
    """image / audio / video by the checked content type; anything else is a plain file."""
    kind = content_type.split("/", 1)[0]
    return kind if kind in InterpretationMedia.Kind.values else InterpretationMedia.Kind.FILE


def _editable_policy(policy: Document) -> None:
    if not policy.is_policy:
        raise DocumentError(
            Problem("not_policy", _("只有标记为政策性文件的文件需要解读；请先在文件中勾选“政策性文件”。"))
        )
    if policy.status not in permissions.INTERPRETABLE_POLICY_STATUSES:
        raise DocumentError(
            _("政策文件处于“%(status)s”状态，不能增加解读；待审核的文件请先退回。")
            % {"status": policy.get_status_display()}
        )


@transaction.atomic
def interpretation_create(*, policy: Document, actor: StaffOrSystem, changes: dict[str, Any]) -> Interpretation:
    """A new interpretation of ``policy``, by the policy's drafting organisation (R15 谁起草谁解读)."""
    policy = Document.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=policy.pk)
    _editable_policy(policy)
    if hasattr(policy, "repost"):
        raise DocumentError(_("转载的上级文件由其起草机关解读，可作为转载登记其解读。"))
    if not workflow.permitted(lambda user: permissions.can_create_interpretation(user, policy), actor):
        raise DocumentError(
            forbidden(
                _("政策解读由文件的起草机构负责（谁起草谁解读），您不是%(org)s的拟稿人。")
                % {"org": policy.organisation.name}
            )
        )
    interpretation = Interpretation(policy=policy, organisation=policy.organisation, drafter=actors.staff_user(actor))
    _apply(interpretation, changes)
    interpretation._history_user = actors.staff_user(actor)
    interpretation.save()
    interpretation_record(interpretation, actor=actor, action=Action.CREATED, before="")
    return interpretation


@transaction.atomic
def interpretation_update(
    *, interpretation: Interpretation, actor: StaffOrSystem, changes: dict[str, Any]
) -> Interpretation:
    interpretation = _editable(interpretation, actor)
    touched = _apply(interpretation, changes)
    if touched:
        labels = "、".join(str(Interpretation._meta.get_field(f).verbose_name) for f in touched if f != "body_text")
        interpretation_record(
            interpretation, actor=actor, action=Action.EDITED, before=interpretation.status, note=labels, fields=touched
        )
    return interpretation


@transaction.atomic
def interpretation_plan_save(*, policy: Document, actor: StaffOrSystem, changes: dict[str, Any]) -> InterpretationPlan:
    """解读方案 of a policy (R16), written while the policy is drafted (or corrected in review by the reviewer)."""
    policy = Document.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=policy.pk)
    if not policy.is_policy:
        raise DocumentError(_("只有政策性文件需要解读方案。"))
    if not workflow.permitted(lambda user: permissions.can_edit_document(user, policy), actor):
        raise DocumentError(_("只能在政策文件可修改时（草稿、退回或审核中）编写解读方案。"))
    forms = [f for f in (changes.get("forms") or []) if f in InterpretationForm.values]
    plan = InterpretationPlan.objects.filter(policy=policy).first() or InterpretationPlan(policy=policy)
    plan.planned_on = changes.get("planned_on")
    plan.channels = (changes.get("channels") or "").strip()
    plan.forms = forms
    plan.outline = (changes.get("outline") or "").strip()
    plan._history_user = actors.staff_user(actor)
    plan._change_reason = str(_("编写解读方案"))
    plan.save()
    DocumentEvent.objects.create(
        document=policy,
        actor=actors.staff_user(actor),
        action=Action.EDITED,
        from_status=policy.status,
        to_status=policy.status,
        note=str(_("解读方案")),
    )
    return plan


def _editable(interpretation: Interpretation, actor: StaffOrSystem) -> Interpretation:
    interpretation = _locked(interpretation)
    if interpretation.status not in (IStatus.DRAFT, IStatus.RETURNED, IStatus.IN_REVIEW):
        raise DocumentError(_("“%(s)s”状态的解读不能修改。") % {"s": interpretation.get_status_display()})
    _may(lambda user: permissions.can_edit_interpretation(user, interpretation), actor)
    return interpretation


@transaction.atomic
def interpretation_media_add(
    *, interpretation: Interpretation, actor: StaffOrSystem, upload: CheckedUpload, alt_text: str = ""
) -> InterpretationMedia:
    """An image, audio, video or document file (R16 forms 图表图解, 音频视频)."""
    interpretation = _editable(interpretation, actor)
    media = InterpretationMedia(
        interpretation=interpretation,
        kind=media_kind(upload.content_type),
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        alt_text=alt_text.strip()[:500],
    )
    media._history_user = actors.staff_user(actor)
    media.file.save(upload.name, ContentFile(upload.data), save=False)
    media.save()
    interpretation_record(
        interpretation, actor=actor, action=Action.ATTACHED, before=interpretation.status, note=upload.name
    )
    return media


@transaction.atomic
def interpretation_parts_save(
    *,
    interpretation: Interpretation,
    actor: StaffOrSystem,
    questions: list[dict[str, Any]],
    media_texts: dict[int, dict[str, Any]],
    media_removed: Iterable[int] = (),
) -> Interpretation:
    """The question-and-answer items (政策问答) and the media's text alternatives and order, saved as one edit.

    ``questions`` is the whole new list (question, answer, sort_order); ``media_texts`` maps media id to its
    alt_text and sort_order; ``media_removed`` are media ids to delete."""
    interpretation = _editable(interpretation, actor)
    changed = []
    current = [(q.question, q.answer, q.sort_order) for q in interpretation.questions.all()]
    wanted = [
        (q["question"].strip(), q["answer"].strip(), q.get("sort_order") or (i + 1) * 10)
        for i, q in enumerate(questions)
        if (q.get("question") or "").strip()
    ]
    for item in questions:
        if (item.get("question") or "").strip() and not (item.get("answer") or "").strip():
            raise DocumentError(_("问题“%(q)s”还没有回答。") % {"q": item["question"].strip()[:40]})
    if current != wanted:
        interpretation.questions.all().delete()
        InterpretationQuestion.objects.bulk_create(
            InterpretationQuestion(interpretation=interpretation, question=q, answer=a, sort_order=o)
            for q, a, o in wanted
        )
        changed.append(str(_("问答")))
    media = {m.pk: m for m in interpretation.media.all()}
    for pk, values in media_texts.items():
        item = media.get(pk)
        if item is None:
            continue
        alt, order = (values.get("alt_text") or "").strip()[:500], values.get("sort_order") or item.sort_order
        if (item.alt_text, item.sort_order) != (alt, order):
            item.alt_text, item.sort_order, item._history_user = alt, order, actors.staff_user(actor)
            item.save(update_fields=["alt_text", "sort_order"])
            changed.append(item.name)
    for pk in media_removed:
        item = media.get(pk)
        if item is None:
            continue
        stored = item.file.name
        item._history_user = actors.staff_user(actor)
        item.delete()
        transaction.on_commit(lambda stored=stored: InterpretationMedia.file.field.storage.delete(stored))
        changed.append(str(_("删除 %(name)s") % {"name": item.name}))
    if changed:
        interpretation_record(
            interpretation,
            actor=actor,
            action=Action.EDITED,
            before=interpretation.status,
            note="、".join(changed)[:500],
        )
    return interpretation


def _standalone(interpretation: Interpretation) -> None:
    if interpretation.policy.status != Document.Status.PUBLISHED:
        raise DocumentError(
            _("政策文件尚未发布：解读须随政策文件一并提交、审核和发布（三同步），请在政策文件页面操作。")
        )


@transaction.atomic
def interpretation_submit(*, interpretation: Interpretation, actor: StaffOrSystem) -> Interpretation:
    """A further interpretation of a published policy goes to the reviewer on its own."""
    interpretation = _locked(interpretation)
    if interpretation.status not in (IStatus.DRAFT, IStatus.RETURNED):
        raise DocumentError(_("只有草稿或退回的解读可以提交审核。"))
    _standalone(interpretation)
    _may(lambda user: permissions.can_submit_interpretation(user, interpretation), actor)
    problems = material_problems(interpretation)
    if problems:
        raise DocumentError(*[p + "。" for p in problems])
    before = interpretation.status
    interpretation.status, interpretation.submitted_at = IStatus.IN_REVIEW, timezone.now()
    interpretation_record(
        interpretation, actor=actor, action=Action.SUBMITTED, before=before, fields=["status", "submitted_at"]
    )
    return interpretation


@transaction.atomic
def interpretation_approve(
    *, interpretation: Interpretation, actor: StaffOrSystem, confidentiality_checked: bool
) -> Interpretation:
    """The reviewer approves a further interpretation; it is published at once, beside its policy (R17)."""
    interpretation = _locked(interpretation)
    if interpretation.status != IStatus.IN_REVIEW:
        raise DocumentError(_("只有待审核的解读可以审定。"))
    _standalone(interpretation)
    _may(lambda user: permissions.can_review_interpretation(user, interpretation), actor)
    problems: list[Problem | str] = [p + "。" for p in material_problems(interpretation)]
    problems += workflow.confidentiality_problems(confidentiality_checked)
    problems += personal_data_problems(
        title=interpretation.title, text=interpretation.body_text, text_label=str(_("正文"))
    )
    if problems:
        raise DocumentError(*problems)
    now = timezone.now()
    interpretation.status, interpretation.decided_at, interpretation.reviewer = (
        IStatus.APPROVED,
        now,
        actors.staff_user(actor),
    )
    interpretation_record(
        interpretation,
        actor=actor,
        action=Action.APPROVED,
        before=IStatus.IN_REVIEW,
        fields=["status", "decided_at", "reviewer"],
    )
    interpretation.status, interpretation.published_at = IStatus.PUBLISHED, now
    interpretation_record(
        interpretation, actor=actor, action=Action.PUBLISHED, before=IStatus.APPROVED, fields=["status", "published_at"]
    )
    _schedule_indexing(interpretation.policy_id)
    publication_changed(interpretation.policy.organisation)  # beside its policy, and on the shared lists
    integrity_record(record=interpretation, event=IntegrityEntry.Kind.PUBLISHED)
    return interpretation


@transaction.atomic
def interpretation_return(*, interpretation: Interpretation, actor: StaffOrSystem, reason: str) -> Interpretation:
    interpretation = _locked(interpretation)
    if interpretation.status != IStatus.IN_REVIEW:
        raise DocumentError(_("只有待审核的解读可以退回。"))
    _standalone(interpretation)
    _may(lambda user: permissions.can_review_interpretation(user, interpretation), actor)
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(_("请写明退回理由，拟稿人将据此修改。"))
    interpretation.status, interpretation.return_reason, interpretation.reviewer = (
        IStatus.RETURNED,
        reason,
        actors.staff_user(actor),
    )
    interpretation_record(
        interpretation,
        actor=actor,
        action=Action.RETURNED,
        before=IStatus.IN_REVIEW,
        note=reason,
        fields=["status", "return_reason", "reviewer"],
    )
    return interpretation


@transaction.atomic
def interpretation_withdraw(*, interpretation: Interpretation, actor: StaffOrSystem, reason: str) -> Interpretation:
    """Take one interpretation off the site. The last one of a published policy stays: R16 wants one beside it."""
    interpretation = _locked(interpretation)
    if interpretation.status != IStatus.PUBLISHED:
        raise DocumentError(_("只有已发布的解读可以撤回。"))
    _may(lambda user: permissions.can_withdraw_interpretation(user, interpretation), actor)
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(_("请写明撤回理由。"))
    others = interpretation.policy.interpretations.filter(status=IStatus.PUBLISHED).exclude(pk=interpretation.pk)
    if interpretation.policy.status == Document.Status.PUBLISHED and not others.exists():
        raise DocumentError(
            Problem("last_interpretation", _("这是该政策文件唯一已发布的解读。请先发布新的解读，或撤回政策文件本身。"))
        )
    interpretation.status = IStatus.WITHDRAWN
    interpretation_record(
        interpretation, actor=actor, action=Action.WITHDRAWN, before=IStatus.PUBLISHED, note=reason, fields=["status"]
    )
    _schedule_indexing(interpretation.policy_id)
    publication_changed()  # everywhere: a removal must leave every page that named it
    integrity_record(record=interpretation, event=IntegrityEntry.Kind.WITHDRAWN)
    return interpretation


def interpretation_available_actions(interpretation: Interpretation, user: User) -> frozenset[str]:
    """The steps ``user`` may take on ``interpretation`` now (``submit``, ``review``: approve or return, and
    ``withdraw``): the admin shows a button and opens an action page exactly for these, from the permission pairs the
    services check under their row lock."""
    allowed: dict[str, Callable[[], bool]] = {
        "submit": lambda: permissions.can_submit_interpretation(user, interpretation),
        "review": lambda: permissions.can_review_interpretation(user, interpretation),
        "withdraw": lambda: permissions.can_withdraw_interpretation(user, interpretation),
    }
    return frozenset(name for name, check in allowed.items() if check())
