"""The reply letter 政府信息公开申请答复书 (R25; Art 36–39).

A letter has a fixed frame — the issuer's full name and the title, its 文号, the applicant addressed by name, the
signature and the date — and two parts in words: the body (the facts and the article relied on), drafted from the
outcome's template for the handler to edit before replying, and the remedy paragraph naming the 行政复议机关 and the
court with their time limits. The office edits the wording of both in the admin (``LetterTemplate``); the
placeholders in braces are the only thing a template can refer to, so a template can never reach anything but the
values listed in ``PLACEHOLDERS``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Organisation
from disclosure.grounds import Ground
from requests_app.letter_document import FormalLetter
from requests_app.models import (
    WITHHELD_GROUNDS,
    ApplicantType,
    InformationRequest,
    LetterKind,
    LetterTemplate,
    Outcome,
    ReplyNumberSequence,
)

REGULATION = "《中华人民共和国政府信息公开条例》"

# Placeholder → what it stands for (shown to the office next to the template editor).
PLACEHOLDERS: dict[str, str] = {
    "称谓": "自然人为“您”，法人或者其他组织为“贵单位”",
    "收到日期": "收到申请之日，如 2025年3月3日",
    "补正告知日期": "告知补正的日期",
    "补正收到日期": "收到补正后申请的日期",
    "查询码": "申请的查询码",
    "申请内容": "所需信息的名称或内容描述的第一行",
    "机关名称": "答复机关全称",
    "获取方式": "已主动公开信息的名称和网址",
    "负责机关": "负责公开该信息的机关",
    "负责机关联系方式": "“，联系方式：……”，没有联系方式时为空",
    "不予公开部分": "逐项列出的不予公开部分及理由（每项一行）",
    "复议机关": "本机构设置的行政复议机关",
    "管辖法院": "本机构设置的管辖法院",
}
PLACEHOLDER_RE = re.compile(r"\{([^{}\s]{1,20})\}")

# Outcomes whose letter decides not to disclose (all or part): under 行政复议法 (2023) Art 23(1)(4) the applicant
# must apply for 行政复议 before going to court, so the letter must say so instead of offering the choice.
REVIEW_FIRST_OUTCOMES = frozenset({*WITHHELD_GROUNDS, Outcome.PARTIAL})

_HEAD = "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（查询码：{查询码}），申请获取“{申请内容}”。"
_WITHHELD = (
    _HEAD
    + "经审查，{称谓}申请的政府信息{理由}。根据"
    + REGULATION
    + "{条款}和第三十六条第（三）项的规定，本机关决定不予公开。"
)
_NOT_PROCESSED = _HEAD + "经审查，{理由}根据" + REGULATION + "{条款}的规定，本机关不作为政府信息公开申请处理。"

DEFAULT_TEMPLATES: dict[str, str] = {
    LetterKind.OPEN: _HEAD + "经审查，根据" + REGULATION + "第三十六条第（二）项的规定，{称谓}申请的政府信息予以公开，"
    "现随本答复书提供（见附件）。",
    LetterKind.ALREADY_PUBLIC: _HEAD
    + "经审查，{称谓}申请的政府信息已经主动公开。根据"
    + REGULATION
    + "第三十六条第（一）项的规定，{称谓}可以通过以下方式获取：{获取方式}。",
    LetterKind.PARTIAL: _HEAD
    + "经审查，{称谓}申请的政府信息中含有不应当公开的内容，但能够作区分处理。根据"
    + REGULATION
    + "第三十七条的规定，本机关向{称谓}提供可以公开的部分（见附件），以下部分不予公开：\n{不予公开部分}",
    **{
        kind: _WITHHELD.replace("{理由}", reason).replace("{条款}", article)
        for kind, reason, article in (
            (LetterKind.WITHHELD_STATE_SECRET, "属于国家秘密", "第十四条"),
            (LetterKind.WITHHELD_PROHIBITED, "属于法律、行政法规禁止公开的信息", "第十四条"),
            (LetterKind.WITHHELD_ENDANGERS, "公开后可能危及国家安全、公共安全、经济安全、社会稳定", "第十四条"),
            (LetterKind.WITHHELD_THIRD_PARTY, "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害", "第十五条"),
            (
                LetterKind.WITHHELD_INTERNAL,
                "属于人事管理、后勤管理、内部工作流程等方面的内部事务信息",
                "第十六条第一款",
            ),
            (
                LetterKind.WITHHELD_PROCESS,
                "属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息",
                "第十六条第二款",
            ),
            (LetterKind.WITHHELD_ENFORCEMENT, "属于行政执法案卷信息", "第十六条第二款"),
        )
    },
    LetterKind.WITHHELD_INQUIRY: _HEAD
    + "经审查，{称谓}申请的信息属于工商、不动产登记资料等有关法律、行政法规对信息的获取"
    "有特别规定的情形。根据" + REGULATION + "第三十六条第（七）项的规定，请{称谓}依照有关法律、行政法规的规定办理。",
    LetterKind.NOT_HELD: _HEAD
    + "经检索查找，本机关未制作或者获取过{称谓}申请的政府信息。根据"
    + REGULATION
    + "第三十六条第（四）项的规定，告知{称谓}该政府信息不存在。",
    LetterKind.NOT_HELD_REFERRAL: _HEAD
    + "经审查，{称谓}申请的政府信息不属于本机关负责公开。根据"
    + REGULATION
    + "第三十六条第（五）项的规定，告知{称谓}该政府信息由{负责机关}负责公开{负责机关联系方式}，{称谓}可以向该机关提出申请。",
    LetterKind.NEEDS_CREATION: _HEAD
    + "经审查，本机关没有{称谓}申请的现成信息，提供该信息需要对现有政府信息进行加工、分析。"
    "根据" + REGULATION + "第三十八条的规定，本机关不予提供。",
    LetterKind.STILL_UNCLEAR: _HEAD
    + "本机关已于{补正告知日期}告知{称谓}补正申请内容，并于{补正收到日期}收到补正后的申请。"
    "经审查，补正后的申请内容仍不明确，本机关无法确定{称谓}所需的政府信息。根据" + REGULATION + "第三十条的规定，本机关"
    "无法提供。{称谓}可以重新提出申请，并写明所需信息的名称、文号或者便于查询的其他特征性描述。",
    LetterKind.PETITION: _NOT_PROCESSED.replace(
        "{理由}", "{称谓}提出的事项属于信访、投诉、举报等诉求，请通过相应渠道提出。"
    ).replace("{条款}", "第三十九条第一款"),
    LetterKind.REPEAT: _NOT_PROCESSED.replace(
        "{理由}", "{称谓}已就相同内容提出过申请，本机关已作出答复，重复申请的。"
    ).replace("{条款}", "第三十六条第（六）项"),
    LetterKind.PUBLICATION: _NOT_PROCESSED.replace(
        "{理由}", "{称谓}要求提供的是政府公报、报刊、书籍等公开出版物，请通过相关渠道获取。"
    ).replace("{条款}", "第三十九条第二款"),
    LetterKind.EXCESSIVE: _NOT_PROCESSED.replace(
        "{理由}", "{称谓}提出的申请数量、频次明显超过合理范围，且未能说明理由。"
    ).replace("{条款}", "第三十五条"),
    # Art 39(2) is about 公开出版物; a confirmation or a re-issued document is not information the office has made or
    # obtained and keeps on record, which is what Art 2 defines as 政府信息.
    LetterKind.CONFIRMATION: _NOT_PROCESSED.replace(
        "{理由}",
        "{称谓}要求本机关确认或者重新出具已获取的信息，该事项不是获取"
        "本机关已制作或者获取、并以一定形式记录和保存的政府信息。",
    ).replace("{条款}", "第二条"),
    LetterKind.OTHER: _HEAD + "[请写明处理情况及依据。]",
    LetterKind.REMEDY: "{称谓}如对本答复不服，可以自收到本答复书之日起六十日内向{复议机关}申请行政复议，或者自收到本答复书之日起"
    "六个月内向{管辖法院}提起行政诉讼。",
    LetterKind.REMEDY_REVIEW_FIRST: "{称谓}如对本答复不服，依照《中华人民共和国行政复议法》第二十三条的规定，应当先申请"
    "行政复议：可以自收到本答复书之日起六十日内向{复议机关}申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起"
    "十五日内向{管辖法院}提起行政诉讼。",
}

BODY_KINDS = [kind for kind in LetterKind if kind not in (LetterKind.REMEDY, LetterKind.REMEDY_REVIEW_FIRST)]


def unknown_placeholders(text: str) -> list[str]:
    """The braces in ``text`` that are not placeholders: a template with any of them is refused."""
    return sorted({name for name in PLACEHOLDER_RE.findall(text or "") if name not in PLACEHOLDERS})


def fill(text: str, values: dict[str, str]) -> str:
    """The template with each placeholder replaced; nothing else in it has any meaning."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def template_text(kind: str, organisation: Organisation | None) -> str:
    """The wording in force for one part of the letter: the organisation's own, the office's default, built-in."""
    scope = Q(organisation__isnull=True) | (Q(organisation=organisation) if organisation is not None else Q())
    rows = dict(LetterTemplate.objects.filter(scope, kind=kind).values_list("organisation_id", "body"))
    if organisation is not None and organisation.pk in rows:
        return rows[organisation.pk]
    return rows.get(None, DEFAULT_TEMPLATES[kind])


