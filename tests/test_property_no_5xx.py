"""Property: no request from the public, however hostile, is answered with a 5xx.

Hypothesis draws values for every GET parameter of every public view, every path segment (string and integer
converters, and the ``re_path`` patterns), raw query strings and every public form, on a small published data set
(an organisation with a catalogue item, a published document, a published policy with its interpretation, and an
application whose status pages a session has opened), built once for the class. Hypothesis' Django ``TestCase`` rolls
each example back, so one example never sees another's writes. The test client re-raises a view's exception, so a
crash fails with its traceback, not only with its status code.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings as settings_
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from catalog.services import calendar_load_package
from tests.conftest import SYSTEM, applicant_values
from tests.test_hostile_input import build_site

# No example database: the suite runs from a clean checkout after every session and leaves no files behind.
PROPERTY = settings(max_examples=40, deadline=None, database=None)

# Values a fuzzer or an attacker tries first, beside the random ones.
SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b",
    "\t",
    "\r\n",
    "²",
    "٢٠٢٦",
    "２０２６",
    "0",
    "-1",
    "1e9",
    "1.5",
    "10000",
    "99999999999999999999",
    "9" * 400,
    "../../../etc/passwd",
    "..%2F..%2F",
    "%00",
    "%",
    "'; DROP TABLE x; --",
    "<script>alert(1)</script>",
    "a:*",
    "x & !y | (z",
    "\\",
    "'",
    '"',
    "\ufffd",
    "\ufeff",
    "𠀀",
    "x" * 5000,
    "A001",
    "2026",
    "1",
    "text",
    "result",
    "valid",
]
# Text the test client can encode (it refuses lone surrogates; those arrive percent-encoded below).
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
VALUE = st.one_of(st.sampled_from(SPECIAL), TEXT, st.integers(-(10**25), 10**25).map(str))
# Raw bytes percent-encoded: invalid UTF-8, encoded surrogates (%ED%A0%80), NUL, separators.
ENCODED = st.binary(max_size=40).map(lambda raw: quote(raw, safe=""))
SEGMENT = st.one_of(VALUE.map(lambda text: quote(text, safe="")), ENCODED, st.sampled_from(["%ED%A0%80", "..", "."]))
INT_SEGMENT = st.one_of(st.integers(0, 10**30).map(str), SEGMENT)

# Pieces of a raw query string: encoded bytes, encoded text, and the separators themselves.
QUERY_PIECE = st.one_of(ENCODED, VALUE.map(lambda text: quote(text, safe="=&;+")), st.sampled_from(["&", "=", ";"]))

# Every public view that reads GET parameters, with the names it reads.
GET_PARAMETERS: dict[str, tuple[str, ...]] = {
    "/search/": ("q", "org", "topic", "section", "year", "validity", "page"),
    "/interpretations/": ("form", "org", "page"),
    "/catalog/{node}/": ("page",),
    "/emergencies/": ("page",),
    "/apply/": ("org",),
    "/jiucuo/": ("page",),
    "/jiucuo/answers/": ("page",),
    "/jiucuo/status/": ("code",),
}
PARAMETER_NAMES = sorted({name for names in GET_PARAMETERS.values() for name in names})
# A parameter absent, once, or repeated (a view reads the last one).
PARAMETER = st.one_of(st.none(), VALUE, st.lists(VALUE, min_size=2, max_size=3))
# Public pages without parameters of their own: they must ignore any they are sent.
PLAIN_PAGES = [
    "/",
    "/xxgk/",
    "/xxgk/rules/",
    "/xxgk/statutory/",
    "/xxgk/ysqgk/",
    "/xxgk/reports/",
    "/xxgk/{org}/guide/",
    "/xxgk/{org}/catalogue/",
    "/organisations/{org}/",
    "/documents/{document}/",
    "/interpretations/{interpretation}/",
    "/apply/status/",
    "/apply/done/",
    "/apply/status/{case}/",
    "/jiucuo/done/",
]
# Every path converter and pattern, with {s} a string segment and {i} an integer segment.
PATHS = [
    "/xxgk/{s}/guide/",
    "/xxgk/{s}/catalogue/",
    "/organisations/{s}/",
    "/catalog/{i}/",
    "/xxgk/ysqgk/{i}/",
    "/documents/{s}/{s}/",
    "/documents/{org}/{s}/",
    "/documents/{document}/files/{i}/",
    "/interpretations/{i}/",
    "/interpretations/{i}/media/{i}/",
    "/interpretations/{interpretation}/media/{i}/",
    "/emergencies/{i}/",
    "/xxgk/reports/{i}/",
    "/xxgk/reports/{i}/report.xlsx",
    "/apply/status/{s}/",
    "/apply/status/{s}/files/{i}/",
    "/apply/status/{case}/files/{i}/",
    "/{s}",
    "/{s}/{s}/",
    "/xxgk/{s}",
    "/static/{s}",
]


def fill(template: str, names: dict[str, str], draw: Callable) -> str:
    """``template`` with its named parts filled from ``names`` and each {s} / {i} drawn, left to right."""
    path = template.format_map({**names, "s": "{s}", "i": "{i}"})
    while "{s}" in path or "{i}" in path:
        if path.find("{s}") >= 0 and (path.find("{i}") < 0 or path.find("{s}") < path.find("{i}")):
            path = path.replace("{s}", draw(SEGMENT) or "x", 1)
        else:
            path = path.replace("{i}", draw(INT_SEGMENT) or "1", 1)
    return path


APPLY_FIELDS = [
    "organisation",
    "applicant_type",
    "applicant_name",
    "id_type",
    "id_number",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "document_title",
    "document_number",
    "document_index_no",
    "information_form",
    "delivery",
    "fee_waiver_requested",
    "fee_waiver_reason",
    "pledge",
]


ERROR_REPORT_FIELDS = ["page_url", "kind", "description", "contact_name", "contact_phone", "contact_email"]
ERROR_REPORT = {"page_url": "/xxgk/", "kind": "typo", "description": "第二段有错别字。", "contact_phone": "13812345678"}


def application_values(organisation_pk: int) -> dict[str, str]:
    values = {**applicant_values(), "organisation": str(organisation_pk), "pledge": "on"}
    values.pop("fee_waiver_requested")
    return values


class PublicSiteNeverAnswers5xx(TestCase):
    names: dict[str, str]
    session_key: str

    @classmethod
    def setUpClass(cls) -> None:
        cache.clear()  # rate-limit counters live in Redis, outside the rolled-back transaction
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cache.clear()

    @classmethod
    def setUpTestData(cls) -> None:
        site = build_site()
        calendar_load_package(actor=SYSTEM)
        client = Client()
        response = client.post(reverse("requests:apply"), application_values(site["org"].pk))
        assert response.status_code == 302, "the data set needs one application filed through the form"
        cls.session_key = client.session.session_key
        cls.names = {
            "org": site["org"].code,
            "org_pk": str(site["org"].pk),
            "node": str(site["node"].pk),
            "case": client.session["just_filed"]["code"],
            "document": "/".join(site["document"].index_path),
            "interpretation": str(site["interpretation"].pk),
        }

    def tracked_client(self) -> Client:
        """A browser that presented the application's code and secret: its status pages and forms open."""
        client = Client()
        client.cookies[settings_.SESSION_COOKIE_NAME] = self.session_key
        return client

    @PROPERTY
    @given(values=st.fixed_dictionaries(dict.fromkeys(PARAMETER_NAMES, PARAMETER)))
    @example(values=dict.fromkeys(PARAMETER_NAMES, "a\x00b"))
    @example(values=dict.fromkeys(PARAMETER_NAMES, "99999999999999999999"))
    @example(values=dict.fromkeys(PARAMETER_NAMES, "²"))
    @example(values=dict.fromkeys(PARAMETER_NAMES, "10000"))
    def test_it_never_answers_5xx_to_any_value_of_any_get_parameter(self, values: dict[str, object]) -> None:
        for template, names in GET_PARAMETERS.items():
            params = {name: values[name] for name in names if values[name] is not None}
            url = template.format_map(self.names)
            assert self.client.get(url, params).status_code < 500, (url, params)

    @PROPERTY
    @given(template=st.sampled_from(sorted(GET_PARAMETERS) + PLAIN_PAGES), pieces=st.lists(QUERY_PIECE, max_size=8))
    @example(template="/search/", pieces=["year=10000&topic=%C2%B2&org=", "%00"])
    def test_it_never_answers_5xx_to_a_raw_query_string_on_any_page(self, template: str, pieces: list[str]) -> None:
        url = template.format_map(self.names) + "?" + "".join(pieces)
        assert self.tracked_client().get(url).status_code < 500

    @PROPERTY
    @given(data=st.data())
    def test_it_never_answers_5xx_to_any_path_segment(self, data: st.DataObject) -> None:
        path = fill(data.draw(st.sampled_from(PATHS)), self.names, data.draw)
        assert self.tracked_client().get(path).status_code < 500

    def test_it_never_answers_5xx_to_the_path_segments_a_fuzzer_tries_first(self) -> None:
        segments = ["a%00b", "%ED%A0%80", "99999999999999999999", "%C2%B2", "x" * 3000]
        for template in PATHS:
            for segment in segments:
                path = template.format_map({**self.names, "s": segment, "i": segment})
                assert self.tracked_client().get(path).status_code < 500, path

    @PROPERTY
    @given(
        changes=st.dictionaries(st.sampled_from(APPLY_FIELDS), VALUE, min_size=1, max_size=6),
        csrf=st.booleans(),
        address=st.ip_addresses(v=4).map(str),
    )
    @example(changes={"description": "请提供\x00方案", "organisation": "1\x00"}, csrf=False, address="10.0.0.2")
    @example(changes={"organisation": "99999999999999999999", "id_type": "²"}, csrf=False, address="10.0.0.3")
    def test_it_never_answers_5xx_to_the_application_form(
        self, changes: dict[str, str], csrf: bool, address: str
    ) -> None:
        values = {**application_values(int(self.names["org_pk"])), **changes}
        client = Client(enforce_csrf_checks=csrf)
        assert client.post(reverse("requests:apply"), values, REMOTE_ADDR=address).status_code < 500

    @PROPERTY
    @given(
        changes=st.dictionaries(st.sampled_from(ERROR_REPORT_FIELDS), VALUE, min_size=1, max_size=4),
        csrf=st.booleans(),
        address=st.ip_addresses(v=4).map(str),
        referer=st.one_of(st.none(), VALUE),
    )
    @example(changes={"page_url": "http://[::1", "kind": "²"}, csrf=False, address="10.0.0.4", referer=None)
    @example(
        changes={"page_url": "/\\evil.example", "description": "a\x00b"},
        csrf=False,
        address="10.0.0.5",
        referer="http://testserver/%ED%A0%80",
    )
    def test_it_never_answers_5xx_to_the_error_report_form(
        self, changes: dict[str, str], csrf: bool, address: str, referer: str | None
    ) -> None:
        client = Client(enforce_csrf_checks=csrf)
        extra = {"HTTP_REFERER": referer} if referer is not None else {}
        values = {**ERROR_REPORT, **changes}
        assert client.post(reverse("errorreports:report"), values, REMOTE_ADDR=address, **extra).status_code < 500
        assert client.get(reverse("errorreports:report"), REMOTE_ADDR=address, **extra).status_code < 500

    @PROPERTY
    @given(code=VALUE, csrf=st.booleans(), address=st.ip_addresses(v=4).map(str))
    @example(code="JC\x00", csrf=False, address="10.0.0.6")
    def test_it_never_answers_5xx_to_the_error_report_lookup(self, code: str, csrf: bool, address: str) -> None:
        client = Client(enforce_csrf_checks=csrf)
        assert client.post(reverse("errorreports:status"), {"code": code}, REMOTE_ADDR=address).status_code < 500

    @PROPERTY
    @given(code=VALUE, secret=VALUE, csrf=st.booleans(), address=st.ip_addresses(v=4).map(str))
    @example(code="AB\x00CD", secret="x\x00y", csrf=False, address="10.0.0.1")
    def test_it_never_answers_5xx_to_the_status_lookup(self, code: str, secret: str, csrf: bool, address: str) -> None:
        client = Client(enforce_csrf_checks=csrf)
        response = client.post(reverse("requests:status"), {"code": code, "secret": secret}, REMOTE_ADDR=address)
        assert response.status_code < 500

    @PROPERTY
    @given(
        action=st.sampled_from(["correction", "withdraw", "leave"]),
        values=st.dictionaries(
            st.sampled_from(["answer", "confirm", "csrfmiddlewaretoken", "files"]), VALUE, max_size=3
        ),
        code=st.one_of(st.none(), SEGMENT),
    )
    @example(action="correction", values={"answer": "a\x00b"}, code="a%00b")
    @example(action="withdraw", values={"confirm": "yes\x00"}, code=None)
    def test_it_never_answers_5xx_to_the_forms_of_the_status_page(
        self, action: str, values: dict[str, str], code: str | None
    ) -> None:
        path = "/apply/status/leave/" if action == "leave" else f"/apply/status/{code or self.names['case']}/{action}/"
        assert self.tracked_client().post(path, values).status_code < 500
