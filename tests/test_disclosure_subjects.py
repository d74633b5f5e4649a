"""Who is a 公开主体 and 受理机关: administrative organs and the bodies a law or regulation authorises (Art 54). An
internal office (处室) has no guide, catalogue or page of its own and never receives an application; it may only lead
a catalogue item of its organisation (牵头处室)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import CatalogueNode, Organisation, Section
from catalog.services import organisation_save
from requests_app.permissions import registrable_organisations
from requests_app.services import RequestError, request_file
from tests.conftest import SYSTEM, applicant_values


def organisation(code: str, name: str, kind: str, **fields: object) -> Organisation:
    return organisation_save(organisation=Organisation(code=code, name=name, kind=kind, **fields), actor=SYSTEM)


@pytest.fixture
def bodies(org_a):
    return {
        "office": organisation("A001-FG", "甲市城市管理局法规处", Organisation.Kind.INTERNAL, parent=org_a),
        "unit": organisation("A001-SY", "甲市环卫服务中心", Organisation.Kind.OTHER, parent=org_a),
        "authorised": organisation("A-ZFZX", "甲市住房公积金管理中心", Organisation.Kind.OTHER, authorised=True),
    }


def test_an_internal_office_has_no_guide_catalogue_or_page_of_its_own(citizen, org_a, bodies):
    office = bodies["office"]
    for name in ("disclosure:guide", "disclosure:catalogue"):
        assert citizen.get(reverse(name, args=[office.code])).status_code == 404
        assert citizen.get(reverse(name, args=[bodies["authorised"].code])).status_code == 200
        assert citizen.get(reverse(name, args=[org_a.code])).status_code == 200
    column = citizen.get(reverse("disclosure:column")).content.decode()
    assert org_a.name in column and bodies["authorised"].name in column
    assert office.name not in column and bodies["unit"].name not in column


def test_only_disclosure_subjects_are_offered_and_accepted_as_the_receiving_organ(citizen, org_a, bodies, office):
    form = citizen.get(reverse("requests:apply")).content.decode()
    assert org_a.name in form and bodies["authorised"].name in form
    assert bodies["office"].name not in form and bodies["unit"].name not in form
    for key in ("office", "unit"):
        with pytest.raises(RequestError) as refused:
            request_file(organisation=bodies[key], values=applicant_values())
        assert refused.value.fields == {"organisation": ["请选择受理机关。"]}
    assert request_file(organisation=bodies["authorised"], values=applicant_values())[0].pk
    registrable = set(registrable_organisations(office))
    assert org_a in registrable and bodies["authorised"] in registrable and bodies["office"] not in registrable


def test_an_internal_office_still_leads_a_catalogue_item_of_its_organisation(citizen, org_a, bodies):
    node = CatalogueNode.objects.create(
        organisation=org_a,
        section=Section.DECISION,
        name="规范性文件合法性审核",
        subject=bodies["office"],
    )
    page = citizen.get(reverse("disclosure:node", args=[node.pk])).content.decode()
    assert "甲市城市管理局法规处" in page


def test_only_another_body_can_be_marked_as_authorised(org_a):
    org_a.authorised = True
    with pytest.raises(ValidationError, match="只有“其他单位”"):
        org_a.full_clean()
