"""The JSON API (issue 17 §1): its caching (ETag, 304 without a query), its errors, its rate limit, its schema and its
cursor pages. What it answers for each kind of record, and the leak matrix, are in tests/test_api_leaks.py."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("fresh_cache")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def api_limits(settings) -> None:
    settings.GOVOPEN_API_RATE_LIMIT = 10_000  # the tests that check the limit lower it


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def get(client: Client, name: str, *args: Any, **params: Any):
    return client.get(reverse(name, args=args), params)


def body(response) -> Any:
    return json.loads(response.content.decode())


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "整治", "year": "二〇二六"}, "year"),
        ({"topic": "x"}, "topic"),
        ({"section": "nope"}, "section"),
        ({"from": "2026-13-45"}, "from"),
        ({"field": "body"}, "field"),
        ({"sort": "relevance"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "501"}, "page"),
        ({"page": "abc"}, "page"),
    ],
)
def test_bad_search_parameters_are_a_400_naming_the_parameter_in_chinese(db, citizen, params, field):
    response = citizen.get(reverse("api:v1:document-search"), params)
    assert response.status_code == 400
    data = body(response)
    assert data["code"] == "invalid" and data["detail"] == "请求参数有误。" and list(data["errors"]) == [field]


def test_cursor_pages_are_stable_and_a_bad_cursor_is_a_400(imported, citizen):
    for n in range(5):
        imported(f"第{n}号通知", at=f"2026-10-0{n + 1} 09:00")
    first = body(get(citizen, "api:v1:document-list", page_size=2))
    assert [d["title"] for d in first["results"]] == ["第4号通知", "第3号通知"]
    imported("后来的通知", at="2026-10-09 09:00")  # a publication between two requests
    second = body(citizen.get(first["next"]))
    assert [d["title"] for d in second["results"]] == ["第2号通知", "第1号通知"]
    bad = get(citizen, "api:v1:document-list", cursor="garbage")
    assert bad.status_code == 400 and list(body(bad)["errors"]) == ["cursor"]
    too_big = get(citizen, "api:v1:document-list", page_size=1000)
    assert too_big.status_code == 400 and list(body(too_big)["errors"]) == ["page_size"]


@pytest.mark.parametrize("position", ["abc", "2024-13-99"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/documents/",
        "/api/v1/organisations/",
        "/api/v1/interpretations/",
        "/api/v1/emergencies/",
        "/api/v1/annual-reports/",
        "/api/v1/on-request-directory/",
        "/api/v1/reposts/",
        "/api/v1/integrity/",
    ],
)
def test_a_well_formed_cursor_with_a_position_of_the_wrong_type_is_a_400_not_a_500(db, citizen, path, position):
    import base64
    from urllib.parse import urlencode as encode

    cursor = base64.b64encode(encode({"p": position}).encode()).decode()
    response = citizen.get(path, {"cursor": cursor})
    assert response.status_code == 400, response.content[:200]
    assert list(body(response)["errors"]) == ["cursor"]


def test_etag_and_cache_control_on_every_answer_and_a_304_without_any_query(imported, citizen):
    document = imported("关于市容环境整治的通知", at="2026-10-01 09:00")
    url = reverse("api:v1:document-detail", args=document.index_path)
    response = citizen.get(url)
    assert response["Cache-Control"] == "public, max-age=60" and response["ETag"].startswith('W/"')
    with CaptureQueriesContext(connection) as queries:
        again = citizen.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and len(queries) == 0
    assert again["ETag"] == response["ETag"] and again["Cache-Control"] == "public, max-age=60"
    missing = citizen.get(reverse("api:v1:document-detail", args=["XX", "2026-00001"]))
    assert missing.status_code == 404 and missing["Cache-Control"] == "public, max-age=60" and missing["ETag"]
    bad = citizen.get(reverse("api:v1:document-list"), {"cursor": "x"})
    assert bad.status_code == 400 and bad["ETag"]


def test_a_publication_changes_the_etag(imported, citizen, django_capture_on_commit_callbacks):
    imported("关于市容环境整治的通知", at="2026-10-01 09:00")
    url = reverse("api:v1:document-list")
    before = citizen.get(url)
    imported("关于道路施工的通告", at="2026-10-02 09:00")  # bumps the publication version after its commit
    after = citizen.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert "关于道路施工的通告" in after.content.decode()


def test_unknown_address_method_and_server_errors_are_json_in_chinese(db, citizen):
    unknown = citizen.get("/api/v1/no-such-thing/")
    assert unknown.status_code == 404 and body(unknown)["code"] == "not_found"
    assert unknown["Content-Type"] == "application/json"
    post = citizen.post(reverse("api:v1:document-list"))
    assert post.status_code == 405 and body(post)["detail"] == "本接口只读，不接受 POST 请求。"
    assert post["Cache-Control"] == "no-store"
    control = citizen.get(reverse("api:v1:document-search"), {"q": "a\x00b"})
    assert control.status_code == 400 and body(control)["code"] == "bad_request"
    strange_host = citizen.get(reverse("api:v1:document-list"), HTTP_HOST="evil.example")
    assert strange_host.status_code == 400 and body(strange_host)["code"] == "bad_request"


def test_rate_limit_answers_429_with_retry_after_and_a_chinese_message(db, settings):
    settings.GOVOPEN_API_RATE_LIMIT = 3
    settings.GOVOPEN_API_RATE_WINDOW_SECONDS = 60
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.get(reverse("api:v1:document-list")).status_code for _ in range(3)]
    refused = client.get(reverse("api:v1:document-list"))
    assert statuses == [200, 200, 200] and refused.status_code == 429
    assert refused["Retry-After"] == "60" and refused["Cache-Control"] == "no-store"
    assert body(refused) == {"detail": "请求过于频繁，请在 60 秒后再试。", "code": "throttled", "retry_after": 60}
    assert Client(REMOTE_ADDR="203.0.113.10").get(reverse("api:v1:document-list")).status_code == 200


def test_the_drf_throttle_counts_views_reached_without_the_middleware(db, settings, rf):
    """Other apps' DRF views get the limit from REST_FRAMEWORK even outside /api/ (the middleware counts only there)."""
    from api.views import DocumentList

    settings.GOVOPEN_API_RATE_LIMIT = 1
    view = DocumentList.as_view()
    assert view(rf.get("/elsewhere/", REMOTE_ADDR="203.0.113.30")).status_code == 200
    refused = view(rf.get("/elsewhere/", REMOTE_ADDR="203.0.113.30"))
    refused.render()
    assert refused.status_code == 429 and refused["Retry-After"] == "60" and body(refused)["code"] == "throttled"