def _cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _values(
    request: InformationRequest,
    *,
    withheld_parts: list[dict] | None = None,
    referral_organisation: str = "",
    referral_contact: str = "",
    document_url: str = "",
) -> dict[str, str]:
    organisation = request.organisation
    subject = request.document_title or (
        request.description.strip().splitlines()[0][:60] if request.description else ""
    )
    subject = subject.strip().rstrip("。．.；;，,、 ")  # quoted mid-sentence: “…材料”。 not “…材料。”。
    parts = withheld_parts or []
    lines = []
    for index, part in enumerate(parts, start=1):
        ground = Ground(part["ground"]).label if part.get("ground") in Ground.values else ""
        reason = f"，{part['reason']}" if part.get("reason") else ""
        lines.append(f"{index}. {part.get('part', '')}：{ground}{reason}。")
    document_title = request.linked_document.title if request.linked_document_id else ""
    if document_url:
        access = f"{document_title}，网址：{document_url}" if document_title else f"网址：{document_url}"
    else:
        access = _("[请写明获取该政府信息的方式和途径]")
    return {
        "称谓": _("贵单位") if request.applicant_type != ApplicantType.NATURAL else _("您"),
        "收到日期": _cn_date(request.received_on),
        "补正告知日期": _cn_date(request.correction_requested_on),
        "补正收到日期": _cn_date(request.correction_answered_on),
        "查询码": request.tracking_code,
        "申请内容": subject,
        "机关名称": organisation.name,
        "获取方式": access,
        "负责机关": referral_organisation.strip() or _("[负责公开的机关]"),
        "负责机关联系方式": f"，联系方式：{referral_contact.strip()}" if referral_contact.strip() else "",
        "不予公开部分": "\n".join(lines) or _("[请逐项写明不予公开的部分及理由]"),
        "复议机关": organisation.review_body.strip() or _("[行政复议机关]"),
        "管辖法院": organisation.court.strip() or _("[管辖法院]"),
    }


