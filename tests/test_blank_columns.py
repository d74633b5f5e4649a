"""Blank columns (空白栏目): the public navigation never shows a catalogue item or a section with nothing in it,
unless the office recorded a dated "本期无" for the item; staff still see every item, and the self-audit names the
empty ones (tests/test_self_audit.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from catalog.models import CatalogueNode, NilNotice, Section, StatutoryClass
from catalog.services import nil_notice_save

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def columns(org_a, drafter_a, reviewer_a, node_a, make_document, publish, office):
    """Under 结果公开: node_a with a public document. Under 决策公开 only an empty item; under 管理公开 an empty item
    with a "本期无" notice; under 服务公开 an empty parent with a sub-item that has a document."""
    publish(make_document(org_a, drafter_a, nodes=[node_a], title="工作动态第一期"), drafter_a, reviewer_a)
    make = lambda section, name, **extra: CatalogueNode.objects.create(  # noqa: E731
        organisation=org_a, section=section, name=name, subject=org_a, **extra
    )
    empty = make(Section.DECISION, "重大决策预公开", statutory_class=StatutoryClass.PLANS)
    noted = make(Section.MANAGEMENT, "行政执法公示", statutory_class=StatutoryClass.STATISTICS)
    nil_notice_save(
        notice=NilNotice(node=noted, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31)), actor=office
    )
    parent = make(Section.SERVICE, "办事服务")
    child = make(Section.SERVICE, "办事指南", parent=parent)
    publish(make_document(org_a, drafter_a, nodes=[child], title="办事指南第一版"), drafter_a, reviewer_a)
    return empty, noted, parent, child


def test_the_public_catalogue_leaves_out_empty_items_and_sections_but_shows_a_dated_nil_notice(
    citizen, org_a, node_a, columns
):
    empty, noted, parent, child = columns
    html = citizen.get(reverse("disclosure:catalogue", args=[org_a.code])).content.decode()
    headings = re.findall(r'<h2 id="section-[^"]+">([^<]+)</h2>', html)
    assert headings == ["管理公开", "服务公开", "结果公开"]  # 决策公开 had only an empty item; 执行公开 nothing
    assert empty.name not in html and "暂无" not in html
    assert f'{noted.name}</a> <span class="count">（本期无：2026-10-01—2026-10-31）</span>' in html
    assert parent.name in html and child.name in html  # an empty parent stays for its sub-item
    assert f'{node_a.name}</a> <span class="count">（1）</span>' in html
    # The item's own page still answers (a bookmarked address), and staff keep every item in the admin.
    assert citizen.get(reverse("disclosure:node", args=[empty.pk])).status_code == 200


def test_the_statutory_page_lists_only_items_with_something_and_keeps_each_class_number(citizen, columns):
    empty, noted, _parent, _child = columns
    html = citizen.get(reverse("disclosure:statutory")).content.decode()
    assert empty.name not in html
    assert noted.name in html and f'value="{StatutoryClass.STATISTICS.value}"' in html
    assert f'id="class-{StatutoryClass.PLANS.value}"' not in html  # its only item is empty
    assert "暂无对应的公开事项" not in html
