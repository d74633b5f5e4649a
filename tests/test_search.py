"""Chinese full-text search over public documents (R39), on PostgreSQL's tsvector with jieba segmentation."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from disclosure.grounds import Ground
from disclosure.models import SearchEntry
from disclosure.search import backends
from disclosure.search.index import search_index_document
from disclosure.search.query import search_documents
from disclosure.search.segment import index_tokens, query_tokens
from disclosure.services import document_withdraw

SEARCH = "/search/"


@pytest.fixture
def published(org_a, drafter_a, reviewer_a, make_document, publish, topic, node_a):
    def make(**changes):
        return publish(make_document(org_a, drafter_a, nodes=[node_a], topic=topic, **changes), drafter_a, reviewer_a)

    return make


def titles(response) -> list[str]:
    return [hit.document.title for hit in response.context["result"].hits]


def test_r39_the_index_lives_in_a_tsvector_column_with_a_gin_index(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'disclosure_search_vector_gin'")
        assert "USING gin (vector)" in cursor.fetchone()[0]


def test_r39_a_long_word_and_the_words_inside_it_both_find_the_document(citizen, published):
    document = published(title="关于全面推进政务公开工作的实施意见", body="各单位要做好信息发布。")
    published(title="关于城市道路保洁的通知", body="道路保洁标准。")
    assert titles(citizen.get(SEARCH, {"q": "政务公开"})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": "公开"})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": "政务"})) == [document.title]


def test_r39_words_never_straddle_a_word_boundary():
    tokens = index_tokens("中华人民共和国政府信息公开条例")
    assert "国政" not in tokens
    assert {"中华人民共和国", "政府信息公开条例", "政府", "信息", "公开", "条例"} <= set(tokens)
    assert query_tokens("中华人民共和国政府信息公开条例") == ["中华人民共和国政府信息公开条例"]


def test_r39_the_regulation_is_found_by_its_name_but_not_by_a_bogus_bigram(citizen, published):
    document = published(title="学习贯彻中华人民共和国政府信息公开条例的通知")
    assert titles(citizen.get(SEARCH, {"q": "政府信息公开条例"})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": "国政"})) == []


def test_r39_document_number_and_index_number_are_found_as_typed(citizen, published):
    document = published(title="关于印发执法规范的通知", document_number="厦执法〔2026〕12号")
    assert titles(citizen.get(SEARCH, {"q": "厦执法〔2026〕12号"})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": document.index_no})) == [document.title]
    assert titles(citizen.get(SEARCH, {"q": "厦执法〔2026〕13号"})) == []


def test_r39_titles_rank_above_bodies_and_matches_are_highlighted(citizen, published):
    in_body = published(title="关于环境整治的通知", body="本次整治涉及户外广告。")
    in_title = published(title="户外广告设置管理办法", body="为规范设置管理，制定本办法。")
    response = citizen.get(SEARCH, {"q": "户外广告"})
    assert titles(response) == [in_title.title, in_body.title]
    html = response.content.decode()
    assert "<mark>户外广告</mark>设置管理办法" in html
    assert "本次整治涉及<mark>户外广告</mark>" in html


def test_r39_facets_count_and_filter_by_organisation_topic_category_year_and_validity(
    citizen, published, org_b, drafter_b, reviewer_a, make_document
):
    published(title="公开一")
    published(title="公开二")
    response = citizen.get(SEARCH, {"q": "公开"})
    facets = {facet.name: facet.options for facet in response.context["result"].facets}
    assert facets["org"] == [("A001", "甲市城市管理局", 2, False)]
    assert facets["section"] == [("result", "结果公开", 2, False)]
    assert facets["validity"] == [("valid", "有效", 2, False)]
    year = facets["year"][0][0]
    assert titles(citizen.get(SEARCH, {"q": "公开", "org": "B002"})) == []
    assert len(titles(citizen.get(SEARCH, {"q": "公开", "section": "result", "year": year, "validity": "valid"}))) == 2
    assert titles(citizen.get(SEARCH, {"q": "公开", "section": "decision"})) == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "，。！？……",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "a & b | !c",
        "公开" * 300,
        "\\'",
        "%_",
        "政务公开 AND NOT",
        '"未闭合',
        "(((",
        ":*",
    ],
)
def test_r39_odd_queries_answer_sensibly_and_never_fail(citizen, published, query):
    published(title="政务公开工作要点")
    response = citizen.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_r39_a_punctuation_only_query_says_why_nothing_was_searched(citizen, db):
    response = citizen.get(SEARCH, {"q": "，。！"})
    assert "检索词中没有可检索的文字" in response.content.decode()


def test_r39_a_long_query_is_cut_with_a_notice(citizen, published):
    response = citizen.get(SEARCH, {"q": "公开" * 300})
    assert "检索词过长" in response.content.decode()


def test_r39_pages_of_results(citizen, published):
    for n in range(12):
        published(title=f"市容整治通报第{n}期")
    first = citizen.get(SEARCH, {"q": "整治"})
    second = citizen.get(SEARCH, {"q": "整治", "page": 2})
    assert first.context["result"].total == 12
    assert len(titles(first)) == 10 and len(titles(second)) == 2
    assert not set(titles(first)) & set(titles(second))
    assert 'href="?q=%E6%95%B4%E6%B2%BB&amp;page=2"' in first.content.decode()


def test_r39_withdrawn_documents_leave_the_index_in_the_same_transaction(citizen, published, reviewer_a):
    document = published(title="关于夜间施工的公告")
    assert SearchEntry.objects.filter(document=document).exists()
    document_withdraw(document=document, actor=reviewer_a, reason="已过期")
    assert not SearchEntry.objects.filter(document=document).exists()
    assert titles(citizen.get(SEARCH, {"q": "夜间施工"})) == []


def test_r39_documents_not_public_are_never_indexed_even_if_asked(org_a, drafter_a, reviewer_a, make_document, publish):
    on_request = publish(
        make_document(org_a, drafter_a, attribute="on_request", ground=Ground.PROCESS, reason="过程稿"),
        drafter_a,
        reviewer_a,
    )
    draft = make_document(org_a, drafter_a)
    assert search_index_document(document_id=on_request.pk) is False
    assert search_index_document(document_id=draft.pk) is False
    assert not SearchEntry.objects.exists()


def test_r39_the_rebuild_command_indexes_public_documents_and_drops_the_rest(published, db):
    document = published(title="关于共享单车停放的通知")
    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("search_rebuild", stdout=out)
    assert "已索引 1 件，移除 0 件" in out.getvalue()
    assert [hit.document for hit in search_documents(query="共享单车", params={}, page_number=1).hits] == [document]


def test_r39_the_fts5_and_tsquery_builders_quote_every_word():
    assert backends.fts5_query(['a"b', "公开"], "") == '"a""b" AND "公开"'
    assert backends.fts5_query(["2026", "12"], "厦执法〔2026〕12号") == '("2026" AND "12") OR "厦执法〔2026〕12号"'
    assert backends.tsquery_literal(["it's", "a\\b"], "") == "'it''s' & 'a\\\\b'"


def test_r39_search_box_on_home_page_leads_to_results(citizen, published):
    published(title="垃圾分类工作方案")
    home = citizen.get(reverse("disclosure:home")).content.decode()
    assert 'role="search"' in home and 'action="/search/"' in home


@pytest.mark.parametrize("text", ["", "整治"])
def test_r39_a_search_leaves_the_planners_scans_as_it_found_them_in_the_callers_transaction(published, text):
    """The newest-first plan turns sequential and bitmap scans off for its own statement; inside a longer transaction
    (a task's, this test's) they are on again for whatever comes next."""
    published()
    with connection.cursor() as cursor:
        search_documents(query=text, params={}, page_number=1)
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_indexscan"):
            cursor.execute(f"SHOW {setting}")
            assert cursor.fetchone()[0] == "on", setting
