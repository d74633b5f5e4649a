"""Reply letters 答复书 drafted from a template per outcome (R25); the handler edits the draft before replying."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from disclosure.grounds import Ground
from requests_app.models import WITHHELD_GROUNDS, InformationRequest, Outcome

ARTICLES = {
    Ground.STATE_SECRET: "第十四条", Ground.PROHIBITED_BY_LAW: "第十四条", Ground.ENDANGERS_SAFETY: "第十四条",
    Ground.THIRD_PARTY: "第十五条", Ground.INTERNAL_AFFAIRS: "第十六条", Ground.PROCESS: "第十六条",
    Ground.ENFORCEMENT_FILE: "第十六条", Ground.INQUIRY: "第三十六条第（七）项",
}

NOT_PROCESSED_TEXT = {
    Outcome.PETITION: "您提出的事项属于信访、投诉、举报等诉求，根据《中华人民共和国政府信息公开条例》第三十九条第一款的规定，"
    "请您通过相应渠道提出，",
    Outcome.REPEAT: "您已就相同内容提出过申请，本机关已作出答复，根据《中华人民共和国政府信息公开条例》第三十六条第（六）项的规定，",
    Outcome.PUBLICATION: "您要求提供的是公开出版物，根据《中华人民共和国政府信息公开条例》第三十九条第二款的规定，"
    "请您通过相关渠道获取，",
    Outcome.EXCESSIVE: "您提出的申请数量、频次明显超过合理范围且未说明理由，根据《中华人民共和国政府信息公开条例》第三十五条的规定，",
    # Art 39(2) is about 公开出版物; a confirmation or a re-issued document is not information the office has made or
    # obtained and keeps on record, which is what Art 2 defines as 政府信息.
    Outcome.CONFIRMATION: "您要求本机关确认或者重新出具已获取的信息，该事项不是获取本机关已制作或者获取、并以一定形式记录"
    "和保存的政府信息，根据《中华人民共和国政府信息公开条例》第二条的规定，",
}


def _template(outcome: str) -> str:
    if outcome in WITHHELD_GROUNDS:
        return "withheld"
    if outcome in NOT_PROCESSED_TEXT:
        return "not_processed"
    if outcome in (Outcome.NO_CORRECTION, Outcome.FEE_UNPAID):
        return "other"
    return str(outcome)


def draft_letter(
    request: InformationRequest, *, outcome: str, withheld_parts: list[dict] | None = None,
    referral_organisation: str = "", referral_contact: str = "", document_url: str = "",
) -> str:
    subject = request.document_title or (request.description.splitlines()[0][:60] if request.description else "")
    ground = WITHHELD_GROUNDS.get(outcome, "")
    parts = [
        {**part, "ground_label": Ground(part["ground"]).label if part.get("ground") in Ground.values else ""}
        for part in withheld_parts or []
    ]
    context = {
        "applicant": request.applicant_name,
        "received_on": request.received_on,
        "code": request.tracking_code,
        "subject": subject,
        "organisation": request.organisation.display_name,
        "today": timezone.localdate(),
        "ground_text": Ground(ground).label if ground else "",
        "inquiry": ground == Ground.INQUIRY,
        "article": ARTICLES.get(ground, ""),
        "parts": parts,
        "referral_organisation": referral_organisation,
        "referral_contact": referral_contact,
        "document_title": request.linked_document.title if request.linked_document_id else "",
        "document_url": document_url,
        "correction_requested_on": request.correction_requested_on,
        "not_processed_text": NOT_PROCESSED_TEXT.get(outcome, ""),
    }
    text = render_to_string(f"requests_app/letters/{_template(outcome)}.txt", context)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())
