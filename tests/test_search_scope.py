"""Search within a range of publication days and within one field: the title, or the 文号 and 索引号 (R39, issue 16).

Run on the real PostgreSQL index (and the SQLite FTS5 table in the demo, through the same ``search_documents``)."""

from __future__ import annotations

import pytest

from core.params import date_param
from disclosure.search.query import search_documents

SEARCH = "/search/"


def titles(result) -> list[str]:
    return [hit.document.title for hit in result.hits]


@pytest.fixture
def documents(imported):
    imported("关于规范户外广告设置的通知", at="2024-03-04 23:30", document_number="和政〔2024〕3号")
    imported(
        "城市道路保洁作业规范", body="涉及户外广告整治。", at="2024-03-05 08:00", document_number="和城管〔2024〕7号"
    )
    imported("夜间施工噪声管理办法", body="依据和政〔2024〕3号文件。", at="2024-06-30 23:59")
    imported("户外广告招牌规范", at="2025-01-01 00:00")


def test_r39_a_date_range_keeps_both_end_days_whole_in_beijing_time(documents):
    result = search_documents(query="", params={"from": "2024-03-05", "to": "2024-06-30"}, page_number=1)
    assert titles(result) == ["夜间施工噪声管理办法", "城市道路保洁作业规范"]  # 3-04 23:30 is out, 6-30 23:59 is in
    only_start = search_documents(query="户外广告", params={"from": "2024-03-05"}, page_number=1, sort="date")
    assert titles(only_start) == ["户外广告招牌规范", "城市道路保洁作业规范"]
    with_year = search_documents(query="", params={"year": "2024", "to": "2024-03-04"}, page_number=1)
    assert titles(with_year) == ["关于规范户外广告设置的通知"]  # the year and the range both apply


def test_r39_a_range_given_the_wrong_way_round_is_turned_and_a_bad_day_is_dropped_with_a_notice(documents, citizen):
    turned = search_documents(query="", params={"from": "2024-06-30", "to": "2024/3/5"}, page_number=1)
    assert titles(turned) == ["夜间施工噪声管理办法", "城市道路保洁作业规范"]
    assert turned.filters["from"] == "2024-03-05" and turned.filters["to"] == "2024-06-30"
    response = citizen.get(SEARCH, {"q": "户外广告", "from": "2024-02-30", "to": "明天"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "“发布日期（起）”筛选条件无效，已忽略" in html and "“发布日期（止）”筛选条件无效，已忽略" in html
    assert len(response.context["result"].hits) == 3


def test_r39_the_title_field_finds_words_of_the_title_only(documents):
    anywhere = search_documents(query="户外广告", params={}, page_number=1, sort="date")
    assert len(anywhere.hits) == 3
    in_title = search_documents(query="户外广告", params={"field": "title"}, page_number=1, sort="date")
    assert titles(in_title) == ["户外广告招牌规范", "关于规范户外广告设置的通知"]


def test_r39_the_number_field_finds_the_document_by_its_number_not_by_a_citation_in_another_body(documents):
    by_number = search_documents(query="和政〔2024〕3号", params={"field": "number"}, page_number=1)
    assert titles(by_number) == ["关于规范户外广告设置的通知"]  # not the 办法 that cites it in its body
    assert len(search_documents(query="和政〔2024〕3号", params={}, page_number=1).hits) == 2
    assert titles(search_documents(query="规范", params={"field": "number"}, page_number=1)) == []


def test_r39_the_search_page_offers_the_range_and_the_field_and_every_link_keeps_them(documents, citizen):
    html = citizen.get(
        SEARCH, {"q": "户外广告", "field": "title", "from": "2024-01-01", "org": "A001"}
    ).content.decode()
    assert '<details class="advanced" open>' in html
    assert 'name="field" value="title" checked' in html and 'name="from" value="2024-01-01"' in html
    assert '<input type="hidden" name="org" value="A001">' in html  # a new query refines the same scope
    assert "只检索标题" in html and "发布日期自 2024-01-01 起" in html
    assert (
        "q=%E6%88%B7%E5%A4%96%E5%B9%BF%E5%91%8A&amp;org=A001&amp;from=2024-01-01&amp;field=title&amp;sort=date" in html
    )
    plain = citizen.get(SEARCH, {"q": "户外广告"}).content.decode()
    assert '<details class="advanced">' in plain and 'name="field" value="" checked' in plain
    assert citizen.get(SEARCH, {"q": "户外广告", "field": "body"}).status_code == 200


def test_date_param_reads_what_a_date_input_and_a_person_type():
    assert str(date_param("2024-03-05")) == "2024-03-05"
    assert str(date_param(" 2024/3/5 ")) == "2024-03-05" and str(date_param("2024.12.31")) == "2024-12-31"
    assert [date_param(v) for v in ("2024-02-30", "２０２４-03-05", "24-3-5", "", None, "0999-01-01")] == [None] * 6
