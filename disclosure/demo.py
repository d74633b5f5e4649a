"""Demo content: topics, a catalogue per organisation, the five seed documents, generated documents to fill every
catalogue item, and documents in every review state. Idempotent: rows that exist are left alone.

The demo government is 示范县人民政府 (catalog/demo.py). None of the seeds (shared/seeds) is its own: each keeps its real
text, title and issuer (发文机关) and is published by the county body it concerns as a document of a superior or another
region's body, for reference: 000 (厦门市规划委员会, the superior city's) by 示范县自然资源和规划局, 004 (厦门市城市管理
行政执法局) by 示范县城市管理局, 002 (中共中央办公厅 国务院办公厅) by 示范县人民政府, 003 (福州市统计局) by 示范县统计局
and 001 (历阳镇人民政府) by 示范县城关镇人民政府. They are imported as published documents with their own dates, not
registered as reposts (disclosure/reposts.py): a repost's clock (R18) runs from the source's publication, so a
document of 2017 would count as years late, and 福州 and 历阳镇 are not superior bodies at all.

The seeds carry these metadata: 000 gives its 文号 and dates; 002 only its publication date (its 文号 中办发〔2016〕8号
and issuer are those seed 003 cites for it; the text is converted from traditional characters and its pinyin glosses
removed); 003 its publication time; 004 its signing date, used as the publication date; 001 gives no date, so
1 March 2018 is assumed. The catalogues of 示范县自然资源和规划局 and 示范县城市管理局 are built from the items of the
superior bodies' seeds 000 and 004 (the county departments follow their 实施细则 and 主要任务), with their lead offices
(牵头股室) as internal organisations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalog.demo import GOVERNMENT, ORG_A, ORG_B
from catalog.models import CatalogueNode, NilNotice, Organisation, Section, Topic
from catalog.services import catalogue_node_save, nil_notice_save, organisation_save, topic_save
from core.actors import System
from disclosure.grounds import Ground
from disclosure.models import Document, NegativeListEntry, SearchSynonym, ValidityProposal
from disclosure.search.index import search_rebuild
from disclosure.services import (
    document_approve,
    document_create,
    document_import,
    document_return,
    document_submit,
    document_update,
    document_validity_propose,
    document_validity_set,
    document_withdraw,
    negative_list_entry_save,
)
from disclosure.synonyms import search_synonym_save

DEMO = System("load_demo")  # who acts when the demo writes through the services

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Section

TOPICS = [
    ("zwgk", "政务公开"),
    ("zhzw", "综合政务"),
    ("csgl", "城乡建设、城市管理"),
    ("tjxx", "统计信息"),
    ("czsj", "财政、审计"),
    ("rsgl", "人事、机构"),
    ("yjgl", "应急管理、安全生产"),
    ("hjbh", "环境保护"),
    ("shbz", "社会保障、民生"),
    ("qt", "其他"),
]

# The county departments' lead offices, after those seeds 000 and 004 name for their superiors, as internal
# organisations under their department: (parent, code, name, short)
SUB_UNITS = [
    ("SF00126", "SF00126-01", "示范县自然资源和规划局办公室", "自然资源和规划局办公室"),
    ("SF00126", "SF00126-02", "示范县自然资源和规划局总工办", "总工办"),
    ("SF00126", "SF00126-03", "示范县自然资源和规划局法规股", "法规股"),
    ("SF00126", "SF00126-04", "示范县自然资源和规划局城关自然资源所", "城关自然资源所"),
    ("SF00135", "SF00135-01", "示范县城市管理局办公室", "城管局办公室"),
    ("SF00135", "SF00135-02", "示范县城市管理局政策法规股", "政策法规股"),
    ("SF00135", "SF00135-03", "示范县城市管理局执法教育股", "执法教育股"),
    ("SF00135", "SF00135-04", "示范县城市管理局执法协调股", "执法协调股"),
    ("SF00135", "SF00135-05", "示范县城市管理局执法督查股", "执法督查股"),
]

WEB = ["website", "new_media"]
WEB_GAZETTE = ["website", "gazette", "new_media"]
COUNTY, TOWN = ["county"], ["township"]
ART20 = "《中华人民共和国政府信息公开条例》第二十条"
GRASSROOTS = "《国务院办公厅关于全面推进基层政务公开标准化规范化工作的指导意见》（国办发〔2019〕54号）"

# (org, section, name, statutory class, subject code or None, elements, basis, days, freshness, channels, levels, topic)
NODES = [
    # 示范县自然资源和规划局, after seed 000 二 and 三 (the superior city's 实施细则)
    (
        "SF00126",
        S.DECISION,
        "重大决策预公开",
        None,
        "SF00126-01",
        "决策草案、决策依据、征求意见情况、采纳情况",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（一）",
        20,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.DECISION,
        "政策解读",
        None,
        "SF00126-01",
        "解读方案、解读材料、政策问答",
        "《厦门市规划委员会全面推进政务公开工作实施细则》三（一）",
        3,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.EXECUTION,
        "“多规合一”改革执行情况",
        None,
        "SF00126-02",
        "执行措施、实施步骤、责任分工、监督方式、取得成效",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（二）",
        20,
        "notice",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.EXECUTION,
        "回应关切",
        None,
        "SF00126-01",
        "舆情回应、媒体关切、热点问题答复",
        "《厦门市规划委员会全面推进政务公开工作实施细则》三（三）",
        5,
        "news",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.MANAGEMENT,
        "权力清单和责任清单",
        6,
        "SF00126-03",
        "权力事项、责任事项、动态调整情况",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（三）",
        20,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.MANAGEMENT,
        "政务公开工作制度",
        15,
        "SF00126-01",
        "政务公开制度、实施细则、工作要点",
        "《厦门市规划委员会全面推进政务公开工作实施细则》四（一）",
        20,
        "none",
        WEB,
        COUNTY,
        "zwgk",
    ),
    (
        "SF00126",
        S.SERVICE,
        "办事指南",
        5,
        "SF00126-02",
        "事项名称、办事依据、受理单位、基本流程、办理时限、收费依据",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（四）",
        20,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.RESULT,
        "重大决策落实情况",
        None,
        "SF00126-01",
        "发展目标、改革任务、重大项目的落实情况",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（五）",
        20,
        "notice",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.KEY_AREA,
        "规范性文件及清理结果",
        1,
        "SF00126-03",
        "规范性文件全文、清理结果",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（六）",
        20,
        "notice",
        WEB_GAZETTE,
        COUNTY,
        "csgl",
    ),
    (
        "SF00126",
        S.KEY_AREA,
        "突发事件信息发布",
        12,
        "SF00126-01",
        "预警信息、应对情况、处置结果",
        "《厦门市规划委员会全面推进政务公开工作实施细则》二（六）",
        1,
        "none",
        WEB,
        COUNTY,
        "yjgl",
    ),
    # 示范县城市管理局, after seed 004 (the superior city bureau's tasks)
    (
        "SF00135",
        S.DECISION,
        "重要决策预公开",
        None,
        "SF00135-01",
        "决策草案、决策依据、公众参与方式、意见采纳情况",
        "《2019年政务公开工作主要任务》二（一）",
        20,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.DECISION,
        "政策解读",
        None,
        "SF00135-02",
        "解读方案、解读材料、简明问答",
        "《2019年政务公开工作主要任务》一（一）",
        3,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.EXECUTION,
        "重要部署执行情况",
        None,
        "SF00135-01",
        "稳增长、促改革、惠民生等政策措施的执行情况",
        "《2019年政务公开工作主要任务》二（二）",
        20,
        "notice",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.EXECUTION,
        "回应社会关切",
        None,
        "SF00135-03",
        "舆情回应、热点问题答复",
        "《2019年政务公开工作主要任务》一（二）",
        5,
        "news",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.MANAGEMENT,
        "行政执法公示",
        6,
        "SF00135-02",
        "执法主体、执法依据、执法程序、行政处罚决定",
        "《2019年政务公开工作主要任务》二（三）",
        7,
        "notice",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.MANAGEMENT,
        "机构职能",
        2,
        "SF00135-01",
        "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名",
        ART20,
        20,
        "none",
        WEB,
        COUNTY,
        "rsgl",
    ),
    (
        "SF00135",
        S.MANAGEMENT,
        "政务公开工作制度",
        15,
        "SF00135-01",
        "政务公开制度、工作要点、主动公开基本目录",
        "《2019年政务公开工作主要任务》四（三）",
        20,
        "none",
        WEB,
        COUNTY,
        "zwgk",
    ),
    (
        "SF00135",
        S.SERVICE,
        "“放管服”改革与办事服务",
        5,
        "SF00135-04",
        "许可事项、办事指南、办理结果",
        "《2019年政务公开工作主要任务》二（五）",
        20,
        "none",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.SERVICE,
        "政务新媒体",
        None,
        "SF00135-05",
        "政务新媒体名录、信息发布",
        "《2019年政务公开工作主要任务》三（二）",
        20,
        "news",
        ["new_media"],
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.RESULT,
        "工作动态",
        None,
        "SF00135-01",
        "工作进展、执法成效",
        "《2019年政务公开工作主要任务》二（二）",
        5,
        "news",
        WEB,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.RESULT,
        "财政预决算",
        7,
        "SF00135-01",
        "部门预算、部门决算、“三公”经费",
        "《2019年政务公开工作主要任务》二（六）",
        20,
        "notice",
        WEB,
        COUNTY,
        "czsj",
    ),
    (
        "SF00135",
        S.KEY_AREA,
        "规范性文件",
        1,
        "SF00135-02",
        "规范性文件全文及解读",
        "《2019年政务公开工作主要任务》四（三）",
        20,
        "notice",
        WEB_GAZETTE,
        COUNTY,
        "csgl",
    ),
    (
        "SF00135",
        S.KEY_AREA,
        "三大攻坚战信息",
        None,
        "SF00135-01",
        "污染防治、执法整治行动",
        "《2019年政务公开工作主要任务》二（四）",
        20,
        "notice",
        WEB,
        COUNTY,
        "hjbh",
    ),
    # 示范县统计局, after the subjects of seed 003
    (
        "SF00118",
        S.DECISION,
        "统计调查项目",
        None,
        None,
        "调查项目、调查制度、调查方案",
        "《统计法》第十六条",
        20,
        "none",
        WEB,
        COUNTY,
        "tjxx",
    ),
    (
        "SF00118",
        S.MANAGEMENT,
        "统计执法检查",
        6,
        None,
        "执法检查计划、检查结果、行政处罚决定",
        "《统计法》第三十五条",
        7,
        "notice",
        WEB,
        COUNTY,
        "tjxx",
    ),
    (
        "SF00118",
        S.MANAGEMENT,
        "机构职能",
        2,
        None,
        "机关职能、机构设置、联系方式",
        ART20,
        20,
        "none",
        WEB,
        COUNTY,
        "rsgl",
    ),
    (
        "SF00118",
        S.MANAGEMENT,
        "政务公开工作制度",
        15,
        None,
        "政务公开实施方案、工作要点",
        GRASSROOTS,
        20,
        "none",
        WEB,
        COUNTY,
        "zwgk",
    ),
    ("SF00118", S.SERVICE, "统计数据查询服务", 5, None, "查询方式、办事指南", ART20, 20, "none", WEB, COUNTY, "tjxx"),
    (
        "SF00118",
        S.RESULT,
        "统计数据发布",
        4,
        None,
        "月度、季度、年度主要统计数据",
        "《统计法》第二十三条",
        10,
        "news",
        WEB,
        COUNTY,
        "tjxx",
    ),
    (
        "SF00118",
        S.KEY_AREA,
        "统计公报",
        4,
        None,
        "国民经济和社会发展统计公报",
        "《统计法》第二十三条",
        20,
        "notice",
        WEB_GAZETTE,
        COUNTY,
        "tjxx",
    ),
    # 示范县城关镇人民政府, after the subjects of seed 001
    (
        "SF00201",
        S.DECISION,
        "重大事项决策",
        None,
        None,
        "决策事项、征求意见、决策结果",
        GRASSROOTS,
        20,
        "none",
        WEB,
        TOWN,
        "zhzw",
    ),
    (
        "SF00201",
        S.MANAGEMENT,
        "机构职能",
        2,
        None,
        "镇政府职能、内设机构、联系方式",
        ART20,
        20,
        "none",
        WEB,
        TOWN,
        "rsgl",
    ),
    (
        "SF00201",
        S.MANAGEMENT,
        "政务公开工作制度",
        15,
        None,
        "政务公开工作方案、考核办法",
        GRASSROOTS,
        20,
        "none",
        WEB,
        TOWN,
        "zwgk",
    ),
    (
        "SF00201",
        S.SERVICE,
        "惠民政策与办事服务",
        11,
        None,
        "社会救助、就业、教育、医疗政策及办理指南",
        ART20,
        20,
        "none",
        ["website", "notice_board"],
        TOWN,
        "shbz",
    ),
    (
        "SF00201",
        S.RESULT,
        "财政预决算",
        7,
        None,
        "镇级预算、决算、“三公”经费",
        ART20,
        20,
        "notice",
        ["website", "notice_board"],
        TOWN,
        "czsj",
    ),
    ("SF00201", S.KEY_AREA, "应急管理", 12, None, "应急预案、预警信息、应对情况", ART20, 1, "none", WEB, TOWN, "yjgl"),
]

# The county government's standard set of Art 20 items (R37).
GOVERNMENT_NODES = [
    (S.DECISION, "国民经济和社会发展规划", 3, "规划、专项规划、区域规划及相关政策", "zhzw", "notice"),
    (S.DECISION, "政府规章和规范性文件", 1, "规章、规范性文件全文及解读", "zhzw", "notice"),
    (S.EXECUTION, "政府工作报告落实情况", None, "重点任务分工及推进情况", "zhzw", "notice"),
    (S.MANAGEMENT, "政府集中采购", 9, "采购目录、标准及实施情况", "czsj", "notice"),
    (S.MANAGEMENT, "公务员招考", 14, "招考职位、名额、报考条件、录用结果", "rsgl", "none"),
    (S.MANAGEMENT, "政务公开工作制度", 15, "政务公开制度、工作要点", "zwgk", "none"),
    (S.SERVICE, "行政事业性收费", 8, "收费项目、依据、标准", "czsj", "none"),
    (S.RESULT, "财政预决算", 7, "政府预算、决算报告", "czsj", "notice"),
    (S.KEY_AREA, "重大建设项目", 10, "批准和实施情况", "csgl", "notice"),
    (S.KEY_AREA, "突发公共事件应对", 12, "应急预案、预警信息及应对情况", "yjgl", "none"),
    (S.KEY_AREA, "环境保护和安全生产监督检查", 13, "监督检查情况", "hjbh", "notice"),
    (S.KEY_AREA, "扶贫、教育、医疗、社会保障", 11, "政策、措施及其实施情况", "shbz", "notice"),
]
GOVERNMENTS = {GOVERNMENT: COUNTY}  # the township has its own items above

SEED_FILES = {
    "000": "000_7af4ce8b2663749c.txt",
    "001": "001_382b43f8eaf30c0a.txt",
    "002": "002_462d14924c765f0e.txt",
    "003": "003_6b2bcac084556466.txt",
    "004": "004_924ba6c806a8898a.txt",
}
# seed → (publishing organisation, title, 文号, issuer, written_on, published_at, text start marker, text end marker).
# The issuer is the seed's real body; the title and 文号 are its own (see the module docstring).
SEEDS = {
    "000": (
        "SF00126",
        "厦门市规划委员会关于印发《全面推进政务公开工作实施细则》的通知",
        "厦规〔2017〕113号",
        "厦门市规划委员会",
        dt.date(2017, 5, 30),
        dt.datetime(2017, 6, 2, 9, 0),
        "各处室、分局",
        "收藏本页",
    ),
    "001": (
        "SF00201",
        "2018年历阳镇政务公开工作方案",
        "",
        "历阳镇人民政府",
        None,
        dt.datetime(2018, 3, 1, 9, 0),
        "2018年历阳镇政务公开工作总体要求",
        "信息发布:",
    ),
    "002": (
        GOVERNMENT,
        "关于全面推进政务公开工作的意见",
        "中办发〔2016〕8号",
        "中共中央办公厅 国务院办公厅",
        None,
        dt.datetime(2017, 10, 11, 9, 0),
        "公开透明是法治政府",
        None,
    ),
    "003": (
        ORG_B,
        "福州市统计局2017年政务公开工作实施方案",
        "",
        "福州市统计局",
        None,
        dt.datetime(2017, 4, 1, 8, 59),
        "为深入贯彻落实",
        "附件下载:",
    ),
    "004": (
        ORG_A,
        "厦门市城市管理行政执法局关于印发2019年度政务公开工作主要任务的通知",
        "",
        "厦门市城市管理行政执法局",
        dt.date(2019, 9, 12),
        dt.datetime(2019, 9, 12, 16, 0),
        "各处(室)",
        None,
    ),
}
# 主题词 and 内容概述 of the seed documents (the Keywords and Description meta tags, the 信息索引 table), which say
# whose document the county body publishes and why.
SEED_DESCRIPTIONS = {
    "000": ("政务公开 实施细则 规划", "转发上级机关厦门市规划委员会全面推进政务公开工作的实施细则，本局参照执行。"),
    "001": ("政务公开 工作方案 乡镇", "外地乡镇2018年政务公开工作方案，供本镇制定工作方案参考。"),
    "002": ("政务公开 意见", "中共中央办公厅、国务院办公厅关于全面推进政务公开工作的意见，由县政府转载。"),
    "003": ("政务公开 实施方案 统计", "外地统计部门2017年政务公开工作实施方案，供本局开展政务公开工作参考。"),
    "004": (
        "政务公开 年度任务 城市管理",
        "转发上级机关厦门市城市管理行政执法局2019年度政务公开工作主要任务，本局参照执行。",
    ),
}
ATTRIBUTE_LINES = re.compile(r"^\s*[(（]此件(主动)?公开(发布)?[)）]\s*$")
PINYIN_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=SHANGHAI)


def seed_text(key: str) -> str | None:
    path = Path(settings.GOVOPEN_SEEDS_DIR) / SEED_FILES[key]
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    if key == "002":
        import zhconv

        text = zhconv.convert(PINYIN_GLOSS.sub("", text), "zh-cn")
    _org, _title, _no, _issuer, _written, _published, start, end = SEEDS[key]
    begin = text.find(start if key != "002" else "公开透明是法治政府")
    text = text[begin:] if begin >= 0 else text
    if end and end in text:
        text = text[: text.index(end)]
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line and not ATTRIBUTE_LINES.match(line))


def load_topics() -> dict[str, Topic]:
    topics = {}
    for order, (code, name) in enumerate(TOPICS):
        topic = Topic.objects.filter(code=code).first() or topic_save(
            topic=Topic(code=code, name=name, sort_order=(order + 1) * 10), actor=DEMO
        )
        topics[code] = topic
    return topics


def load_sub_units() -> dict[str, Organisation]:
    units = {}
    for parent_code, code, name, short in SUB_UNITS:
        unit = Organisation.objects.filter(code=code).first()
        if unit is not None and unit.kind != Organisation.Kind.INTERNAL:  # a demo loaded before 内设机构 existed
            unit.kind, unit.authorised = Organisation.Kind.INTERNAL, False  # migrated as an authorised 其他单位
            unit = organisation_save(organisation=unit, actor=DEMO, reason="演示数据：牵头处室是内设机构")
        if unit is None:
            parent = Organisation.objects.get(code=parent_code)
            unit = organisation_save(
                organisation=Organisation(
                    code=code,
                    name=name,
                    short_name=short,
                    kind=Organisation.Kind.INTERNAL,
                    parent=parent,
                    sort_order=parent.sort_order + 1,
                    office_name=parent.office_name,
                    address=parent.address,
                    postcode=parent.postcode,
                    office_hours=parent.office_hours,
                    phone=parent.phone,
                    fax=parent.fax,
                    email=parent.email,
                ),
                actor=DEMO,
                reason="演示数据",
            )
        units[code] = unit
    return units


def _node(organisation: Organisation, section: str, name: str, **fields: object) -> CatalogueNode:
    node = CatalogueNode.objects.filter(organisation=organisation, section=section, name=name, parent=None).first()
    if node is None:
        node = catalogue_node_save(
            node=CatalogueNode(organisation=organisation, section=section, name=name, **fields), actor=DEMO
        )
    return node


def load_catalogue(topics: dict[str, Topic]) -> list[tuple[CatalogueNode, Topic]]:
    nodes = []
    orgs = {o.code: o for o in Organisation.objects.all()}
    for order, row in enumerate(NODES):
        code, section, name, statutory, subject, elements, basis, days, freshness, channels, levels, topic = row
        node = _node(
            orgs[code],
            section,
            name,
            statutory_class=statutory,
            subject=orgs[subject or code],
            elements=elements,
            basis=basis,
            time_limit_days=days,
            freshness=freshness,
            channels=channels,
            levels=levels,
            sort_order=(order + 1) * 10,
        )
        nodes.append((node, topics[topic]))
    for code, levels in GOVERNMENTS.items():
        for order, (section, name, statutory, elements, topic, freshness) in enumerate(GOVERNMENT_NODES):
            node = _node(
                orgs[code],
                section,
                name,
                statutory_class=statutory,
                subject=orgs[code],
                elements=elements,
                basis=ART20,
                time_limit_days=20,
                freshness=freshness,
                channels=WEB_GAZETTE,
                levels=levels,
                sort_order=(order + 1) * 10,
            )
            nodes.append((node, topics[topic]))
    # Level-2 items under 规范性文件 of the persona organisation, and a "本期无" notice (R35).
    parent = CatalogueNode.objects.get(organisation=orgs[ORG_A], section=S.KEY_AREA, name="规范性文件")
    for order, name in enumerate(["现行有效规范性文件", "规范性文件清理结果"]):
        child = CatalogueNode.objects.filter(parent=parent, name=name).first() or catalogue_node_save(
            node=CatalogueNode(
                organisation=parent.organisation,
                section=parent.section,
                parent=parent,
                name=name,
                statutory_class=1,
                subject=parent.subject,
                elements=parent.elements,
                basis=parent.basis,
                time_limit_days=20,
                channels=WEB_GAZETTE,
                levels=COUNTY,
                sort_order=order,
            ),
            actor=DEMO,
        )
        nodes.append((child, topics["csgl"]))
    budget = CatalogueNode.objects.get(organisation=orgs[ORG_A], section=S.RESULT, name="财政预决算")
    if not budget.nil_notices.exists():
        nil_notice_save(
            notice=NilNotice(
                node=budget,
                period_start=dt.date(2026, 7, 1),
                period_end=dt.date(2026, 9, 30),
                note="本期无：本季度无预算调整事项",
            ),
            actor=DEMO,
        )
    return nodes


def load_seeds(topics: dict[str, Topic], write: Callable[[str], None]) -> int:
    count = 0
    for key, (code, title, number, issuer, written, published, _s, _e) in SEEDS.items():
        organisation = Organisation.objects.get(code=code)
        if Document.objects.filter(organisation=organisation, title=title).exists():
            continue
        text = seed_text(key)
        if text is None:
            write(f"  种子文件 {SEED_FILES[key]} 不在 {settings.GOVOPEN_SEEDS_DIR}，跳过。")
            continue
        node = CatalogueNode.objects.get(organisation=organisation, name="政务公开工作制度", parent=None)
        document_import(
            organisation=organisation,
            actor=DEMO,
            published_at=_aware(published),
            catalogue_nodes=[node],
            changes={
                "title": title,
                "document_number": number,
                "issuer": issuer,
                "written_on": written,
                "topic": topics["zwgk"],
                "body": text,
                "attribute": Document.Attribute.PROACTIVE,
                "keywords": SEED_DESCRIPTIONS[key][0],
                "summary": SEED_DESCRIPTIONS[key][1],
                # Not one of the county's policies: its issuer interprets it (R15), as for a repost.
                "is_policy": False,
            },
        )
        count += 1
    return count


# The county bodies' own policies that carry the seeds out, which the county interprets (demo_policies):
# (organisation, seed, title, 文号, written_on, published_at, main tasks)
OWN_POLICIES = [
    (
        "SF00126",
        "000",
        "示范县自然资源和规划局全面推进政务公开工作实施方案",
        "示自然资规〔2017〕21号",
        dt.date(2017, 6, 16),
        dt.datetime(2017, 6, 20, 9, 0),
        "推进规划编制、“多规合一”改革、行政许可和规划批后管理全过程公开，做好政策解读和回应关切。",
    ),
    (
        "SF00135",
        "004",
        "示范县城市管理局2019年度政务公开工作要点",
        "示城管〔2019〕35号",
        dt.date(2019, 9, 24),
        dt.datetime(2019, 9, 26, 10, 0),
        "推进行政执法公示、“放管服”改革事项和财政预决算公开，办好政务新媒体，及时回应市容环境方面的社会关切。",
    ),
    (
        "SF00118",
        "003",
        "示范县统计局2017年政务公开工作实施方案",
        "示统〔2017〕6号",
        dt.date(2017, 4, 18),
        dt.datetime(2017, 4, 20, 9, 0),
        "按时发布月度、季度和年度主要统计数据及统计公报，公开统计调查项目和统计执法检查结果。",
    ),
    (
        "SF00201",
        "001",
        "2018年示范县城关镇政务公开工作方案",
        "城政〔2018〕9号",
        dt.date(2018, 3, 12),
        dt.datetime(2018, 3, 15, 9, 0),
        "推进镇级重大事项决策、财政预决算和惠民政策公开，通过政府网站和村（居）务公开栏同步发布。",
    ),
]


def _own_policy_body(organisation: Organisation, seed: str, tasks: str) -> str:
    _code, title, _number, issuer, *_rest = SEEDS[seed]
    superior = issuer.startswith("厦门市")  # the county's superior city (catalog/demo.py)
    cited = title.replace("《", "〈").replace("》", "〉")
    ground = (
        f"为贯彻落实上级机关《{cited}》的部署"
        if superior
        else "为贯彻落实上级关于全面推进政务公开工作的部署，借鉴外地经验"
    )
    return "\n".join(
        [
            f"{ground}，进一步提升{organisation.name}政务公开工作水平，结合本单位实际，制定本方案。",
            "一、总体要求。坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开，保障公众的知情权、参与权、"
            "表达权和监督权。",
            f"二、主要任务。{tasks}",
            "三、保障措施。明确分管负责人和承办股室，健全公开属性审查和保密审查机制，将政务公开工作纳入年度绩效考核。",
        ]
    )


def load_own_policies(topics: dict[str, Topic]) -> int:
    count = 0
    for code, seed, title, number, written, published, tasks in OWN_POLICIES:
        organisation = Organisation.objects.get(code=code)
        if Document.objects.filter(organisation=organisation, title=title).exists():
            continue
        node = CatalogueNode.objects.get(organisation=organisation, name="政务公开工作制度", parent=None)
        body = _own_policy_body(organisation, seed, tasks)
        document_import(
            organisation=organisation,
            actor=DEMO,
            published_at=_aware(published),
            catalogue_nodes=[node],
            changes={
                "title": title,
                "document_number": number,
                "written_on": written,
                "topic": topics["zwgk"],
                "body": body,
                "attribute": Document.Attribute.PROACTIVE,
                "keywords": "政务公开 工作方案",
                "summary": f"{organisation.name}政务公开工作的总体要求、主要任务和保障措施。",
                "is_policy": True,
            },
        )
        count += 1
    return count


TITLE_PATTERNS = {
    "工作动态": "{org}{month}开展{topic}专项执法行动",
    "回应社会关切": "关于群众反映{topic}问题的答复",
    "回应关切": "关于群众反映规划公示问题的答复（{year}年第{n}期）",
    "统计数据发布": "{year}年{month}示范县主要统计数据",
    "财政预决算": "{org}{year}年部门预算",
    "行政执法公示": "{org}行政处罚决定公示（{year}年第{n}批）",
}
TOPIC_WORDS = ["占道经营", "违法建设", "户外广告", "渣土运输", "餐厨垃圾", "夜间施工噪声"]
MONTHS = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"]


def _generated_title(node: CatalogueNode, n: int, year: int, month: int) -> str:
    pattern = TITLE_PATTERNS.get(node.name, "{org}{name}（{year}年第{n}期）")
    return pattern.format(
        org=node.organisation.name,
        name=node.name,
        year=year,
        n=n,
        month=MONTHS[month - 1],
        topic=TOPIC_WORDS[n % len(TOPIC_WORDS)],
    )


def _generated_body(node: CatalogueNode, title: str) -> str:
    return "\n".join(
        [
            f"为做好{node.name}工作，依据{node.basis or '有关规定'}，现将有关情况公开如下。",
            f"一、主要内容。本期公开的内容包括：{node.elements or node.name}。",
            f"二、办理情况。{node.subject.name}按照“谁制作、谁公开”的原则，对本期信息进行了公开属性审查和保密审查，"
            "确认属于主动公开范围。",
            "三、联系方式。对本信息有疑问的，可在工作日办公时间通过政府信息公开指南所列电话咨询。",
            f"特此公告。（{title}）",
        ]
    )


def load_generated(nodes: list[tuple[CatalogueNode, Topic]], today: dt.date) -> int:
    count = 0
    for index, (node, topic) in enumerate(nodes):
        if node.name == "政务公开工作制度":
            continue
        wanted = 18 if node.name == "工作动态" and node.organisation.code == ORG_A else 3
        existing = Document.objects.filter(catalogue_nodes=node).count()
        for n in range(existing + 1, wanted + 1):
            # Spread over the last two years, the newest a few days ago, so every item has recent material.
            published = dt.datetime.combine(today - dt.timedelta(days=3 + (index * 11 + n * 29) % 700), dt.time(10, 30))
            title = _generated_title(node, n, published.year, published.month)
            document_import(
                organisation=node.organisation,
                actor=DEMO,
                published_at=_aware(published),
                catalogue_nodes=[node],
                changes={
                    "title": title,
                    "written_on": published.date() - dt.timedelta(days=2),
                    "topic": topic,
                    "body": _generated_body(node, title),
                    "attribute": Document.Attribute.PROACTIVE,
                    "keywords": f"{node.name} {topic.name}",
                    "document_number": f"示城管〔{published.year}〕{n + 10}号" if node.name == "规范性文件" else "",
                },
            )
            count += 1
    return count


def load_workflow(topics: dict[str, Topic], today: dt.date, write: Callable[[str], None]) -> None:
    """Documents of the persona organisation in every review state, so the review queue and the directory live."""
    User = get_user_model()
    drafter, reviewer = User.objects.get(username="drafter"), User.objects.get(username="reviewer")
    office = User.objects.get(username="office")
    organisation = Organisation.objects.get(code=ORG_A)
    if Document.objects.filter(organisation=organisation, drafter=drafter).exists():
        return
    entry = NegativeListEntry.objects.filter(organisation=organisation, matter="执法人员个人考核结果").first()
    entry = entry or negative_list_entry_save(
        entry=NegativeListEntry(
            organisation=organisation,
            matter="执法人员个人考核结果",
            ground=Ground.INTERNAL_AFFAIRS,
            basis="《中华人民共和国政府信息公开条例》第十六条",
        ),
        actor=DEMO,
    )
    negative_list_entry_save(
        entry=NegativeListEntry.objects.filter(organisation=organisation, matter="在办行政执法案卷").first()
        or NegativeListEntry(
            organisation=organisation,
            matter="在办行政执法案卷",
            ground=Ground.ENFORCEMENT_FILE,
            basis="《中华人民共和国政府信息公开条例》第十六条",
        ),
        actor=DEMO,
    )
    node = CatalogueNode.objects.get(organisation=organisation, name="重要决策预公开", parent=None)
    cases = [
        ("关于调整城市道路临时占用审批流程的通知（送审稿）", Document.Attribute.PROACTIVE, "", "", "in_review"),
        ("关于开展“门前三包”责任制专项检查的通知", Document.Attribute.ON_REQUEST, "", "", "returned"),
        (
            "关于城关镇某小区违法建设处置情况的报告",
            Document.Attribute.ON_REQUEST,
            Ground.THIRD_PARTY,
            "涉及当事人的个人信息和商业信息，公开会损害第三方合法权益。",
            "on_request",
        ),
        (
            "2026年上半年执法人员考核结果",
            Document.Attribute.WITHHELD,
            Ground.INTERNAL_AFFAIRS,
            "属于人事管理类内部事务信息。",
            "withheld",
        ),
        ("关于2026年国庆期间市容环境保障工作的通告", Document.Attribute.PROACTIVE, "", "", "withdrawn"),
        ("关于2027年元旦期间市容环境保障工作的通告", Document.Attribute.PROACTIVE, "", "", "scheduled"),
        ("关于举报违法建设奖励发放情况的公示", Document.Attribute.PROACTIVE, "", "", "personal_data"),
        ("城市管理行政执法工作规范草案", "", "", "", "draft"),
    ]
    for title, attribute, ground, reason, fate in cases:
        body = _generated_body(node, title)
        if fate == "personal_data":
            body += "\n领取人：王某，联系电话 13912345678。"
        document = document_create(
            organisation=organisation,
            actor=drafter,
            catalogue_nodes=[node] if attribute == "proactive" else [],
            changes={
                "title": title,
                "written_on": today - dt.timedelta(days=6),
                "topic": topics["csgl"],
                "body": body,
                "attribute": attribute,
                "ground": ground,
                "reason": reason,
                "negative_list_entry": entry if fate == "withheld" else None,
                "summary": f"{title}：处置经过、处理结果和后续监管安排。" if fate == "on_request" else "",
            },
        )
        if fate == "draft":
            continue
        if fate == "returned":
            # The drafter proposed 依申请公开 as process information; the reviewer sends it back as proactive.
            document_update(
                document=document,
                actor=drafter,
                changes={"ground": Ground.PROCESS, "reason": "属于工作部署过程中的内部通知。"},
            )
            document_submit(document=document, actor=drafter)
            document_return(
                document=document,
                actor=reviewer,
                reason="该通知面向社会公布检查安排，应为主动公开；请修改公开属性后重新提交。",
            )
            continue
        document_submit(document=document, actor=drafter)
        if fate in ("in_review", "personal_data"):
            continue
        publish_at = _aware(dt.datetime.combine(today + dt.timedelta(days=40), dt.time(9, 0)))
        document_approve(
            document=document,
            actor=reviewer,
            confidentiality_checked=True,
            publish_at=publish_at if fate == "scheduled" else None,
        )
        if fate == "withdrawn":
            document_withdraw(document=document, actor=office, reason="活动安排已调整，原通告不再适用，另行发布。")
    # A repealed regulation with its successor (R12).
    regulations = list(
        Document.objects.filter(catalogue_nodes__name="规范性文件", organisation=organisation).order_by("published_at")
    )
    if len(regulations) >= 2 and regulations[0].validity == Document.Validity.VALID:
        document_validity_set(
            document=regulations[0],
            actor=reviewer,
            validity=Document.Validity.AMENDED,
            successor=regulations[-1],
        )
    # A drafter's request to declare a notice 失效, waiting for the reviewer (R12): the reviewer's home lists it.
    notice = (
        Document.objects.filter(organisation=organisation, status=Document.Status.PUBLISHED, validity="valid")
        .exclude(pk__in=[r.pk for r in regulations])
        .order_by("published_at")
        .first()
    )
    if notice is not None and not ValidityProposal.objects.filter(document__organisation=organisation).exists():
        document_validity_propose(
            document=notice,
            actor=drafter,
            validity=Document.Validity.EXPIRED,
            repealed_on=today,
            reason="通告所涉活动已结束，申请标注为失效。",
        )
    write("  审核流程演示：待审核 2 件、退回 1 件、草稿 1 件、依申请公开 1 件、不予公开 1 件、撤回 1 件、定时发布 1 件")


# Groups of words a search treats as one, as the office would keep them in the admin (检索同义词).
SYNONYMS = ("噪声 噪音", "城管 城市管理", "低保 最低生活保障")


def load_synonyms() -> None:
    for terms in SYNONYMS:
        if not SearchSynonym.objects.filter(terms=terms).exists():
            search_synonym_save(group=SearchSynonym(terms=terms), actor=DEMO)


@transaction.atomic
def load(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> None:
    today = timezone.localdate()
    topics = load_topics()
    load_sub_units()
    nodes = load_catalogue(topics)
    write(f"五公开目录：{CatalogueNode.objects.count()} 个事项")
    seeds = load_seeds(topics, write)
    own = load_own_policies(topics)
    generated = load_generated(nodes, today)
    write(f"政府信息：种子文件 {seeds} 件，本县政策文件 {own} 件，生成 {generated} 件")
    load_workflow(topics, today, write)
    load_synonyms()
    transaction.on_commit(lambda: write("检索索引：已索引 %s 件，移除 %s 件" % search_rebuild()))
