"""Demo of issue 6: last year's applications, documents and review cases, so last year's annual report has real
numbers; the department's report published, the government's written and waiting for the office to publish; a
self-audit already run with two findings being worked; the last month's 依申请公开目录 published.

Applications go through the services and are then moved back to last year's dates (see ``_historic``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audits.models import AnnualReport, AuditRun, Finding, FindingKind
from audits.reports import report_drafts_create, report_publish, report_update
from audits.services import audit_run, finding_accept, finding_start
from catalog.demo import GOVERNMENT, ORG_A
from catalog.models import Organisation
from core.actors import System
from disclosure.directory import directory_compile
from disclosure.services import document_import
from requests_app import services
from requests_app.demo import _register, _reply
from requests_app.letters import draft_letter, next_reply_number
from requests_app.models import InformationRequest, Outcome, ReplyNumberSequence, RequestEvent, ReviewCase

User = get_user_model()
USCC = "91350100M000100Y43"


DATE_FIELDS = (
    "arrived_on",
    "received_on",
    "replied_on",
    "closed_on",
    "fee_notified_on",
    "fee_paid_on",
    "due_on",
    "correction_requested_on",
    "correction_answered_on",
    "extension_approved_on",
)


def _historic(
    org: Organisation,
    handler,
    arrived: dt.date,
    index: int,
    description: str,
    *,
    outcome: str = "",
    replied: dt.date | None = None,
    withdrawn: dt.date | None = None,
    fee_on: dt.date | None = None,
    reply: dict | None = None,
    **values: object,
) -> InformationRequest:
    """A case of last year, handled through the services two months ago with the same gaps between its facts,
    then moved back to its real dates: registering refuses an arrival more than a year old (a typing guard for
    staff), and the demo cannot wait a year. The only fields moved are dates."""
    anchor = timezone.localdate() - dt.timedelta(days=60)
    shift = arrived - anchor
    case = _register(org, handler, anchor, index, description, **values)
    if fee_on is not None:
        services.request_fee_notice(request=case, actor=handler, method="by_volume", pages=150, on=fee_on - shift)
        services.request_fee_paid(request=case, actor=handler, on=fee_on - shift + dt.timedelta(days=7))
    if withdrawn is not None:
        services.request_withdraw(
            request=case, actor=handler, on=withdrawn - shift, note="申请人表示已找到，撤回申请。"
        )
    elif replied is not None and reply and "letter" in reply:
        services.request_reply(request=case, actor=handler, outcome=outcome, on=replied - shift, **reply)
    elif replied is not None:
        _reply(case, handler, outcome, replied - shift, **(reply or {}))
    case.refresh_from_db()
    moved = {name: getattr(case, name) + shift for name in DATE_FIELDS if getattr(case, name) is not None}
    InformationRequest.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at + shift, **moved)
    for event in RequestEvent.objects.filter(request=case):
        RequestEvent.objects.filter(pk=event.pk).update(on=event.on + shift, at=event.at + shift)
    case.refresh_from_db()
    if case.reply_number:
        _redate_letter(case, replied_in=(case.replied_on - shift).year, drafted=not (reply and "letter" in reply))
    return case


def _redate_letter(case: InformationRequest, *, replied_in: int, drafted: bool) -> None:
    """The letter of a case moved back in time: its 文号 in the sequence of the year it now bears (the number it took
    this year is handed back, it being the last one taken), and a drafted body with the moved receipt date."""
    sequence = ReplyNumberSequence.objects.select_for_update().get(organisation=case.organisation, year=replied_in)
    if case.reply_number.endswith(f"〔{replied_in}〕{sequence.last_number}号"):
        sequence.last_number -= 1
        sequence.save(update_fields=["last_number"])
    changes = {"reply_number": next_reply_number(case.organisation, case.replied_on.year)}
    if drafted:
        changes["reply_letter"] = draft_letter(
            case,
            outcome=case.outcome,
            withheld_parts=case.withheld_parts,
            referral_organisation=case.referral_organisation,
            referral_contact=case.referral_contact,
        )
    InformationRequest.objects.filter(pk=case.pk).update(**changes)
    case.refresh_from_db()


def _cases(org: Organisation, handler, year: int) -> None:
    d = dt.date
    # Carried over from the year before: received in December, replied in January (Table 三, 二).
    _historic(
        org,
        handler,
        d(year - 1, 12, 18),
        0,
        "请提供城市道路挖掘修复工程验收情况。",
        outcome=Outcome.OPEN,
        replied=d(year, 1, 9),
    )
    rows = [
        (
            d(year, 3, 10),
            1,
            "请提供本局 %s 年度部门预算公开说明。" % year,
            Outcome.ALREADY_PUBLIC,
            d(year, 3, 12),
            {"letter": "您申请的信息已于本局门户网站“财政预决算”栏目主动公开，可登录网站查阅。"},
        ),
        (d(year, 4, 7), 2, "请提供城关大道夜市摊位规划图。", Outcome.OPEN, d(year, 4, 25), {}),
        (
            d(year, 5, 12),
            3,
            "请提供某小区违法建设处置的全部材料。",
            Outcome.PARTIAL,
            d(year, 6, 6),
            {"withheld_parts": [{"part": "当事人身份信息", "ground": "third_party", "reason": "涉及个人隐私"}]},
        ),
        (d(year, 6, 16), 4, "请提供局务会议研究人事调整的会议纪要。", Outcome.WITHHELD_INTERNAL, d(year, 7, 8), {}),
        (
            d(year, 7, 14),
            5,
            "请提供全县出租车经营权转让价格清单。",
            Outcome.NOT_HELD_REFERRAL,
            d(year, 7, 25),
            {"referral_organisation": "示范县交通运输局", "referral_contact": "0592-7000300"},
        ),
        (
            d(year, 9, 8),
            6,
            "请重新出具去年已答复的停车收费标准文件。",
            Outcome.CONFIRMATION,
            d(year, 9, 19),
            {
                "letter": "您的申请属于要求行政机关确认或重新出具已获取信息，根据《条例》第三十九条不作为政府信息公开申请处理。"
            },
        ),
    ]
    for arrived, index, description, outcome, replied, extra in rows:
        _historic(org, handler, arrived, index, description, outcome=outcome, replied=replied, reply=extra)
    _historic(
        org,
        handler,
        d(year, 8, 4),
        7,
        "请提供户外广告设施设置审批结果汇总表。",
        outcome=Outcome.OPEN,
        replied=d(year, 8, 22),
        applicant_type="business",
        id_type="uscc",
        id_number=USCC,
        applicant_name="示范县某某广告有限公司",
        legal_representative="王某",
        contact_person="李某",
    )
    # A fee charged by volume and paid (section 六), then the reply.
    _historic(
        org,
        handler,
        d(year, 10, 13),
        8,
        "请提供 2015 年以来全部环卫作业合同（纸质）。",
        outcome=Outcome.OPEN,
        replied=d(year, 11, 14),
        fee_on=d(year, 10, 20),
        information_form="paper",
        delivery="post",
    )
    # Withdrawn, and one carried into this year (received 22 December, replied in January).
    _historic(org, handler, d(year, 11, 3), 9, "请提供公园游船招租公告。", withdrawn=d(year, 11, 5))
    _historic(
        org,
        handler,
        d(year, 12, 22),
        10,
        "请提供年度城市管理执法案件统计数据。",
        outcome=Outcome.OPEN,
        replied=d(year + 1, 1, 12),
    )
    # Table 四: a review upheld and a lawsuit still pending on 31 December.
    refused = org.information_requests.get(outcome=Outcome.WITHHELD_INTERNAL, received_on__year=year)
    services.review_case_save(
        case=ReviewCase(
            request=refused,
            kind=ReviewCase.Kind.REVIEW,
            filed_on=d(year, 8, 1),
            authority="示范县人民政府",
            case_number=f"示府行复〔{year}〕演示1号",
            result=ReviewCase.Result.UPHELD,
            concluded_on=d(year, 9, 20),
        ),
        actor=handler,
    )
    services.review_case_save(
        case=ReviewCase(
            request=refused,
            kind=ReviewCase.Kind.LITIGATION,
            after_review=True,
            filed_on=d(year, 10, 9),
            authority="示范县人民法院",
            case_number=f"（{year}）闽0299行初演示1号",
        ),
        actor=handler,
    )
    # A review of a failure to reply (issue 14): the applicant went to review after the due date had passed without
    # a reply; the reply came late, the review was still pending on 31 December (Table 四, 尚未审结).
    late = _historic(
        org,
        handler,
        d(year, 11, 17),
        11,
        "请提供环卫作业车辆GPS监管平台建设合同。",
        outcome=Outcome.OPEN,
        replied=d(year, 12, 30),
    )
    services.review_case_save(
        case=ReviewCase(
            request=late,
            subject=ReviewCase.Subject.NO_REPLY,
            kind=ReviewCase.Kind.REVIEW,
            filed_on=d(year, 12, 19),
            authority="示范县人民政府",
            case_number=f"示府行复〔{year}〕演示2号",
            note="申请人以逾期未答复为由申请行政复议。",
        ),
        actor=handler,
    )


def _documents(org: Organisation, year: int) -> None:
    """Last year's documents counted in Table 二: a 行政规范性文件 and two published lists of decisions."""
    rows = [
        (
            "示范县城市管理局关于规范户外广告设施设置的通知",
            (3, 18),
            {"legal_form": "normative", "document_number": f"示城管规〔{year}〕1号"},
        ),
        (f"{year} 年上半年行政处罚决定公示", (7, 10), {"decision_kind": "penalty", "decision_count": 18}),
        (f"{year} 年户外广告设置行政许可决定公示", (12, 5), {"decision_kind": "licensing", "decision_count": 7}),
    ]
    for title, (month, day), extra in rows:
        document_import(
            organisation=org,
            actor=System("load_demo"),
            published_at=timezone.make_aware(dt.datetime(year, month, day, 10)),
            changes={
                "title": title,
                "attribute": "proactive",
                "written_on": dt.date(year, month, day) - dt.timedelta(days=3),
                "body": f"{title}。详见附件。",
                **extra,
            },
        )


