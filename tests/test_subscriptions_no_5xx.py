"""Property: the feeds, the sitemap and the subscription pages never answer a 5xx, whatever the parameters, path
segments or form values (the data set and strategies of tests/test_property_no_5xx.py)."""

from __future__ import annotations

from urllib.parse import quote

from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.test_hostile_input import build_site
from tests.test_property_no_5xx import PROPERTY, SEGMENT, VALUE

SUBSCRIBE_FIELDS = ["kind", "org", "node", "topic", "q", "section", "year", "validity", "field", "email", "homepage"]
KINDS = st.sampled_from(["organisation", "node", "topic", "search", "interpretations", "x", ""])
PATHS = [
    "/feeds/organisations/{s}/",
    "/feeds/catalog/{s}/",
    "/feeds/topics/{s}/",
    "/subscriptions/confirm/{s}/",
    "/subscriptions/unsubscribe/{s}/",
    "/sitemap-{s}.xml",
    "/sitemap-documents.xml?p={s}",
]


class FeedsAndSubscriptionsNeverAnswer5xx(TestCase):
    names: dict[str, str]

    @classmethod
    def setUpClass(cls) -> None:
        cache.clear()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        cache.clear()

    @classmethod
    def setUpTestData(cls) -> None:
        site = build_site()
        cls.names = {"org": site["org"].code, "node": str(site["node"].pk)}

    @PROPERTY
    @given(
        values=st.dictionaries(st.sampled_from(SUBSCRIBE_FIELDS), VALUE, max_size=6),
        kind=KINDS,
        csrf=st.booleans(),
        address=st.ip_addresses(v=4).map(str),
    )
    @example(
        values={"q": "a\x00b", "email": "a\x00@example.com", "org": "A\x00"},
        kind="search",
        csrf=False,
        address="10.0.1.1",
    )
    @example(
        values={"node": "99999999999999999999", "email": "x@example.com"}, kind="node", csrf=False, address="10.0.1.2"
    )
    def test_the_subscribe_form_never_answers_5xx(self, values: dict, kind: str, csrf: bool, address: str) -> None:
        client = Client(enforce_csrf_checks=csrf)
        params = {"kind": kind, "org": self.names["org"], "node": self.names["node"], **values}
        assert client.get(reverse("subscriptions:subscribe"), params, REMOTE_ADDR=address).status_code < 500
        assert client.post(reverse("subscriptions:subscribe"), params, REMOTE_ADDR=address).status_code < 500

    @PROPERTY
    @given(template=st.sampled_from(PATHS), segment=SEGMENT, post=st.booleans())
    @example(template="/subscriptions/confirm/{s}/", segment=quote("eyJzIjoxLCJuIjoieCJ9:1abc:xyz"), post=True)
    @example(template="/subscriptions/unsubscribe/{s}/", segment="%ED%A0%80", post=True)
    def test_feed_sitemap_and_link_paths_never_answer_5xx(self, template: str, segment: str, post: bool) -> None:
        path = template.replace("{s}", segment or "x")
        client = Client()
        response = client.post(path) if post and path.startswith("/subscriptions/") else client.get(path)
        assert response.status_code < 500, path
