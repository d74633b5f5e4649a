"""History in the admin is read-only and follows the change view's policy: no record is ever reverted through it (the
services are the only write paths), and a record the user may not see answers the same 404 as a missing one."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from audits.models import Finding, FindingKind, Severity
from catalog.models import Organisation, Topic
from requests_app.models import InformationRequest


def version_url(obj, history_id: int) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, history_id])


def history_url(model, pk: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk])


def test_a_reviewer_cannot_save_an_application_through_its_history(login, reviewer_a, handler_a, org_a, filed):
    case = filed(org_a, moment="2026-11-02 10:00", accepted="2026-11-02", handler=handler_a)
    versions, events = case.history.count(), case.events.count()
    url = version_url(case, case.history.latest().history_id)
    client = login(reviewer_a)
    assert client.get(history_url(InformationRequest, case.pk)).status_code == 200  # the list stays readable
    assert client.get(url).status_code == 404
    response = client.post(url, {"status": "closed", "outcome": "public", "phone": "13900000000"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.phone == "13812345678" and case.status != "closed"
    assert case.history.count() == versions and case.events.count() == events


def test_a_drafter_cannot_deactivate_her_organisation_through_its_history(login, drafter_a, org_a):
    url = version_url(org_a, org_a.history.latest().history_id)
    client = login(drafter_a)
    assert client.get(url).status_code == 404
    form = {"name": org_a.name, "code": org_a.code, "kind": "department", "sort_order": "100"}  # is_active unchecked
    assert client.post(url, form).status_code == 404
    org_a.refresh_from_db()
    assert org_a.is_active and org_a.history.count() == 1


def test_a_drafter_cannot_rename_a_shared_topic_through_its_history(login, drafter_a, topic):
    url = version_url(topic, topic.history.latest().history_id)
    response = login(drafter_a).post(url, {"code": topic.code, "name": "被改掉的主题"})
    assert response.status_code == 404
    topic.refresh_from_db()
    assert topic.name == "城市管理" and topic.history.count() == 1


def test_not_even_a_superuser_can_revert_through_history(login, make_user, org_a, topic):
    root = login(make_user("root", is_staff=True, is_superuser=True))
    form = {"name": "改名", "code": org_a.code, "kind": "department", "sort_order": "1"}
    assert root.get(version_url(org_a, org_a.history.latest().history_id)).status_code == 404
    assert root.post(version_url(org_a, org_a.history.latest().history_id), form).status_code == 404
    assert (
        root.post(version_url(topic, topic.history.latest().history_id), {"code": "x", "name": "y"}).status_code == 404
    )
    org_a.refresh_from_db()
    topic.refresh_from_db()
    assert org_a.name == "甲市城市管理局" and org_a.is_active and topic.name == "城市管理"


def test_history_of_another_organisations_document_answers_like_a_missing_one(
    login, drafter_a, drafter_b, org_a, org_b, make_document
):
    from disclosure.models import Document

    theirs = make_document(org_b, drafter_b)
    client = login(drafter_a)
    forbidden = client.get(history_url(Document, theirs.pk))
    missing = client.get(history_url(Document, theirs.pk + 1000))
    garbage = client.get(history_url(Document, "not-a-number"))
    assert forbidden.status_code == missing.status_code == garbage.status_code == 404
    assert forbidden.content == missing.content == garbage.content


def test_history_of_a_viewable_document_lists_versions_without_a_revert_link(login, drafter_a, org_a, make_document):
    from disclosure.models import Document

    mine = make_document(org_a, drafter_a)
    page = login(drafter_a).get(history_url(Document, mine.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.title in html
    assert f"/history/{mine.history.latest().history_id}/" not in html


@pytest.fixture
def one_of_everything(org_a, org_b, drafter_a, reviewer_a, handler_a, office, node_a, topic, make_document, filed):
    from audits.services import audit_run

    make_document(org_a, drafter_a)
    filed(org_a, moment="2026-11-02 10:00", accepted="2026-11-02", handler=handler_a)
    audit_run(trigger="manual", actor=office)
    Finding.objects.get_or_create(
        kind=FindingKind.values[0],
        key="history-test",
        defaults={"organisation": org_a, "severity": Severity.values[0], "title": "测试问题"},
    )


@pytest.mark.parametrize("who", ["office", "superuser"])
def test_history_answers_below_500_on_every_registered_admin(login, office, make_user, one_of_everything, who):
    user = office if who == "office" else make_user("root", is_staff=True, is_superuser=True)
    client = login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    checked = []
    for model, model_admin in admin.site._registry.items():
        try:
            changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        if client.get(changelist).status_code != 200:
            continue
        obj = model_admin.get_queryset(request).first() or model._default_manager.first()
        pk = obj.pk if obj is not None else 0
        response = client.get(history_url(model, pk))
        assert response.status_code < 500, (model._meta.label, response.status_code)
        checked.append((model._meta.label, obj is not None))
    labels = dict(checked)
    # The models the review found answering 500 or leaking, each with a real row.
    assert labels["audits.Finding"] and labels["catalog.Organisation"] and labels["requests_app.InformationRequest"]
    if who == "superuser":
        assert (
            get_user_model()._meta.label in labels
            and Organisation._meta.label in labels
            and Topic._meta.label in labels
        )
