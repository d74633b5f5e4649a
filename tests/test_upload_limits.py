"""Hostile uploads: a file name the admin must not read as a format string, and compression bombs that the personal-data
scan of R13 must refuse before they take the server's memory or time."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.content import AttachmentRejected, check_upload
from disclosure.models import Attachment, Document
from disclosure.personal_data import ExtractionRefused, extract_text
from tests.test_document_admin import form_data

ADD = "/admin/disclosure/document/add/"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MB = 1024 * 1024


# --- Builders: real files, made in the test, small in memory ---------------------------------------------------------


def pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_pages(texts: list[str]) -> bytes:
    """One page per text, each with its own content stream; page objects start at 4."""
    count = len(texts)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        FONT,
    ]
    for i, text in enumerate(texts):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf(objects)


def pdf_with_blank_pages(count: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * count
    return pdf(objects)


def pdf_with_huge_content_stream(megabytes: int) -> bytes:
    """One page whose Flate content stream unpacks to ``megabytes`` of text operators (about 2 KB per MB packed)."""
    packer = zlib.compressobj(9)
    chunk = b"BT /F1 12 Tf (1) Tj ET\n" * 45_000  # about 1 MB
    packed = [packer.compress(chunk) for _ in range(megabytes)]
    packed.append(packer.flush())
    stream = b"".join(packed)
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            FONT,
        ]
    )


def docx_with_paragraphs(*texts: str, table_cell: str = "") -> bytes:
    import docx

    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    if table_cell:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table_cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bomb(*, megabytes: int, extra_members: dict[str, bytes] | None = None) -> bytes:
    """A valid DOCX whose word/document.xml is one paragraph of ``megabytes`` MB of repeated letters, written through
    zipfile in 1 MB pieces so that neither the test nor the archive ever holds it whole."""
    template = zipfile.ZipFile(io.BytesIO(docx_with_paragraphs("x")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, template.read(info))
        member = zipfile.ZipInfo("word/document.xml")
        member.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(member, "w", force_zip64=True) as stream:
            stream.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode())
            piece = b"a" * MB
            for _ in range(megabytes):
                stream.write(piece)
            stream.write(b"</w:t></w:r></w:p></w:body></w:document>")
        for name, data in (extra_members or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(name: str, data: bytes):
    return check_upload(SimpleUploadedFile(name, data))


# --- Compression bombs (R13 scan at upload) ---------------------------------------------------------------------------


def test_it_refuses_a_docx_zip_bomb_from_its_directory_before_decompressing():
    bomb = docx_bomb(megabytes=300)
    assert len(bomb) < 2 * MB  # 300 MB announced by a file that passes the upload size limit
    with pytest.raises(ExtractionRefused, match="“炸弹.docx”解压后的内容超过 50 MB"):
        extract_text(bomb, extension="docx", name="炸弹.docx")
    with pytest.raises(AttachmentRejected, match="“炸弹.docx”解压后的内容超过 50 MB，疑似压缩炸弹"):
        upload("炸弹.docx", bomb)


def test_it_refuses_a_docx_whose_compression_ratio_is_absurd():
    with pytest.raises(AttachmentRejected, match="“压缩.docx”的压缩比超过 100 倍"):
        upload("压缩.docx", docx_bomb(megabytes=20))


def test_it_refuses_a_docx_whose_members_add_up_past_the_limit(settings):
    settings.GOVOPEN_EXTRACT_MAX_MB = 1
    incompressible = {"word/media/a.bin": os.urandom(600 * 1024), "word/media/b.bin": os.urandom(600 * 1024)}
    with pytest.raises(AttachmentRejected, match="“图片多.docx”解压后的内容超过 1 MB"):
        upload("图片多.docx", docx_bomb(megabytes=0, extra_members=incompressible))


def test_it_refuses_a_pdf_with_too_many_pages():
    with pytest.raises(AttachmentRejected, match="“万页.pdf”超过 2000 页"):
        upload("万页.pdf", pdf_with_blank_pages(5000))


def test_it_refuses_a_pdf_whose_content_stream_unpacks_too_far():
    bomb = pdf_with_huge_content_stream(300)
    assert len(bomb) < 2 * MB
    with pytest.raises(AttachmentRejected, match="“流.pdf”解压后的内容超过 50 MB，疑似压缩炸弹"):
        upload("流.pdf", bomb)


def test_it_stops_extracting_at_the_deadline_between_pages_and_paragraphs(settings):
    settings.GOVOPEN_EXTRACT_MAX_SECONDS = 0  # the deadline has passed by the first check
    with pytest.raises(AttachmentRejected, match="“慢.pdf”的文字提取超过 0 秒"):
        upload("慢.pdf", pdf_pages(["one", "two"]))
    with pytest.raises(AttachmentRejected, match="“慢.docx”的文字提取超过 0 秒"):
        upload("慢.docx", docx_with_paragraphs("one", "two"))


def test_r13_ordinary_files_are_still_read_whole_for_the_scan():
    text = upload("名单.docx", docx_with_paragraphs("第一段", "电话 13912345678", table_cell="表格 13812345678")).text
    assert "电话 13912345678" in text and "表格 13812345678" in text
    assert upload("名单.pdf", pdf_pages(["page one", "phone 13912345678"])).text.split("\n") == [
        "page one",
        "phone 13912345678",
    ]


def test_it_refuses_a_zip_bomb_in_the_admin_with_400_and_keeps_what_was_typed(login, drafter_a, org_a):
    bomb = SimpleUploadedFile("炸弹.docx", docx_bomb(megabytes=300))
    response = login(drafter_a).post(
        ADD, {**form_data(org_a, title="保留这个标题", body="保留这段正文"), "new_attachments": [bomb]}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "“炸弹.docx”解压后的内容超过 50 MB，疑似压缩炸弹，已拒绝。" in html
    assert 'value="保留这个标题"' in html and "保留这段正文" in html
    assert not Document.objects.exists() and not Attachment.objects.exists()


# --- A file name is data, never a format string -----------------------------------------------------------------------


def test_it_shows_and_removes_an_attachment_whose_name_has_braces(login, drafter_a, org_a):
    client = login(drafter_a)
    name = "brace{0}{x}<b>.pdf"
    response = client.post(ADD, {**form_data(org_a), "new_attachments": [SimpleUploadedFile(name, pdf_pages(["hi"]))]})
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    attachment = document.attachments.get()
    assert attachment.name == name
    change = reverse("admin:disclosure_document_change", args=[document.pk])
    page = client.get(change)
    assert page.status_code == 200
    html = page.content.decode()
    assert "brace{0}{x}&lt;b&gt;.pdf" in html and "<b>.pdf" not in html
    data = form_data(org_a)
    data.pop("organisation")
    response = client.post(change, {**data, "remove_attachments": [attachment.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not document.attachments.exists()
    assert client.get(change).status_code == 200
