"""The public site: the column (R38), the catalogue (R33–R35, R37), document pages, files, and that nothing
unapproved, withheld, on-request or withdrawn leaks by page, search, listing or file URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogueNode, NilNotice, Section, StatutoryClass
from disclosure.content import check_upload
from disclosure.grounds import Ground
from disclosure.models import Document
from disclosure.services import attachment_add, document_return, document_submit, document_withdraw

SECRET_WORD = "绝密整治方案"


def document_url(document: Document) -> str:
    return reverse("disclosure:document", args=document.index_path)


def attachment_url(document: Document) -> str:
    attachment = document.attachments.get()
    return reverse("disclosure:attachment", args=[*document.index_path, attachment.pk])


@pytest.fixture
def with_file(drafter_a):
    def add(document: Document) -> Document:
        attachment_add(
            document=document,
            actor=drafter_a,
            upload=check_upload(SimpleUploadedFile("方案.txt", SECRET_WORD.encode())),
        )
        return document

    return add


@pytest.fixture
def not_public(org_a, drafter_a, reviewer_a, office, make_document, publish, with_file, node_a):
    """One document of every state that must stay private, each with a file and a catalogue item."""

    def make(**changes):
        return with_file(make_document(org_a, drafter_a, nodes=[node_a], body=SECRET_WORD, **changes))

    draft = make(title="草稿件")
    in_review = make(title="待审件")
    document_submit(document=in_review, actor=drafter_a)
    returned = make(title="退回件")
    document_submit(document=returned, actor=drafter_a)
    document_return(document=returned, actor=reviewer_a, reason="请修改")
    on_request = publish(
        make(title="依申请件", attribute="on_request", ground=Ground.THIRD_PARTY, reason="第三方"),
        drafter_a,
        reviewer_a,
    )
    withheld = publish(
        make(title="不予公开件", attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部事务"),
        drafter_a,
        reviewer_a,
    )
    scheduled = publish(make(title="定时件"), drafter_a, reviewer_a, publish_at=timezone.now() + dt.timedelta(days=30))
    withdrawn = publish(make(title="撤回件"), drafter_a, reviewer_a)
    document_withdraw(document=withdrawn, actor=office, reason="有误")
    return [draft, in_review, returned, on_request, withheld, scheduled, withdrawn]


@pytest.fixture
def public_document(org_a, drafter_a, reviewer_a, make_document, publish, with_file, node_a, topic):
    document = with_file(
        make_document(
            org_a,
            drafter_a,
            nodes=[node_a],
            topic=topic,
            title="关于开展市容环境整治的通知",
            document_number="甲城管〔2026〕7号",
        )
    )
    return publish(document, drafter_a, reviewer_a)


# --- Leaks -----------------------------------------------------------------------------------------------------------


def test_nothing_private_is_reachable_by_page_file_search_or_listing(
    citizen, not_public, public_document, node_a, org_a
):
    for document in not_public:
        assert citizen.get(document_url(document)).status_code == 404, document.title
        assert citizen.get(attachment_url(document)).status_code == 404, document.title
    search = citizen.get("/search/", {"q": SECRET_WORD}).content.decode()
    assert "共 0 条" in search
    browse = citizen.get("/search/").content.decode()
    listing = citizen.get(reverse("disclosure:node", args=[node_a.pk])).content.decode()
    home = citizen.get(reverse("disclosure:home")).content.decode()
    catalogue = citizen.get(reverse("disclosure:catalogue", args=[org_a.code])).content.decode()
    for document in not_public:
        for page in (search, browse, listing, home):
            assert document.title not in page
            assert document.index_no not in page
    assert public_document.title in listing and public_document.title in home
    assert '工作动态</a> <span class="count">（1）</span>' in catalogue


def test_a_private_document_answers_the_same_404_as_a_missing_one(citizen, not_public):
    missing = citizen.get("/documents/A001/2026-99999/")
    for document in not_public:
        private = citizen.get(document_url(document))
        assert (private.status_code, private.content) == (missing.status_code, missing.content)
    assert citizen.get("/documents/A001/20x6-00001/").status_code == 404


def test_r10_the_directory_shows_metadata_of_on_request_documents_only(citizen, not_public):
    on_request = not_public[3]
    page = citizen.get(reverse("disclosure:on_request")).content.decode()
    assert on_request.title in page and on_request.index_no in page
    assert SECRET_WORD not in page and "方案.txt" not in page
    for document in not_public:
        if document is not on_request:
            assert document.title not in page


def test_a_file_is_served_only_while_its_document_is_public(citizen, public_document, office):
    url = attachment_url(public_document)
    response = citizen.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == SECRET_WORD
    assert "attachment;" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    document_withdraw(document=public_document, actor=office, reason="有误")
    assert citizen.get(url).status_code == 404


def test_a_file_of_one_document_is_not_served_under_another(
    citizen, public_document, org_a, drafter_a, reviewer_a, make_document, publish
):
    other = publish(make_document(org_a, drafter_a, title="另一份"), drafter_a, reviewer_a)
    attachment = public_document.attachments.get()
    url = reverse("disclosure:attachment", args=[*other.index_path, attachment.pk])
    assert citizen.get(url).status_code == 404


def test_a_document_of_an_inactive_organisation_is_not_public(citizen, public_document, org_a):
    org_a.is_active = False
    org_a.save()
    assert citizen.get(document_url(public_document)).status_code == 404


# --- Pages -------------------------------------------------------------------------------------------------------------


def test_the_document_page_shows_the_metadata_table_body_files_and_attribute_line(citizen, public_document):
    page = citizen.get(document_url(public_document)).content.decode()
    for text in (
        public_document.index_no,
        "甲市城市管理局",
        "甲城管〔2026〕7号",
        "2026-11-02",
        "城市管理",
        "有效",
        "此件主动公开",
        "方案.txt",
        '<h1 class="doc-title">关于开展市容环境整治的通知</h1>',
    ):
        assert text in page, text


def test_r12_a_repealed_or_amended_document_shows_a_banner_with_its_successor(
    citizen, public_document, org_a, drafter_a, reviewer_a, make_document, publish
):
    from disclosure.services import document_validity_set

    successor = publish(
        make_document(org_a, drafter_a, title="关于开展市容环境整治的通知（修订）"), drafter_a, reviewer_a
    )
    document_validity_set(document=public_document, actor=reviewer_a, validity="amended", successor=successor)
    page = citizen.get(document_url(public_document)).content.decode()
    assert "本文件已修订。" in page
    assert "validity-banner" in page and document_url(successor) in page


def test_r38_the_column_links_guide_rules_statutory_content_reports_application_and_directory(citizen, org_a):
    page = citizen.get(reverse("disclosure:column")).content.decode()
    for link in (
        reverse("disclosure:guide", args=["A001"]),
        reverse("disclosure:catalogue", args=["A001"]),
        reverse("disclosure:rules"),
        reverse("disclosure:statutory"),
        reverse("disclosure:on_request"),
    ):
        assert f'href="{link}"' in page
    assert "政府信息公开年报" in page and 'id="apply"' in page


def test_r38_the_guide_is_built_from_the_organisations_own_data(citizen, org_a, node_a):
    page = citizen.get(reverse("disclosure:guide", args=["A001"])).content.decode()
    for text in (
        "甲市城市管理局政府信息公开指南",
        "甲市城市管理局办公室",
        "甲市中山路 1 号",
        "100001",
        "工作日 9:00—17:00",
        "010-0000001",
        "010-0000002",
        "a@example.org",
        "结果公开",
        "工作动态",
        "20 个工作日内",
    ):
        assert text in page, text


def test_r37_the_statutory_classes_are_listed_with_their_items_under_their_own_numbers(citizen, org_a):
    item = CatalogueNode.objects.create(
        organisation=org_a,
        section=Section.RESULT,
        name="财政预决算",
        subject=org_a,
        statutory_class=StatutoryClass.BUDGETS,
    )
    NilNotice.objects.create(node=item, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30))
    CatalogueNode.objects.create(  # nothing public and no "本期无": a blank column, not listed
        organisation=org_a,
        section=Section.RESULT,
        name="统计公报",
        subject=org_a,
        statutory_class=StatutoryClass.STATISTICS,
    )
    page = citizen.get(reverse("disclosure:statutory")).content.decode()
    assert page.count('<li id="class-') == 1 and f'value="{StatutoryClass.BUDGETS.value}"' in page
    assert "财政预算、决算信息" in page and "财政预决算</a>（甲市城市管理局）" in page and "统计公报" not in page


def test_r34_r35_a_catalogue_item_shows_its_elements_and_nil_notices(citizen, node_a, public_document):
    NilNotice.objects.create(node=node_a, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30))
    page = citizen.get(reverse("disclosure:node", args=[node_a.pk])).content.decode()
    for text in (
        "工作进展",
        "《条例》第二十条",
        "自信息形成或者变更之日起 20 个工作日内",
        "政府网站",
        "全社会",
        "主动公开",
        "市级",
        "2026-07-01—2026-09-30：本期无",
        public_document.title,
    ):
        assert text in page, text


def test_r33_the_catalogue_tree_has_the_five_disclosures_and_key_areas(citizen, org_a):
    for section in Section:  # each section with an item that recorded "本期无" (an empty one is not shown)
        item = CatalogueNode.objects.create(
            organisation=org_a, section=section, name=f"{section.label}事项", subject=org_a
        )
        NilNotice.objects.create(node=item, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30))
    page = citizen.get(reverse("disclosure:catalogue", args=["A001"])).content.decode()
    for label in ("决策公开", "执行公开", "管理公开", "服务公开", "结果公开", "重点领域信息公开", "法定主动公开内容"):
        assert f">{label}</h2>" in page


def test_r34_catalogue_items_keep_two_levels_within_one_organisation_and_section(org_a, org_b, node_a):
    from django.core.exceptions import ValidationError

    child = CatalogueNode(organisation=org_a, section=Section.RESULT, parent=node_a, name="月报", subject=org_a)
    child.full_clean()
    child.save()
    with pytest.raises(ValidationError, match="最多两级"):
        CatalogueNode(organisation=org_a, section=Section.RESULT, parent=child, name="三级", subject=org_a).full_clean()
    with pytest.raises(ValidationError, match="同一机构"):
        CatalogueNode(
            organisation=org_b, section=Section.RESULT, parent=node_a, name="跨机构", subject=org_b
        ).full_clean()
    with pytest.raises(ValidationError, match="未知的公开渠道"):
        CatalogueNode(
            organisation=org_a, section=Section.RESULT, name="渠道", subject=org_a, channels=["fax"]
        ).full_clean()


def test_catalogue_item_pages_list_newest_first_fifteen_per_page(
    citizen, org_a, drafter_a, reviewer_a, make_document, publish, node_a
):
    for n in range(17):
        publish(make_document(org_a, drafter_a, nodes=[node_a], title=f"动态{n:02d}"), drafter_a, reviewer_a)
    first = citizen.get(reverse("disclosure:node", args=[node_a.pk]))
    titles = [d.title for d in first.context["page"].object_list]
    assert titles[0] == "动态16" and len(titles) == 15
    second = citizen.get(reverse("disclosure:node", args=[node_a.pk]), {"page": 2})
    assert [d.title for d in second.context["page"].object_list] == ["动态01", "动态00"]
    assert citizen.get(reverse("disclosure:node", args=[node_a.pk]), {"page": "abc"}).status_code == 200


def test_an_inactive_catalogue_item_answers_404(citizen, node_a):
    node_a.is_active = False
    node_a.save()
    assert citizen.get(reverse("disclosure:node", args=[node_a.pk])).status_code == 404


def test_public_pages_refuse_writes_with_405(citizen, public_document):
    assert citizen.post(document_url(public_document)).status_code == 405


# --- Pinned query counts ------------------------------------------------------------------------------------------------


@pytest.fixture
def busy_site(org_a, org_b, drafter_a, reviewer_a, make_document, publish, node_a, topic, with_file):
    for n in range(12):
        document = make_document(org_a, drafter_a, nodes=[node_a], topic=topic, title=f"整治通报{n}")
        if n % 3 == 0:
            with_file(document)
        publish(document, drafter_a, reviewer_a)
    return Document.objects.filter(status="published").order_by("pk")


def test_query_counts_are_pinned_on_home_catalogue_item_and_document_pages(
    citizen, busy_site, node_a, django_assert_num_queries
):
    citizen.get("/")  # warm the session-less path (no queries are cached between requests)
    with django_assert_num_queries(3):  # organisations, latest documents, latest interpretations
        citizen.get(reverse("disclosure:home"))
    with django_assert_num_queries(5):  # item, total (cached per version), page of documents, children, nil notices
        citizen.get(reverse("disclosure:node", args=[node_a.pk]))
    url = document_url(busy_site.first())
    with django_assert_num_queries(
        3
    ):  # document with organisation/topic/successor/repost, attachments, catalogue items
        citizen.get(url)
    # organisation, the totals per item (one grouped query, then cached per publication version), the items
    with django_assert_num_queries(3):
        citizen.get(reverse("disclosure:catalogue", args=["A001"]))
    with django_assert_num_queries(2):  # the totals come from the cache now
        citizen.get(reverse("disclosure:catalogue", args=["A001"]))
