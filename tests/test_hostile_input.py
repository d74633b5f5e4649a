"""Hostile input never yields a 500: the concrete requests a fuzzing review of main answered with 500 on PostgreSQL,
each with the answer it must get instead (see govopen/hostile.py and core/params.py for the rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, SYSTEM, applicant_values
from tests.test_policies import ready

BAD_REQUEST_TITLE = "请求无法处理"
SEARCH = "/search/"


pytestmark = pytest.mark.usefixtures("fresh_cache")  # the apply form counts attempts per address in Redis


def build_site() -> dict:
    """A small public site: two organisations, a catalogue item, a published document and a published policy with its
    interpretation, so every public view reaches its database queries. Shared with the property suite, which builds
    it once per class; tasks run inline and on-commit work runs at once, whoever calls it."""
    from django.contrib.auth import get_user_model
    from django.test import TestCase

    from catalog.models import CatalogueNode, Organisation, Section, Topic
    from catalog.roles import Role
    from catalog.services import organisation_save, role_grant
    from disclosure.services import document_approve, document_create, document_submit
    from govopen.celery import app

    org = organisation_save(
        organisation=Organisation(
            code="A001",
            name="甲市城市管理局",
            kind=Organisation.Kind.DEPARTMENT,
            office_name="甲市城市管理局办公室",
            address="甲市中山路 1 号",
            postcode="100001",
            phone="010-0000001",
            email="a@example.org",
        ),
        actor=SYSTEM,
    )
    organisation_save(
        organisation=Organisation(code="B002", name="乙市统计局", kind=Organisation.Kind.DEPARTMENT), actor=SYSTEM
    )
    users = {}
    for role in (Role.DRAFTER, Role.REVIEWER):
        users[role] = get_user_model().objects.create_user(username=f"hostile_{role}", password=PASSWORD)
        role_grant(organisation=org, user=users[role], role=role, actor=SYSTEM)
    drafter, reviewer = users[Role.DRAFTER], users[Role.REVIEWER]
    topic = Topic.objects.create(code="csgl", name="城市管理")
    node = CatalogueNode.objects.create(organisation=org, section=Section.RESULT, name="工作动态", subject=org)

    def draft(title: str, **changes: object):
        values = {
            "title": title,
            "written_on": dt.date(2026, 11, 2),
            "attribute": "proactive",
            "topic": topic,
            "body": "为进一步改善市容环境，现就开展整治工作通知如下。",
            **changes,
        }
        return document_create(organisation=org, actor=drafter, changes=values, catalogue_nodes=[node])

    def publish(document):
        document_submit(document=document, actor=drafter)
        document = document_approve(document=document, actor=reviewer, confidentiality_checked=True)
        document.refresh_from_db()
        return document

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            document = draft("关于开展市容环境整治的通知")
        with TestCase.captureOnCommitCallbacks(execute=True):
            document = publish(document)
        with TestCase.captureOnCommitCallbacks(execute=True):
            policy = draft("示范县促进民营经济发展若干措施", is_policy=True)
            interpretation = ready(policy, drafter)
        with TestCase.captureOnCommitCallbacks(execute=True):
            policy = publish(policy)
    finally:
        app.conf.task_always_eager = eager
    interpretation.refresh_from_db()
    return {
        "org": org,
        "node": node,
        "topic": topic,
        "document": document,
        "policy": policy,
        "interpretation": interpretation,
    }


@pytest.fixture(scope="module")
def shared_site(module_db, django_db_blocker) -> dict:
    """The site, built once for the module: its tests only read it (a test's own writes roll back as usual)."""
    with django_db_blocker.unblock():
        return build_site()


@pytest.fixture
def site(db, shared_site) -> dict:
    return shared_site


def assert_bad_request_page(response) -> None:
    assert response.status_code == 400
    assert "400.html" in [t.name for t in response.templates]
    assert BAD_REQUEST_TITLE in response.content.decode()


def search_result(response):
    assert response.status_code == 200
    return response.context["result"]


# --- Control characters: a clear 400 in Chinese ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["q", "org", "topic", "year", "section", "validity", "page"])
def test_it_answers_400_in_chinese_to_a_nul_in_any_search_parameter(citizen, site, name):
    assert_bad_request_page(citizen.get(SEARCH, {name: "公开\x00"}))


@pytest.mark.parametrize(
    "url",
    [
        "/interpretations/?org=A001%00",
        "/apply/?org=%00",
        "/interpretations/?form=%00text",
        "/emergencies/?page=1%00",
        "/catalog/1/?page=%00",
    ],
)
def test_it_answers_400_to_a_nul_in_a_filter_of_other_public_lists(citizen, site, url):
    assert_bad_request_page(citizen.get(url))


@pytest.mark.parametrize(
    "path",
    [
        "/xxgk/A001\x00/guide/",
        "/xxgk/%00/catalogue/",
        "/organisations/A0\x0001/",
        "/apply/status/AB%00CD/",
        "/documents/A001%00/2026-00001/",
    ],
)
def test_it_answers_400_to_a_nul_in_a_path_segment(citizen, site, path):
    assert_bad_request_page(citizen.get(path))


@pytest.mark.parametrize("value", ["\x1b[2J", "a\x7fb", "\x08", "\u0085"])
def test_it_answers_400_to_other_control_characters_in_a_query(citizen, site, value):
    assert_bad_request_page(citizen.get(SEARCH, {"q": value}))


def test_it_answers_400_to_a_nul_in_a_parameter_name(citizen, site):
    assert_bad_request_page(citizen.get(SEARCH + "?q%00=1"))


def test_it_keeps_tabs_and_line_breaks_pasted_into_the_search_box(citizen, site):
    result = search_result(citizen.get(SEARCH, {"q": "民营\t经济\r\n措施"}))
    assert [hit.document.title for hit in result.hits] == [site["policy"].title]


def test_it_answers_400_in_chinese_to_too_many_query_fields(citizen, site, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    assert_bad_request_page(citizen.get(SEARCH + "?" + "&".join(f"f{n}=1" for n in range(20))))


# --- Integers: ASCII digits in range, or ignored (filters) / 404 (paths) ----------------------------------------------


@pytest.mark.parametrize("year", ["0", "10000", "12345678901234567890", "²", "２０２６", "٢٠٢٦", "-2026", "2026.0"])
def test_it_ignores_an_impossible_year_and_says_so(citizen, site, year):
    result = search_result(citizen.get(SEARCH, {"year": year}))
    assert result.filters == {}
    assert result.total == 2  # unfiltered: both public documents
    assert any("发布年份" in message for message in result.messages)


@pytest.mark.parametrize("value", ["0", "99999999999999999999", "²", "１", "-1"])
def test_it_ignores_an_impossible_topic_and_says_so(citizen, site, value):
    result = search_result(citizen.get(SEARCH, {"topic": value, "q": "通知"}))
    assert "topic" not in result.filters
    assert any("主题分类" in message for message in result.messages)


def test_it_still_filters_by_a_valid_year_and_topic(citizen, site):
    year = str(site["document"].published_at.year)
    result = search_result(citizen.get(SEARCH, {"year": year, "topic": str(site["topic"].pk)}))
    assert result.filters == {"year": year, "topic": str(site["topic"].pk)}
    assert result.total == 2 and result.messages == []


@pytest.mark.parametrize("page", ["99999999999999999999", "²", "٣", "-1", "1e9"])
def test_it_gives_the_first_or_last_page_for_a_page_number_out_of_range_or_not_a_number(citizen, site, page):
    result = search_result(citizen.get(SEARCH, {"page": page}))
    assert result.page.number == 1  # one page only: the last page is the first


@pytest.mark.parametrize(
    "path",
    [
        "/catalog/99999999999999999999/",
        "/interpretations/99999999999999999999/",
        "/interpretations/1/media/99999999999999999999/",
        "/emergencies/99999999999999999999/",
        "/xxgk/reports/99999999999999999999/",
        "/xxgk/reports/99999999999999999999/report.xlsx",
        "/xxgk/ysqgk/99999999999999999999/",
        "/apply/status/ABC/files/99999999999999999999/",
        "/documents/A001/٢٠٢٦-٠٠٠٠١/",
        "/documents/A001/2026-00001/files/٣/",
        "/documents/A001/2026-00001/files/99999999999999999999/",
    ],
)
def test_it_answers_404_to_an_impossible_integer_in_a_path(citizen, site, path):
    response = citizen.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.parametrize("path", ["/xxgk/{code}/guide/", "/xxgk/{code}/catalogue/", "/organisations/{code}/"])
def test_it_answers_404_to_unknown_codes_of_any_shape(citizen, site, path):
    for code in ["..%2F..%2Fetc%2Fpasswd", "x" * 5000, "机构", "%ED%A0%80", "A001%20"]:
        assert citizen.get(path.format(code=code)).status_code == 404


# --- POST forms -------------------------------------------------------------------------------------------------------


def test_it_refuses_a_nul_in_the_application_form_with_400_and_keeps_what_was_typed(citizen, site):
    data = {**applicant_values(), "organisation": site["org"].pk, "pledge": "on"}
    data.pop("fee_waiver_requested")
    data["description"] = "请提供停放点位\x00方案"
    data["address"] = "甲市中山路 9 号"
    response = citizen.post(reverse("requests:apply"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "甲市中山路 9 号" in page  # the other fields come back as typed
    assert "description" in response.context["form"].errors  # Django's ProhibitNullCharactersValidator, in Chinese
    assert "空字符" in page


def test_it_refuses_a_nul_in_the_status_lookup_with_400(citizen, site):
    response = citizen.post(reverse("requests:status"), {"code": "AB\x00CD", "secret": "x\x00y"})
    assert response.status_code == 400
