"""The personal-data scan of R13: 居民身份证号 with a valid check digit, mainland mobile numbers, bank card numbers.

Used before approval on the document text and on the text extracted from PDF and DOCX attachments. Findings are
reported masked, so the warning itself does not spread the number.
"""

from __future__ import annotations

import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from lxml import etree

from core.errors import Problem

logger = logging.getLogger(__name__)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9])")
CARD = re.compile(r"(?<![0-9])((?:\d[ -]?){15,18}\d)(?![0-9])")

PERSONAL_DATA = "personal_data"  # R13: the text names a person's number and must be masked before it is published

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


# --- Text extraction under limits --------------------------------------------------------------------------------------
# A small hostile file must not take the server's memory or time at upload: a 480 KB DOCX "zip bomb" once ran 20 s and
# took 1.5 GB. Sizes are checked from the zip directory before anything is decompressed (CPython's zipfile never yields
# more than a member's declared size, so the declared sizes bound the work), the DOCX body is streamed, PDF parsing
# runs under pypdf's own limits (a context-local configuration, safe in threads), and a wall-clock deadline is checked
# between pages and paragraphs (signal.alarm only works in the main thread, never in a web worker's).
# Each limit can be set in settings under the name on its left.
EXTRACT_DEFAULTS: dict[str, int] = {
    "GOVOPEN_EXTRACT_MAX_MB": 200,  # all members of a DOCX together, decompressed
    "GOVOPEN_EXTRACT_MAX_MEMBER_MB": 50,  # one member of a DOCX, or one PDF stream, decompressed (under pypdf's 75)
    "GOVOPEN_EXTRACT_MAX_RATIO": 100,  # decompressed / compressed size of one member larger than 1 MB
    "GOVOPEN_EXTRACT_MAX_MEMBERS": 10_000,  # entries in a DOCX
    "GOVOPEN_EXTRACT_MAX_PAGES": 2_000,  # pages of a PDF
    "GOVOPEN_EXTRACT_MAX_SECONDS": 15,  # wall-clock time of one file's extraction
}
RATIO_FLOOR = 1024 * 1024  # small members (styles, relationships) legitimately compress far better than text
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
MB = 1024 * 1024


def extract_limit(name: str) -> int:
    return int(getattr(settings, name, EXTRACT_DEFAULTS[name]))


class ExtractionRefused(ValueError):
    """The file cannot be scanned within the limits; the message names the file and says why, in Chinese."""


class _Deadline:
    def __init__(self, name: str) -> None:
        self.name = name
        self.seconds = extract_limit("GOVOPEN_EXTRACT_MAX_SECONDS")
        self.at = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise ExtractionRefused(
                _("“%(name)s”的文字提取超过 %(s)s 秒，无法完成个人信息检查。请另存为结构简单的 PDF 或 DOCX 后再上传。")
                % {"name": self.name, "s": self.seconds}
            )


