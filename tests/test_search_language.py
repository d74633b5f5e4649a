"""Search that finds what citizens type (R39, issue 16 §6): traditional characters, the office's synonyms and
abbreviations, and a results page a keyboard can read in order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pubversion
from disclosure.models import SearchSynonym
from disclosure.search import backends
from disclosure.search.segment import index_tokens, query_tokens
from disclosure.synonyms import SynonymError, search_synonym_save

SEARCH = "/search/"
# Each test starts from an empty cache: the process's copy of the synonyms is keyed by the publication version,
# which lives in the Redis of scripts/test and outlives each test's rolled-back database.
pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def published(org_a, drafter_a, reviewer_a, make_document, publish, topic, node_a):
    def make(**changes):
        return publish(make_document(org_a, drafter_a, nodes=[node_a], topic=topic, **changes), drafter_a, reviewer_a)

    return make


def titles(response) -> list[str]:
    return [hit.document.title for hit in response.context["result"].hits]


# --- 简繁 ----------------------------------------------------------------------------------------------------------


def test_it_finds_simplified_documents_for_a_traditional_query(citizen, published):
    statistics = published(title="2025年统计公报", body="全市国民经济和社会发展统计数据。")
    openness = published(title="关于全面推进政务公开工作的实施意见", body="各单位要做好信息发布。")
    assert titles(citizen.get(SEARCH, {"q": "統計"})) == [statistics.title]
    assert titles(citizen.get(SEARCH, {"q": "政務公開"})) == [openness.title]


def test_it_finds_a_traditional_document_for_a_simplified_query_and_its_document_number(citizen, published):
    document = published(
        title="關於加強噪聲污染防治的通知", body="夜間施工須經批准。", document_number="廈環〔2026〕7號"
    )
    assert titles(citizen.get(SEARCH, {"q": "噪声污染"})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": "夜间施工"})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": "厦环〔2026〕7号"})) == [document.title]


def test_it_marks_the_matched_words_of_a_traditional_query_in_titles_and_snippets(citizen, published):
    published(title="2025年统计公报", body="本公报发布全市统计数据。")
    published(title="關於統計調查的通知", body="請按時報送統計報表。")
    html = citizen.get(SEARCH, {"q": "統計"}).content.decode()
    assert "2025年<mark>统计</mark>公报" in html
    assert "本公报发布全市<mark>统计</mark>数据" in html
    assert "關於<mark>統計</mark>調查的通知" in html  # the original characters are marked, not their simplified form
    assert "請按時報送<mark>統計</mark>報表" in html


def test_it_segments_traditional_text_as_the_simplified_text_and_leaves_simplified_text_alone():
    assert query_tokens("政務公開") == query_tokens("政务公开") == ["政务公开"]
    assert index_tokens("中華人民共和國政府信息公開條例") == index_tokens("中华人民共和国政府信息公开条例")
    assert index_tokens("著作权 乾隆 批覆") == index_tokens("著作权 乾隆 批复")
    assert {"乾隆", "批复"} <= set(index_tokens("乾隆 批覆"))


# --- Synonyms and abbreviations kept by the office ---------------------------------------------------------------


@pytest.fixture
def synonyms(office, django_capture_on_commit_callbacks):
    def save(terms: str, **changes) -> SearchSynonym:
        group = SearchSynonym.objects.filter(terms=terms).first() or SearchSynonym(terms=terms)
        for name, value in changes.items():
            setattr(group, name, value)
        with django_capture_on_commit_callbacks(execute=True):
            return search_synonym_save(group=group, actor=office)

    return save


def test_it_finds_the_synonyms_and_abbreviations_the_office_keeps_and_says_so(citizen, published, synonyms):
    noise = published(title="关于加强建筑施工噪声管理的通告", body="夜间施工须经批准。")
    city = published(title="关于规范户外广告设置的通知", body="由城市管理部门负责审批。")
    synonyms("噪声 噪音")
    synonyms("城管 城市管理")
    response = citizen.get(SEARCH, {"q": "噪音"})
    assert titles(response) == [noise.title]
    html = response.content.decode()
    assert "同时搜索了：噪声" in html
    assert "施工<mark>噪声</mark>管理" in html
    assert titles(citizen.get(SEARCH, {"q": "城管 审批"})) == [city.title]
    assert titles(citizen.get(SEARCH, {"q": "噪音 夜间施工"})) == [noise.title]  # the other words still all count


def test_it_finds_the_abbreviation_for_the_full_name_made_of_several_words(citizen, published, synonyms):
    document = published(title="城管执法队员着装规范", body="正文。")
    synonyms("城管 城市管理")
    assert query_tokens("城市管理") == ["城市", "管理"]  # two words, matched together as the term
    response = citizen.get(SEARCH, {"q": "城市管理"})
    assert titles(response) == [document.title]
    assert "同时搜索了：城管" in response.content.decode()


def test_it_stops_using_a_group_switched_off_and_retires_the_cached_search_pages(citizen, published, synonyms):
    published(title="关于加强建筑施工噪声管理的通告")
    synonyms("噪声 噪音")
    assert len(titles(citizen.get(SEARCH, {"q": "噪音"}))) == 1
    before = pubversion.versions(organisation_code=None)
    synonyms("噪声 噪音", is_active=False)
    assert pubversion.versions(organisation_code=None)[1] > before[1]
    response = citizen.get(SEARCH, {"q": "噪音"})
    assert titles(response) == []
    assert "同时搜索了" not in response.content.decode()


def test_it_reads_the_synonyms_at_most_once_per_change_and_searches_in_one_statement(citizen, published, synonyms):
    published(title="关于加强建筑施工噪声管理的通告")
    synonyms("噪声 噪音")
    for expected_reads in (1, 0):
        with CaptureQueriesContext(connection) as queries:
            assert len(titles(citizen.get(SEARCH, {"q": "噪音 施工"}))) == 1
        sql = [q["sql"] for q in queries.captured_queries]
        assert sum("disclosure_searchsynonym" in q for q in sql) == expected_reads
        assert sum("UNION ALL" in q and "disclosure_searchentry" in q for q in sql) == 1


def test_it_builds_each_synonym_group_as_alternatives_in_both_backends():
    terms = [(("城管",), ("城市", "管理")), "执法"]
    assert backends.tsquery_literal(terms, "") == "('城管' | ('城市' & '管理')) & '执法'"
    assert backends.fts5_query(terms, "") == '("城管" OR ("城市" AND "管理")) AND "执法"'


def test_it_lets_only_the_office_keep_synonyms_in_the_admin(
    login, office, drafter_a, django_capture_on_commit_callbacks
):
    drafter = login(drafter_a)
    assert drafter.get(reverse("admin:disclosure_searchsynonym_changelist")).status_code == 403
    assert drafter.post(reverse("admin:disclosure_searchsynonym_add"), {"terms": "噪声 噪音"}).status_code == 403
    with pytest.raises(SynonymError):
        search_synonym_save(group=SearchSynonym(terms="噪声 噪音"), actor=drafter_a)
    client = login(office)
    page = client.get(reverse("admin:disclosure_searchsynonym_add")).content.decode()
    assert "检索同义词" in page and "用空格或顿号分隔" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:disclosure_searchsynonym_add"), {"terms": "噪声、噪音", "is_active": "on"}
        )
    assert response.status_code == 302
    group = SearchSynonym.objects.get()
    assert (group.terms, group.changed_by) == ("噪声 噪音", office)
    assert client.get(reverse("admin:disclosure_searchsynonym_delete", args=[group.pk])).status_code == 403


def test_it_refuses_a_group_without_two_different_searchable_terms(login, office):
    client = login(office)
    for terms, message in (("噪声 噪聲", "请至少填写两个不同的词语"), ("噪声 ！！", "中没有可检索的文字")):
        response = client.post(reverse("admin:disclosure_searchsynonym_add"), {"terms": terms, "is_active": "on"})
        assert response.status_code == 400 and message in response.content.decode()
    assert not SearchSynonym.objects.exists()


# --- Keyboard order -------------------------------------------------------------------------------------------------


def test_it_puts_a_skip_link_first_and_the_filters_after_the_results_in_the_page(citizen, published):
    published(title="关于加强建筑施工噪声管理的通告")
    html = citizen.get(SEARCH, {"q": "噪声"}).content.decode()
    main = html[html.index('<main id="main"') :]
    order = [
        main.index(marker)
        for marker in (
            'href="#results">跳到结果</a>',
            'role="search"',
            'id="results"',
            "<mark>噪声</mark>",
            'class="facets"',
        )
    ]
    assert order == sorted(order)


@pytest.mark.browser
def test_it_lets_a_keyboard_reach_the_results_before_the_filters_shown_beside_them(browser, live_server, published):
    document = published(title="关于加强建筑施工噪声管理的通告")
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page.goto(f"{live_server.url}/search/?q=%E5%99%AA%E5%A3%B0")
    facets, results = page.locator("aside.facets").bounding_box(), page.locator("section.results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]  # beside the results, on their left
    visited = []
    while len(visited) < 30 and (not visited or visited[-1] != "跳到结果"):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
    assert visited[-1] == "跳到结果" and "search-q-main" not in visited, visited  # before the box and the results
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    if focused == "发布日期":  # the sort link comes first in the results
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
    assert focused == document.title
    page.set_viewport_size({"width": 600, "height": 900})
    facets, results = page.locator("aside.facets").bounding_box(), page.locator("section.results").bounding_box()
    assert facets["y"] >= results["y"] + results["height"]  # narrow screens: below the results


# --- Nothing found ----------------------------------------------------------------------------------------------------


def test_it_suggests_the_on_request_directory_and_an_application_to_the_filtered_organisation(
    citizen, published, org_a
):
    published(title="关于加强建筑施工噪声管理的通告")
    html = citizen.get(SEARCH, {"q": "共享单车", "org": org_a.code}).content.decode()
    assert 'href="/xxgk/ysqgk/">查看依申请公开目录</a>' in html
    assert f'href="/apply/?org={org_a.code}">向{org_a.name}申请公开政府信息</a>' in html
    form = citizen.get("/apply/", {"org": org_a.code}).context["form"]
    assert form.initial["organisation"] == org_a
    anywhere = citizen.get(SEARCH, {"q": "共享单车"}).content.decode()
    assert 'href="/apply/">在线申请公开政府信息</a>' in anywhere
    assert "查看依申请公开目录" not in citizen.get(SEARCH, {"q": "噪声"}).content.decode()
