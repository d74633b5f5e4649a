"""The public site: Chinese, accessible markup, a 404 that looks like any other missing page."""

from django.urls import reverse

from catalog.services import organisation_save
from tests.conftest import SYSTEM


def test_home_lists_the_organisations_in_chinese(citizen, org_a, org_b, django_assert_num_queries):
    with django_assert_num_queries(3):  # organisations, latest documents, latest interpretations
        page = citizen.get(reverse("disclosure:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "<h1>政府信息公开</h1>" in html
    assert 'href="#main"' in html  # skip link
    assert org_a.name in html and org_b.name in html


def test_organisation_page_shows_the_guide_contact_data(citizen, org_a, django_assert_num_queries):
    with django_assert_num_queries(2):
        page = citizen.get(reverse("catalog:organisation", args=[org_a.code]))
    html = page.content.decode()
    for value in (
        "甲市城市管理局办公室",
        "甲市中山路 1 号",
        "100001",
        "工作日 9:00—17:00",
        "010-0000001",
        "010-0000002",
        "a@example.org",
    ):
        assert value in html
    assert '<th scope="row">' in html


def test_inactive_and_missing_organisations_are_the_same_404(citizen, org_b):
    org_b.is_active = False
    organisation_save(organisation=org_b, actor=SYSTEM)
    hidden = citizen.get(reverse("catalog:organisation", args=[org_b.code]))
    missing = citizen.get(reverse("catalog:organisation", args=["NOPE"]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert "您访问的页面不存在或尚未公开" in missing.content.decode()
    assert org_b.name not in citizen.get(reverse("disclosure:home")).content.decode()


def test_public_pages_answer_with_security_headers(citizen, org_a):
    page = citizen.get(reverse("disclosure:home"))
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
