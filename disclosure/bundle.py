"""三同步 (R16): a policy document travels with its interpretation plan and interpretations.

``policy_problems`` is the gate the document services ask at submission and approval; ``bundle_move`` carries the
interpretations through the policy's own transitions, in the same transaction and at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from core import actors, workflow
from core.actors import StaffOrSystem
from disclosure.models import (
    Document,
    DocumentEvent,
    Interpretation,
    InterpretationEvent,
    InterpretationForm,
    InterpretationMedia,
    InterpretationPlan,
    Repost,
)

IStatus = Interpretation.Status
Form = InterpretationForm
TRANSCRIPT_FORMS = (Form.TEXT, Form.AUDIO_VIDEO, Form.INTERVIEW, Form.PRESS, Form.EXPERT, Form.MEDIA, Form.ANIMATION)
SPEAKER_FORMS = (Form.INTERVIEW, Form.PRESS, Form.EXPERT, Form.MEDIA)


def needs_interpretation(document: Document) -> bool:
    """A policy drafted here (a 行政规范性文件 is one by its type); a repost of a superior policy is interpreted by its
    drafter (R15), not by us; the office may waive it for one document with a recorded reason."""
    return document.is_policy and not document.interpretation_waiver and not is_repost(document)


def is_repost(document: Document) -> bool:
    return document.pk is not None and Repost.objects.filter(document_id=document.pk).exists()


def plan_problems(plan: InterpretationPlan | None) -> list[str]:
    if plan is None:
        return [_("缺少解读方案：政策性文件须与解读方案（解读时间、发布渠道、解读形式、解读提纲）一并报送（三同步）。")]
    missing = []
    if plan.planned_on is None:
        missing.append(_("解读时间"))
    if not plan.channels.strip():
        missing.append(_("发布渠道"))
    if not plan.forms:
        missing.append(_("解读形式"))
    if not plan.outline.strip():
        missing.append(_("解读提纲"))
    if missing:
        return [_("解读方案缺少：%(fields)s。") % {"fields": "、".join(str(m) for m in missing)}]
    return []


def material_problems(interpretation: Interpretation) -> list[str]:
    """What an interpretation of its form still lacks; each piece named."""
    problems = []
    media = list(interpretation.media.all())
    kinds = {m.kind for m in media}
    form = interpretation.form
    if not interpretation.title.strip():
        problems.append(_("缺少标题"))
    if form in TRANSCRIPT_FORMS and not interpretation.body_text.strip():
        problems.append(_("缺少解读正文或文字稿"))
    if form in SPEAKER_FORMS and not interpretation.speaker.strip():
        problems.append(_("缺少解读人"))
    if form == Form.GRAPHIC and InterpretationMedia.Kind.IMAGE not in kinds:
        problems.append(_("图表图解须上传至少一张图片"))
    if form == Form.AUDIO_VIDEO and not ({InterpretationMedia.Kind.AUDIO, InterpretationMedia.Kind.VIDEO} & kinds):
        problems.append(_("音频视频解读须上传音频或视频文件"))
    if form == Form.ANIMATION and not (interpretation.link or kinds & {"image", "video"}):
        problems.append(_("动漫/H5 解读须提供链接、图片或视频"))
    if form == Form.QA and not interpretation.questions.exists():
        problems.append(_("政策问答须至少有一组问答"))
    for item in media:
        if item.kind != InterpretationMedia.Kind.FILE and not item.alt_text.strip():
            problems.append(_("“%(name)s”缺少文字说明（供读屏软件使用）") % {"name": item.name})
    return problems


def live_interpretations(document: Document) -> list[Interpretation]:
    return list(document.interpretations.exclude(status=IStatus.WITHDRAWN).prefetch_related("media").order_by("pk"))


def policy_problems(document: Document) -> list[str]:
    """Why a policy document may not enter review or be approved yet (R15, R16); empty when nothing is missing."""
    if not needs_interpretation(document):
        return []
    plan = InterpretationPlan.objects.filter(policy_id=document.pk).first() if document.pk else None
    problems = plan_problems(plan)
    interpretations = live_interpretations(document) if document.pk else []
    if not interpretations:
        problems.append(_("缺少解读材料：政策性文件须同时报送至少一篇解读（三同步）。"))
    for interpretation in interpretations:
        missing = material_problems(interpretation)
        if missing:
            problems.append(
                _("解读《%(title)s》%(missing)s。") % {"title": interpretation.title, "missing": "；".join(missing)}
            )
    if plan is not None and plan.forms and interpretations:
        present = {i.form for i in interpretations}
        labels = dict(Form.choices)
        for form in plan.forms:
            if form in labels and form not in present:
                problems.append(_("解读方案计划了“%(form)s”，但还没有这种形式的解读材料。") % {"form": labels[form]})
    return problems


def interpretation_record(
    interpretation: Interpretation,
    *,
    actor: StaffOrSystem,
    action: str,
    before: str,
    note: str = "",
    fields: Iterable[str] = (),
    at: dt.datetime | None = None,
) -> InterpretationEvent:
    """Save the touched ``fields`` with a history reason and write the event row: every interpretation change."""
    event = workflow.record(
        interpretation,
        events=InterpretationEvent,
        owner="interpretation",
        actor=actor,
        action=action,
        label=str(DocumentEvent.Action(action).label),
        before=before,
        note=note,
        fields=fields,
        at=at,
    )
    return event  # type: ignore[return-value]


# Which interpretations follow which policy transition, and where they go.
FOLLOW = {
    DocumentEvent.Action.SUBMITTED: ((IStatus.DRAFT, IStatus.RETURNED), IStatus.IN_REVIEW),
    DocumentEvent.Action.RETURNED: ((IStatus.IN_REVIEW, IStatus.APPROVED), IStatus.RETURNED),
    DocumentEvent.Action.APPROVED: ((IStatus.IN_REVIEW,), IStatus.APPROVED),
    DocumentEvent.Action.PUBLISHED: ((IStatus.APPROVED,), IStatus.PUBLISHED),
    DocumentEvent.Action.WITHDRAWN: ((IStatus.PUBLISHED, IStatus.APPROVED), IStatus.WITHDRAWN),
}


def bundle_move(*, document: Document, action: str, actor: StaffOrSystem, at: dt.datetime, note: str = "") -> list[int]:
    """Carry the policy's interpretations through the policy's transition ``action`` (R16: reviewed together,
    published in the same moment). Called by the document services inside their transaction."""
    if action not in FOLLOW or not document.is_policy:
        return []
    sources, target = FOLLOW[action]
    moved = []
    for interpretation in document.interpretations.select_for_update().filter(status__in=sources).order_by("pk"):
        fields: tuple[str, ...] = ()
        if target == IStatus.IN_REVIEW:
            interpretation.submitted_at, fields = at, ("submitted_at",)
        elif target == IStatus.APPROVED:
            interpretation.decided_at, interpretation.reviewer, fields = (
                at,
                actors.staff_user(actor),
                ("decided_at", "reviewer"),
            )
        elif target == IStatus.RETURNED:
            interpretation.return_reason, interpretation.reviewer, fields = (
                note,
                actors.staff_user(actor),
                ("return_reason", "reviewer"),
            )
        elif target == IStatus.PUBLISHED:
            interpretation.published_at, fields = at, ("published_at",)
        before, interpretation.status = interpretation.status, target
        interpretation_record(
            interpretation,
            actor=actor,
            action=action,
            before=before,
            at=at,
            fields=("status", *fields),
            note=note or _("随政策文件《%(title)s》") % {"title": document.title},
        )
        moved.append(interpretation.pk)
    return moved
