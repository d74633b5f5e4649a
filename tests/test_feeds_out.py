"""Atom feeds of new public records (issue 17 §2): the whole site, an organisation, a catalogue item, a topic and the
interpretations; nothing non-public ever appears (R5, R9, R10, R17), a missing or non-public subject answers 404,
the XML is valid Atom with local times and absolute URLs, and the pages link to their feeds."""

from __future__ import annotations

import datetime as dt

import pytest
from defusedxml import ElementTree
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from catalog.models import CatalogueNode, Section, Topic
from catalog.roles import Role
from disclosure.grounds import Ground
from disclosure.interpretations import interpretation_create, interpretation_plan_save
from disclosure.models import Document, Interpretation
from disclosure.services import document_return, document_submit, document_withdraw
from tests.conftest import (
    SYSTEM,
    new_document,
    new_node_a,
    new_office,
    new_org_a,
    new_org_b,
    new_staff,
    new_topic,
    new_user,
    published,
)

ATOM = "{http://www.w3.org/2005/Atom}"
PLAN = {"planned_on": dt.date(2026, 11, 20), "channels": "政府网站", "forms": ["text"], "outline": "一、背景"}
NOT_PUBLIC = ["草稿件", "待审件", "退回件", "依申请件", "不予公开件", "定时件", "撤回件", "停用机构件"]


@pytest.fixture(scope="module")
def world(module_db, django_db_blocker) -> dict:
    """The module's personas and records, built once: its tests read them, and their own writes roll back."""
    with django_db_blocker.unblock():
        org_a, org_b = new_org_a(), new_org_b()
        people = {
            "drafter_a": new_staff("drafter_a", org_a, Role.DRAFTER),
            "reviewer_a": new_staff("reviewer_a", org_a, Role.REVIEWER),
            "drafter_b": new_staff("drafter_b", org_b, Role.DRAFTER),
            "office": new_office(),
        }
        node_a, topic = new_node_a(org_a), new_topic()
        public, policy, interpretation = build_records(org_a=org_a, org_b=org_b, node_a=node_a, topic=topic, **people)
    return {
        "org_a": org_a,
        "org_b": org_b,
        "node_a": node_a,
        "topic": topic,
        **people,
        "records": (public.pk, policy.pk, interpretation.pk),
    }


def fresh(name: str):
    """A per-test fixture ``name``: the module's record of that name, fetched afresh (a test may change its copy)."""

    @pytest.fixture(name=name)
    def fixture(db, world):
        record = world[name]
        return type(record).objects.get(pk=record.pk)

    return fixture


org_a, org_b, node_a, topic = (fresh(name) for name in ("org_a", "org_b", "node_a", "topic"))


@pytest.fixture
def office(db, world):
    return world["office"]


@pytest.fixture
def records(db, world):
    public, policy, interpretation = world["records"]
    return (
        Document.objects.get(pk=public),
        Document.objects.get(pk=policy),
        Interpretation.objects.get(pk=interpretation),
    )


