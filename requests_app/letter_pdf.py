"""The formal reply letter 政府信息公开申请答复书 as a PDF an official can sign and stamp.

The page follows the layout of GB/T 9704-2012 (党政机关公文格式): A4, a 156 × 225 mm text block (top 37 mm, left
28 mm), a 三号 body of 22 lines of 28 characters, a 二号 bold title, the 发文机关署名 centred over the 成文日期 four
characters from the right margin, and "— n —" page numbers 7 mm under the text block.

fpdf2 draws the text with a CJK font found on the system (or named by ``GOVOPEN_PDF_FONT``) and embeds only the glyphs
used. Lines are broken here rather than by fpdf2 so that closing punctuation never starts a line (避头尾) and every full
line is justified to both margins, as a printed 公文 is.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import shutil
import subprocess
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.utils.translation import gettext as _

from requests_app.letter_document import FormalLetter

logger = logging.getLogger(__name__)

# A face must draw these to be used: a font without Chinese glyphs would print empty boxes.
PROBE_TEXT = "政府信息公开申请答复书"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
FONT_DIRECTORIES = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
LETTER_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")

# Page geometry in points (1 mm = 72 / 25.4 pt), from GB/T 9704-2012 §5.2.
MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37 * MM, 35 * MM, 28 * MM, 26 * MM
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
TEXT_BOTTOM = PAGE_HEIGHT - MARGIN_BOTTOM
BODY_SIZE = 16.0  # 三号
LINE_HEIGHT = (225 * MM) / 22  # 22 lines to the page
TITLE_SIZE = 22.0  # 二号
TITLE_LINE_HEIGHT = 36.0
PAGE_NUMBER_SIZE = 14.0  # 四号
FOOTER_SIZE = 9.0
# 28 characters of 16 pt are 448 pt, 6 pt more than the 156 mm line: a line may tighten each gap by this much.
MAX_SQUEEZE = 0.25
# ... and a little more to pull a closing mark up onto the line it closes instead of starting the next one with it.
MAX_PUNCTUATION_SQUEEZE = 0.6

# 避头尾: marks that may not start a line, and marks that may not end one.
NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】〗〉］｝…—·～%‰,.;:?!)]}")
NO_LINE_END = frozenset("（《「『“‘〔【〖〈［｛([{")
# A Latin word, a number, a telephone number or a file extension stays on one line (2025, 3.5, 010-1234567, .xlsx);
# one longer than a quarter of the line (an address on the web) may be broken anywhere rather than leave a gappy line.
LATIN_RUN = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9.,:/\\\-_@#&?=+~%]*[A-Za-z0-9/%]|\.?[A-Za-z0-9]")
LONGEST_UNBROKEN = 0.25  # of the line width
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PdfUnavailable(Exception):
    """No font with Chinese glyphs was found, so the letter cannot be drawn."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("未找到可用的中文字体，无法生成答复书的 PDF 版本。"))


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # face number inside a .ttc/.otc collection, 0 otherwise
    family: str
    bold: bool = False


@dataclass(frozen=True)
class _Candidate:
    face: FontFace
    style: str


# ---------------------------------------------------------------------------------------------------------------------
# Finding a font


def find_cjk_font() -> tuple[Path, int] | None:
    """The regular face the letter is set in: ``GOVOPEN_PDF_FONT`` when set, otherwise the best face installed."""
    faces = _font_faces(_font_setting())
    return (faces[0].path, faces[0].index) if faces else None


def find_cjk_bold_font() -> tuple[Path, int] | None:
    """The bold face of the same family for the title, or None when the family has none (the title is then regular)."""
    faces = _font_faces(_font_setting())
    return (faces[1].path, faces[1].index) if faces and faces[1] else None


def pdf_available() -> bool:
    return find_cjk_font() is not None


def clear_font_cache() -> None:
    """Forget the faces found so far and the PDFs made with them (tests, or after fonts were installed)."""
    _font_faces.cache_clear()
    _RENDERED.clear()


