"""Document bodies and attachments: sanitised HTML, plain text, and the upload checks (type, size, content)."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from disclosure.personal_data import ExtractionRefused, extract_text

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "sub",
    "sup",
    "blockquote",
    "hr",
    "a",
    "span",
    "div",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")

# A signature is the bytes a file must start with, or (offset, bytes) for formats whose mark is not at the start.
Signature = bytes | tuple[int, bytes]
# extension → (content types we accept, the signatures one of which the file must carry, or None when it has none)
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[Signature, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
    "ofd": ("application/ofd", (b"PK\x03\x04",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "txt": ("text/plain", None),
}
ISO_MEDIA = ((4, b"ftyp"),)
# Interpretations (R16) also carry audio and video; SVG is left out on purpose (it can carry scripts).
MEDIA_TYPES: dict[str, tuple[str, tuple[Signature, ...] | None]] = {
    "jpg": ATTACHMENT_TYPES["jpg"],
    "jpeg": ATTACHMENT_TYPES["jpeg"],
    "png": ATTACHMENT_TYPES["png"],
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "m4a": ("audio/mp4", ISO_MEDIA),
    "mp4": ("video/mp4", ISO_MEDIA),
    "webm": ("video/webm", (b"\x1a\x45\xdf\xa3",)),
    "pdf": ATTACHMENT_TYPES["pdf"],
    "txt": ATTACHMENT_TYPES["txt"],
}


class AttachmentRejected(ValueError):
    """The upload is not accepted; the message says why, in Chinese."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    data: bytes
    # The text the personal-data scan reads (R13), extracted here under limits so that a file too big to unpack or
    # too slow to read is refused with the form's other errors instead of failing later.
    text: str = ""


def sanitise_body(raw: str) -> str:
    """Plain text becomes paragraphs; HTML keeps only the structural tags of ALLOWED_TAGS."""
    raw = (raw or "").replace("\r\n", "\n").strip()
    if not raw:
        return ""
    if not TAG.search(raw):
        paragraphs = [p.strip() for p in re.split(r"\n+", raw) if p.strip()]
        return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


PLAIN_PARAGRAPHS = re.compile(r"(?:<p>[^<>]*</p>\n?)+")


def body_for_editing(body_html: str) -> str:
    """The body as staff typed it: a body of plain paragraphs (what ``sanitise_body`` makes of pasted text) goes back
    to one line a paragraph, so the edit box never shows <p> tags; a body with real structure stays HTML."""
    if body_html and PLAIN_PARAGRAPHS.fullmatch(body_html.strip()):
        return "\n".join(html.unescape(p) for p in re.findall(r"<p>([^<>]*)</p>", body_html))
    return body_html or ""


def body_text(body_html: str) -> str:
    """The text of a sanitised body, one line per block, for search and for the personal-data scan."""
    text = re.sub(r"</(p|div|h[2-4]|li|tr|blockquote|pre)>|<br\s*/?>", "\n", body_html or "")
    text = html.unescape(nh3.clean(text, tags=set()))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _signed(data: bytes, signatures: tuple[Signature, ...]) -> bool:
    for signature in signatures:
        offset, mark = signature if isinstance(signature, tuple) else (0, signature)
        if data[offset : offset + len(mark)] == mark:
            return True
    return False


def check_upload(
    upload: UploadedFile,
    *,
    types: dict[str, tuple[str, tuple[Signature, ...] | None]] | None = None,
    limit: int | None = None,
    extract: bool = True,
) -> CheckedUpload:
    """Type by extension, size, and content against the type's signature; ``types`` and ``limit`` default to the
    document attachments' ones. With ``extract`` the text of a PDF, DOCX or TXT is read too (within the limits of
    ``personal_data.extract_text``); an upload whose text nobody scans can skip it."""
    types = types or ATTACHMENT_TYPES
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in types:
        allowed = "、".join(sorted(types))
        raise AttachmentRejected(
            _("不支持“%(name)s”的文件类型。可上传：%(allowed)s。") % {"name": name, "allowed": allowed}
        )
    limit = limit or settings.GOVOPEN_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentRejected(
            _("“%(name)s”超过 %(mb)s MB 的大小限制。") % {"name": name, "mb": limit // (1024 * 1024)}
        )
    data = upload.read()
    if len(data) > limit:
        raise AttachmentRejected(
            _("“%(name)s”超过 %(mb)s MB 的大小限制。") % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if not data:
        raise AttachmentRejected(_("“%(name)s”是空文件。") % {"name": name})
    content_type, signatures = types[extension]
    if signatures is not None and not _signed(data, signatures):
        raise AttachmentRejected(
            _("“%(name)s”的内容与扩展名 .%(ext)s 不符，请确认文件未损坏。") % {"name": name, "ext": extension}
        )
    if signatures is None and b"\x00" in data[:4096]:
        raise AttachmentRejected(_("“%(name)s”不是纯文本文件。") % {"name": name})
    text = ""
    if extract:
        try:
            text = extract_text(data, extension=extension, name=name)
        except ExtractionRefused as exc:
            raise AttachmentRejected(str(exc)) from exc
    return CheckedUpload(
        name=name[:200],
        extension=extension,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        text=text,
    )