def build_records(*, org_a, org_b, drafter_a, drafter_b, reviewer_a, office, node_a, topic):
    """One public document and one policy with its interpretation, and one document of every non-public state, all
    of organisation A, in its catalogue item and topic (the inactive organisation's document is B's)."""
    from catalog.services import role_grant

    def make(title, organisation=org_a, drafter=drafter_a, **changes):
        nodes = [node_a] if organisation == org_a else []
        return new_document(organisation, drafter, nodes=nodes, topic=topic, title=title, **changes)

    publish = published

    public = publish(make("公开件", summary="关于市容整治的内容概述"), drafter_a, reviewer_a)
    policy = make("示范政策", is_policy=True)
    interpretation_plan_save(policy=policy, actor=drafter_a, changes=PLAN)
    interpretation = interpretation_create(
        policy=policy, actor=drafter_a, changes={"title": "一图读懂示范政策", "form": "text", "body": "解读正文。"}
    )
    policy = publish(policy, drafter_a, reviewer_a)
    unpublished_policy = make("未发布政策", is_policy=True)
    interpretation_plan_save(policy=unpublished_policy, actor=drafter_a, changes=PLAN)
    interpretation_create(
        policy=unpublished_policy,
        actor=drafter_a,
        changes={"title": "未发布解读", "form": "text", "body": "解读正文。"},
    )

    make("草稿件")
    document_submit(document=make("待审件"), actor=drafter_a)
    returned = make("退回件")
    document_submit(document=returned, actor=drafter_a)
    document_return(document=returned, actor=reviewer_a, reason="请修改")
    publish(make("依申请件", attribute="on_request", ground=Ground.THIRD_PARTY, reason="第三方"), drafter_a, reviewer_a)
    publish(
        make("不予公开件", attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部"), drafter_a, reviewer_a
    )
    publish(make("定时件"), drafter_a, reviewer_a, publish_at=timezone.now() + dt.timedelta(days=30))
    document_withdraw(document=publish(make("撤回件"), drafter_a, reviewer_a), actor=office, reason="有误")
    reviewer_b = new_user("reviewer_b")
    role_grant(user=reviewer_b, organisation=org_b, role="reviewer", actor=SYSTEM)
    publish(make("停用机构件", organisation=org_b, drafter=drafter_b), drafter_b, reviewer_b)
    org_b.is_active = False
    org_b.save(update_fields=["is_active"])
    return public, policy, interpretation


def parse(response) -> ElementTree:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def titles(feed) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


def feed_urls(org_a, node_a, topic) -> list[str]:
    return [
        reverse("syndication:documents"),
        reverse("syndication:organisation", args=[org_a.code]),
        reverse("syndication:node", args=[node_a.pk]),
        reverse("syndication:topic", args=[topic.pk]),
    ]


def test_r5_r9_r10_every_document_feed_lists_public_documents_and_nothing_else(citizen, records, org_a, node_a, topic):
    public, policy, _interpretation = records
    for url in feed_urls(org_a, node_a, topic):
        found = titles(parse(citizen.get(url)))
        assert public.title in found and policy.title in found, url
        assert not set(found) & set(NOT_PUBLIC + ["未发布政策"]), (url, found)


def test_r17_the_interpretation_feed_lists_published_interpretations_of_public_policies_only(
    citizen,
    records,
    office,
):
    public, policy, interpretation = records
    interpretation.refresh_from_db()
    assert titles(parse(citizen.get(reverse("syndication:interpretations")))) == [interpretation.title]
    document_withdraw(document=policy, actor=office, reason="政策调整")  # withdraws its interpretations with it
    assert titles(parse(citizen.get(reverse("syndication:interpretations")))) == []


def test_a_missing_or_non_public_subject_answers_404(citizen, records, org_a, org_b, node_a, topic):
    inactive_item = CatalogueNode.objects.create(
        organisation=org_a, section=Section.RESULT, name="停用事项", subject=org_a, is_active=False
    )
    inactive_topic = Topic.objects.create(code="old", name="停用主题", is_active=False)
    for url in (
        reverse("syndication:organisation", args=["NOPE"]),
        reverse("syndication:organisation", args=[org_b.code]),
        reverse("syndication:node", args=[inactive_item.pk]),
        reverse("syndication:node", args=[999_999]),
        reverse("syndication:topic", args=[inactive_topic.pk]),
        reverse("syndication:topic", args=[999_999]),
    ):
        assert citizen.get(url).status_code == 404, url


def test_the_feed_is_valid_atom_with_local_times_absolute_links_author_and_summary(citizen, records, org_a):
    public, _policy, _interpretation = records
    feed = parse(citizen.get(reverse("syndication:organisation", args=[org_a.code])))
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{name}"), name
    self_link = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link == [f"http://testserver{reverse('syndication:organisation', args=[org_a.code])}"]
    entry = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == public.title)
    for name in ("id", "title", "updated", "published"):
        assert entry.findtext(f"{ATOM}{name}"), name
    assert entry.findtext(f"{ATOM}published").endswith("+08:00")
    published = dt.datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    assert published == public.published_at
    assert (
        entry.find(f"{ATOM}link").get("href")
        == f"http://testserver{reverse('disclosure:document', args=public.index_path)}"
    )
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == org_a.name
    assert entry.findtext(f"{ATOM}summary") == "关于市容整治的内容概述"
    draft_body = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "示范政策")
    assert draft_body.findtext(f"{ATOM}summary").startswith("为进一步改善市容环境")  # no 内容概述: the body's start


