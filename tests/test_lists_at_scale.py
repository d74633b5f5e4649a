"""Issue 15, goal 2: catalogue lists that stay fast at a million documents — what they show is unchanged (public
documents of the item and its sub-items, newest first, each once), the total is counted once per publication
version, and pages are reached by a cursor so a deep page costs what the first one costs. Timings live in bench/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import CatalogueNode, Section
from disclosure.models import Document
from disclosure.selectors import catalogue_tree, node_documents
from disclosure.services import document_withdraw

NEXT = re.compile(r'<a href="\?([^"]+)" rel="next">')
PREVIOUS = re.compile(r'<a href="\?([^"]+)" rel="prev">')
TITLE = re.compile(r"第(\d+)号通知")


pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def listed(org_a, drafter_a, reviewer_a, node_a, make_document, publish):
    """Item A with a sub-item: 40 public documents over both (five filed under both), plus a draft, an 依申请公开
    document and one scheduled for tomorrow, none of which may be listed or counted."""
    child = CatalogueNode.objects.create(
        organisation=org_a, section=Section.DECISION, name="下级事项", parent=node_a, subject=org_a
    )
    first = publish(make_document(org_a, drafter_a, nodes=[node_a], title="第0号通知"), drafter_a, reviewer_a)
    now = timezone.now()
    copies = []
    for n in range(1, 40):
        copy = Document.objects.get(pk=first.pk)
        copy.pk = None
        # A past year's numbers, so the 索引号 sequence of this year stays free for the documents made below.
        copy.index_year, copy.index_serial = 2001, n
        copy.index_no = f"{org_a.code}/2001-{n:05d}"
        copy.title = f"第{n}号通知"
        # Pairs share a second, so the order falls back to the id within a second (the cursor must too).
        copy.published_at = now - dt.timedelta(days=n // 2)
        copies.append(copy)
    Document.objects.bulk_create(copies)
    link = Document.catalogue_nodes.through
    for copy in Document.objects.filter(title__in=[c.title for c in copies]):
        n = int(TITLE.search(copy.title).group(1))
        nodes = [node_a, child] if n % 8 == 0 else [child] if n % 3 == 0 else [node_a]
        link.objects.bulk_create([link(document=copy, cataloguenode=node) for node in nodes])
    hidden = [
        make_document(org_a, drafter_a, nodes=[node_a], title="第90号通知（草稿）"),
        publish(
            make_document(
                org_a,
                drafter_a,
                nodes=[node_a],
                title="第91号通知（依申请）",
                attribute="on_request",
                ground="process",
                reason="过程性信息",
            ),
            drafter_a,
            reviewer_a,
        ),
    ]
    scheduled = publish(
        make_document(org_a, drafter_a, nodes=[node_a], title="第92号通知（定时）"), drafter_a, reviewer_a
    )
    Document.objects.filter(pk=scheduled.pk).update(published_at=now + dt.timedelta(days=1))
    expected = list(
        Document.objects.filter(title__regex=r"^第\d+号通知$")
        .order_by("-published_at", "-pk")
        .values_list("title", flat=True)
    )
    return child, expected, hidden


def titles(html: str) -> list[str]:
    return re.findall(r"第\d+号通知(?:（[^）]+）)?", html)


def test_it_walks_a_catalogue_item_by_cursor_newest_first_each_document_once(citizen, node_a, listed):
    _child, expected, _hidden = listed
    assert len(expected) == 40
    url = reverse("disclosure:node", args=[node_a.pk])
    seen, query, pages = [], "", []
    while True:
        html = citizen.get(url + ("?" + query.replace("&amp;", "&") if query else "")).content.decode()
        pages.append(titles(html))
        seen += pages[-1]
        assert "（40 条）" in html
        found = NEXT.search(html)
        if not found:
            break
        query = found.group(1)
    assert seen == expected and len(pages) == 3
    # And back again with the previous links, page by page.
    back = PREVIOUS.search(html).group(1).replace("&amp;", "&")
    assert titles(citizen.get(f"{url}?{back}").content.decode()) == pages[1]
    # A typed page number reaches the same rows through an offset skipped over the ids alone (a subquery that
    # selects only the id), then reads just that page's rows.
    for number in (2, 3):
        with CaptureQueriesContext(connection) as typed:
            html = citizen.get(f"{url}?page={number}").content.decode()
        assert titles(html) == pages[number - 1]
        deep = [q["sql"] for q in typed.captured_queries if "OFFSET" in q["sql"]]
        assert len(deep) == 1 and 'IN (SELECT V0."id" AS "pk" FROM "disclosure_document" V0 ' in deep[0]
        # Only the item's organisation's documents are walked, and without parallel workers (a short ordered walk).
        assert f'V0."organisation_id" = {node_a.organisation_id}' in deep[0]
        statements = [q["sql"] for q in typed.captured_queries]
        assert statements[statements.index(deep[0]) - 1] == "SET LOCAL max_parallel_workers_per_gather = 0"


def test_it_keeps_the_queries_of_a_deep_page_those_of_the_first(citizen, node_a, listed):
    from django.core.cache import cache

    url = reverse("disclosure:node", args=[node_a.pk])
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        html = citizen.get(url).content.decode()
    second_query = NEXT.search(html).group(1).replace("&amp;", "&")
    html = citizen.get(f"{url}?{second_query}").content.decode()
    third_query = NEXT.search(html).group(1).replace("&amp;", "&")
    with CaptureQueriesContext(connection) as deep:
        citizen.get(f"{url}?{third_query}")
    # The total is not counted again on later pages; the rows come from one query either way.
    assert not any("COUNT(" in q["sql"] for q in deep.captured_queries)
    assert len(deep.captured_queries) <= len(first.captured_queries)
    assert not any("DISTINCT" in q["sql"] for q in deep.captured_queries + first.captured_queries)


def test_it_counts_each_catalogue_item_once_per_publication_version(
    org_a, node_a, drafter_a, reviewer_a, listed, make_document, publish
):
    child, expected, _hidden = listed
    direct = sum(1 for t in expected if int(TITLE.search(t).group(1)) % 8 == 0 or int(TITLE.search(t).group(1)) % 3)
    counts = {node.pk: node.public_count for _s, items in catalogue_tree(org_a) for node, _c in items}
    assert counts[node_a.pk] == direct
    with CaptureQueriesContext(connection) as again:
        catalogue_tree(org_a)
    assert not any("COUNT(" in q["sql"] for q in again.captured_queries)
    publish(make_document(org_a, drafter_a, nodes=[node_a], title="第50号通知"), drafter_a, reviewer_a)
    counts = {node.pk: node.public_count for _s, items in catalogue_tree(org_a) for node, _c in items}
    assert counts[node_a.pk] == direct + 1
    assert node_documents(node_a).count() == 41


def test_it_drops_a_withdrawn_document_from_the_list_and_the_total_at_once(
    citizen, node_a, listed, reviewer_a, django_capture_on_commit_callbacks
):
    url = reverse("disclosure:node", args=[node_a.pk])
    assert "（40 条）" in citizen.get(url).content.decode()
    newest = Document.objects.get(title="第0号通知")
    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=newest, actor=reviewer_a, reason="内容有误")
    html = citizen.get(url).content.decode()
    assert "（39 条）" in html and "第0号通知" not in html


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-3",
        "page=99999",
        "after=garbage&page=2",
        "after=2026-13-40T00:00:00~1&page=2",
        "before=~~~",
        "after=" + "9" * 200,
        "after=2026-01-01T00:00:00~5",  # no time zone: not one of ours
    ],
)
def test_it_answers_a_garbled_page_address_with_a_page_not_an_error(citizen, node_a, listed, query):
    response = citizen.get(reverse("disclosure:node", args=[node_a.pk]) + "?" + query)
    assert response.status_code == 200 and titles(response.content.decode())


# --- 政策解读: the list of interpretations ---------------------------------------------------------------------------


INTERPRETATION = re.compile(r"第\d+篇解读")


@pytest.fixture
def interpreted(org_a, org_b, drafter_a, reviewer_a, drafter_b, make_document, publish):
    """20 public interpretations of one of A's policies (pairs published in the same second), and B's interpretation
    still a draft, of a policy still a draft: B must not be offered in the list's filter."""
    from disclosure.interpretations import interpretation_create, interpretation_plan_save
    from disclosure.models import Interpretation

    plan = {"planned_on": dt.date(2026, 11, 20), "channels": "政府网站", "forms": ["text"], "outline": "一、背景"}
    policy = make_document(org_a, drafter_a, title="示范县促进民营经济发展若干措施", is_policy=True)
    interpretation_plan_save(policy=policy, actor=drafter_a, changes=plan)
    interpretation_create(
        policy=policy, actor=drafter_a, changes={"title": "第0篇解读", "form": "text", "body": "一、出台背景。"}
    )
    publish(policy, drafter_a, reviewer_a)  # its interpretation is published with it
    first = Interpretation.objects.get(title="第0篇解读")
    assert first.status == Interpretation.Status.PUBLISHED
    now = timezone.now()
    copies = []
    for n in range(1, 20):
        copy = Interpretation.objects.get(pk=first.pk)
        copy.pk, copy.title, copy.published_at = None, f"第{n}篇解读", now - dt.timedelta(days=n // 2)
        copies.append(copy)
    Interpretation.objects.bulk_create(copies)
    other = make_document(org_b, drafter_b, title="乙单位的政策", is_policy=True)
    interpretation_plan_save(policy=other, actor=drafter_b, changes=plan)
    interpretation_create(
        policy=other, actor=drafter_b, changes={"title": "乙的草稿解读", "form": "text", "body": "草稿"}
    )
    return list(
        Interpretation.objects.filter(title__regex=r"^第\d+篇解读$")
        .order_by("-published_at", "-pk")
        .values_list("title", flat=True)
    )


def test_r17_it_walks_the_interpretations_by_cursor_and_counts_them_once_per_version(
    citizen, org_a, org_b, interpreted
):
    from django.core.cache import cache

    url = reverse("disclosure:interpretations")
    cache.clear()
    first = citizen.get(url)
    html = first.content.decode()
    assert "第 1 页，共 2 页（20 条）" in html
    # Only organisations with a public interpretation are offered in the filter.
    assert [o.code for o in first.context["organisations"]] == [org_a.code]
    seen = INTERPRETATION.findall(html)
    with CaptureQueriesContext(connection) as deep:
        html = citizen.get(url + "?" + NEXT.search(html).group(1).replace("&amp;", "&")).content.decode()
    seen += INTERPRETATION.findall(html)
    assert seen == interpreted  # newest first, each once, across a second shared by two
    assert len(deep.captured_queries) == 1 and "COUNT(" not in deep.captured_queries[0]["sql"]
    assert "第 2 页，共 2 页（20 条）" in html and not NEXT.search(html)
    # A filter is kept in the links and has its own total.
    html = citizen.get(url + f"?org={org_a.code}&form=text").content.decode()
    assert f"org={org_a.code}" in NEXT.search(html).group(1) and "（20 条）" in html
    assert "没有符合条件的政策解读" in citizen.get(url + f"?org={org_b.code}").content.decode()


@pytest.mark.worker
def test_it_shows_the_last_total_while_a_real_worker_counts_again_after_a_publication(
    start_worker, citizen, org_a, drafter_a, reviewer_a, node_a, make_document, publish
):
    """A count of a large organisation takes up to a second at 1M documents: after a publication the catalogue
    shows the last total at once and a worker counts again; the new total follows within seconds."""
    from django.core.cache import cache

    from govopen.celery import app
    from tests.conftest import wait_for

    cache.clear()
    for n in range(2):
        publish(make_document(org_a, drafter_a, nodes=[node_a], title=f"第{n}号通知"), drafter_a, reviewer_a)
    url = reverse("disclosure:catalogue", args=[org_a.code])
    total = f'{node_a.name}</a> <span class="count">（%d）</span>'
    assert total % 2 in citizen.get(url).content.decode()  # nothing kept yet: counted in the request
    publish(make_document(org_a, drafter_a, nodes=[node_a], title="第2号通知"), drafter_a, reviewer_a)

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = start_worker()
    try:
        with CaptureQueriesContext(connection) as shown:
            html = citizen.get(url).content.decode()
        assert total % 2 in html  # the last total, while the worker counts
        assert not any("COUNT(" in q["sql"] for q in shown.captured_queries)

        def counted() -> bool:
            with CaptureQueriesContext(connection) as again:
                html = citizen.get(url).content.decode()
            return total % 3 in html and not any("COUNT(" in q["sql"] for q in again.captured_queries)

        assert wait_for(counted, seconds=60)
    finally:
        app.conf.task_default_queue = previous