def _too_large(name: str, limit: int) -> ExtractionRefused:
    return ExtractionRefused(
        _("“%(name)s”解压后的内容超过 %(mb)s MB，疑似压缩炸弹，已拒绝。") % {"name": name, "mb": limit // MB}
    )


def check_archive(archive: zipfile.ZipFile, *, name: str) -> None:
    """Refuse a zip whose directory announces too much, before a single byte is decompressed."""
    members = archive.infolist()
    if len(members) > extract_limit("GOVOPEN_EXTRACT_MAX_MEMBERS"):
        raise ExtractionRefused(
            _("“%(name)s”包含的内部文件超过 %(n)s 个，疑似压缩炸弹，已拒绝。")
            % {"name": name, "n": extract_limit("GOVOPEN_EXTRACT_MAX_MEMBERS")}
        )
    member_limit = extract_limit("GOVOPEN_EXTRACT_MAX_MEMBER_MB") * MB
    total_limit = extract_limit("GOVOPEN_EXTRACT_MAX_MB") * MB
    ratio = extract_limit("GOVOPEN_EXTRACT_MAX_RATIO")
    total = 0
    for member in members:
        if member.file_size > member_limit:
            raise _too_large(name, member_limit)
        total += member.file_size
        if total > total_limit:
            raise _too_large(name, total_limit)
        if member.file_size > RATIO_FLOOR and member.file_size > ratio * max(member.compress_size, 1):
            raise ExtractionRefused(
                _("“%(name)s”的压缩比超过 %(ratio)s 倍，疑似压缩炸弹，已拒绝。") % {"name": name, "ratio": ratio}
            )


def _docx_main_part(archive: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (almost always word/document.xml)."""
    try:
        with archive.open("_rels/.rels") as rels:
            root = etree.parse(rels, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (KeyError, etree.XMLSyntaxError):
        return "word/document.xml"
    for relationship in root:
        if relationship.get("Type") == OFFICE_DOCUMENT and relationship.get("Target"):
            return relationship.get("Target").lstrip("/")
    return "word/document.xml"


def _docx_text(data: bytes, *, name: str, deadline: _Deadline) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_archive(archive, name=name)
        # Streamed paragraph by paragraph, each cleared once read, so memory stays flat; tables are paragraphs too.
        paragraphs: list[str] = []
        with archive.open(_docx_main_part(archive)) as stream:
            for _event, paragraph in etree.iterparse(
                stream, events=("end",), tag=f"{{{W}}}p", resolve_entities=False, no_network=True
            ):
                pieces = []
                for element in paragraph.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"):
                    local = etree.QName(element).localname
                    pieces.append(element.text or "" if local == "t" else "\t" if local == "tab" else "\n")
                paragraphs.append("".join(pieces))
                paragraph.clear()
                deadline.check()
        return "\n".join(paragraphs)


def _pdf_text(data: bytes, *, name: str, deadline: _Deadline) -> str:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    max_pages = extract_limit("GOVOPEN_EXTRACT_MAX_PAGES")
    stream_limit = extract_limit("GOVOPEN_EXTRACT_MAX_MEMBER_MB") * MB
    too_many_pages = ExtractionRefused(
        _("“%(name)s”超过 %(n)s 页，无法完成个人信息检查，请拆分后上传。") % {"name": name, "n": max_pages}
    )
    with apply_configuration(
        page_tree_maximum_entries=max_pages + 1,
        page_tree_maximum_page_entries=max_pages + 1,
        zlib_maximum_output_length=stream_limit,
        lzw_maximum_output_length=stream_limit,
        run_length_maximum_output_length=stream_limit,
        array_based_stream_maximum_output_length=stream_limit,
        brotli_maximum_output_length=stream_limit,
        stream_decoding_work_maximum_length=stream_limit,
        maximum_declared_stream_length=stream_limit,
    ):
        reader = PdfReader(io.BytesIO(data))
        try:
            pages = len(reader.pages)
        except LimitReachedError as exc:
            raise too_many_pages from exc
        if pages > max_pages:
            raise too_many_pages
        texts = []
        for page in reader.pages:
            deadline.check()
            try:
                texts.append(page.extract_text() or "")
            except LimitReachedError as exc:
                raise _too_large(name, stream_limit) from exc
        deadline.check()
        return "\n".join(texts)


def extract_text(data: bytes, *, extension: str, name: str = "") -> str:
    """The text of a PDF, DOCX or plain-text attachment; empty for other types or unreadable files.

    Raises ``ExtractionRefused`` (naming ``name``) when the file is too big to unpack or too slow to read: such a file
    could not be scanned for personal data (R13), so it is refused rather than accepted unscanned.
    """
    name = name or str(_("附件"))
    try:
        if extension == "pdf":
            return _pdf_text(data, name=name, deadline=_Deadline(name))
        if extension == "docx":
            return _docx_text(data, name=name, deadline=_Deadline(name))
        if extension == "txt":
            for encoding in ("utf-8", "gb18030"):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    continue
    except ExtractionRefused:
        raise
    except Exception:  # a broken file is reported by type checks; the scan must not crash the upload
        logger.warning("could not extract text from a %s attachment", extension)
    return ""


def personal_data_problems(*, title: str, text: str, text_label: str) -> list[Problem]:
    """R13 for records that publish without a reviewer's override (interpretations, emergency updates): any finding
    must be removed or masked first."""
    findings = scan_text(title, where=str(_("标题"))) + scan_text(text, where=text_label)
    if not findings:
        return []
    found = "；".join(f"{f.label} {f.masked}（{f.where}）" for f in findings)
    return [Problem(PERSONAL_DATA, str(_("发现疑似个人信息：%(found)s。请先删除或遮盖。")) % {"found": found})]