def test_a_feed_holds_at_most_the_configured_number_of_entries_newest_first(citizen, records, settings):
    settings.GOVOPEN_FEED_ITEMS = 1
    public, policy, _interpretation = records
    assert titles(parse(citizen.get(reverse("syndication:documents")))) == [policy.title]  # the newer one


def test_a_feed_answers_304_to_a_reader_that_has_it(citizen, records):
    url = reverse("syndication:documents")
    first = citizen.get(url)
    assert first["ETag"] and first["Last-Modified"]
    assert citizen.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert citizen.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_feed_urls_honour_the_url_prefix(citizen, records, org_a):
    set_script_prefix("/zwgk/")
    try:
        url = reverse("syndication:organisation", args=[org_a.code])
        assert url.startswith("/zwgk/feeds/")
        response = citizen.get(url.removeprefix("/zwgk"))
        feed = parse(response)
        hrefs = [link.get("href") for entry in feed.findall(f"{ATOM}entry") for link in entry.findall(f"{ATOM}link")]
        assert hrefs and all(href.startswith("http://testserver/zwgk/documents/") for href in hrefs)
    finally:
        set_script_prefix("/")


def test_the_followed_pages_link_to_their_feed_and_to_the_mail_subscription(citizen, records, org_a, node_a, topic):
    pages = {
        reverse("catalog:organisation", args=[org_a.code]): reverse("syndication:organisation", args=[org_a.code]),
        reverse("disclosure:node", args=[node_a.pk]): reverse("syndication:node", args=[node_a.pk]),
        reverse("disclosure:search") + f"?topic={topic.pk}": reverse("syndication:topic", args=[topic.pk]),
        reverse("disclosure:interpretations"): reverse("syndication:interpretations"),
    }
    for page, feed in pages.items():
        html = citizen.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html
        assert f'href="{feed}"' in html, page
        assert "订阅（RSS/Atom）" in html and "邮件订阅" in html and reverse("subscriptions:subscribe") in html, page
    home = citizen.get(reverse("disclosure:home")).content.decode()
    assert f'href="{reverse("syndication:documents")}"' in home


@pytest.mark.usefixtures("fresh_cache")
def test_a_cached_feed_drops_a_withdrawn_document_at_once(
    citizen, records, office, org_a, node_a, topic, settings, django_capture_on_commit_callbacks
):
    from core import pubversion

    settings.GOVOPEN_PAGE_CACHE_SECONDS = 300
    pubversion.bump_now()
    public, _policy, _interpretation = records
    urls = feed_urls(org_a, node_a, topic)
    for url in urls:
        assert public.title in titles(parse(citizen.get(url)))
        cached = citizen.get(url)
        assert "public" in cached["Cache-Control"] and public.title in titles(parse(cached))  # kept by the cache
    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=public, actor=office, reason="有误")
    for url in urls:
        assert public.title not in titles(parse(citizen.get(url))), url


def test_feeds_sitemaps_and_robots_refuse_writes_with_405(citizen, records, org_a):
    for url in (
        reverse("syndication:documents"),
        reverse("syndication:organisation", args=[org_a.code]),
        reverse("syndication:interpretations"),
        reverse("syndication:sitemap"),
        reverse("syndication:sitemap_section", args=["documents"]),
        reverse("syndication:robots"),
    ):
        assert citizen.post(url).status_code == 405, url
