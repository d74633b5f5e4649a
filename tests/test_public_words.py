"""Words a citizen and a staff member read: no rule codes (R21) in any text users read, organisations named in
full on public pages, and the demo's error pages in Chinese, styled like the site."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from catalog.models import Organisation

ROOT = Path(settings.BASE_DIR)
APPS = (
    "accounts",
    "audits",
    "auditlog",
    "catalog",
    "disclosure",
    "emergencies",
    "errorreports",
    "govopen",
    "ops",
    "requests_app",
    "api",
    "syndication",
    "subscriptions",
    "opendata",
    "performance",
    "integrity",
)
RULE_CODE = re.compile(r"(?<![A-Za-z0-9_#-])R\d{1,2}(?!\d)")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (developers read them, not users)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def test_no_rule_code_appears_in_any_text_users_read():
    """Every Chinese string in the code (messages, labels, help texts, choices, letters) and every template text
    outside comments: the rules' numbers are ours, a citizen or a clerk reads the Regulation's articles."""
    offending = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            docstrings = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and CHINESE.search(node.value)
                    and RULE_CODE.search(node.value)
                ):
                    offending.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]}")
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in (".html", ".txt"):
            text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
            text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
            offending += [f"{path.relative_to(ROOT)}: {m.group()}" for m in RULE_CODE.finditer(text)]
    assert offending == []


def test_public_pages_name_organisations_in_full(org_a, drafter_a, reviewer_a, node_a, make_document, publish, citizen):
    Organisation.objects.filter(pk=org_a.pk).update(short_name="城管")
    document = publish(
        make_document(org_a, drafter_a, nodes=[node_a], title="关于整治噪声的通告"), drafter_a, reviewer_a
    )
    for url in (reverse("disclosure:home"), reverse("disclosure:node", args=[node_a.pk])):
        html = citizen.get(url).content.decode()
        assert document.title in html
        assert f"{org_a.name} · " in html and "城管 · " not in html


@pytest.fixture
def demo_error_pages(settings):
    settings.DEBUG = True
    settings.GOVOPEN_DEBUG_SITE_ERROR_PAGES = True


def test_the_demo_answers_a_missing_page_with_the_sites_chinese_404(db, demo_error_pages):
    client = Client()  # a new client loads the middleware with these settings
    for url in ("/no-such-page/", "/documents/A001/2026-99999/", "/catalog/999999/"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html and 'lang="zh-Hans"' in html and "Django" not in html
    # A missing trailing slash is still redirected, not answered as missing.
    assert client.get("/interpretations").status_code == 301


def test_the_demo_answers_a_failing_page_with_the_sites_chinese_500(db, demo_error_pages, monkeypatch, caplog):
    def failing(**_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("disclosure.views.public_document", failing)
    response = Client(raise_request_exception=False).get("/documents/A001/2026-00001/")
    assert response.status_code == 500 and "服务暂时不可用" in response.content.decode()
    assert "the database went away" not in response.content.decode()
    assert any(r.name == "django.request" and r.exc_info for r in caplog.records)  # the traceback is logged


def test_without_the_setting_debug_keeps_djangos_technical_pages(db, settings):
    settings.DEBUG = True
    settings.GOVOPEN_DEBUG_SITE_ERROR_PAGES = False
    assert "Django" in Client().get("/no-such-page/").content.decode()


# --- The document page's QR code and machine-readable times ---------------------------------------------------------


def test_a_document_page_offers_a_qr_code_of_its_own_address_and_only_while_public(
    org_a, drafter_a, reviewer_a, node_a, make_document, publish, citizen
):
    import io

    import segno

    from disclosure.services import document_withdraw

    document = publish(
        make_document(org_a, drafter_a, nodes=[node_a], title="关于整治噪声的通告"), drafter_a, reviewer_a
    )
    page_url = reverse("disclosure:document", args=document.index_path)
    qr_url = reverse("disclosure:document_qr", args=document.index_path)
    html = citizen.get(page_url).content.decode()
    assert f'<img src="{qr_url}"' in html and 'alt="本文件网址的二维码"' in html
    response = citizen.get(qr_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(f"http://testserver{page_url}", error="m").save(
        expected, kind="svg", scale=4, border=2, dark="#000", light="#fff", xmldecl=False
    )
    assert response.content == expected.getvalue()  # the code holds the page's full address
    document_withdraw(document=document, actor=reviewer_a, reason="政策调整")
    assert citizen.get(qr_url).status_code == 404
    assert citizen.get(reverse("disclosure:document_qr", args=[org_a.code, "2026-99999"])).status_code == 404


def test_machine_readable_times_are_valid_html_without_microseconds(
    org_a, drafter_a, reviewer_a, node_a, make_document, publish, citizen
):
    publish(make_document(org_a, drafter_a, nodes=[node_a], title="关于整治噪声的通告"), drafter_a, reviewer_a)
    html = citizen.get(reverse("disclosure:home")).content.decode()
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0800", s) for s in stamps), stamps
