"""Checks on what an applicant (or the staff member writing it down) entered (R20): one list of Chinese messages
per field, so forms show them next to the field and services refuse the same input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from disclosure.content import AttachmentRejected, CheckedUpload, check_upload
from requests_app.identity import IdentityInvalid, normalise, resident_id_check, uscc_check
from requests_app.models import ApplicantType, Delivery, IdType, InformationForm

TEXT_FIELDS = (
    "applicant_name",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "document_title",
    "document_number",
    "document_index_no",
    "fee_waiver_reason",
    "id_number",
)
MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|javascript:|&#", re.IGNORECASE)
OTHER_ID = re.compile(r"^[A-Z0-9()（）\-]{4,40}$")
PERSON_ID_TYPES = {IdType.RESIDENT_ID, IdType.PASSPORT, IdType.HK_MACAO, IdType.TAIWAN, IdType.FOREIGN_PR, IdType.OTHER}
ORGANISATION_ID_TYPES = {IdType.USCC, IdType.OTHER}
APPLICANT_FILE_TYPES = {"pdf", "jpg", "jpeg", "png"}
APPLICANT_FILE_MAX_BYTES = 5 * 1024 * 1024
APPLICANT_MAX_FILES = 3
MAX_LENGTHS = {
    "applicant_name": 200,
    "legal_representative": 100,
    "contact_person": 100,
    "phone": 30,
    "email": 254,
    "address": 300,
    "postcode": 6,
    "description": 4000,
    "document_title": 200,
    "document_number": 100,
    "document_index_no": 60,
    "fee_waiver_reason": 500,
    "id_number": 40,
}


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name in TEXT_FIELDS:
        cleaned[name] = (cleaned.get(name) or "").strip()
    cleaned["id_number"] = normalise(cleaned["id_number"])
    cleaned["email"] = cleaned["email"].lower()
    cleaned["fee_waiver_requested"] = bool(cleaned.get("fee_waiver_requested"))
    return cleaned


def application_problems(values: dict[str, Any], *, today: dt.date) -> dict[str, list[str]]:
    """Everything wrong with ``values`` (already passed through ``clean_values``), by field name."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    for name in TEXT_FIELDS:
        if MARKUP.search(values.get(name) or ""):
            add(name, _("请不要输入网页标记或脚本（如 <、&#、javascript:），只填写文字。"))
        if len(values.get(name) or "") > MAX_LENGTHS[name]:
            add(name, _("不能超过 %(n)s 个字。") % {"n": MAX_LENGTHS[name]})

    applicant_type = values.get("applicant_type")
    if applicant_type not in ApplicantType.values:
        add("applicant_type", _("请选择申请人类型。"))
    if not values.get("applicant_name"):
        add("applicant_name", _("请填写申请人姓名或名称。"))
    _check_identity(values, add, today=today)
    if applicant_type and applicant_type != ApplicantType.NATURAL:
        if not values.get("legal_representative"):
            add("legal_representative", _("法人或其他组织申请，请填写法定代表人或负责人。"))
        if not values.get("contact_person"):
            add("contact_person", _("法人或其他组织申请，请填写联系人。"))
    _check_contact(values, add)

    description = values.get("description") or ""
    if not description:
        add("description", _("请描述所需的政府信息，例如名称、文号或者便于查询的其他特征。"))
    elif len(description) < 5:
        add("description", _("描述过短，请写明所需信息的名称、文号或者便于查询的其他特征。"))
    if values.get("information_form") not in InformationForm.values:
        add("information_form", _("请选择信息的载体形式。"))
    if values.get("delivery") not in Delivery.values:
        add("delivery", _("请选择获取信息的方式。"))
    if values.get("information_form") == InformationForm.PAPER and values.get("delivery") in (
        Delivery.EMAIL,
        Delivery.ONLINE,
    ):
        add("delivery", _("纸质形式只能邮寄或当面领取，请改选获取方式或载体形式。"))
    if values.get("fee_waiver_requested") and not values.get("fee_waiver_reason"):
        add("fee_waiver_reason", _("申请减免费用，请说明理由（如享受最低生活保障）。"))
    return problems


