"""Display preferences (适老化 and 无障碍, issue 16): 大字号, 高对比度, 长者模式 and 繁體, kept in one cookie set by
plain links, applied to every public page on its way out, cached or not. The browser side (sizes, colours, no
JavaScript) is in tests/test_browser_access.py."""

from __future__ import annotations

import pytest
from django.test import Client

from core import display, pagecache, pubversion

DISPLAY = "/display/"


@pytest.fixture
def page_cache_on(settings) -> None:
    settings.GOVOPEN_PAGE_CACHE_SECONDS = 300
    settings.GOVOPEN_PAGE_CACHE_MAX_AGE = 60
    pagecache.reset_fault_state()
    pubversion.bump_now()


def html_tag(response) -> str:
    text = response.content.decode()
    return text[text.index("<html") : text.index(">", text.index("<html")) + 1]


def test_a_switch_sets_the_cookie_and_returns_to_the_page_it_was_clicked_on(org_a):
    visitor = Client()
    page = "/xxgk/A001/guide/"
    response = visitor.get(DISPLAY, {"large": "1"}, HTTP_REFERER="http://testserver" + page)
    assert response.status_code == 302 and response["Location"] == "http://testserver" + page
    cookie = response.cookies[display.COOKIE]
    assert cookie.value == "large" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == display.COOKIE_AGE
    visitor.get(DISPLAY, {"contrast": "1", "hant": "1"}, HTTP_REFERER="http://testserver/")
    assert visitor.cookies[display.COOKIE].value == "large.contrast.hant"  # canonical order
    off = visitor.get(DISPLAY, {"large": "0", "contrast": "0", "hant": "0"})
    assert off["Location"] == DISPLAY  # no way back known: the settings page
    assert off.cookies[display.COOKIE].value == "" and off.cookies[display.COOKIE]["max-age"] == 0


def test_a_switch_never_sends_the_visitor_to_another_site():
    for referer in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = Client().get(DISPLAY, {"elder": "1", "next": referer}, HTTP_REFERER=referer)
        assert response["Location"] == DISPLAY, referer


def test_the_settings_page_shows_each_choice_as_a_form_that_goes_back(org_a):
    visitor = Client()
    visitor.cookies[display.COOKIE] = "elder"
    response = visitor.get(DISPLAY, HTTP_REFERER="http://testserver/xxgk/")
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-cache"
    assert '<input type="hidden" name="next" value="http://testserver/xxgk/">' in html
    assert 'name="elder" value="1" aria-describedby="display-elder-help" checked' in html
    assert 'name="large" value="0" aria-describedby="display-large-help" checked' in html
    saved = visitor.get(DISPLAY, {"next": "/xxgk/", "elder": "0", "large": "1", "contrast": "0", "hant": "0"})
    assert saved["Location"] == "/xxgk/" and visitor.cookies[display.COOKIE].value == "large"


def test_every_page_offers_the_switches_and_a_plain_page_has_no_class(org_a, citizen):
    response = citizen.get("/")
    html = response.content.decode()
    assert html_tag(response) == '<html lang="zh-Hans">'
    for link in (
        'href="/display/?elder=1">长者模式',
        'href="/display/?large=1">大字号',
        'href="/display/?contrast=1">高对比度',
        'href="/display/?hant=1" lang="zh-Hant">繁體',
        'href="/display/">无障碍',
    ):
        assert link in html


def test_the_chosen_preferences_become_classes_and_hant_converts_the_page(org_a):
    visitor = Client()
    visitor.cookies[display.COOKIE] = "elder.contrast.bogus"
    response = visitor.get("/xxgk/A001/guide/")
    assert html_tag(response) == '<html lang="zh-Hans" class="display-elder display-contrast">'
    assert response["Content-Length"] == str(len(response.content))
    assert response["Cache-Control"] == "private, no-cache"
    visitor.cookies[display.COOKIE] = "hant"
    hant = visitor.get("/xxgk/A001/guide/")
    text = hant.content.decode()
    assert html_tag(hant) == '<html lang="zh-Hant" class="display-hant">'
    assert "公開指南" in text and "公开" not in text and "检索" not in text and "檢索" in text


def test_the_admin_is_left_as_it_is(office, login):
    staff = login(office)
    staff.cookies[display.COOKIE] = "hant.large"
    response = staff.get("/admin/")
    assert "display-" not in html_tag(response) and "政务公开平台管理" in response.content.decode()


def test_a_cached_page_is_adapted_on_its_way_out_and_never_stored_or_validated_as_adapted(
    page_cache_on, org_a, django_assert_num_queries
):
    url = "/xxgk/A001/guide/"
    plain = Client().get(url)
    assert plain["Cache-Control"] == "public, max-age=60" and plain["ETag"]
    visitor = Client()
    visitor.cookies[display.COOKIE] = "large"
    with django_assert_num_queries(0):  # the display cookie does not keep the visitor from the cached page
        adapted = visitor.get(url, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert adapted.status_code == 200  # the browser's copy is the plain page: answered in full
    assert 'class="display-large"' in adapted.content.decode()
    assert adapted["Content-Length"] == str(len(adapted.content))  # the cached page's length would cut it short
    assert adapted["Cache-Control"] == "private, no-cache"
    assert not adapted.has_header("ETag") and not adapted.has_header("Last-Modified")
    again = Client().get(url)
    assert again.content == plain.content and html_tag(again) == '<html lang="zh-Hans">'


def test_in_traditional_characters_what_the_visitor_typed_stays_as_typed(org_a):
    visitor = Client()
    visitor.cookies[display.COOKIE] = "hant"
    html = visitor.get("/search/", {"q": "户外广告 统计"}).content.decode()
    assert 'value="户外广告 统计"' in html  # the search box
    assert "檢索" in html and "“户外广告 统计”的檢索結果" not in html  # the page is converted, not the typed words
    adapted = display.adapt('<p>统计</p><textarea name="a">统计资料</textarea><input value="统计">'.encode(), ("hant",))
    assert adapted.decode() == '<p>統計</p><textarea name="a">统计资料</textarea><input value="统计">'