def _font_setting() -> str:
    return str(getattr(settings, "GOVOPEN_PDF_FONT", "") or "").strip()


@functools.lru_cache(maxsize=8)
def _font_faces(setting: str) -> tuple[FontFace, FontFace | None] | None:
    # Keyed by the setting so that a changed GOVOPEN_PDF_FONT is honoured without clearing the cache by hand.
    regular = _configured_face(setting) if setting else _discovered_face()
    if regular is None:
        return None
    return regular, _bold_face_for(regular)


def _split_setting(setting: str) -> tuple[Path, int | None]:
    path, hash_sign, number = setting.rpartition("#")
    if hash_sign and number.strip().isdigit():
        return Path(path.strip()).expanduser(), int(number)
    return Path(setting).expanduser(), None


def _configured_face(setting: str) -> FontFace | None:
    path, index = _split_setting(setting)
    if not path.is_file() or path.suffix.lower() not in FONT_SUFFIXES:
        logger.warning("GOVOPEN_PDF_FONT=%s: not a .ttf/.otf/.ttc/.otc file", setting)
        return None
    if index is None:
        # A collection without "#n": the Simplified Chinese face if there is one, else the first.
        faces = list(_faces_in_file(path))
        ranked = sorted(faces, key=lambda candidate: _rank(candidate.face.family, candidate.style), reverse=True)
        index = ranked[0].face.index if ranked else 0
    face = _checked_face(path, index)
    if face is None:
        logger.warning("GOVOPEN_PDF_FONT=%s: no such face, or it has no Chinese glyphs", setting)
    return face


def _discovered_face() -> FontFace | None:
    candidates = list(_fontconfig_candidates()) if shutil.which("fc-list") else []
    if not candidates:
        candidates = list(_directory_candidates())
    regular = [candidate for candidate in candidates if not _is_bold(candidate.style)]
    for candidate in sorted(regular, key=lambda c: _rank(c.face.family, c.style), reverse=True):
        face = _checked_face(candidate.face.path, candidate.face.index)
        if face is not None:
            return face
    return None


def _fontconfig_candidates() -> Iterator[_Candidate]:
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{index}\t%{family}\t%{style}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return
    for line in listing.splitlines():
        parts = line.split("\t")
        # An index past 0xFFFF is a named instance of a variable font, which fpdf2 cannot select.
        if len(parts) != 4 or not parts[1].isdigit() or int(parts[1]) > 0xFFFF:
            continue
        path = Path(parts[0])
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        # fontconfig lists every localised family name ("Noto Serif CJK SC,思源宋体"): the first is the English one.
        family = parts[2].split(",")[0].strip()
        yield _Candidate(FontFace(path, int(parts[1]), family), parts[3].split(",")[0].strip())


def _directory_candidates() -> Iterator[_Candidate]:
    for directory in FONT_DIRECTORIES:
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
                yield from _faces_in_file(path)


def _faces_in_file(path: Path) -> Iterator[_Candidate]:
    """Each face of a font file with its family and style, from the 'name' table alone (fast, lazy)."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = list(TTCollection(str(path), lazy=True).fonts)
        else:
            fonts = [TTFont(str(path), lazy=True)]
        for index, font in enumerate(fonts):
            family, style = _names(font)
            if family:
                yield _Candidate(FontFace(path, index, family), style)
    except (TTLibError, OSError, KeyError, ValueError, AssertionError, IndexError, EOFError) as error:
        logger.debug("skipping font %s: %s", path, error)


def _names(font: Any) -> tuple[str, str]:
    if "name" not in font:
        return "", ""
    table = font["name"]
    # The typographic family (16/17) groups Regular and Bold; the legacy one (1/2) may put the weight in the family.
    family = table.getDebugName(16) or table.getDebugName(1) or ""
    style = table.getDebugName(17) or table.getDebugName(2) or ""
    return family.strip(), style.strip()


def _checked_face(path: Path, index: int) -> FontFace | None:
    """The face at path#index if it exists and draws the probe text; never raises on a bad file."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        if not all(ord(character) in cmap for character in PROBE_TEXT):
            return None
        family, style = _names(font)
        return FontFace(path, index, family, bold=_is_bold(style))
    except (TTLibError, OSError, KeyError, ValueError, AssertionError, IndexError, EOFError) as error:
        logger.debug("font %s#%s unusable: %s", path, index, error)
        return None


