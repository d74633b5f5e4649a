"""The self-audit 自查 (R36): every kind of finding, run twice, concurrent runs, rectification, the run's report."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.models import AuditRun, Finding, FindingEvent, FindingKind
from audits.services import AuditError, audit_run, finding_accept, finding_fix, finding_start
from catalog.models import CatalogueNode, NilNotice, Section
from disclosure.grounds import Ground
from disclosure.models import Document
from disclosure.reposts import repost_register
from disclosure.services import DocumentError, document_import, document_rereview
from ops.models import JobRun, Notification
from requests_app.models import InformationRequest
from tests.conftest import SYSTEM, refused, run_twice_at_once
from tests.test_annual_report import case, gov  # noqa: F401  (fixture)
from tests.test_celery_worker import celery_worker_process, wait_for  # noqa: F401  (fixture)

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
K = FindingKind
MANUAL = AuditRun.Trigger.MANUAL


@pytest.fixture
def troubled(gov, org_a, org_b, drafter_a, reviewer_a, make_document, publish, clock, work_calendar):
    """One problem of every R36 kind, seen from 2 November 2026."""
    clock("2026-11-02 09:00")
    d = dt.date
    found = {}
    found["unclassified"] = make_document(
        org_a, drafter_a, title="未定属性的草稿", attribute="", written_on=d(2026, 9, 1)
    )
    make_document(org_a, drafter_a, title="刚起草的草稿", attribute="", written_on=d(2026, 10, 30))  # not yet a finding
    withheld = publish(
        make_document(
            org_a, drafter_a, title="内部讨论记录", attribute="withheld", ground=Ground.PROCESS, reason="过程性信息"
        ),
        drafter_a,
        reviewer_a,
    )
    Document.objects.filter(pk=withheld.pk).update(decided_at=dt.datetime(2025, 10, 20, 10, tzinfo=SH))
    found["withheld"] = withheld
    found["late"] = publish(
        make_document(org_a, drafter_a, title="迟发的通知", written_on=d(2026, 9, 1)), drafter_a, reviewer_a
    )
    publish(make_document(org_a, drafter_a, title="按时的通知", written_on=d(2026, 10, 28)), drafter_a, reviewer_a)
    found["policy"] = document_import(
        organisation=org_a,
        actor=SYSTEM,
        published_at=dt.datetime(2026, 3, 2, 10, tzinfo=SH),
        changes={"title": "甲市停车管理规定", "attribute": "proactive", "body": "正文", "is_policy": True},
    )
    found["repost"] = repost_register(
        organisation=org_a,
        actor=drafter_a,
        level="province",
        kind="policy",
        source_organisation="某省人民政府",
        source_url="https://www.example.gov.cn/zc/1.html",
        title="某省关于优化营商环境的若干措施",
        source_published_at=dt.datetime(2026, 10, 26, 10, tzinfo=SH),
    )
    found["overdue"] = case(
        org_a, code="A-01", received=d(2026, 9, 1), status=InformationRequest.Status.ACCEPTED, outcome=""
    )
    InformationRequest.objects.filter(pk=found["overdue"].pk).update(due_on=d(2026, 10, 9))
    for n in range(3):  # Art 44: three applicants, the same information
        case(
            org_a, code=f"A-1{n}", received=d(2026, 6, 1 + n), replied=d(2026, 6, 10 + n), outcome="open"
        ).__class__.objects.filter(tracking_code=f"A-1{n}").update(
            description="请公开 2026 年甲市道路停车泊位收费标准", id_number=f"11010519491231{n:03d}X"
        )
    news = CatalogueNode.objects.create(
        organisation=org_a,
        section=Section.EXECUTION,
        name="工作动态",
        subject=org_a,
        freshness=CatalogueNode.Freshness.NEWS,
    )
    document_import(
        organisation=org_a,
        actor=SYSTEM,
        published_at=dt.datetime(2026, 10, 1, 10, tzinfo=SH),
        changes={"title": "十月工作动态", "attribute": "proactive", "body": "正文"},
        catalogue_nodes=[news],
    )
    found["stale"] = news
    found["empty"] = CatalogueNode.objects.create(
        organisation=org_b, section=Section.DECISION, name="统计调查项目", subject=org_b
    )
    return found


def kinds_of(run: AuditRun) -> dict[str, int]:
    return run.summary["by_kind"]


def test_r36_the_audit_finds_every_kind_with_owner_evidence_and_severity(troubled, org_a, org_b, gov, office):
    run = audit_run(trigger=MANUAL, actor=office)
    assert kinds_of(run) == {
        K.NO_ATTRIBUTE: 1,
        K.WITHHELD_REVIEW: 1,
        K.ART44_CLUSTER: 1,
        K.LATE_PUBLICATION: 1,
        K.NO_INTERPRETATION: 1,
        K.LATE_REPOST: 1,
        K.OVERDUE_APPLICATION: 1,
        K.STALE_CATALOGUE: 1,
        K.EMPTY_CATALOGUE: 1,
        K.CALENDAR_MISSING: 1,
    }
    late = Finding.objects.get(kind=K.LATE_PUBLICATION)
    assert late.organisation == org_a and late.severity == "medium" and late.status == "open"
    assert late.evidence_url == reverse("admin:disclosure_document_change", args=[troubled["late"].pk])
    assert "2026-09-01" in late.detail and "实际 2026-11-02 公开" in late.detail
    assert Finding.objects.get(kind=K.EMPTY_CATALOGUE).organisation == org_b
    calendar = Finding.objects.get(kind=K.CALENDAR_MISSING)
    assert calendar.organisation == gov and calendar.title == "2027 年工作日历尚未录入" and calendar.severity == "high"
    overdue = Finding.objects.get(kind=K.OVERDUE_APPLICATION)
    assert "A-01" in overdue.title and "某申请人" not in overdue.title + overdue.detail  # R27: no applicant data
    assert run.summary["new"] == 10 and run.summary["by_org"][0][1] == org_a.name
    assert Notification.objects.filter(key=f"audit-run:{run.pk}").exists()
    assert Notification.objects.filter(key=f"audit-run:{run.pk}:org:{org_a.pk}").exists()


def test_r36_running_again_updates_open_findings_and_closes_those_no_longer_true(
    troubled, office, reviewer_a, handler_a
):
    first = audit_run(trigger=MANUAL, actor=office)
    count = Finding.objects.count()
    second = audit_run(trigger=MANUAL, actor=office)
    assert Finding.objects.count() == count and second.summary["new"] == 0 and second.previous == first
    # Two problems go away: the draft gets its attribute (依申请公开: no publication clock), the application is replied.
    Document.objects.filter(pk=troubled["unclassified"].pk).update(attribute="on_request")
    InformationRequest.objects.filter(pk=troubled["overdue"].pk).update(
        status=InformationRequest.Status.REPLIED, outcome="open", replied_on=dt.date(2026, 11, 2)
    )
    third = audit_run(trigger=MANUAL, actor=office)
    assert third.summary["resolved"] == 2 and third.summary["total"] == count - 2
    resolved = Finding.objects.get(kind=K.NO_ATTRIBUTE)
    assert resolved.status == "fixed" and resolved.events.last().action == FindingEvent.Action.RESOLVED
    # A late publication stays late: it is never closed by a run, only by staff.
    assert Finding.objects.get(kind=K.LATE_PUBLICATION).status == "open"
    assert Finding.objects.count() == count


def test_r36_rectification_open_in_progress_fixed_or_accepted_with_reason(troubled, office, reviewer_a, drafter_b):
    audit_run(trigger=MANUAL, actor=office)
    stale = Finding.objects.get(kind=K.STALE_CATALOGUE)
    with refused(AuditError, "reason_missing"):
        finding_start(finding=stale, actor=reviewer_a, note="  ")
    with refused(AuditError, "forbidden"):
        finding_start(finding=stale, actor=drafter_b, note="不是本机构的问题")
    finding_start(finding=stale, actor=reviewer_a, note="安排专人每周更新工作动态")
    finding_fix(finding=stale, actor=reviewer_a, note="已发布 11 月工作动态")
    with refused(AuditError, "wrong_state"):
        finding_start(finding=stale, actor=reviewer_a, note="再来一次")
    withheld = Finding.objects.get(kind=K.WITHHELD_REVIEW)
    with refused(AuditError, "reason_missing"):
        finding_accept(finding=withheld, actor=reviewer_a, reason="")
    finding_accept(finding=withheld, actor=reviewer_a, reason="讨论仍在进行，过程性信息的理由仍然成立")
    actions = list(stale.events.values_list("action", "from_status", "to_status"))
    assert actions == [("found", "", "open"), ("started", "open", "in_progress"), ("fixed", "in_progress", "fixed")]
    # Marked fixed but still true (nothing new published): the next run reopens it. The accepted one stays so.
    audit_run(trigger=MANUAL, actor=office)
    stale.refresh_from_db()
    withheld.refresh_from_db()
    assert stale.status == "open" and stale.events.last().action == FindingEvent.Action.REOPENED
    assert withheld.status == "accepted"


def test_r36_a_nil_notice_answers_for_a_silent_column(troubled, office):
    NilNotice.objects.create(
        node=troubled["stale"], period_start=dt.date(2026, 10, 16), period_end=dt.date(2026, 10, 31)
    )
    assert K.STALE_CATALOGUE not in kinds_of(audit_run(trigger=MANUAL, actor=office))


def test_r11_yearly_rereview_clears_the_finding_or_converts_the_document(troubled, office, reviewer_a, drafter_b):
    audit_run(trigger=MANUAL, actor=office)
    withheld = troubled["withheld"]
    with refused(DocumentError, "forbidden"):
        document_rereview(document=withheld, actor=drafter_b, attribute="keep", note="维持")
    document_rereview(document=withheld, actor=reviewer_a, attribute="keep", note="讨论尚未结束，理由仍然成立")
    assert audit_run(trigger=MANUAL, actor=office).summary["by_kind"].get(K.WITHHELD_REVIEW) is None
    assert Finding.objects.get(kind=K.WITHHELD_REVIEW).status == "fixed"
    converted = document_rereview(
        document=withheld, actor=reviewer_a, attribute="proactive", note="讨论已结束，可以公开"
    )
    assert converted.status == Document.Status.IN_REVIEW and converted.attribute == "proactive" and not converted.ground
    told = Notification.objects.get(key__startswith=f"document-rereview:{converted.pk}:")
    assert told.recipients == ["reviewer_a@example.org"] and "转为主动公开" in told.subject
    with refused(DocumentError, "wrong_state"):
        document_rereview(document=converted, actor=reviewer_a, attribute="keep", note="再复核")


@pytest.mark.django_db(transaction=True)
def test_r36_two_runs_at_once_never_duplicate_a_finding(troubled, office):
    run_twice_at_once(lambda: audit_run(trigger=MANUAL, actor=SYSTEM), rounds=2)
    assert AuditRun.objects.count() == 4
    assert Finding.objects.count() == 10
    assert FindingEvent.objects.filter(action="found").count() == 10
    assert sorted(r.summary["new"] for r in AuditRun.objects.all()) == [0, 0, 0, 10]


def test_r36_report_of_a_run_counts_by_kind_and_organisation_with_the_change_since_last(
    troubled, office, login, reviewer_a, org_a
):
    audit_run(trigger=MANUAL, actor=office)
    Document.objects.filter(pk=troubled["unclassified"].pk).update(attribute="on_request")
    run = audit_run(trigger=MANUAL, actor=office)
    client = login(office)
    page = client.get(reverse("admin:audits_auditrun_report", args=[run.pk])).content.decode()
    assert "本次发现问题 9 项：新增 0 项，再次出现 0 项；上次发现、本次已不存在 1 项" in page
    assert '<span class="delta-down">-1</span>' in page  # 未确定公开属性: 1 → 0
    assert org_a.name in page and 'role="img"' in page and '<desc id="run-%s-kinds-d">' % run.pk in page
    workbook = load_workbook(io.BytesIO(client.get(reverse("admin:audits_auditrun_xlsx", args=[run.pk])).content))
    summary = [[c.value for c in row] for row in workbook["汇总"].iter_rows()]
    assert ["未确定公开属性", 0, 1, -1] in summary
    assert workbook["问题清单"].max_row == 10  # header + 9 findings
    # Staff of an organisation see their findings, not the office's run reports.
    assert login(reviewer_a).get(reverse("admin:audits_auditrun_report", args=[run.pk])).status_code == 404
    own = login(reviewer_a).get(reverse("admin:audits_finding_changelist")).content.decode()
    assert "迟发的通知" in own and "统计调查项目" not in own


def test_r36_admin_runs_an_audit_and_works_a_finding(troubled, office, login, reviewer_a):
    response = login(office).post(reverse("admin:audits_auditrun_run"))
    run = AuditRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:audits_auditrun_report", args=[run.pk]
    )
    assert login(reviewer_a).post(reverse("admin:audits_auditrun_run")).status_code == 404
    finding = Finding.objects.get(kind=K.LATE_PUBLICATION)
    client = login(reviewer_a)
    url = reverse("admin:audits_finding_action", args=[finding.pk, "accept"])
    refused = client.post(url, {"note": ""})
    assert refused.status_code == 400
    client.post(url, {"note": "已建立发布提醒机制，历史问题无法补救"})
    finding.refresh_from_db()
    assert finding.status == "accepted" and "发布提醒" in finding.status_note
    assert "说明理由后保留" in client.get(reverse("admin:audits_finding_change", args=[finding.pk])).content.decode()


def test_r36_the_yearly_job_runs_on_1_november(troubled):
    from django.conf import settings

    from audits.tasks import run_self_audit

    schedule = settings.CELERY_BEAT_SCHEDULE["self-audit"]["schedule"]
    assert schedule.month_of_year == {11} and schedule.day_of_month == {1}
    run_self_audit.apply()
    run_self_audit.apply()  # twice: still one finding per problem
    assert JobRun.objects.filter(name="self-audit", status="succeeded").count() == 2
    assert Finding.objects.count() == 10 and AuditRun.objects.filter(trigger="scheduled").count() == 2


@pytest.mark.worker
def test_the_worker_runs_the_self_audit_through_redis(celery_worker_process, org_a, gov, work_calendar):
    from audits.tasks import run_self_audit

    run_self_audit.apply_async(queue=celery_worker_process)
    assert wait_for(lambda: JobRun.objects.filter(name="self-audit", status="succeeded").exists())
    assert AuditRun.objects.filter(trigger="scheduled").exists()
    assert timezone.localdate() >= dt.date(2026, 1, 1)
