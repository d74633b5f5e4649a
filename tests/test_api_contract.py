"""The API against its own OpenAPI schema, live: schemathesis (its CLI, as a client would run it) generates requests
for every operation from ``/api/schema/`` and sends them to gunicorn serving the demo data; no answer may be a 5xx,
and every answer must be documented and match its schema. The browsable docs render in Chromium under the site's
Content-Security-Policy, and the rate limit keeps working with Redis really stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import demo_load, unmeasured_environment
from tests.servers import child_database_url, gunicorn

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


@pytest.fixture(scope="module")
def shared_demo_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """gunicorn serving the demo (documents, interpretations, reports, emergencies, the directory), without the
    rate limit, which a fuzzer would reach at once. One demo for the module's two readers of it, flushed after."""
    with django_db_blocker.unblock():
        demo_load()
        environment = {"DATABASE_URL": child_database_url(), "GOVOPEN_API_RATE_LIMIT": "0", "STATIC_MANIFEST": "1"}
    try:
        with gunicorn(environment) as base:
            yield base
    finally:
        with django_db_blocker.unblock():
            call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def demo_server(db, shared_demo_server) -> str:
    return shared_demo_server


def test_schemathesis_finds_no_5xx_and_every_answer_matches_the_schema(demo_server, tmp_path, artifacts_dir):
    junit = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{demo_server}/api/schema/",
            "--checks",
            CHECKS,
            "--max-examples",
            "12",
            "--workers",
            "1",
            "--seed",
            "17",
            "--phases",
            "examples,coverage,fuzzing",
            "--request-timeout",
            "30",
            "--no-shrink",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
            "--warnings",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,  # its cache directory goes there, not in the checkout
        env=unmeasured_environment(),
    )
    Path(artifacts_dir, "schemathesis.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    schema = yaml.safe_load(Client().get(reverse("api:schema")).content)
    operations = {f"GET {path}" for path, methods in schema["paths"].items() for method in methods if method == "get"}
    tested = {case.get("name") for case in ET.parse(junit).getroot().iter("testcase")}
    assert len(operations) >= 18 and operations <= tested, operations - tested  # every endpoint covered


def _links(value: object) -> list[str]:
    """Every link to another answer of the API (``api_url``, ``next``, ...) inside an answer."""
    if isinstance(value, dict):
        found = [
            v
            for k, v in value.items()
            if k in ("api_url", "next", "catalogue_url", "documents_url") and isinstance(v, str)
        ]
        return found + [link for v in value.values() for link in _links(v)]
    if isinstance(value, list):
        return [link for v in value for link in _links(v)]
    return []


def test_every_record_of_the_demo_reached_by_its_links_matches_the_schema(demo_server):
    """The fuzzer mostly hits missing ids; this walks the demo's real records from the lists, following each
    ``api_url`` (and one ``next``), and validates each answer against its operation in the schema."""
    import requests
    import schemathesis

    schema = schemathesis.openapi.from_url(f"{demo_server}/api/schema/")
    lists = [path for path, methods in schema.raw_schema["paths"].items() if "{" not in path and "get" in methods]
    queue = [demo_server + path for path in lists] + [demo_server + "/api/v1/documents/search/?q=公开"]
    seen: set[str] = set()
    operations: set[str] = set()
    while queue and len(seen) < 250:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = requests.get(url, timeout=30)
        assert response.status_code == 200, url
        operation = schema.find_operation_by_path("GET", response.request.path_url.split("?")[0])
        operation.validate_response(response)  # raises with the mismatch
        operations.add(operation.label)
        queue += [link for link in _links(response.json()) if link not in seen]
    for label in (
        "GET /api/v1/documents/{code}/{number}/",
        "GET /api/v1/organisations/{code}/",
        "GET /api/v1/catalogue-items/{id}/",
        "GET /api/v1/interpretations/{id}/",
        "GET /api/v1/annual-reports/{id}/",
        "GET /api/v1/emergencies/{id}/",
        "GET /api/v1/organisations/{code}/catalogue/",
    ):
        assert label in operations, label


@pytest.mark.browser
def test_the_browsable_docs_render_in_chromium_without_breaking_the_policy(browser, live_server, db, artifacts_dir):
    page = browser.new_page(locale="zh-CN")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    response = page.goto(live_server.url + reverse("api:docs"))
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "政务公开 开放接口" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-tag", timeout=30_000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("文件" in tag for tag in tags) and any("年度报告" in tag for tag in tags)
    page.locator(".opblock-tag").first.click()  # a section opens: the script really runs
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    page.screenshot(path=os.path.join(artifacts_dir, "api-docs.png"))
    assert [text for text in console if "Content Security Policy" in text] == []
    # The rest of the site keeps its policy: no source was added for the docs.
    assert response.headers["content-security-policy"] == Client().get("/")["Content-Security-Policy"]


@pytest.mark.worker
def test_the_rate_limit_keeps_counting_with_redis_really_stopped(db, settings):
    """Redis is a cache, never a dependency: with it stopped, the API answers, counts in process and still says 429."""
    from api import middleware as api_middleware
    from core import ratelimit
    from tests.test_redis_faults import PrivateRedis

    with tempfile.TemporaryDirectory() as directory:
        server = PrivateRedis(directory)
        server.start()
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        settings.GOVOPEN_API_RATE_LIMIT = 3
        settings.GOVOPEN_API_RATE_WINDOW_SECONDS = 600
        client = Client(REMOTE_ADDR="198.51.100.77")
        assert client.get(reverse("api:v1:document-list")).status_code == 200  # counted in Redis
        server.stop()
        try:
            # The count held by the stopped Redis is lost with it: the process counts afresh (core/ratelimit.py).
            answers = [client.get(reverse("api:v1:document-list")) for _ in range(4)]
        finally:
            ratelimit._fallback._counts.clear()
            api_middleware._down_until[0] = 0.0
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["Cache-Control"] == "public, max-age=60" and answers[0]["ETag"]  # the body's hash
    assert answers[3]["Retry-After"] == "600" and answers[3].json()["code"] == "throttled"
