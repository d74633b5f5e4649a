"""The reply letter 政府信息公开申请答复书 as a PDF an official would sign: issue 14 §4 (R25 reply letters).

The letters are built directly as FormalLetter values, so no database is needed. The fonts are the system's
(scripts/test installs fonts-noto-cjk).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from fontTools.ttLib import TTCollection

from requests_app import letter_pdf
from requests_app.letter_document import FormalLetter
from requests_app.letter_pdf import (
    MARGIN_LEFT,
    NO_LINE_END,
    NO_LINE_START,
    PAGE_WIDTH,
    PdfUnavailable,
    check_pdf_font,
    find_cjk_font,
    pdf_available,
    render_letter_pdf,
)

BODY = [
    "本机关于2025年3月3日收到您提交的政府信息公开申请，您申请公开“2024年度甲市城市道路挖掘许可审批结果”。"
    "经审查，现答复如下：",
    "您申请获取的信息属于本机关公开范围，根据《中华人民共和国政府信息公开条例》第三十六条第（二）项的规定，"
    "现将该信息提供给您，详见附件。",
]
REMEDY = (
    "如对本答复不服，可以自收到本答复之日起六十日内向甲市人民政府申请行政复议，"
    "或者自收到本答复之日起六个月内向甲市中级人民法院提起行政诉讼。"
)


@pytest.fixture(autouse=True, scope="module")
def fresh_font_cache() -> Iterator[None]:
    """The module starts and ends with nothing found or drawn. Between its tests the worker keeps what it found and
    drew, as in production (a letter drawn once is served again; the cache is keyed by the letter and the font
    setting); the tests that change the font clear it themselves, and the determinism test draws twice."""
    letter_pdf.clear_font_cache()
    yield
    letter_pdf.clear_font_cache()


@pytest.fixture
def letter() -> FormalLetter:
    return FormalLetter(
        issuer="甲市城市管理局",
        number="甲城管依公开〔2025〕3号",
        addressee="张三",
        paragraphs=list(BODY),
        remedy=REMEDY,
        signed_on=dt.date(2025, 3, 21),
        tracking_code="Q7K2-9PXM-4D",
        attachments=["审批结果一览表.xlsx", "办理流程说明.pdf"],
    )


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


FOOTER = re.compile(r"^(— \d+ —|查询码：.*)$")


def flat(text: str) -> str:
    """The text without the line breaks the layout put in (a sentence runs over several lines)."""
    return text.replace("\n", "")


def body_lines(data: bytes) -> list[str]:
    """Every line of every page but the page numbers and 查询码 at the foot."""
    return [line for page in page_texts(data) for line in page.split("\n") if line and not FOOTER.match(line)]


def placed_lines(data: bytes, page_number: int = 0) -> list[tuple[str, float, float]]:
    """(text, x, y from the top) of every line drawn on a page."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[page_number]
    height = float(page.mediabox.height)
    lines: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            lines.append((text, tm[4], height - tm[5]))

    page.extract_text(visitor_text=visit)
    return lines


