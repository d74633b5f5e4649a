"""Demo applications in every state, on dates counted back from the day the demo is loaded, so the clocks are live:
one due within days, one overdue, one waiting for a correction, one in consultation, an extension waiting for the
office head, one whose extended deadline runs into 2027 (a provisional year until its calendar is loaded), replies
of several kinds, review and litigation records, a withdrawal, an abandonment, and an Art 44 cluster.

Every case goes through the services with the legal dates of its facts. The only shortcut: cases that arrived
online in the past have their filing moment moved back after ``request_file`` (the service stamps "now").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from catalog.demo import ORG_A, ORG_B
from catalog.models import Organisation
from catalog.workdays import WorkCalendar
from core.actors import System
from disclosure.content import check_upload
from disclosure.models import Document
from disclosure.personal_data import ID_CHECK, ID_WEIGHTS
from requests_app import services
from requests_app.letters import DEFAULT_TEMPLATES, draft_letter
from requests_app.models import (
    Channel,
    InformationRequest,
    LetterKind,
    LetterTemplate,
    Outcome,
    RequestEvent,
    ReviewCase,
)

User = get_user_model()


def resident_id(base17: str) -> str:
    """A made-up 居民身份证号 with a correct check digit."""
    return base17 + ID_CHECK[sum(int(d) * w for d, w in zip(base17, ID_WEIGHTS)) % 11]


PEOPLE = [
    ("林晓东", "35020319850312001"),
    ("陈美玲", "35020619900721002"),
    ("黄志强", "35021119781105003"),
    ("吴雅琴", "35020519950218004"),
    ("郑建国", "35020319680930005"),
    ("王丽华", "35020619820414006"),
    ("蔡文杰", "35021219991201007"),
    ("许秀英", "35020319750608008"),
    ("杨帆", "35020519880117009"),
    ("李思远", "35021119920826010"),
    ("周海燕", "35020619870303011"),
    ("谢明", "35020319930909012"),
]


def _values(index: int, description: str, **overrides: object) -> dict:
    name, base = PEOPLE[index % len(PEOPLE)]
    values = {
        "applicant_type": "natural",
        "applicant_name": name,
        "id_type": "resident_id",
        "id_number": resident_id(base),
        "phone": f"139{index:04d}{5678 + index:04d}"[:11],
        "email": "",
        "address": f"示范县城关镇演示路 {index + 1} 号",
        "postcode": "361000",
        "description": description,
        "information_form": "electronic",
        "delivery": "online",
        "fee_waiver_requested": False,
        "fee_waiver_reason": "",
    }
    values.update(overrides)
    return values


class Back:
    """Working days counted back from today."""

    def __init__(self, today: dt.date) -> None:
        self.today, self.calendar = today, WorkCalendar()

    def __call__(self, n: int) -> dt.date:
        day = self.today
        while n:
            day -= dt.timedelta(days=1)
            if self.calendar.is_working_day(day):
                n -= 1
        return day


def _pdf(name: str, text: str):
    data = b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"
    return check_upload(SimpleUploadedFile(name, data, content_type="application/pdf"))


def _register(org, handler, arrived: dt.date, index: int, description: str, channel: str = Channel.IN_PERSON, **kw):
    case, _secret = services.request_register(
        organisation=org, actor=handler, channel=channel, arrived_on=arrived, values=_values(index, description, **kw)
    )
    return case


def _online(org, filed_on: dt.date, index: int, description: str, **kw) -> InformationRequest:
    case, _secret = services.request_file(organisation=org, values=_values(index, description, **kw))
    moment = timezone.make_aware(dt.datetime.combine(filed_on, dt.time(10, 30)))
    InformationRequest.objects.filter(pk=case.pk).update(submitted_at=moment)
    RequestEvent.objects.filter(request=case).update(on=filed_on, at=moment)
    case.refresh_from_db()
    return case


def _reply(case, handler, outcome: str, on: dt.date, **kw) -> InformationRequest:
    """A reply whose letter is the template's draft, as a handler would send it unchanged."""
    letter = draft_letter(
        case,
        outcome=outcome,
        withheld_parts=kw.get("withheld_parts"),
        referral_organisation=kw.get("referral_organisation", ""),
        referral_contact=kw.get("referral_contact", ""),
    )
    return services.request_reply(request=case, actor=handler, outcome=outcome, letter=letter, on=on, **kw)


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    if InformationRequest.objects.exists():
        write("依申请公开：已有申请，跳过演示数据")
        return
    today = timezone.localdate()
    back = Back(today)
    org = Organisation.objects.get(code=ORG_A)
    other = Organisation.objects.get(code=ORG_B)
    handler = User.objects.get(username="handler")
    head = User.objects.get(username="office_head")
    office = User.objects.get(username="office")
    # The office's own wording for organisation A's 予以公开 letters: the built-in text plus whom to call.
    services.letter_template_save(
        template=LetterTemplate(
            organisation=org,
            kind=LetterKind.OPEN,
            body=DEFAULT_TEMPLATES[LetterKind.OPEN]
            + f"\n如对所提供的信息有疑问，请与本机关{org.office_name}联系（电话：{org.phone}）。",
        ),
        actor=office,
    )

    # Waiting for acceptance: an online application of today, and an ordinary letter to be confirmed (R21).
    services.request_file(
        organisation=org,
        values=_values(0, "请提供本局 2026 年度占道经营整治工作方案。", email="lin.xiaodong@example.com"),
    )
    _register(org, handler, back(1), 1, "请提供城关大道沿线户外广告设施设置审批结果。", channel=Channel.LETTER)

    # Running clocks.
    _register(org, handler, back(3), 2, "请提供本县建筑垃圾运输车辆备案名单。")
    _register(
        org, handler, back(18), 3, "请提供 2026 年第三季度市容环境卫生检查通报。", channel=Channel.POST
    )  # due in 2
    _register(org, handler, back(22), 4, "请提供环卫作业市场化项目的招标文件。")  # overdue

    # Correction asked (R22), consultation running (R23), extension waiting for the head (R24), fee notice (R26).
    case = _register(org, handler, back(5), 5, "请提供那个关于摊点的文件。")
    services.request_correction_ask(
        request=case,
        actor=handler,
        on=back(3),
        period_days=15,
        items="请写明所需文件的名称、文号或发布时间，以及涉及的区域。",
    )
    case = _register(org, handler, back(8), 6, "请提供某某餐饮公司油烟污染行政处罚决定书。")
    services.request_consultation_start(
        request=case,
        actor=handler,
        kind="third_party",
        party="示范县某某餐饮管理有限公司",
        matter="是否同意公开处罚决定书中涉及贵公司的内容",
        on=back(4),
    )
    # A third party and a co-issuing organisation consulted over the same days: each day is excluded once (R23).
    case = _register(
        org, handler, back(12), 9, "请提供与城关镇人民政府联合印发的共享单车停放管理实施细则的征求意见稿及反馈。"
    )
    for kind, party in (("third_party", "示范县某某出行科技有限公司"), ("co_issuer", "示范县城关镇人民政府")):
        consultation = services.request_consultation_start(
            request=case, actor=handler, kind=kind, party=party, matter="是否同意公开", on=back(10)
        )
        services.request_consultation_answer(consultation=consultation, actor=handler, answer="agrees", on=back(6))
    case = _register(org, handler, back(15), 7, "请提供 2020 年以来历年城市管理执法案件统计数据。")
    services.request_extension_propose(
        request=case, actor=handler, days=20, reason="涉及 2020 年以来的档案，需逐年调取汇总。"
    )
    case = _register(
        org,
        handler,
        back(6),
        8,
        "请提供全县公厕布局专项规划及附图（纸质）。",
        information_form="paper",
        delivery="post",
    )
    services.request_fee_notice(request=case, actor=handler, method="by_volume", pages=150, on=back(2))

    # Extended into the new year: the 2027 days are provisional until the 2027 calendar is loaded (R2).
    case = _online(org, back(3), 9, "请提供 2021—2026 年市政设施维护经费使用情况。", email="li.siyuan@example.com")
    case = services.request_accept(request=case, actor=handler, received_on=back(2))
    services.request_extension_propose(request=case, actor=handler, days=20, reason="需汇总六个年度的财务资料。")
    services.request_extension_approve(request=case, actor=head, note="同意延长 20 个工作日。")

    # Replies of several kinds, each on its own dates (R25), with review and litigation records (R29).
    # In the order they were issued, so that their 文号 run with their dates.
    case = _register(org, handler, back(35), 0, "请提供局党组会议研究执法人员招录的会议纪要。")
    case = _reply(case, handler, Outcome.WITHHELD_INTERNAL, back(20))
    services.review_case_save(
        case=ReviewCase(
            request=case,
            kind=ReviewCase.Kind.REVIEW,
            filed_on=back(15),
            authority="示范县人民政府",
            case_number="示府行复〔演示〕1号",
            result=ReviewCase.Result.UPHELD,
            concluded_on=back(3),
        ),
        actor=handler,
    )
    services.review_case_save(
        case=ReviewCase(
            request=case,
            kind=ReviewCase.Kind.LITIGATION,
            after_review=True,
            filed_on=back(2),
            authority="示范县人民法院",
            case_number="（演示）闽0299行初1号",
        ),
        actor=handler,
    )
    case = _register(org, handler, back(30), 10, "请提供城市管理执法车辆配备标准。")
    case = _reply(case, handler, Outcome.OPEN, back(12), files=[_pdf("执法车辆配备标准.pdf", "standard")])
    services.request_close(request=case, actor=handler, note="已通过网上查看送达。")
    case = _register(org, handler, back(28), 11, "请提供城关镇某地块违法建设处置的全部材料。")
    _reply(
        case,
        handler,
        Outcome.PARTIAL,
        back(10),
        withheld_parts=[
            {"part": "当事人身份信息及住址", "ground": "third_party", "reason": "涉及个人隐私"},
            {"part": "内部讨论记录", "ground": "process", "reason": "过程性信息"},
        ],
        files=[_pdf("处置决定（公开部分）.pdf", "partial")],
    )
    case = _register(org, handler, back(25), 2, "请提供全县出租车运价调整方案。")
    _reply(
        case,
        handler,
        Outcome.NOT_HELD_REFERRAL,
        back(8),
        referral_organisation="示范县交通运输局",
        referral_contact="0592-7000300",
    )

    # Ended without a reply: an abandoned correction (R22) and a withdrawal.
    case = _register(org, handler, back(40), 3, "请提供有关材料。")
    services.request_correction_ask(
        request=case, actor=handler, on=back(38), period_days=5, items="请写明所需材料的名称或内容。"
    )
    services.request_abandon(request=case, actor=System("load_demo"), today=today)
    # Abandoned, then reopened by the office for a postal delay (Art 30); the late correction restarts the clock.
    case = _register(org, handler, back(30), 6, "请提供老旧小区改造中那份材料。")
    services.request_correction_ask(
        request=case, actor=handler, on=back(28), period_days=5, items="请写明所需材料的名称及涉及的小区。"
    )
    services.request_abandon(request=case, actor=System("load_demo"), today=today)
    services.request_reopen(
        request=case, actor=office, reason="申请人提供邮戳：补正材料在补正期限内寄出，因邮路延误逾期送达。"
    )
    services.request_correction_answer(
        request=case, actor=handler, on=back(2), answer="所需材料为滨海小区违规搭建处置情况通报。"
    )
    case = _register(org, handler, back(9), 4, "请提供夜市摊位招租公告。")
    services.request_withdraw(request=case, actor=handler, on=back(7), note="申请人来电表示已在网站找到，撤回申请。")

    # An Art 44 cluster: three applicants ask for the same 依申请公开 report (R28).
    report = Document.objects.filter(
        organisation=org, attribute=Document.Attribute.ON_REQUEST, status=Document.Status.APPROVED
    ).first()
    for index, days in [(5, 14), (6, 11), (7, 4)]:
        case = _register(org, handler, back(days), index, "请提供城关镇某小区违法建设处置情况的报告。")
        if report is not None:
            services.request_link_document(request=case, actor=handler, document=report)

    # Another organisation's case, handled by the office.
    _register(other, office, back(4), 8, "请提供 2025 年度统计调查项目目录。")
    counts = {s.label: InformationRequest.objects.filter(status=s).count() for s in InformationRequest.Status}
    write("依申请公开：" + "，".join(f"{label} {n} 件" for label, n in counts.items() if n))
