"""The JSON API's leak matrix (issue 17 §1): one public record of every kind beside one record of every state that must
stay private, against every endpoint, list, detail, the search and the nested objects; and what the public records
answer. The records are built once for the module (``module_db``): the tests only read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.reports import report_create, report_publish, report_update
from catalog.models import Organisation
from catalog.services import calendar_load_package
from disclosure.content import check_upload
from disclosure.directory import directory_compile
from disclosure.grounds import Ground
from disclosure.interpretations import interpretation_create, interpretation_plan_save
from disclosure.models import Document
from disclosure.reposts import repost_draft, repost_register
from disclosure.services import (
    attachment_add,
    document_approve,
    document_return,
    document_submit,
    document_validity_set,
    document_withdraw,
)
from emergencies.services import emergency_register, update_draft, update_publish
from tests.conftest import (
    SYSTEM,
    new_document,
    new_node_a,
    new_node_b,
    new_office,
    new_org_a,
    new_org_b,
    new_staff,
    new_topic,
    on_commit_run,
    published,
)
from tests.test_api import api_limits, at, body, get  # noqa: F401  (api_limits: the same autouse fixture)

pytestmark = pytest.mark.usefixtures("fresh_cache")

PUBLIC_WORD = "市容环境整治"
PLAN = {"planned_on": dt.date(2026, 11, 20), "channels": "政府网站", "forms": ["text"], "outline": "一、出台背景"}

# One marker per non-public state: none may appear in any answer of the API.
SECRETS = {
    "draft": "草稿甲秘",
    "in_review": "待审乙秘",
    "returned": "退回丙秘",
    "scheduled": "定时丁秘",
    "on_request_body": "依申请正文戊秘",
    "withheld": "不予公开己秘",
    "withdrawn": "撤回庚秘",
    "interpretation": "未发布解读辛秘",
    "report": "年报草稿壬秘",
    "emergency_update": "未发布通报癸秘",
    "repost": "非公开转载子秘",
    "inactive": "停用机构丑秘",
}


@pytest.fixture(scope="module")
def shared(module_db, django_db_blocker):
    """A public policy with its interpretation, a file, a repost, an emergency, a report and a directory issue, and
    beside them one record of every state that must stay private."""
    with django_db_blocker.unblock():
        return _build()


def _build() -> SimpleNamespace:
    from catalog.roles import Role

    org_a, org_b = new_org_a(), new_org_b()
    drafter_a, reviewer_a = new_staff("drafter_a", org_a, Role.DRAFTER), new_staff("reviewer_a", org_a, Role.REVIEWER)
    drafter_b, reviewer_b = new_staff("drafter_b", org_b, Role.DRAFTER), new_staff("reviewer_b", org_b, Role.REVIEWER)
    office = new_office()
    node_a, node_b, topic = new_node_a(org_a), new_node_b(org_b), new_topic()
    calendar_load_package(actor=SYSTEM)
    make_document, publish = new_document, published

    def run(*, execute: bool):
        return on_commit_run()

    def doc(title: str, **changes: Any) -> Document:
        values = {"body": f"{PUBLIC_WORD}。{changes.pop('body', '')}", "topic": topic, **changes}
        return make_document(org_a, drafter_a, nodes=[node_a], title=f"关于{title}的通知", **values)

    policy = doc("促进市容环境整治若干措施", is_policy=True)
    interpretation_plan_save(policy=policy, actor=drafter_a, changes=PLAN)
    interpretation = interpretation_create(
        policy=policy,
        actor=drafter_a,
        changes={
            "title": "一图读懂市容环境整治措施",
            "form": "text",
            "body": "一、出台背景。",
        },
    )
    with run(execute=True):
        attachment_add(
            document=policy,
            actor=drafter_a,
            upload=check_upload(SimpleUploadedFile("实施方案.txt", "方案全文".encode())),
        )
    policy = publish(policy, drafter_a, reviewer_a)
    interpretation.refresh_from_db()
    hidden_interpretation = interpretation_create(
        policy=policy,
        actor=drafter_a,
        changes={
            "title": SECRETS["interpretation"],
            "form": "text",
            "body": "未审核。",
        },
    )

    draft = doc(SECRETS["draft"])
    in_review = doc(SECRETS["in_review"])
    document_submit(document=in_review, actor=drafter_a)
    returned = doc(SECRETS["returned"])
    document_submit(document=returned, actor=drafter_a)
    document_return(document=returned, actor=reviewer_a, reason="请修改")
    scheduled = publish(
        doc(SECRETS["scheduled"]), drafter_a, reviewer_a, publish_at=timezone.now() + dt.timedelta(days=30)
    )
    on_request = publish(
        doc(
            "依申请公开的事项",
            attribute="on_request",
            ground=Ground.PROCESS,
            reason="过程稿",
            body=SECRETS["on_request_body"],
        ),
        drafter_a,
        reviewer_a,
    )
    withheld = publish(
        doc(SECRETS["withheld"], attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部事务"),
        drafter_a,
        reviewer_a,
    )
    withdrawn = publish(doc(SECRETS["withdrawn"]), drafter_a, reviewer_a)
    with run(execute=True):
        # A public policy whose successor was withdrawn afterwards: the successor must not show.
        document_validity_set(document=policy, actor=office, validity="amended", successor=withdrawn)
        document_withdraw(document=withdrawn, actor=office, reason="有误")

    # An organisation switched off: its published document, catalogue and emergency are gone from the public.
    inactive_doc = publish(
        make_document(org_b, drafter_b, nodes=[node_b], title=SECRETS["inactive"], body=PUBLIC_WORD),
        drafter_b,
        reviewer_b,
    )
    inactive_emergency = emergency_register(
        organisation=org_b,
        actor=drafter_b,
        title=SECRETS["inactive"] + "事件",
        level="2",
        category="natural",
        started_at=at("2026-11-20 06:00"),
    )
    update_publish(
        update=update_draft(emergency=inactive_emergency, actor=drafter_b, kind="info", title="通报", body="内容"),
        actor=reviewer_b,
        confidentiality_checked=True,
    )

    # Reposts: one published, one whose document is still a draft.
    repost = repost_register(
        organisation=org_a,
        actor=drafter_a,
        level="state",
        kind="policy",
        source_organisation="国务院办公厅",
        source_url="https://www.gov.cn/zhengce/1.htm",
        title="国务院办公厅关于优化政务服务的意见",
        source_published_at=timezone.now() - dt.timedelta(hours=2),
    )
    reposted = repost_draft(repost=repost, actor=drafter_a)
    document_submit(document=reposted, actor=drafter_a)
    with run(execute=True):
        document_approve(document=reposted, actor=reviewer_a, confidentiality_checked=True)
    hidden_repost = repost_register(
        organisation=org_a,
        actor=drafter_a,
        level="province",
        kind="policy",
        source_organisation="省政府办公厅",
        source_url="https://www.example.gov.cn/2.htm",
        title=SECRETS["repost"],
        source_published_at=timezone.now() - dt.timedelta(hours=1),
    )
    hidden_repost_doc = repost_draft(repost=hidden_repost, actor=drafter_a)

    emergency = emergency_register(
        organisation=org_a,
        actor=drafter_a,
        title="示范县城区内涝",
        level="2",
        category="natural",
        started_at=at("2026-11-20 08:00"),
        location="城关镇",
    )
    update_publish(
        update=update_draft(
            emergency=emergency, actor=drafter_a, kind="info", title="城区内涝情况通报", body="已开展排涝。"
        ),
        actor=reviewer_a,
        confidentiality_checked=True,
    )
    update_draft(
        emergency=emergency, actor=drafter_a, kind="progress", title=SECRETS["emergency_update"], body="未审核的数字"
    )

    report = report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    report = report_update(
        report=report,
        actor=office,
        changes={
            "overview": "本局坚持以公开为常态。",
            "problems": "部分栏目更新不及时。",
            "admin_fees_wan": Decimal("0"),
        },
    )
    with run(execute=True):
        report = report_publish(report=report, actor=office)
    draft_report = report_create(organisation=org_a, year=2024, actor=office, today=dt.date(2026, 1, 5))
    report_update(report=draft_report, actor=office, changes={"overview": SECRETS["report"]})

    with run(execute=True):
        issue = directory_compile(  # the 5th of next month: this month is then complete
            today=(timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=5), period="month"
        )

    Organisation.objects.filter(pk=org_b.pk).update(is_active=False)
    policy.refresh_from_db()
    return SimpleNamespace(**{name: value for name, value in locals().items() if name not in ("run", "doc")})


@pytest.fixture
def world(shared, db) -> SimpleNamespace:
    return shared


# The personas the per-test fixtures (``imported``) build on are the module's.
@pytest.fixture
def org_a(world):
    return world.org_a


@pytest.fixture
def drafter_a(world):
    return world.drafter_a


@pytest.fixture
def node_a(world):
    return world.node_a


@pytest.fixture
def topic(world):
    return world.topic


def api_urls(w: SimpleNamespace) -> list[str]:
    """Every endpoint, with the public records' addresses and the non-public ones'."""
    v1 = "api:v1:"
    urls = [
        reverse(v1 + name)
        for name in (
            "document-list",
            "organisation-list",
            "interpretation-list",
            "directory-issue-list",
            "directory-pending",
            "annual-report-list",
            "emergency-list",
            "repost-list",
        )
    ]
    urls += [reverse(v1 + "document-search") + f"?q={q}" for q in ("整治", "通知", "秘", "依申请", "措施")]
    urls += [reverse(v1 + "document-search") + "?org=" + w.org_b.code, reverse(v1 + "document-search")]
    documents = [
        w.policy,
        w.reposted,
        w.draft,
        w.in_review,
        w.returned,
        w.scheduled,
        w.on_request,
        w.withheld,
        w.withdrawn,
        w.inactive_doc,
        w.hidden_repost_doc,
    ]
    urls += [reverse(v1 + "document-detail", args=d.index_path) for d in documents]
    for organisation in (w.org_a, w.org_b):
        urls += [
            reverse(v1 + "organisation-detail", args=[organisation.code]),
            reverse(v1 + "organisation-catalogue", args=[organisation.code]),
        ]
    for node in (w.node_a, w.node_b):
        urls += [
            reverse(v1 + "catalogue-item-detail", args=[node.pk]),
            reverse(v1 + "catalogue-item-documents", args=[node.pk]),
        ]
    urls += [reverse(v1 + "interpretation-detail", args=[i.pk]) for i in (w.interpretation, w.hidden_interpretation)]
    urls += [reverse(v1 + "directory-issue-detail", args=[w.issue.pk])]
    urls += [reverse(v1 + "annual-report-detail", args=[r.pk]) for r in (w.report, w.draft_report)]
    urls += [reverse(v1 + "emergency-detail", args=[e.pk]) for e in (w.emergency, w.inactive_emergency)]
    return urls


def test_leak_matrix_no_endpoint_shows_anything_non_public(world, citizen):
    seen = 0
    for url in api_urls(world):
        response = citizen.get(url)
        assert response.status_code in (200, 404), url
        text = response.content.decode()
        for state, marker in SECRETS.items():
            assert marker not in text, f"{state} leaked by {url}"
        seen += response.status_code == 200
    assert seen >= 25  # the public records were really there to be listed


@pytest.mark.parametrize(
    "name",
    [
        "draft",
        "in_review",
        "returned",
        "scheduled",
        "on_request",
        "withheld",
        "withdrawn",
        "inactive_doc",
        "hidden_repost_doc",
    ],
)
def test_r5_every_non_public_document_is_the_same_404_as_a_missing_one(world, citizen, name):
    document = getattr(world, name)
    response = get(citizen, "api:v1:document-detail", *document.index_path)
    missing = citizen.get(reverse("api:v1:document-detail", args=["XX", "2026-99999"]))
    assert response.status_code == missing.status_code == 404
    assert body(response) == body(missing) == {"detail": "未找到：该资源不存在或未公开。", "code": "not_found"}


def test_non_public_interpretation_report_emergency_and_organisation_answer_404(world, citizen):
    w = world
    for url in (
        reverse("api:v1:interpretation-detail", args=[w.hidden_interpretation.pk]),
        reverse("api:v1:annual-report-detail", args=[w.draft_report.pk]),
        reverse("api:v1:emergency-detail", args=[w.inactive_emergency.pk]),
        reverse("api:v1:organisation-detail", args=[w.org_b.code]),
        reverse("api:v1:organisation-catalogue", args=[w.org_b.code]),
        reverse("api:v1:catalogue-item-detail", args=[w.node_b.pk]),
        reverse("api:v1:catalogue-item-documents", args=[w.node_b.pk]),
    ):
        assert citizen.get(url).status_code == 404, url


def test_r10_the_directory_lists_only_the_catalogue_facts_of_an_on_request_document(world, citizen):
    issue = body(get(citizen, "api:v1:directory-issue-detail", world.issue.pk))
    rows = [row for row in issue["rows"] if row["index_no"] == world.on_request.index_no]
    assert len(rows) == 1
    assert set(rows[0]) == {
        "index_no",
        "title",
        "document_number",
        "summary",
        "organisation",
        "written_on",
        "decided_on",
    }
    assert rows[0]["title"] == "关于依申请公开的事项的通知"
    listed = body(get(citizen, "api:v1:directory-issue-list"))["results"]
    assert [item["id"] for item in listed] == [world.issue.pk] and listed[0]["row_count"] == len(issue["rows"])


def test_document_detail_has_the_index_table_body_files_validity_and_interpretations(world, citizen):
    w = world
    response = get(citizen, "api:v1:document-detail", *w.policy.index_path)
    data = body(response)
    assert data["index_no"] == w.policy.index_no and data["organisation"] == {
        "code": w.org_a.code,
        "name": w.org_a.name,
    }
    assert data["topic"] == "城市管理" and data["validity"] == "amended" and data["successor"] is None
    assert PUBLIC_WORD in data["body_html"] and data["written_on"] == "2026-11-02"
    [attachment] = data["attachments"]
    assert attachment["name"] == "实施方案.txt"
    assert attachment["download_url"].endswith(
        reverse("disclosure:attachment", args=[*w.policy.index_path, w.policy.attachments.get().pk])
    )
    assert citizen.get(attachment["download_url"]).status_code == 200
    assert [i["title"] for i in data["interpretations"]] == ["一图读懂市容环境整治措施"]
    assert [item["name"] for item in data["catalogue_items"]] == [w.node_a.name]
    assert data["repost"] is None


def test_r18_reposts_list_only_public_documents_with_their_source(world, citizen):
    results = body(get(citizen, "api:v1:repost-list"))["results"]
    assert len(results) == 1
    assert results[0]["document"]["index_no"] == world.reposted.index_no
    assert results[0]["source"]["source_organisation"] == "国务院办公厅"
    assert results[0]["source"]["source_url"] == "https://www.gov.cn/zhengce/1.htm"
    detail = body(get(citizen, "api:v1:document-detail", *world.reposted.index_path))
    assert detail["repost"]["level"] == "state"


def test_r19_emergency_timeline_has_published_updates_only(world, citizen):
    listed = body(get(citizen, "api:v1:emergency-list"))["results"]
    assert [e["id"] for e in listed] == [world.emergency.pk]
    detail = body(get(citizen, "api:v1:emergency-detail", world.emergency.pk))
    assert [u["title"] for u in detail["timeline"]] == ["城区内涝情况通报"]


def test_r30_published_report_gives_every_cell_of_tables_two_to_four(world, citizen):
    from audits.selectors import report_grids

    listed = body(get(citizen, "api:v1:annual-report-list"))["results"]
    assert [r["id"] for r in listed] == [world.report.pk]
    data = body(get(citizen, "api:v1:annual-report-detail", world.report.pk))
    world.report.refresh_from_db()
    grids = report_grids(world.report, world.report.data)
    assert [t["title"] for t in data["tables"]] == [str(title) for title, _g in grids]
    for table, (_title, grid) in zip(data["tables"], grids):
        assert [[cell["text"] for cell in row] for row in table["rows"]] == [[c.text for c in row] for row in grid]
    assert data["statistics"]["table_three"] == world.report.data["table_three"]
    assert data["overview"] == "本局坚持以公开为常态。"


def test_r17_interpretations_list_and_detail(world, citizen):
    listed = body(get(citizen, "api:v1:interpretation-list"))["results"]
    assert [i["id"] for i in listed] == [world.interpretation.pk]
    assert listed[0]["policy"]["index_no"] == world.policy.index_no
    detail = body(get(citizen, "api:v1:interpretation-detail", world.interpretation.pk))
    assert detail["body_html"].startswith("<p>一、出台背景") and detail["questions"] == []
    assert body(get(citizen, "api:v1:interpretation-list", form="media"))["results"] == []
    bad = get(citizen, "api:v1:interpretation-list", form="nonsense")
    assert bad.status_code == 400 and "form" in body(bad)["errors"]


def test_organisation_guide_and_catalogue(world, citizen):
    organisations = body(get(citizen, "api:v1:organisation-list"))["results"]
    assert [o["code"] for o in organisations] == [world.org_a.code]  # org_b is inactive
    guide = body(get(citizen, "api:v1:organisation-detail", world.org_a.code))
    assert {"office_name", "address", "phone", "email", "guide_sections"} <= set(guide)
    catalogue = body(get(citizen, "api:v1:organisation-catalogue", world.org_a.code))
    [section] = catalogue["sections"]
    assert section["items"][0]["id"] == world.node_a.pk
    public_count = section["items"][0]["document_count"]
    item = body(get(citizen, "api:v1:catalogue-item-detail", world.node_a.pk))
    assert item["document_count"] == public_count == 1  # the policy (the repost has no item)
    documents = body(get(citizen, "api:v1:catalogue-item-documents", world.node_a.pk))["results"]
    assert {d["index_no"] for d in documents} == {world.policy.index_no}  # the repost has no catalogue item here


def test_r39_search_gives_the_results_and_facets_of_the_search_page(world, citizen):
    from disclosure.search.query import search_documents

    for params in ({"q": "整治"}, {"q": "整治", "validity": "amended"}, {"q": "通知", "sort": "date"}, {}):
        api = body(citizen.get(reverse("api:v1:document-search"), params))
        page = search_documents(query=params.get("q", ""), params=params, page_number=1, sort=params.get("sort", ""))
        assert [hit["document"]["index_no"] for hit in api["results"]] == [h.document.index_no for h in page.hits]
        assert api["total"] == page.total
        assert [[o["value"], o["count"]] for f in api["facets"] for o in f["options"]] == [
            [o[0], o[2]] for f in page.facets for o in f.options
        ]
    found = body(citizen.get(reverse("api:v1:document-search"), {"q": "整治"}))
    assert [hit["document"]["index_no"] for hit in found["results"]] == [world.policy.index_no]
    assert "<mark>" in found["results"][0]["title_html"]


@pytest.mark.parametrize(
    "name",
    [
        "api:v1:document-list",
        "api:v1:repost-list",
        "api:v1:interpretation-list",
        "api:v1:emergency-list",
        "api:v1:annual-report-list",
    ],
)
def test_lists_cost_the_same_queries_whatever_their_length(world, imported, citizen, name):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert citizen.get(reverse(name)).status_code == 200
        return len(captured)

    before = queries()
    for n in range(4):
        imported(f"第{n}号公告", at=f"2026-09-0{n + 1} 09:00")
    assert queries() == before  # no query per row


def test_document_detail_has_a_pinned_query_count(world, citizen, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert get(citizen, "api:v1:document-detail", *world.policy.index_path).status_code == 200