def draft_letter(
    request: InformationRequest,
    *,
    outcome: str,
    withheld_parts: list[dict] | None = None,
    referral_organisation: str = "",
    referral_contact: str = "",
    document_url: str = "",
) -> str:
    """The body of the letter for ``outcome`` from the template in force; the handler edits it before replying."""
    kind = outcome if outcome in LetterKind.values else LetterKind.OTHER
    values = _values(
        request,
        withheld_parts=withheld_parts,
        referral_organisation=referral_organisation,
        referral_contact=referral_contact,
        document_url=document_url,
    )
    text = fill(template_text(kind, request.organisation), values)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def remedy_text(request: InformationRequest, *, outcome: str) -> str:
    """The remedy paragraph for ``outcome``: review first for a refusal to disclose, otherwise review or suit."""
    kind = LetterKind.REMEDY_REVIEW_FIRST if outcome in REVIEW_FIRST_OUTCOMES else LetterKind.REMEDY
    return fill(template_text(kind, request.organisation), _values(request)).strip()


def next_reply_number(organisation: Organisation, year: int) -> str:
    """The next 文号 of ``organisation`` for ``year``, e.g. 甲城管依公开〔2025〕3号. Call inside the reply's
    transaction: the sequence row stays locked until it commits, and a rolled-back reply gives its number back."""
    assert transaction.get_connection().in_atomic_block, "take a reply number inside the reply's transaction"
    ReplyNumberSequence.objects.bulk_create(
        [ReplyNumberSequence(organisation=organisation, year=year)], ignore_conflicts=True
    )
    sequence = ReplyNumberSequence.objects.select_for_update().get(organisation=organisation, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{organisation.letter_code.strip()}〔{year}〕{sequence.last_number}号"


def upcoming_reply_number(organisation: Organisation, year: int) -> str:
    """The number the next reply would take, for the reply page and its preview; only a reply takes it."""
    if not organisation.letter_code.strip():
        return _("（尚未设置文号代字）")
    last = ReplyNumberSequence.objects.filter(organisation=organisation, year=year).values_list(
        "last_number", flat=True
    )
    return f"{organisation.letter_code.strip()}〔{year}〕{(last.first() or 0) + 1}号"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def formal_letter(request: InformationRequest) -> FormalLetter:
    """The letter as issued on a replied case: its body and frame as fixed on the day of the reply."""
    attachments = [file.name for file in request.files.filter(kind="reply").order_by("pk")]
    return FormalLetter(
        issuer=request.reply_issuer or request.organisation.name,
        number=request.reply_number,
        addressee=request.applicant_name,
        paragraphs=_paragraphs(request.reply_letter),
        remedy=request.reply_remedy,
        signed_on=request.replied_on or timezone.localdate(),
        tracking_code=request.tracking_code,
        attachments=attachments,
    )


@dataclass(frozen=True)
class Sample:
    """What the template preview fills a template with: a made-up application to the chosen organisation."""

    organisation: Organisation
    applicant_type: str = ApplicantType.NATURAL

    def request(self) -> InformationRequest:
        today = timezone.localdate()
        natural = self.applicant_type == ApplicantType.NATURAL
        return InformationRequest(
            organisation=self.organisation,
            applicant_type=self.applicant_type,
            applicant_name=_("张三") if natural else _("某某科技有限公司"),
            tracking_code="YS0000-SAMP-LE00",
            received_on=today - dt.timedelta(days=20),
            correction_requested_on=today - dt.timedelta(days=18),
            correction_answered_on=today - dt.timedelta(days=15),
            description=_("2024年度本市老旧小区改造项目清单"),
            document_title="",
        )


def preview_letter(kind: str, body: str, sample: Sample) -> FormalLetter:
    """The whole letter a template would give on a sample case: a remedy template is shown under the default body,
    a body template above the remedy in force."""
    request = sample.request()
    values = _values(
        request,
        withheld_parts=[{"part": _("第3页个人信息"), "ground": Ground.THIRD_PARTY, "reason": ""}],
        referral_organisation=_("甲市自然资源和规划局"),
        referral_contact="0000-00000000",
        document_url="https://www.example.gov.cn/xxgk/",
    )
    if kind in (LetterKind.REMEDY, LetterKind.REMEDY_REVIEW_FIRST):
        outcome = Outcome.WITHHELD_PROCESS if kind == LetterKind.REMEDY_REVIEW_FIRST else Outcome.OPEN
        paragraphs = _paragraphs(fill(template_text(outcome, sample.organisation), values))
        remedy = fill(body, values)
    else:
        paragraphs = _paragraphs(fill(body, values))
        remedy = remedy_text(request, outcome=kind)
    code = sample.organisation.letter_code.strip() or _("[文号代字]")
    return FormalLetter(
        issuer=sample.organisation.name,
        number=f"{code}〔{timezone.localdate().year}〕1号",
        addressee=request.applicant_name,
        paragraphs=paragraphs,
        remedy=remedy.strip(),
        signed_on=timezone.localdate(),
        tracking_code=request.tracking_code,
    )


def letter_filename(request: InformationRequest) -> str:
    return f"政府信息公开申请答复书-{request.tracking_code}.pdf"


def has_letter(request: InformationRequest) -> bool:
    """A case whose reply is a letter the applicant can read: replied (or closed after it) with a body."""
    return bool(request.replied_on and request.reply_letter.strip())