def _is_bold(style: str) -> bool:
    return bool(re.search(r"bold|heavy|black", style, re.IGNORECASE))


def _rank(family: str, style: str) -> tuple[int, int, int]:
    """Simplified Chinese first, then serif (宋体 as in a printed 公文) before sans, regular weight before others.

    Japanese and Korean faces come last: they draw the characters, with the shapes of another writing tradition."""
    name = family.lower()
    if "mono" in name:
        region = 0
    elif re.search(
        r"(\bsc\b|\bcn\b|\bgb\b|simplified|sc$|gb$|cn$|zen hei|micro hei|wenquanyi|droid sans fallback)", name
    ) or re.search(r"宋|黑|仿宋|楷", family):
        region = 3
    elif re.search(r"(\btc\b|\bhk\b|\btw\b|big5)", name):
        region = 1
    elif re.search(r"(\bjp\b|\bkr\b|japanese|korean)", name):
        region = 0
    else:
        region = 2  # a pan-CJK family with no region in its name: accepted after the SC faces
    serif = 1 if re.search(r"serif|song|sung|ming|宋|明|fangsong|仿宋|kai|楷", name + family) else 0
    regular = 1 if re.search(r"^(regular|book|normal|roman|medium|)$", style.lower()) else 0
    return region, serif, regular


def _bold_face_for(regular: FontFace) -> FontFace | None:
    """A bold face of the regular face's family: from fontconfig, else a sibling file named …-Bold."""
    candidates: list[_Candidate] = []
    if shutil.which("fc-list"):
        candidates = [c for c in _fontconfig_candidates() if c.face.family == regular.family and _is_bold(c.style)]
    if not candidates:
        stem = regular.path.name
        for weight in ("Regular", "regular", "Light", "Medium", "Book"):
            if weight in stem:
                sibling = regular.path.with_name(stem.replace(weight, "Bold"))
                if sibling.is_file():
                    candidates = [c for c in _faces_in_file(sibling) if c.face.family == regular.family]
                break
    for candidate in sorted(candidates, key=lambda c: c.style != "Bold"):
        face = _checked_face(candidate.face.path, candidate.face.index)
        if face is not None:
            return FontFace(face.path, face.index, face.family, bold=True)
    return None


# ---------------------------------------------------------------------------------------------------------------------
# Django system check