OVERVIEW = (
    "{year} 年，{org}坚持以公开为常态、不公开为例外，围绕城市管理执法重点工作，推进决策、执行、管理、服务、结果公开，"
    "依法办理政府信息公开申请，政策解读与政策文件同步起草、同步审签、同步发布。\n"
    "全年主动公开政府信息，依申请公开办理总体平稳，未发生因信息公开被纠错的行政复议或诉讼案件。"
)
PROBLEMS = (
    "存在的主要问题：部分目录栏目更新不够及时，依申请公开答复的规范化水平仍需提高。\n"
    "改进情况：建立栏目更新月度自查制度，完善答复文书模板，加强承办人员培训。"
)


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    if AnnualReport.objects.exists():
        write("自查与年报：已有数据，跳过演示数据")
        return
    today = timezone.localdate()
    year = today.year - 1
    org = Organisation.objects.get(code=ORG_A)
    government = Organisation.objects.get(code=GOVERNMENT)
    handler, office = User.objects.get(username="handler"), User.objects.get(username="office")
    reviewer = User.objects.get(username="reviewer")
    _cases(org, handler, year)
    _documents(org, year)

    report_drafts_create(year=year, today=today)
    written = {"overview": "", "problems": PROBLEMS, "other_matters": "无。", "admin_fees_wan": Decimal("0")}
    department = AnnualReport.objects.get(organisation=org, year=year)
    report_update(
        report=department, actor=office, changes={**written, "overview": OVERVIEW.format(year=year, org=org.name)}
    )
    report_publish(report=department, actor=office)
    draft = AnnualReport.objects.get(organisation=government, year=year)
    report_update(
        report=draft,
        actor=office,
        changes={
            **written,
            "overview": OVERVIEW.format(year=year, org=government.name),
            "admin_fees_wan": Decimal("12.5600"),
        },
    )

    run = audit_run(trigger=AuditRun.Trigger.MANUAL, actor=office, today=today)
    stale = Finding.objects.filter(
        kind__in=(FindingKind.STALE_CATALOGUE, FindingKind.EMPTY_CATALOGUE), organisation=org
    ).first()
    if stale is not None:
        finding_start(finding=stale, actor=reviewer, note="已安排专人负责该栏目，每月至少更新一次。")
    cluster = Finding.objects.filter(kind=FindingKind.ART44_CLUSTER).first()
    if cluster is not None:
        finding_accept(finding=cluster, actor=office, reason="所涉报告含第三方个人信息，经征求意见不宜转为主动公开。")
    issue = directory_compile(today=today)
    write(
        f"自查与年报：{year} 年度报告 {AnnualReport.objects.filter(year=year).count()} 份（{org.name}已发布，"
        f"{government.name}待发布），自查发现问题 {run.summary['total']} 项"
        + (f"，已发布{issue.title}" if issue else "")
    )
