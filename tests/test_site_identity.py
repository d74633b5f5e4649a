"""The identity layer of 政府网站发展指引 (国办发〔2017〕47号, issue 16): the 政府网站 meta tags of site, column and
article on every page, the footer's 主办/承办/网站标识码/备案号/党政机关 identity from settings, 网站地图 and 联系我们, and
the documents' 主题词 and 内容概述 (also in the 依申请公开目录, 国办公开办函〔2019〕61号)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from catalog.models import Organisation
from catalog.services import organisation_save
from disclosure.directory import directory_compile
from disclosure.grounds import Ground
from disclosure.models import DirectoryIssue
from disclosure.search.query import search_documents
from tests.conftest import SYSTEM
from tests.test_settings import manage

SITE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
ARTICLE_TAGS = ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description", "Image", "Url")


def meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta name="([A-Za-z]+)" content="([^"]*)">', html))


@pytest.fixture
def identity(settings):
    settings.GOVOPEN_SITE_NAME = "示范县人民政府"
    settings.GOVOPEN_SITE_DOMAIN = "www.sfx.gov.cn"
    settings.GOVOPEN_SITE_ID_CODE = "3502000001"
    settings.GOVOPEN_SPONSOR = "示范县人民政府办公室"
    settings.GOVOPEN_ORGANISER = "示范县大数据中心"
    settings.GOVOPEN_CONTACT_PHONE = "0592-0000000"
    settings.GOVOPEN_CONTACT_EMAIL = "web@sfx.gov.cn"
    settings.GOVOPEN_ICP_NUMBER = "闽ICP备00000000号"
    settings.GOVOPEN_PSB_NUMBER = "闽公网安备 35020302000001号"
    settings.GOVOPEN_DZJG_IMAGE = "https://dcs.conac.cn/image/red.png"
    settings.GOVOPEN_DZJG_URL = "https://bszs.conac.cn/sitename?method=show&id=0000"


@pytest.fixture
def policy(org_a, drafter_a, reviewer_a, make_document, publish, node_a, topic):
    return publish(
        make_document(
            org_a,
            drafter_a,
            nodes=[node_a],
            topic=topic,
            title="户外广告设置管理办法",
            document_number="甲城管〔2026〕1号",
            keywords="户外广告 招牌 审批",
            summary="规定户外广告和招牌设置的审批条件、程序和监管。",
            body="<p>第一条 为规范户外广告设置。</p>",
        ),
        drafter_a,
        reviewer_a,
    )


def test_every_public_page_names_the_site_and_its_column(identity, citizen, policy, node_a):
    pages = {
        "/": "网站首页",
        reverse("disclosure:column"): "政务公开",
        reverse("disclosure:guide", args=["A001"]): "政务公开",
        reverse("disclosure:node", args=[node_a.pk]): "政务公开",
        reverse("disclosure:search"): "政务公开",
        reverse("requests:apply"): "办事服务",
        reverse("site_map"): "其他",
        reverse("contact"): "其他",
        reverse("disclosure:document", args=policy.index_path): "政务公开",
    }
    for path, kind in pages.items():
        tags = meta(citizen.get(path).content.decode())
        assert all(tags.get(name) for name in SITE_TAGS if name != "SiteIDCode"), (path, tags)
        assert tags["SiteName"] == "示范县人民政府" and tags["SiteDomain"] == "www.sfx.gov.cn", path
        assert tags["SiteIDCode"] == "3502000001" and tags["ColumnType"] == kind, path
    assert meta(citizen.get(reverse("disclosure:node", args=[node_a.pk])).content.decode())["ColumnName"] == node_a.name


def test_a_document_page_carries_the_article_tags_from_its_record(identity, citizen, policy):
    html = citizen.get(reverse("disclosure:document", args=policy.index_path)).content.decode()
    tags = meta(html)
    assert set(ARTICLE_TAGS) <= set(tags)
    assert tags["ArticleTitle"] == "户外广告设置管理办法" and tags["Keywords"] == "户外广告 招牌 审批"
    assert tags["PubDate"] == policy.published_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert tags["ContentSource"] == tags["Author"] == "甲市城市管理局"
    assert tags["Description"] == "规定户外广告和招牌设置的审批条件、程序和监管。"
    assert tags["Image"] == ""  # a document's body holds no images (disclosure/content.py); attachments are files
    assert tags["Url"] == "http://testserver" + reverse("disclosure:document", args=policy.index_path)
    assert '<th scope="row">主题词</th><td colspan="3">户外广告 招牌 审批</td>' in html
    assert '<th scope="row">内容概述</th>' in html


def test_without_a_summary_the_description_is_the_start_of_the_text(
    identity, citizen, org_a, drafter_a, reviewer_a, make_document, publish
):
    plain = publish(
        make_document(org_a, drafter_a, title="夜间施工管理通知", body="<p>第一条 夜间施工应当申请。</p>"),
        drafter_a,
        reviewer_a,
    )
    tags = meta(citizen.get(reverse("disclosure:document", args=plain.index_path)).content.decode())
    assert tags["Description"] == "第一条 夜间施工应当申请。" and tags["Image"] == "" and tags["Keywords"] == ""


def test_the_keywords_and_the_summary_are_found_by_search(policy):
    assert [h.document.pk for h in search_documents(query="招牌", params={}, page_number=1).hits] == [policy.pk]


def test_the_footer_shows_the_sites_identity_and_its_links(identity, citizen, org_a):
    html = citizen.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    for text in (
        "主办单位：示范县人民政府办公室",
        "承办单位：示范县大数据中心",
        "联系电话：0592-0000000",
        'href="mailto:web@sfx.gov.cn"',
        "网站标识码：3502000001",
        '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">闽ICP备00000000号</a>',
        "code=35020302000001",
        'alt="党政机关"',
        'href="https://bszs.conac.cn/sitename?method=show&amp;id=0000"',
        f'href="{reverse("site_map")}">网站地图',
        f'href="{reverse("contact")}">联系我们',
        f'href="{reverse("display")}">无障碍浏览',
        f'href="{reverse("errorreports:report")}">我为政府网站找错',
    ):
        assert text in footer, text


def test_an_unset_identity_leaves_no_empty_labels(citizen, org_a, settings):
    settings.GOVOPEN_ORGANISER = settings.GOVOPEN_ICP_NUMBER = settings.GOVOPEN_SITE_ID_CODE = ""
    settings.GOVOPEN_PSB_NUMBER = settings.GOVOPEN_DZJG_IMAGE = ""
    settings.GOVOPEN_CONTACT_PHONE = settings.GOVOPEN_CONTACT_EMAIL = ""
    footer = citizen.get("/").content.decode().split('<footer class="site-footer">')[1]
    assert "主办单位：" in footer
    for label in ("承办单位", "网站标识码", "联系电话", "党政机关", "beian"):
        assert label not in footer, label


def test_the_site_map_and_contact_list_the_public_subjects_only(identity, citizen, org_a, org_b):
    office = organisation_save(
        organisation=Organisation(
            code="A001-01",
            name="甲市城市管理局法规处",
            kind=Organisation.Kind.INTERNAL,
            parent=org_a,
        ),
        actor=SYSTEM,
    )
    site_map = citizen.get(reverse("site_map")).content.decode()
    assert (
        reverse("disclosure:guide", args=["A001"]) in site_map
        and reverse("disclosure:catalogue", args=["B002"]) in site_map
    )
    assert reverse("disclosure:on_request") in site_map and reverse("requests:status") in site_map
    assert office.name not in site_map
    contact = citizen.get(reverse("contact")).content.decode()
    assert "甲市中山路 1 号" in contact and "示范县人民政府办公室" in contact and "0592-0000000" in contact
    assert office.name not in contact


def test_the_on_request_directory_shows_the_summary_and_keeps_it_in_the_compiled_issue(
    org_a, drafter_a, reviewer_a, make_document, publish, citizen, clock
):
    clock("2026-03-10 10:00")
    publish(
        make_document(
            org_a,
            drafter_a,
            title="2025年度户外广告审批台账",
            attribute="on_request",
            ground=Ground.THIRD_PARTY,
            reason="涉及第三方",
            summary="2025年全年户外广告设置审批的申请人、地点和结果。",
        ),
        drafter_a,
        reviewer_a,
    )
    live = citizen.get(reverse("disclosure:on_request")).content.decode()
    assert '<th scope="col">内容概述</th>' in live and "2025年全年户外广告设置审批的申请人、地点和结果。" in live
    issue = directory_compile(today=dt.date(2026, 4, 2), period=DirectoryIssue.Period.MONTH)
    assert issue.rows[0]["summary"] == "2025年全年户外广告设置审批的申请人、地点和结果。"
    page = citizen.get(reverse("disclosure:on_request_issue", args=[issue.pk])).content.decode()
    assert "2025年全年户外广告设置审批的申请人、地点和结果。" in page


def test_a_site_id_code_that_is_not_ten_letters_or_digits_stops_start_up():
    result = manage("check", GOVOPEN_SITE_ID_CODE="35020-0001")
    assert result.returncode != 0 and "GOVOPEN_SITE_ID_CODE" in result.stderr


def test_first_image_finds_the_first_image_of_a_body():
    from disclosure.templatetags.govopen_tags import first_image

    assert first_image('<p>图</p><IMG alt="x" SRC="/media/a.png"><img src="/b.png">') == "/media/a.png"
    assert first_image("<p>无图</p>") == "" and first_image(None) == ""