@register(Tags.compatibility, deploy=True)
def check_pdf_font(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """The reply letter's PDF needs a Chinese font; without one the PDF link is not offered (printable page only)."""
    if pdf_available():
        return []
    setting = _font_setting()
    if setting:
        message = _("GOVOPEN_PDF_FONT 指向的字体“%(font)s”不存在或没有中文字形：不提供答复书的 PDF 版本。") % {
            "font": setting
        }
    else:
        message = _("系统中未找到中文字体：不提供答复书的 PDF 版本，申请人和工作人员只能使用可打印页面。")
    return [
        CheckWarning(
            message,
            hint=_(
                "安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），或将 GOVOPEN_PDF_FONT 设为含简体中文字形的 "
                ".ttf/.otf/.ttc 字体文件路径（字体集合可加“#序号”选择字体）。"
            ),
            id="govopen.W001",
        )
    ]


# ---------------------------------------------------------------------------------------------------------------------
# Line breaking


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: one CJK character, one space, or one Latin word / number."""
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = LATIN_RUN.match(text, position)
        if match:
            tokens.append(match.group())
            position = match.end()
        else:
            tokens.append(text[position])
            position += 1
    return tokens


@dataclass(frozen=True)
class _Line:
    text: str
    justified: bool  # a full line, stretched (or tightened) to the available width


def _break_lines(text: str, measure: Any, first_width: float, width: float) -> list[_Line]:
    """Greedy line breaking with 避头尾: a closing mark is squeezed onto the line or pulls a character down with it."""
    tokens: list[str] = []
    for token in _tokens(text):
        tokens.extend(list(token) if len(token) > 1 and measure(token) > width * LONGEST_UNBROKEN else [token])
    widths = [measure(token) for token in tokens]
    lines: list[_Line] = []
    start = 0
    while start < len(tokens):
        while start < len(tokens) and tokens[start] == " ":
            start += 1  # a space never starts a line
        if start >= len(tokens):
            break
        available = first_width if not lines else width
        end = _fit(tokens, widths, start, available, MAX_SQUEEZE)
        if end < len(tokens) and _bad_break(tokens, end):
            # Only the closing mark itself is pulled up, never a further character with it.
            squeezed = min(_fit(tokens, widths, start, available, MAX_PUNCTUATION_SQUEEZE), end + 1)
            if squeezed > end and tokens[end][0] in NO_LINE_START and not _bad_break(tokens, squeezed):
                end = squeezed
            else:
                pushed = end
                while pushed - 1 > start and _bad_break(tokens, pushed):
                    pushed -= 1
                if not _bad_break(tokens, pushed):
                    end = pushed
        line = "".join(tokens[start:end]).rstrip(" ")
        lines.append(_Line(line, justified=end < len(tokens)))
        start = end
    return lines


def _fit(tokens: list[str], widths: list[float], start: int, available: float, squeeze: float) -> int:
    """The end of the longest line from start that fits when each gap between characters tightens by squeeze."""
    total = 0.0
    characters = 0
    end = start
    while end < len(tokens):
        new_total = total + widths[end]
        new_characters = characters + len(tokens[end])
        if new_total - squeeze * (new_characters - 1) > available and end > start:
            break
        total, characters, end = new_total, new_characters, end + 1
    return end


def _bad_break(tokens: list[str], position: int) -> bool:
    if position <= 0 or position >= len(tokens):
        return False
    return tokens[position][0] in NO_LINE_START or tokens[position - 1][-1] in NO_LINE_END


def _clean(text: str) -> list[str]:
    """Paragraph text as typed: a hard line break starts a new paragraph; tabs and control characters go."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = CONTROL_CHARACTERS.sub("", text)
    return [part.strip() for part in text.split("\n") if part.strip()]


# ---------------------------------------------------------------------------------------------------------------------
# Rendering


@functools.lru_cache(maxsize=1)
def _fpdf_classes() -> tuple[type, type, type]:
    """fpdf2 is imported on first use only: it takes a noticeable part of a second and most requests never need it."""
    from fpdf import FPDF
    from fpdf.fonts import SubsetMap
    from fpdf.output import OutputProducer
    from fpdf.syntax import Name

    # fontTools reports every step of subsetting at INFO: one letter would fill the log with glyph lists.
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

    def cid_of(glyph: Any) -> int | None:
        name = glyph.glyph_name
        if name == ".notdef":
            return 0
        if name.startswith("cid") and name[3:].isdigit() and int(name[3:]) <= 0xFFFF:
            return int(name[3:])
        return None

    class CidSubsetMap(SubsetMap):
        """Character codes equal to the glyphs' CIDs, so the font's encoding is plain Identity-H.

        fpdf2 numbers the glyphs of a CID-keyed CFF font (all Noto / Source Han CJK fonts) 1, 2, 3… and ships an
        embedded CMap to map them back to CIDs. That is valid PDF, but pypdf (which the portal and many archives use
        to read PDFs) decodes such text one byte at a time and puts a NUL before every character. With code = CID
        the embedded CMap is the identity and the standard /Identity-H name replaces it (see _IdentityProducer)."""

        def __init__(self, font: Any) -> None:
            super().__init__(font)
            self._char_id_per_glyph = {glyph: cid_of(glyph) for glyph in self._char_id_per_glyph}

        def pick_glyph(self, glyph: Any) -> int | None:
            if glyph is None:
                return None
            char_id = self._char_id_per_glyph.get(glyph)
            if char_id is None:
                char_id = cid_of(glyph)
                if char_id is None:  # not expected for a CID-keyed font; fpdf2's own numbering would clash
                    raise PdfUnavailable(_("所选字体的字形编号无法识别，无法生成答复书的 PDF 版本。"))
                self._char_id_per_glyph[glyph] = char_id
            return char_id

    class IdentityProducer(OutputProducer):
        """Drops fpdf2's embedded encoding CMap for fonts whose codes are their CIDs and names /Identity-H instead."""

        def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
            self._identity_fonts = all(
                isinstance(getattr(font, "subset", None), CidSubsetMap) for font in self.fpdf.fonts.values()
            )
            fonts = super()._add_fonts(*args, **kwargs)
            if self._identity_fonts:
                for font_obj in fonts.values():
                    if getattr(font_obj, "encoding", None) is not None and not isinstance(font_obj.encoding, Name):
                        font_obj.encoding = Name("Identity-H")
            return fonts

        def _add_pdf_obj(self, pdf_obj: Any, trace_label: str | None = None) -> int:
            if (
                getattr(self, "_identity_fonts", False)
                and trace_label == "fonts"
                and (getattr(pdf_obj, "type", None) == Name("CMap"))
            ):
                return 0  # the identity encoding CMap: replaced by the /Identity-H name above
            return super()._add_pdf_obj(pdf_obj, trace_label)

    class LetterPDF(FPDF):
        tracking_line = ""

        def footer(self) -> None:
            # 页码: 四号, a 一字线 either side, 7 mm under the text block (GB/T 9704-2012 §7.5), centred.
            self.set_font("body", size=PAGE_NUMBER_SIZE)
            self.set_char_spacing(0)
            self.set_text_color(0)
            number = f"— {self.page_no()} —"
            self.text(
                (PAGE_WIDTH - self.get_string_width(number)) / 2, TEXT_BOTTOM + 7 * MM + 0.6 * PAGE_NUMBER_SIZE, number
            )
            if self.tracking_line:
                self.set_font("body", size=FOOTER_SIZE)
                self.set_text_color(90)
                self.text(
                    (PAGE_WIDTH - self.get_string_width(self.tracking_line)) / 2,
                    PAGE_HEIGHT - 10 * MM,
                    self.tracking_line,
                )
                self.set_text_color(0)

    return LetterPDF, IdentityProducer, CidSubsetMap


class _Writer:
    """Places lines on the text block from the top, turning the page when the next line does not fit."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.y = MARGIN_TOP

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = MARGIN_TOP

    def room_for(self, height: float) -> None:
        if self.y + height > TEXT_BOTTOM + 0.5:
            self.new_page()

    def skip(self, lines: int = 1) -> None:
        # A blank line at the foot of a page is not carried to the next one.
        self.y = min(self.y + lines * LINE_HEIGHT, TEXT_BOTTOM)

    def line(
        self,
        text: str,
        *,
        x: float,
        width: float = 0.0,
        justified: bool = False,
        size: float = BODY_SIZE,
        height: float = LINE_HEIGHT,
        advance: bool = True,
    ) -> None:
        """One line at x; a justified line has its gaps widened (or tightened) so that it ends exactly at x + width."""
        self.room_for(height)
        pdf = self.pdf
        spacing = 0.0
        if justified and len(text) > 1:
            spacing = (width - pdf.get_string_width(text)) / (len(text) - 1)
        pdf.set_char_spacing(round(spacing, 2))
        # The glyphs' em box (baseline 0.88 em under its top) is centred vertically in the line.
        pdf.text(x, self.y + height / 2 + size * 0.38, text)
        pdf.set_char_spacing(0)
        if advance:
            self.y += height

    def paragraph(self, text: str, *, indent_characters: int = 2) -> None:
        pdf = self.pdf
        indent = indent_characters * BODY_SIZE
        for part in _clean(text):
            lines = _break_lines(part, pdf.get_string_width, TEXT_WIDTH - indent, TEXT_WIDTH)
            for number, line in enumerate(lines):
                offset = indent if number == 0 else 0.0
                self.line(line.text, x=MARGIN_LEFT + offset, width=TEXT_WIDTH - offset, justified=line.justified)

    def centred(self, text: str, *, size: float, height: float) -> None:
        pdf = self.pdf
        for line in _break_lines(text, pdf.get_string_width, TEXT_WIDTH, TEXT_WIDTH):
            width = pdf.get_string_width(line.text)
            self.line(line.text, x=MARGIN_LEFT + (TEXT_WIDTH - width) / 2, size=size, height=height)


def render_letter_pdf(letter: FormalLetter) -> bytes:
    """The letter as an A4 PDF in the 公文 layout; the same letter always gives the same bytes.

    A render parses the font files (about a second), and an issued letter never changes, so each worker keeps the
    last few PDFs it made, keyed by everything the letter shows and the font setting.
    Raises PdfUnavailable when no font with Chinese glyphs is installed or configured."""
    return _render_cached(_letter_key(letter), _font_setting(), letter)


def _letter_key(letter: FormalLetter) -> tuple:
    return (
        letter.issuer,
        letter.number,
        letter.addressee,
        tuple(letter.paragraphs),
        letter.remedy,
        letter.signed_on,
        letter.tracking_code,
        tuple(letter.attachments),
        letter.title,
    )


_RENDERED: dict[tuple, bytes] = {}
_RENDERED_MAX = 16


def _render_cached(key: tuple, setting: str, letter: FormalLetter) -> bytes:
    full_key = (key, setting)
    if full_key in _RENDERED:
        return _RENDERED[full_key]
    content = _render(letter)
    if len(_RENDERED) >= _RENDERED_MAX:
        _RENDERED.pop(next(iter(_RENDERED)))
    _RENDERED[full_key] = content
    return content


def _render(letter: FormalLetter) -> bytes:
    faces = _font_faces(_font_setting())
    if faces is None:
        raise PdfUnavailable()
    regular, bold = faces
    letter_pdf_class, producer_class, cid_subset_map = _fpdf_classes()

    pdf = letter_pdf_class(orientation="portrait", unit="pt", format="A4")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(False)
    pdf.add_font("body", fname=str(regular.path), collection_font_number=regular.index)
    title_face = bold or regular
    pdf.add_font("title", fname=str(title_face.path), collection_font_number=title_face.index)
    for font in pdf.fonts.values():
        if getattr(font, "is_cff", False) and getattr(font, "is_cid_keyed", False):
            font.subset = cid_subset_map(font)
    _set_metadata(pdf, letter)
    if letter.tracking_code:
        pdf.tracking_line = _("查询码：%(code)s") % {"code": letter.tracking_code}

    writer = _Writer(pdf)
    writer.new_page()
    _draw_heading(writer, letter)
    _draw_body(writer, letter)
    _draw_attachments(writer, letter.attachments)
    _draw_signature(writer, letter)
    return bytes(pdf.output(output_producer_class=producer_class))


def _set_metadata(pdf: Any, letter: FormalLetter) -> None:
    pdf.set_title(letter.heading)
    if letter.issuer:
        pdf.set_author(letter.issuer)
        pdf.set_creator(letter.issuer)
    if letter.number:
        pdf.set_subject(letter.number)
    pdf.set_lang("zh-CN")
    # The date of the letter, not of the rendering, so that the same letter always gives the same file.
    pdf.set_creation_date(dt.datetime.combine(letter.signed_on, dt.time(9, 0), tzinfo=LETTER_TIME_ZONE))


def _draw_heading(writer: _Writer, letter: FormalLetter) -> None:
    pdf = writer.pdf
    pdf.set_font("title", size=TITLE_SIZE)
    heading = _clean(letter.heading)
    heading_text = "".join(heading)
    if pdf.get_string_width(heading_text) <= TEXT_WIDTH:
        writer.centred(heading_text, size=TITLE_SIZE, height=TITLE_LINE_HEIGHT)
    else:
        # 回行时词意完整: the issuer's name on its own line(s), the title under it.
        issuer = "".join(_clean(letter.issuer))
        if issuer:
            writer.centred(issuer, size=TITLE_SIZE, height=TITLE_LINE_HEIGHT)
        writer.centred("".join(_clean(letter.title)), size=TITLE_SIZE, height=TITLE_LINE_HEIGHT)
    pdf.set_font("body", size=BODY_SIZE)
    number = "".join(_clean(letter.number))
    if number:
        writer.y += 6
        writer.centred(number, size=BODY_SIZE, height=LINE_HEIGHT)
    writer.skip()


def _draw_body(writer: _Writer, letter: FormalLetter) -> None:
    addressee = "".join(_clean(letter.addressee))
    if addressee:
        writer.paragraph(f"{addressee}：", indent_characters=0)
    for paragraph in letter.paragraphs:
        writer.paragraph(paragraph)
    if letter.remedy.strip():
        writer.paragraph(letter.remedy)


def _draw_attachments(writer: _Writer, attachments: list[str]) -> None:
    """附件说明 (GB/T 9704-2012 §7.3.5): 附件：1．名称, later names aligned with the first, no full stop after them."""
    names = [" ".join(_clean(name)) for name in attachments if name.strip()]
    if not names:
        return
    pdf = writer.pdf
    label = _("附件：")
    label_x = MARGIN_LEFT + 2 * BODY_SIZE
    names_x = label_x + pdf.get_string_width(label)
    writer.skip()
    for number, name in enumerate(names, start=1):
        prefix = f"{number}．" if len(names) > 1 else ""
        prefix_width = pdf.get_string_width(prefix)
        text_x = names_x + prefix_width
        width = MARGIN_LEFT + TEXT_WIDTH - text_x
        lines = _break_lines(name, pdf.get_string_width, width, width)
        for index, line in enumerate(lines):
            if index == 0:
                if number == 1:
                    writer.line(label, x=label_x, advance=False)
                if prefix:
                    writer.line(prefix, x=names_x, advance=False)
            writer.line(line.text, x=text_x, width=width, justified=line.justified)


def _draw_signature(writer: _Writer, letter: FormalLetter) -> None:
    """发文机关署名 centred over the 成文日期, which stands four characters from the right margin (§7.3.5.1)."""
    pdf = writer.pdf
    right = MARGIN_LEFT + TEXT_WIDTH
    date = letter.signed_on_text
    date_width = pdf.get_string_width(date)
    date_x = right - 4 * BODY_SIZE - date_width
    issuer = "".join(_clean(letter.issuer))
    # Two blank lines leave room for the seal, which presses on the name and the date; the three lines stay together.
    writer.skip(2)
    writer.room_for(2 * LINE_HEIGHT)
    if issuer:
        issuer_width = pdf.get_string_width(issuer)
        issuer_x = date_x + (date_width - issuer_width) / 2
        # A long name would pass the margin when centred over the date: it then ends two characters from it.
        issuer_x = max(MARGIN_LEFT, min(issuer_x, right - 2 * BODY_SIZE - issuer_width))
        writer.line(issuer, x=issuer_x)
    writer.line(date, x=date_x)
