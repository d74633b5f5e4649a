"""The application form for everyone (GB/T 37668, 适老化): required fields marked with * and a legend, length limits
stated before submit, and after a rejected submit one alert — a focused summary whose links all reach their field —
with every aria-describedby pointing at text that exists; what was typed stays."""

from __future__ import annotations

import re

from django.urls import reverse


def ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def described_by_missing(html: str) -> list[str]:
    present = ids(html)
    return [
        ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split() if ref not in present
    ]


def label_of(html: str, field_id: str) -> str:
    return re.search(rf'<label for="{field_id}">(.*?)</label>', html, flags=re.S).group(1)


def test_required_fields_and_length_limits_are_shown_before_submit(citizen, org_a):
    html = citizen.get(reverse("requests:apply")).content.decode()
    assert '<p class="required-legend">带 * 号的为必填项。</p>' in html
    for field in ("organisation", "applicant_name", "id_type", "id_number", "phone", "description"):
        assert '<span class="req" aria-hidden="true">*</span>' in label_of(html, f"id_{field}"), field
    for field in ("applicant_name", "id_number", "phone", "description"):  # required by the service: announced too
        assert re.search(rf'<(input|textarea)[^>]*aria-required="true"[^>]*id="id_{field}"', html), field
    assert '<span class="req" aria-hidden="true">*</span>' not in label_of(html, "id_email")
    assert re.search(r'id="id_description_helptext">[^<]*最多 4000 个字。</p>', html)
    assert re.search(r'<textarea[^>]*aria-describedby="id_description_helptext"', html)
    assert 'id="id_document_index_no_helptext">最多 60 个字。</p>' in html
    assert described_by_missing(html) == []


def test_a_rejected_application_has_one_focused_alert_whose_links_reach_their_fields(citizen, org_a):
    response = citizen.post(reverse("requests:apply"), {"applicant_name": "张三", "description": "x" * 4001})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('role="alert"') == 1
    assert re.search(r'<div class="notice error-summary" role="alert" tabindex="-1" id="errors" autofocus>', html)
    summary = re.search(r'id="errors".*?</div>', html, flags=re.S).group()
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert "id_applicant_type_0" in targets and "id_description" in targets  # a radio group links to its first choice
    assert set(targets) <= ids(html)
    assert "不能超过 4000 个字。" in summary
    assert described_by_missing(html) == []
    assert 'value="张三"' in html  # what was typed stays