def test_r25_letter_pdf_carries_every_part_of_the_letter(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): heading, 文号, addressee, body, remedy, signature, date and 查询码 are all
    in the PDF as text a machine can read (Chinese through the ToUnicode map, with nothing in between)."""
    data = render_letter_pdf(letter)
    assert data.startswith(b"%PDF-")
    text = "".join(page_texts(data))
    assert "\x00" not in text
    content = flat(text)
    for part in (
        "甲市城市管理局政府信息公开申请答复书",
        "甲城管依公开〔2025〕3号",
        "张三：",
        "现将该信息提供给您，详见附件。",
        REMEDY,
        "附件：1．审批结果一览表.xlsx",
        "2．办理流程说明.pdf",
        "甲市城市管理局2025年3月21日",
        "查询码：Q7K2-9PXM-4D",
    ):
        assert part in content, part
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == letter.heading
    assert reader.metadata.author == "甲市城市管理局"
    assert reader.metadata.creation_date.date() == dt.date(2025, 3, 21)


def test_r25_letter_pdf_is_laid_out_like_a_formal_document(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): centred title, addressee flush left, paragraphs indented two characters,
    the issuer's name centred over the date at the right, four characters from the margin (GB/T 9704-2012)."""
    data = render_letter_pdf(letter)
    lines = placed_lines(data)
    by_text = {text: (x, y) for text, x, y in lines}
    title_x, title_y = by_text["甲市城市管理局政府信息公开申请答复书"]
    title_width = 18 * letter_pdf.TITLE_SIZE
    assert abs(title_x + title_width / 2 - (MARGIN_LEFT + letter_pdf.TEXT_WIDTH / 2)) < 1
    assert by_text["张三："][0] == pytest.approx(MARGIN_LEFT, abs=0.1)
    first_body_line = next(text for text, x, y in lines if text.startswith("本机关于"))
    assert by_text[first_body_line][0] == pytest.approx(MARGIN_LEFT + 2 * letter_pdf.BODY_SIZE, abs=0.1)
    continuation = next(text for text, x, y in lines if y > by_text[first_body_line][1] and text[0] != "本")
    assert by_text[continuation][0] == pytest.approx(MARGIN_LEFT, abs=0.1)
    issuer_x, issuer_y = by_text["甲市城市管理局"]
    date_x, date_y = by_text["2025年3月21日"]
    assert date_y > issuer_y > title_y
    assert issuer_x > PAGE_WIDTH / 2 and date_x > PAGE_WIDTH / 2
    issuer_centre = issuer_x + 7 * letter_pdf.BODY_SIZE / 2
    date_end = letter_pdf.PAGE_WIDTH - letter_pdf.MARGIN_RIGHT - 4 * letter_pdf.BODY_SIZE
    assert date_x < issuer_centre < date_end


def test_r25_no_line_starts_with_closing_punctuation(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): 避头尾 — a comma or closing bracket never starts a line and an opening one
    never ends it, wherever the punctuation falls in the line."""
    paragraphs = [
        "甲" * filler + "，" + "乙" * 20 + "《条例》" + "丙" * filler + "（一）" + "丁" * 30 + "。"
        for filler in range(20, 32)
    ]
    data = render_letter_pdf(replace(letter, paragraphs=paragraphs, attachments=[]))
    lines = body_lines(data)
    assert len(lines) > 40
    assert not [line for line in lines if line[0] in NO_LINE_START]
    assert not [line for line in lines if line[-1] in NO_LINE_END]
    assert "".join(paragraphs) in "".join(lines)


def test_r25_long_letter_runs_over_numbered_pages(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): a long letter continues on further pages, each numbered "— n —", each
    carrying the 查询码, and the signature comes after the last paragraph."""
    paragraphs = [
        f"第{number}段：" + "本机关经审查认为，该信息由本机关在履行职责过程中制作。" * 3 for number in range(60)
    ]
    data = render_letter_pdf(replace(letter, paragraphs=paragraphs))
    pages = page_texts(data)
    assert len(pages) >= 5
    for number, text in enumerate(pages, start=1):
        assert f"— {number} —" in text
        assert "查询码：Q7K2-9PXM-4D" in text
    content = flat("".join(pages))
    assert content.index("第59段") < content.index(REMEDY) < content.rindex("2025年3月21日")


def test_r25_letter_pdf_embeds_only_the_glyphs_it_uses(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): the CJK font is subsetted, so the file stays small enough to mail."""
    data = render_letter_pdf(letter)
    assert len(data) < 200_000
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert names and all("+" in name for name in names)
    assert all(str(font.get_object()["/Encoding"]) == "/Identity-H" for font in fonts.values())


def test_r25_same_letter_gives_the_same_file(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): rendering is deterministic (dated by the letter, not by the clock), so a
    re-issued copy is byte-identical to the one sent."""
    first = render_letter_pdf(letter)
    letter_pdf.clear_font_cache()  # the second is drawn again, not the first one kept by the worker
    assert render_letter_pdf(letter) == first
    assert first != render_letter_pdf(replace(letter, signed_on=dt.date(2025, 3, 24)))


