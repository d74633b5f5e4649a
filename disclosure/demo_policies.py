"""Demo interpretations (R15–R17) of the county's own published policies, one policy waiting in review with its
interpretations, and reposts (R18) on time, late and still open. Everything goes through the services; only
historical moments are set afterwards (marked below), because the demo cannot wait for real time to pass."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from catalog.demo import ORG_A
from catalog.models import Organisation
from catalog.workdays import WorkCalendar
from core.actors import System
from disclosure.content import MEDIA_TYPES, check_upload
from disclosure.interpretations import (
    interpretation_approve,
    interpretation_create,
    interpretation_media_add,
    interpretation_parts_save,
    interpretation_plan_save,
    interpretation_submit,
)
from disclosure.models import Document, FeedSource, Interpretation, Repost
from disclosure.reposts import repost_draft, repost_register
from disclosure.services import (
    document_approve,
    document_create,
    document_interpretation_waive,
    document_submit,
)

DEMO = System("load_demo")  # who acts when the demo writes through the services

OUTLINE = "一、制定背景\n二、主要内容\n三、创新举措\n四、下一步工作"


def demo_png(width: int = 240, height: int = 120) -> bytes:
    """A small valid PNG (a two-colour banner), so the 图表图解 demo needs no binary file in the repository."""
    rows = b"".join(
        b"\x00"
        + b"".join((b"\x1f\x5f\xa8" if x < width * (y + 1) // height else b"\xee\xf4\xfb") for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _publish_interpretation(interpretation: Interpretation, policy: Document) -> None:
    interpretation_submit(interpretation=interpretation, actor=DEMO)
    interpretation_approve(interpretation=interpretation, actor=DEMO, confidentiality_checked=True)
    # Historical seed: the interpretation went out with its policy (R16), years before the platform existed.
    Interpretation.objects.filter(pk=interpretation.pk).update(published_at=policy.published_at)


def interpret_policy(policy: Document) -> int:
    """A text interpretation for every published policy of the county, plus a 政策问答 or a 图表图解 for some."""
    interpretation_plan_save(
        policy=policy,
        actor=DEMO,
        changes={
            "planned_on": timezone.localtime(policy.published_at).date(),
            "channels": "政府网站、政务新媒体",
            "forms": ["text", "qa"] if policy.pk % 2 else ["text", "graphic"],
            "outline": OUTLINE,
        },
    )
    paragraphs = [p for p in policy.body_text.splitlines() if len(p) > 30][:3]
    text = interpretation_create(
        policy=policy,
        actor=DEMO,
        changes={
            "title": f"《{policy.title}》政策解读",
            "form": "text",
            "summary": "对文件出台背景和主要内容的解读。",
            "body": "\n".join(["一、制定背景", *paragraphs[:1], "二、主要内容", *paragraphs[1:]]) or policy.title,
        },
    )
    _publish_interpretation(text, policy)
    if policy.pk % 2:
        qa = interpretation_create(
            policy=policy,
            actor=DEMO,
            changes={
                "title": f"《{policy.title}》政策问答",
                "form": "qa",
            },
        )
        interpretation_parts_save(
            interpretation=qa,
            actor=DEMO,
            media_texts={},
            questions=[
                {
                    "question": "这份文件主要解决什么问题？",
                    "answer": "推进决策、执行、管理、服务、结果公开，回应社会关切。",
                },
                {
                    "question": "公众从哪里获取相关信息？",
                    "answer": "政府网站政府信息公开专栏、政务新媒体和政务服务大厅。",
                },
            ],
        )
        _publish_interpretation(qa, policy)
    else:
        graphic = interpretation_create(
            policy=policy,
            actor=DEMO,
            changes={
                "title": f"一图读懂《{policy.title}》",
                "form": "graphic",
            },
        )
        upload = check_upload(SimpleUploadedFile("yitududong.png", demo_png()), types=MEDIA_TYPES)
        interpretation_media_add(
            interpretation=graphic,
            actor=DEMO,
            upload=upload,
            alt_text="图解：文件的四项主要任务依次为决策公开、执行公开、服务公开和结果公开。",
        )
        _publish_interpretation(graphic, policy)
    return policy.interpretations.count()


def load_review_bundle(write: Callable[[str], None]) -> None:
    """A policy of organisation A in review with its plan and two interpretations: approve them in one step."""
    User = get_user_model()
    drafter = User.objects.get(username="drafter")
    organisation = Organisation.objects.get(code=ORG_A)
    title = "示范县城市管理领域轻微违法行为免罚清单（征求意见稿）"
    if Document.objects.filter(organisation=organisation, title=title).exists():
        return
    policy = document_create(
        organisation=organisation,
        actor=drafter,
        changes={
            "title": title,
            "written_on": timezone.localdate(),
            "attribute": Document.Attribute.PROACTIVE,
            "is_policy": True,
            "body": "为推进包容审慎监管，对首次发生且危害后果轻微并及时改正的违法行为，依法不予行政处罚。",
        },
    )
    interpretation_plan_save(
        policy=policy,
        actor=drafter,
        changes={
            "planned_on": timezone.localdate(),
            "channels": "政府网站、“示范城管”公众号、新闻发布会",
            "forms": ["text", "qa"],
            "outline": OUTLINE,
        },
    )
    interpretation_create(
        policy=policy,
        actor=drafter,
        changes={
            "title": "《免罚清单》起草说明",
            "form": "text",
            "body": "一、起草背景：落实优化营商环境要求。\n二、主要内容：列明 12 项轻微违法行为及适用条件。",
        },
    )
    qa = interpretation_create(policy=policy, actor=drafter, changes={"title": "《免罚清单》十问十答", "form": "qa"})
    interpretation_parts_save(
        interpretation=qa,
        actor=drafter,
        media_texts={},
        questions=[
            {"question": "免罚是否等于不管？", "answer": "不是。免罚以及时改正为前提，执法人员将进行教育提醒。"},
        ],
    )
    document_submit(document=policy, actor=drafter)
    write("  政策解读：1 件政策文件连同解读方案和 2 篇解读在审核队列中")
    # A 行政规范性文件 brings the 三同步 gate with its type; the office waived it for a purely textual correction.
    amendment = document_create(
        organisation=organisation,
        actor=drafter,
        changes={
            "title": "关于更正《示范县户外广告设施设置规范》附件文字的通知",
            "written_on": timezone.localdate(),
            "attribute": Document.Attribute.PROACTIVE,
            "legal_form": Document.LegalForm.NORMATIVE,
            "body": "《示范县户外广告设施设置规范》附件二第三项中“不得超过 3 米”更正为“不得超过 3.5 米”，其他内容不变。",
        },
    )
    document_interpretation_waive(
        document=amendment,
        actor=User.objects.get(username="office"),
        reason="仅更正附件中一处文字错误，未对政策内容作实质调整，无需另行解读。",
    )
    document_submit(document=amendment, actor=drafter)
    write("  政策解读：1 件行政规范性文件经政务公开办批准免于同步解读，在审核队列中")


def load_reposts(write: Callable[[str], None]) -> None:
    User = get_user_model()
    drafter, reviewer = User.objects.get(username="drafter"), User.objects.get(username="reviewer")
    organisation = Organisation.objects.get(code=ORG_A)
    if Repost.objects.filter(organisation=organisation).exists():
        return
    now = timezone.now()
    calendar = WorkCalendar()
    day = timezone.localdate()
    previous = day - dt.timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= dt.timedelta(days=1)
    week_ago = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=7), dt.time(10, 0)))
    items = [  # (title, level, source org, url, source time, fate)
        (
            "国务院办公厅关于进一步优化政务服务提升行政效能的意见",
            "state",
            "国务院办公厅",
            "https://www.gov.cn/zhengce/content/demo-1.htm",
            timezone.make_aware(dt.datetime.combine(previous, dt.time(17, 30))),
            "publish",
        ),
        (
            "福建省人民政府办公厅关于加强政务公开标准化规范化建设的通知",
            "province",
            "福建省人民政府办公厅",
            "https://www.fujian.gov.cn/zwgk/demo-2.htm",
            week_ago,
            "publish",
        ),
        (
            "厦门市人民政府关于印发城市管理精细化工作方案的通知",
            "city",
            "厦门市人民政府",
            "https://www.xm.gov.cn/zwgk/demo-3.htm",
            now - dt.timedelta(hours=2),
            "queue",
        ),
        (
            "国务院关于加强数字政府建设的指导意见",
            "state",
            "国务院",
            "https://www.gov.cn/zhengce/content/demo-4.htm",
            week_ago + dt.timedelta(days=2),
            "queue",
        ),
    ]
    for title, level, source, url, when, fate in items:
        repost = repost_register(
            organisation=organisation,
            actor=drafter,
            level=level,
            kind="policy",
            source_organisation=source,
            source_url=url,
            title=title,
            source_published_at=when,
        )
        if fate == "publish":
            document = repost_draft(repost=repost, actor=drafter)
            document_submit(document=document, actor=drafter)
            document_approve(document=document, actor=reviewer, confidentiality_checked=True)
    FeedSource.objects.get_or_create(
        url="https://www.gov.cn/zhengce/zuixin.rss",
        defaults={
            "name": "中国政府网 最新政策（示例，未启用）",
            "level": "state",
            "source_organisation": "国务院",
            "organisation": organisation,
            "is_active": False,
        },
    )
    write("  转载：按时转载 1 件、逾期转载 1 件、待转载 2 件（其中 1 件已逾期），订阅源 1 个")


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    interpreted = 0
    for policy in Document.objects.filter(
        is_policy=True, status=Document.Status.PUBLISHED, repost__isnull=True, interpretations__isnull=True
    ):
        interpreted += interpret_policy(policy)
    write(f"政策解读：为已发布的政策文件补充解读 {interpreted} 篇")
    load_review_bundle(write)
    load_reposts(write)