def _check_identity(values: dict[str, Any], add: Any, *, today: dt.date) -> None:
    id_type, number = values.get("id_type"), values.get("id_number") or ""
    natural = values.get("applicant_type") == ApplicantType.NATURAL
    if id_type not in IdType.values:
        add("id_type", _("请选择证件类型。"))
        return
    if values.get("applicant_type") in ApplicantType.values:
        allowed = PERSON_ID_TYPES if natural else ORGANISATION_ID_TYPES
        if id_type not in allowed:
            add("id_type", _("自然人请选择个人身份证件。") if natural else _("法人或其他组织请填写统一社会信用代码。"))
            return
    if not number:
        add("id_number", _("请填写证件号码。"))
        return
    try:
        if id_type == IdType.RESIDENT_ID:
            resident_id_check(number, today=today)
        elif id_type == IdType.USCC:
            uscc_check(number)
        elif not OTHER_ID.match(number):
            add("id_number", _("证件号码只能包含字母、数字和连字符，4 至 40 位。"))
    except IdentityInvalid as exc:
        add("id_number", str(exc))


def _check_contact(values: dict[str, Any], add: Any) -> None:
    phone = values.get("phone") or ""
    digits = re.sub(r"\D", "", phone)
    if not phone:
        add("phone", _("请填写联系电话。"))
    elif not re.fullmatch(r"[\d\s+\-()（）转]{7,30}", phone) or not 7 <= len(digits) <= 20:
        add("phone", _("联系电话格式不正确，请填写手机号码或带区号的固定电话。"))
    email = values.get("email") or ""
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add("email", _("电子邮箱格式不正确。"))
    elif values.get("delivery") == Delivery.EMAIL:
        add("email", _("选择电子邮件获取，请填写电子邮箱。"))
    if values.get("delivery") == Delivery.POST and not values.get("address"):
        add("address", _("选择邮寄，请填写通信地址。"))
    postcode = values.get("postcode") or ""
    if postcode and not re.fullmatch(r"\d{6}", postcode):
        add("postcode", _("邮政编码应为 6 位数字。"))


def check_applicant_files(uploads: list[UploadedFile]) -> tuple[list[CheckedUpload], list[str]]:
    """Identity proof and other files an applicant attaches: PDF, JPG or PNG, at most 5 MB each, at most 3."""
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    if len(uploads) > APPLICANT_MAX_FILES:
        return [], [_("最多上传 %(n)s 个文件。") % {"n": APPLICANT_MAX_FILES}]
    for upload in uploads:
        name = (upload.name or "").rsplit("/", 1)[-1]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in APPLICANT_FILE_TYPES:
            errors.append(_("“%(name)s”：只接受 PDF、JPG、PNG 文件。") % {"name": name})
            continue
        if upload.size and upload.size > APPLICANT_FILE_MAX_BYTES:
            errors.append(_("“%(name)s”超过 5 MB。") % {"name": name})
            continue
        try:
            checked.append(check_upload(upload, extract=False))  # nobody scans applicants' files
        except AttachmentRejected as exc:
            errors.append(str(exc))
    return checked, errors


def date_problem(day: dt.date | None, *, today: dt.date, label: str, not_before: dt.date | None = None) -> str:
    """An absurd date for a legal fact: in the future, more than a year back, or before an earlier fact."""
    if day is None:
        return _("请填写%(label)s。") % {"label": label}
    if day > today:
        return _("%(label)s不能晚于今天。") % {"label": label}
    if day < today - dt.timedelta(days=366):
        return _("%(label)s不能早于一年以前，请核对。") % {"label": label}
    if not_before and day < not_before:
        return _("%(label)s不能早于 %(d)s。") % {"label": label, "d": not_before}
    return ""