def test_r25_template_preview_without_issuer_number_or_attachments(letter: FormalLetter) -> None:
    """issue 14 §4 (R25 reply letters): empty parts are left out rather than drawn as empty labels."""
    preview = replace(letter, issuer="", number="", tracking_code="", attachments=[])
    text = flat("".join(page_texts(render_letter_pdf(preview))))
    assert text.startswith("政府信息公开申请答复书张三：")
    assert "附件：" not in text and "查询码" not in text
    assert "2025年3月21日" in text


def test_r25_missing_configured_font_means_no_pdf(letter: FormalLetter, settings, tmp_path: Path) -> None:
    """issue 14 §4 (R25 reply letters): GOVOPEN_PDF_FONT naming a missing file, or a file with no Chinese glyphs,
    turns the PDF off with a clear error and a deploy-check warning; it never falls back silently."""
    settings.GOVOPEN_PDF_FONT = str(tmp_path / "missing.ttc")
    letter_pdf.clear_font_cache()
    assert find_cjk_font() is None
    assert pdf_available() is False
    with pytest.raises(PdfUnavailable) as raised:
        render_letter_pdf(letter)
    assert "中文字体" in str(raised.value)
    warnings = check_pdf_font(None)
    assert [warning.id for warning in warnings] == ["govopen.W001"]
    assert "GOVOPEN_PDF_FONT" in warnings[0].msg and "fonts-noto-cjk" in warnings[0].hint

    not_a_font = tmp_path / "broken.ttf"
    not_a_font.write_bytes(b"this is not a font")
    settings.GOVOPEN_PDF_FONT = str(not_a_font)
    letter_pdf.clear_font_cache()
    assert pdf_available() is False
    assert [warning.id for warning in check_pdf_font(None)] == ["govopen.W001"]


def test_r25_system_font_is_found_and_check_is_silent(settings) -> None:
    """issue 14 §4 (R25 reply letters): with fonts-noto-cjk installed a Simplified Chinese face is found on its own
    and the deploy check says nothing."""
    settings.GOVOPEN_PDF_FONT = ""
    letter_pdf.clear_font_cache()
    found = find_cjk_font()
    assert found is not None
    path, index = found
    assert path.is_file()
    assert check_pdf_font(None) == []
    if path.suffix.lower() in (".ttc", ".otc"):
        family = TTCollection(str(path), lazy=True).fonts[index]["name"].getDebugName(1)
        assert re.search(r"(SC|CN|GB)\b", family), family


def test_r25_explicit_collection_face_is_honoured(letter: FormalLetter, settings) -> None:
    """issue 14 §4 (R25 reply letters): GOVOPEN_PDF_FONT=path#n selects the n-th face of a collection."""
    settings.GOVOPEN_PDF_FONT = ""
    letter_pdf.clear_font_cache()
    found = find_cjk_font()
    assert found is not None
    path, index = found
    if path.suffix.lower() not in (".ttc", ".otc"):
        pytest.skip(f"the system's Chinese font {path} is not a collection")
    other = next(number for number in range(len(TTCollection(str(path), lazy=True).fonts)) if number != index)
    settings.GOVOPEN_PDF_FONT = f"{path}#{other}"
    letter_pdf.clear_font_cache()
    assert find_cjk_font() == (path, other)
    family = TTCollection(str(path), lazy=True).fonts[other]["name"].getDebugName(1)
    data = render_letter_pdf(letter)
    fonts = pypdf.PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    base_fonts = {str(font.get_object()["/BaseFont"]).split("+", 1)[1] for font in fonts.values()}
    # fpdf2 names the embedded font after the face's family, without spaces.
    assert family.replace(" ", "") in base_fonts
