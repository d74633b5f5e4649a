"""``manage.py load_demo``: organisations, one account per role, the calendar, the documents, applications, policies,
reposts, emergencies and search synonyms of one county; safe to run again.

The demo is loaded once for the module, on 2026-11-22 (the applications' clocks are set against that day), and each
test reads it; the test that loads it again does so inside its own transaction, which rolls back.
"""

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog import permissions
from catalog.demo import ORG_A, ORG_B
from catalog.models import Organisation, RoleEvent, WorkCalendarYear
from tests.conftest import demo_committed

LOADED_AT = "2026-11-22 10:00"


@pytest.fixture(scope="module")
def first_load(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The output of the module's one load of the demo."""
    with demo_committed(django_db_blocker, at=LOADED_AT) as output:
        yield output


@pytest.fixture
def demo(first_load, db, clock) -> str:
    clock(LOADED_AT)
    return first_load


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_organisations_accounts_and_calendar(demo):
    output = demo
    # one county government: itself, three departments and a township, and 9 lead offices (牵头股室) of two departments
    assert Organisation.objects.count() == 14
    assert set(Organisation.objects.exclude(kind="internal").values_list("code", flat=True)) == {
        "SF00001",
        "SF00126",
        "SF00135",
        "SF00118",
        "SF00201",
    }
    assert all(o.name.startswith("示范县") for o in Organisation.objects.all())
    assert WorkCalendarYear.objects.filter(year=2026).exists()
    User = get_user_model()
    for username in ("admin", "office", "office_head", "drafter", "reviewer", "handler", "drafter_b"):
        assert User.objects.filter(username=username).exists()
        assert f"  {username}" in output
    a = Organisation.objects.get(code=ORG_A)
    b = Organisation.objects.get(code=ORG_B)
    assert permissions.has_role(User.objects.get(username="drafter"), a, "drafter")
    assert permissions.has_role(User.objects.get(username="reviewer"), a, "reviewer")
    assert permissions.has_role(User.objects.get(username="handler"), a, "handler")
    assert permissions.has_role(User.objects.get(username="drafter_b"), b, "drafter")
    assert permissions.is_disclosure_office_head(User.objects.get(username="office_head"))
    assert all(o.phone and o.address and o.email and o.office_hours for o in Organisation.objects.all())


def test_demo_is_safe_to_run_again_and_prints_passwords_once(demo):
    from disclosure.models import Document, SearchSynonym
    from requests_app.models import InformationRequest

    User = get_user_model()
    password_hash = User.objects.get(username="office").password
    counts = {
        model: model.objects.count() for model in (Organisation, RoleEvent, Document, InformationRequest, SearchSynonym)
    }
    again = load_demo()
    assert {model: model.objects.count() for model in counts} == counts  # nothing doubled
    assert User.objects.get(username="office").password == password_hash
    assert "已存在，密码未改变" in again
    reset = load_demo("--reset-passwords")
    assert "已存在" not in reset
    assert User.objects.get(username="office").password != password_hash


def test_demo_applications_cover_every_state_and_a_deadline_into_2027(demo):
    from requests_app.deadlines import Clock
    from requests_app.models import InformationRequest, ReviewCase
    from requests_app.selectors import art44_clusters

    assert "依申请公开：" in demo
    cases = InformationRequest.objects.all()
    assert set(cases.values_list("status", flat=True)) == set(InformationRequest.Status.values)
    into_2027 = cases.get(due_on__year=2027)
    assert into_2027.due_provisional and into_2027.extension_days == 20
    accepted = cases.filter(status="accepted", clock=Clock.RUNNING)
    assert accepted.filter(due_on__lt=dt.date(2026, 11, 22)).exists()  # overdue
    assert accepted.filter(due_on__range=(dt.date(2026, 11, 23), dt.date(2026, 11, 25))).exists()  # due within 3
    assert cases.filter(clock=Clock.PAUSED_CONSULTATION).exists() and cases.filter(clock=Clock.PAUSED_FEE).exists()
    assert cases.filter(extension_proposed_days__isnull=False, extension_days=0).exists()
    assert ReviewCase.objects.filter(kind="litigation", after_review=True).exists()
    assert ReviewCase.objects.filter(subject="no_reply", request__isnull=False).exists()  # R29: a failure to reply
    reopened = cases.get(events__action="reopened")  # Art 30: reopened once, the late correction restarted the clock
    assert reopened.status == "accepted" and reopened.correction_answered_on is not None
    assert len(art44_clusters(cases, today=dt.date(2026, 11, 22))) == 1
    from requests_app.services import deadline_of

    (overlapping,) = [case for case in cases if case.consultations.count() == 2]  # R23: the same days, once
    deadline = deadline_of(overlapping)
    assert deadline.excluded_days == 4 and any("同一天只扣除一次" in step.text for step in deadline.steps)


def test_demo_policies_reposts_and_emergencies_issue_5(demo, client):
    """Every published policy of the demo has its interpretation one click away and back (R17); reposts show on time
    and late (R18); one emergency has a public timeline and one has its clocks running (R19)."""
    from django.urls import reverse

    from disclosure.models import Document, Repost
    from disclosure.selectors import public_documents, public_interpretations
    from emergencies.clocks import emergency_clocks
    from emergencies.selectors import public_emergencies

    policies = public_documents().filter(is_policy=True)
    assert policies.count() >= 4
    for policy in policies:
        interpretation = public_interpretations().filter(policy=policy).first()
        assert interpretation is not None, policy.title
        page = client.get(reverse("disclosure:document", args=policy.index_path)).content.decode()
        assert reverse("disclosure:interpretation", args=[interpretation.pk]) in page
        back = client.get(reverse("disclosure:interpretation", args=[interpretation.pk])).content.decode()
        assert reverse("disclosure:document", args=policy.index_path) in back
    assert Document.objects.filter(is_policy=True, status="in_review", interpretations__status="in_review").exists()
    waived = Document.objects.get(legal_form="normative", status="in_review")  # R16: the office waived its 解读
    assert waived.is_policy and waived.interpretation_waiver and waived.events.filter(action="waived").exists()
    published = list(Repost.objects.filter(status="published"))
    assert {r.is_late for r in published} == {True, False}
    assert Repost.objects.filter(status="queued").count() == 2
    emergency = public_emergencies().get()
    assert client.get(reverse("emergencies:detail", args=[emergency.pk])).status_code == 200
    assert len(emergency_clocks()) == 2


def test_demo_is_one_county_whose_seeds_name_their_real_issuers(demo):
    """The demo is 示范县人民政府 with its own bodies; the seed documents are other bodies' documents, published by the
    county body they concern with their real issuer, and the county's own titles and 文号 name no other region."""
    import re

    from disclosure.demo import SEEDS
    from disclosure.models import Document

    other_region = re.compile("厦门|福州|和县|历阳")
    for code, title, _number, issuer, *_rest in SEEDS.values():
        seed = Document.objects.get(title=title)
        assert seed.organisation.code == code and seed.organisation.name.startswith("示范县")
        assert seed.issuer == issuer and not seed.is_policy  # its issuer interprets it (R15)
    own = Document.objects.filter(issuer="")
    assert own.count() > 100
    assert not [d.title for d in own if other_region.search(d.title + d.document_number)]
    assert Document.objects.filter(issuer="", is_policy=True, status="published").count() == 4


def test_demo_documents_include_a_superior_bodys_seed_and_the_review_cycle(demo):
    from disclosure.models import Document

    # the superior body's seed, published by the county department it concerns with its real issuer
    assert Document.objects.filter(
        title="厦门市规划委员会关于印发《全面推进政务公开工作实施细则》的通知",
        document_number="厦规〔2017〕113号",
        written_on=dt.date(2017, 5, 30),
        issuer="厦门市规划委员会",
        organisation__code="SF00126",
    ).exists()
    # two of the review-cycle demo, one policy waiting with its interpretations (issue 5), one 行政规范性文件 whose
    # interpretation the office waived (R16)
    assert Document.objects.filter(status="in_review").count() == 4


def test_demo_seeds_a_few_search_synonym_groups(demo):
    from disclosure.models import SearchSynonym

    assert sorted(SearchSynonym.objects.filter(is_active=True).values_list("terms", flat=True)) == [
        "低保 最低生活保障",
        "噪声 噪音",
        "城管 城市管理",
    ]