def test_schema_documents_every_endpoint_with_chinese_parameters(db, citizen):
    import yaml

    schema = yaml.safe_load(citizen.get(reverse("api:schema")).content)
    paths = set(schema["paths"])
    assert {
        "/api/v1/documents/",
        "/api/v1/documents/search/",
        "/api/v1/reposts/",
        "/api/v1/annual-reports/{id}/",
        "/api/v1/emergencies/{id}/",
    } <= paths
    search = schema["paths"]["/api/v1/documents/search/"]["get"]
    q = next(p for p in search["parameters"] if p["name"] == "q")
    assert "检索词" in q["description"]
    assert {"200", "400", "404", "429"} <= set(search["responses"])


def test_docs_page_loads_its_script_from_a_file_under_the_sites_policy(db, citizen):
    page = citizen.get(reverse("api:docs"))
    html = page.content.decode()
    assert page.status_code == 200 and "<style>" not in html and "<script>" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = citizen.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_with_the_page_cache_on_an_answer_from_it_still_carries_the_apis_headers_and_counts(
    imported,
    settings,
    django_assert_num_queries,
):
    settings.GOVOPEN_PAGE_CACHE_SECONDS = 300
    settings.GOVOPEN_API_MAX_AGE = 30
    settings.GOVOPEN_API_RATE_LIMIT = 2
    imported("关于市容环境整治的通知", at="2026-10-01 09:00")
    client = Client(REMOTE_ADDR="203.0.113.50")
    url = reverse("api:v1:document-list")
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)  # from the page cache
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert second["Cache-Control"] == "public, max-age=30" and not second.has_header("Last-Modified")
    assert client.get(url).status_code == 429  # the cached answers were counted too


def test_the_schema_of_every_app_generates_without_a_warning(db, tmp_path):
    """Every DRF view of the site (api, opendata, performance, integrity) in one schema: two serializers of the same
    name in different apps would make drf-spectacular merge their components silently, and `check --deploy` fail."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    for path in ("/api/v1/statistics/", "/api/v1/open-data/", "/api/v1/integrity/", "/api/v1/documents/search/"):
        assert f"  {path}:" in schema
