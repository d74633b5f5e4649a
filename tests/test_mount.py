"""The portal as a column of the government's site (国办公开办函〔2019〕61号, issue 16): mounted under
``GOVOPEN_URL_PREFIX`` with the main site's header and footer from ``GOVOPEN_TEMPLATE_DIR``, served by gunicorn as
deployed and used in Chromium; standalone stays the default."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from core.env import EnvError, env_url_prefix
from govopen.mount import MountedUnder
from tests.conftest import demo_load
from tests.servers import child_database_url, gunicorn

HEADER = """{% load i18n %}<a class="skip-link" href="#main">跳到正文</a>
<header class="main-site-header"><p class="main-site-name">示范县人民政府门户网站</p>
<ul class="main-site-menu"><li><a href="/">网站首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul>
{% include "_display_switches.html" %}{% include "_portal_nav.html" %}</header>"""
FOOTER = """<footer class="main-site-footer"><p>示范县人民政府办公室 主办 · 网站标识码 0000000000</p></footer>"""


def test_the_wrapper_moves_the_prefix_to_the_script_name_and_lets_a_stripped_path_pass():
    seen = {}

    def app(environ, start_response):
        seen.update(script=environ.get("SCRIPT_NAME", ""), path=environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    mounted = MountedUnder(app, "/zwgk")
    mounted({"PATH_INFO": "/zwgk/xxgk/", "SCRIPT_NAME": ""}, lambda *a: None)
    assert seen == {"script": "/zwgk", "path": "/xxgk/"}
    mounted({"PATH_INFO": "/xxgk/"}, lambda *a: None)  # a proxy that strips the prefix
    assert seen == {"script": "", "path": "/xxgk/"}
    mounted({"PATH_INFO": "/zwgkx/"}, lambda *a: None)  # only whole segments
    assert seen["path"] == "/zwgkx/"
    answer = {}
    mounted({"PATH_INFO": "/zwgk", "QUERY_STRING": "q=1"}, lambda status, headers: answer.update(s=status, h=headers))
    assert answer["s"].startswith("301") and ("Location", "/zwgk/?q=1") in answer["h"]


def test_the_prefix_setting_is_a_clean_path_or_start_up_stops_in_chinese():
    assert env_url_prefix("P", environ={}) == ""
    assert env_url_prefix("P", environ={"P": "zwgk/"}) == "/zwgk"
    assert env_url_prefix("P", environ={"P": "/gov//zwgk"}) == "/gov/zwgk"
    for bad in ("/zw gk", "/../etc", "/static", "/政务公开", "/a?b"):
        with pytest.raises(EnvError, match="GOVOPEN_URL_PREFIX|P"):
            env_url_prefix("P", environ={"P": bad})


def test_standalone_is_the_default(citizen, org_a):
    assert settings.GOVOPEN_URL_PREFIX == "" and settings.STATIC_URL == "/static/"
    assert 'href="/xxgk/"' in citizen.get("/").content.decode()


@pytest.fixture
def column(transactional_db, tmp_path) -> Iterator[str]:
    """gunicorn serving the demo under /zwgk with the main site's header and footer."""
    demo_load()
    templates = tmp_path / "main-site"
    templates.mkdir()
    (templates / "_site_header.html").write_text(HEADER, encoding="utf-8")
    (templates / "_site_footer.html").write_text(FOOTER, encoding="utf-8")
    with gunicorn(
        {
            "DATABASE_URL": child_database_url(),
            "GOVOPEN_URL_PREFIX": "/zwgk",
            "GOVOPEN_TEMPLATE_DIR": str(templates),
            "GOVOPEN_PAGE_CACHE_SECONDS": "0",
            "STATIC_MANIFEST": "1",
        },
        probe="/zwgk/robots-probe-404",
    ) as base:
        yield base


@pytest.mark.browser
def test_the_portal_runs_as_a_column_under_the_prefix_with_the_main_sites_header(column, browser, artifacts_dir):
    page = browser.new_page(locale="zh-CN")
    response = page.goto(column + "/zwgk")  # the bare prefix: redirected to the column's home
    assert response.ok and page.url == column + "/zwgk/"
    assert page.locator(".main-site-name").inner_text() == "示范县人民政府门户网站"
    assert "网站标识码" in page.locator("footer").inner_text()
    stylesheet = page.locator('link[rel="stylesheet"]').first.get_attribute("href")
    assert stylesheet.startswith("/zwgk/static/css/site.") and page.request.get(column + stylesheet).ok
    assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") != "inline"  # styled
    hrefs = page.eval_on_selector_all(".site-nav a", "links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(href.startswith("/zwgk/") for href in hrefs)
    page.screenshot(path=os.path.join(artifacts_dir, "column-home.png"), full_page=True)

    page.get_by_role("link", name="政府信息公开", exact=True).click()
    assert page.url == column + "/zwgk/xxgk/"
    page.get_by_role("link", name="检索", exact=True).click()
    page.locator("#search-q-main").fill("管理")
    page.locator("#search-q-main").press("Enter")
    assert page.url.startswith(column + "/zwgk/search/?q=")
    first = page.locator("ol.hits h3 a").first
    assert first.get_attribute("href").startswith("/zwgk/documents/")
    first.click()
    qr = page.locator(".doc-qr img").get_attribute("src")
    assert qr.startswith("/zwgk/documents/") and page.request.get(column + qr).ok

    page.get_by_role("link", name="大字号").click()  # the display cookie lives under the prefix
    assert page.url.startswith(column + "/zwgk/documents/")
    cookie = next(c for c in page.context.cookies() if c["name"] == "govopen_display")
    assert cookie["path"] == "/zwgk/" and "display-large" in page.evaluate("document.documentElement.className")

    page.goto(column + "/zwgk/apply/")  # a form with its CSRF cookie under the prefix
    page.locator("main form button[type=submit]").last.click()
    assert page.locator(".error-summary").is_visible() and page.url == column + "/zwgk/apply/"
    csrf = next(c for c in page.context.cookies() if c["name"] == "csrftoken")
    assert csrf["path"] == "/zwgk/"
    page.goto(column + "/zwgk/admin/login/")
    assert page.locator("form").get_attribute("action").startswith("/zwgk/admin/")


def test_the_deployment_guide_explains_the_column(settings):
    text = Path(settings.BASE_DIR, "docs", "deployment.md").read_text(encoding="utf-8")
    assert "GOVOPEN_URL_PREFIX" in text and "GOVOPEN_TEMPLATE_DIR" in text and "_portal_nav.html" in text
