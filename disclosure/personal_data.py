"""The personal-data scan of R13: 居民身份证号 with a valid check digit, mainland mobile numbers, bank card numbers.

Used before approval on the document text and on the text extracted from PDF and DOCX attachments. Findings are
reported masked, so the warning itself does not spread the number.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9])")
CARD = re.compile(r"(?<![0-9])((?:\d[ -]?){15,18}\d)(?![0-9])")

KIND_LABELS = {"id": _("居民身份证号"), "mobile": _("手机号码"), "card": _("银行卡号")}


@dataclass(frozen=True)
class Finding:
    kind: str
    masked: str
    where: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "masked": self.masked, "where": self.where}


def id_check_digit_valid(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dXx]", number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS))
    return ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask(number: str, keep_start: int = 3, keep_end: int = 4) -> str:
    return number[:keep_start] + "*" * max(0, len(number) - keep_start - keep_end) + number[-keep_end:]


def scan_text(text: str, *, where: str) -> list[Finding]:
    findings: list[Finding] = []
    ids: set[str] = set()
    for found in ID_NUMBER.finditer(text or ""):
        number = found.group(1)
        if id_check_digit_valid(number):
            ids.add(number)
            findings.append(Finding("id", mask(number, 6, 4), where))
    for found in MOBILE.finditer(text or ""):
        number = "".join(found.groups())
        findings.append(Finding("mobile", mask(number, 3, 4), where))
    for found in CARD.finditer(text or ""):
        digits = re.sub(r"\D", "", found.group(1))
        if digits in ids or not 16 <= len(digits) <= 19 or not luhn_valid(digits):
            continue
        findings.append(Finding("card", mask(digits, 4, 4), where))
    return findings


def extract_text(data: bytes, *, extension: str) -> str:
    """The text of a PDF, DOCX or plain-text attachment; empty for other types or unreadable files."""
    try:
        if extension == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        if extension == "docx":
            import docx

            document = docx.Document(io.BytesIO(data))
            parts = [p.text for p in document.paragraphs]
            for table in document.tables:
                for row in table.rows:
                    parts.extend(cell.text for cell in row.cells)
            return "\n".join(parts)
        if extension == "txt":
            for encoding in ("utf-8", "gb18030"):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    continue
    except Exception:  # a broken file is reported by type checks; the scan must not crash the upload
        logger.warning("could not extract text from a %s attachment", extension)
    return ""


def personal_data_problems(*, title: str, text: str, text_label: str) -> list[str]:
    """R13 for records that publish without a reviewer's override (interpretations, emergency updates): any finding
    must be removed or masked first."""
    findings = scan_text(title, where=str(_("标题"))) + scan_text(text, where=text_label)
    if not findings:
        return []
    found = "；".join(f"{f.label} {f.masked}（{f.where}）" for f in findings)
    return [str(_("发现疑似个人信息：%(found)s。请先删除或遮盖（R13）。")) % {"found": found}]
