#!/usr/bin/env python
"""Fill a PostgreSQL database with a province-sized portal: N published documents and M applications.

    DJANGO_SETTINGS_MODULE=govopen.settings .venv/bin/python bench/build.py --documents N --applications M [--jobs 2]

The database must be migrated already (``manage.py migrate``). Rows go in with COPY, in batches of ids, one batch per
transaction, in ``--jobs`` processes; every finished batch is recorded in ``bench_progress``, so a rerun continues
where the last one stopped. Everything is derived from ``--seed`` and the anchor date recorded at the first run, so a
resumed build writes the same rows it would have written in one go.

What the rows are made of:
- organisations: four large ones (about 10% of the documents and applications each) and a long tail;
- catalogue: per organisation, the five disclosures and 重点领域 with three level-1 items of two level-2 items each;
- documents: published over ~15 years (ids in publication order), titles and bodies recombined from clauses of the
  seed texts in ../shared/seeds (Zipf-weighted, so a few clauses are everywhere and most are rare), 公开 in nearly
  every document (the closing 此件主动公开 line), 金融 in ~3% (planted clauses), and one planted word per document
  drawn Zipf-wise from jieba's dictionary, so that rare words are really rare. 1 in 101 rows is an approved 依申请公开
  document (the directory), the rest are published 主动公开; ~5% are policies and ~2% have a published interpretation.
- the search index: exactly what ``disclosure.search.index`` stores when a document is published (the same
  ``index_tokens`` and ``whole_term`` on each field, the same ``Fields``/``tsvector_literal``); tokens are computed
  per clause and concatenated, which equals tokenising the whole text because jieba never joins across punctuation
  (tests/test_bench_quick.py checks the equality on a sample).
- applications: submitted over ~10 years; those of the last five weeks are open (accepted, a few waiting for a
  correction or not yet accepted) with their due date computed by ``requests_app.deadlines``; older ones are replied,
  closed, abandoned or withdrawn; personal data encrypted with ``core.crypto`` under the configured keys.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import html
import io
import itertools
import json
import os
import random
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govopen.settings")

import django  # noqa: E402
from django.apps import apps as _apps  # noqa: E402

if not _apps.ready:
    django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import JSONField  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalog.models import CatalogueNode, Organisation, Section, Topic  # noqa: E402
from core import crypto  # noqa: E402
from disclosure.models import DirectoryIssue, Document, Interpretation, InterpretationForm, SearchEntry  # noqa: E402
from disclosure.search import backends  # noqa: E402
from disclosure.search.segment import index_tokens, whole_term  # noqa: E402
from requests_app.models import (  # noqa: E402
    ApplicantType,
    Channel,
    Delivery,
    IdType,
    InformationForm,
    InformationRequest,
    Outcome,
    RequestEvent,
)

SEEDS_DIR = Path(os.environ.get("GOVOPEN_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
DOC_BATCH = 2000
APP_BATCH = 5000
ON_REQUEST_EVERY = 101  # document ids divisible by this are approved 依申请公开 documents, the rest are published
DOC_YEARS = 15
APP_YEARS = 10
OPEN_DAYS = 36  # applications submitted in the last OPEN_DAYS days are still open
LARGE_ORGS = [
    ("BJ-GOV", "甲市人民政府", "市政府", Organisation.Kind.GOVERNMENT),
    ("BJ-CZJ", "甲市财政局", "市财政局", Organisation.Kind.DEPARTMENT),
    ("BJ-SCJGJ", "甲市市场监督管理局", "市市场监管局", Organisation.Kind.DEPARTMENT),
    ("BJ-ZJJ", "甲市住房和城乡建设局", "市住建局", Organisation.Kind.DEPARTMENT),
]
TAIL_DEPARTMENTS = [
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "林业局",
    "体育局",
    "信访局",
    "政务服务数据管理局",
    "地方金融监督管理局",
    "粮食和物资储备局",
]
DISTRICTS = [
    "东城区",
    "西城区",
    "南湖区",
    "北山区",
    "江滨区",
    "高新区",
    "临港区",
    "青山县",
    "白水县",
    "云溪县",
    "石门县",
    "枫林县",
    "长乐县",
    "安平县",
]
SECTION_ITEMS = {
    Section.DECISION: ["重大行政决策", "政策文件", "规划计划"],
    Section.EXECUTION: ["通知公告", "工作动态", "重点工作落实"],
    Section.MANAGEMENT: ["行政许可", "行政处罚", "监督检查"],
    Section.SERVICE: ["办事指南", "便民服务", "公共服务事项"],
    Section.RESULT: ["政策执行情况", "审计结果", "建议提案办理"],
    Section.KEY_AREA: ["财政预决算", "政府采购", "重大建设项目"],
}
SUB_ITEMS = ["综合", "专项"]
TITLE_KINDS = ["通知", "公告", "意见", "实施方案", "工作方案", "办法", "报告", "通报", "批复", "公示"]
FINANCE_CLAUSES = [
    "加强地方金融监督管理工作",
    "防范化解重大金融风险",
    "金融机构应当按照规定报送有关信息",
    "支持普惠金融和绿色金融发展",
    "引导金融资源更多投向实体经济",
]
CLOSING = "（此件主动公开）"
PUBLIC_CLOSING_SHARE = 0.997
FINANCE_SHARE = 0.03


# --- The text model ------------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    clauses: list[str]
    clause_cum: list[float]
    title_subjects: list[str]
    rare_words: list[str]
    rare_cum: list[float]


def _zipf_cum(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


HAN = re.compile(r"[\u4e00-\u9fff]")
CLAUSE_SPLIT = re.compile(r"[，、。！？；：:,;!?\n（）()《》“”\"【】\[\]]")
BLOCK_CHARS = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]")  # jieba's re_han_default


@lru_cache(maxsize=1)
def corpus() -> Corpus:
    """Clauses of the seed texts (split at punctuation, so their tokens concatenate), most frequent first."""
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    if not paths:
        raise SystemExit(f"no seed texts in {SEEDS_DIR} (set GOVOPEN_SEEDS_DIR)")
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    seen: dict[str, int] = {}
    for clause in CLAUSE_SPLIT.split(text):
        clause = re.sub(r"\s+", "", clause)
        if len(HAN.findall(clause)) >= 4 and len(clause) <= 60 and "金融" not in clause:
            seen[clause] = seen.get(clause, 0) + 1
    rng = random.Random(20260101)
    clauses = sorted(seen)
    rng.shuffle(clauses)  # the Zipf rank of a clause is arbitrary, so common words come from everywhere
    subjects = [c for c in clauses if 6 <= len(c) <= 22]
    words = _rare_vocabulary(set("".join(clauses)))
    rng.shuffle(words)
    return Corpus(clauses, _zipf_cum(len(clauses), 0.9), subjects, words, _zipf_cum(len(words), 1.0))


def _rare_vocabulary(seed_chars: set[str]) -> list[str]:
    """Two- to four-character nouns of jieba's dictionary, for the planted clause of each document."""
    import jieba

    words = []
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as handle:
        for line in handle:
            word, freq, tag = (line.split() + ["", ""])[:3]
            if (
                tag in ("n", "nz", "vn")
                and 2 <= len(word) <= 4
                and all(HAN.match(ch) for ch in word)
                and 20 <= int(freq or 0) <= 2000
                and "金融" not in word
            ):
                words.append(word)
    return sorted(set(words))[:40000]


def rare_word_clause(word: str) -> str:
    return f"涉及{word}相关事项"


@cache
def clause_tokens(clause: str) -> tuple[str, ...]:
    return tuple(index_tokens(clause))


@lru_cache(maxsize=300_000)
def text_tokens(text: str) -> tuple[str, ...]:
    return tuple(index_tokens(text))


def _sentence(rng: random.Random) -> list[str]:
    c = corpus()
    return rng.choices(c.clauses, cum_weights=c.clause_cum, k=rng.randint(2, 4))


def _paragraphs(rng: random.Random, *, planted: list[str], n_sentences: int) -> list[list[list[str]]]:
    """Paragraphs → sentences → clauses. ``planted`` clauses go into random sentences."""
    sentences = [_sentence(rng) for _ in range(n_sentences)]
    for clause in planted:
        rng.choice(sentences).insert(0, clause)
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(2, 5)
        paragraphs.append(sentences[i : i + size])
        i += size
    return paragraphs


def render_paragraphs(paragraphs: list[list[list[str]]]) -> tuple[list[str], list[str]]:
    """The paragraph texts and their tokens (clause tokens concatenated in order)."""
    texts, tokens = [], []
    for paragraph in paragraphs:
        texts.append("".join("，".join(sentence) + "。" for sentence in paragraph))
        for sentence in paragraph:
            for clause in sentence:
                tokens.extend(clause_tokens(clause))
    return texts, tokens


def body_html(paragraph_texts: list[str]) -> str:
    """What ``disclosure.content.sanitise_body`` makes of plain paragraphs."""
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraph_texts)


# --- Deterministic plans of who, when and how many ----------------------------------------------------------------


def org_weights(n_orgs: int) -> list[float]:
    """Four organisations with ~10% each, the other 60% spread Zipf-wise over the long tail."""
    tail = n_orgs - len(LARGE_ORGS)
    zipf = [1.0 / r for r in range(1, tail + 1)]
    total = sum(zipf)
    return [0.10] * len(LARGE_ORGS) + [0.60 * z / total for z in zipf]


@dataclass
class DocPlan:
    total: int
    org_index: list[int]
    written: list[dt.date]
    serial: list[int]
    published_at: list[dt.datetime]


def total_documents(n_published: int) -> int:
    """Rows to write so that ``n_published`` are published: every ON_REQUEST_EVERY-th id is an on-request one."""
    return n_published + n_published // (ON_REQUEST_EVERY - 1)


@lru_cache(maxsize=4)
def doc_plan(n_published: int, n_orgs: int, seed: int, anchor: dt.date) -> DocPlan:
    total = total_documents(n_published)
    rng = random.Random(seed * 7 + 1)
    cum = list(itertools.accumulate(org_weights(n_orgs)))
    orgs = rng.choices(range(n_orgs), cum_weights=cum, k=total)
    start = dt.datetime.combine(
        anchor - dt.timedelta(days=365 * DOC_YEARS), dt.time(9), tzinfo=timezone.get_current_timezone()
    )
    span = (365 * DOC_YEARS - 1) * 86400
    counters: dict[tuple[int, int], int] = {}
    written, serial, published = [], [], []
    for i in range(total):
        moment = start + dt.timedelta(seconds=span * i // max(total, 1) + rng.randrange(0, 3600))
        day = (moment - dt.timedelta(days=rng.randrange(0, 20))).date()
        key = (orgs[i], day.year)
        counters[key] = counters.get(key, 0) + 1
        written.append(day)
        serial.append(counters[key])
        published.append(moment)
    return DocPlan(total, orgs, written, serial, published)


# --- Set-up: organisations, topics, catalogue, progress table -----------------------------------------------------


def ensure_progress_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_progress (phase text NOT NULL, batch integer NOT NULL, rows integer NOT NULL,"
            " done_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (phase, batch))"
        )
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")


def meta_get(key: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
        row = cursor.fetchone()
    return row[0] if row else None


def meta_set(key: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, value],
        )


def organisation_specs() -> list[tuple[str, str, str, str]]:
    specs = list(LARGE_ORGS)
    for i, dept in enumerate(TAIL_DEPARTMENTS):
        specs.append((f"BJ-D{i + 1:02d}", f"甲市{dept}", f"市{dept[:6]}", Organisation.Kind.DEPARTMENT))
    for i, district in enumerate(DISTRICTS):
        specs.append((f"BJ-Q{i + 1:02d}", f"甲市{district}人民政府", f"{district}政府", Organisation.Kind.GOVERNMENT))
    return specs


@transaction.atomic
def setup_reference(*, seed: int, anchor: dt.date | None = None) -> dict[str, Any]:
    """Organisations, topics, catalogue nodes and the anchor date; idempotent (kept from the first run)."""
    ensure_progress_table()
    stored = meta_get("anchor")
    anchor = dt.date.fromisoformat(stored) if stored else (anchor or timezone.localdate())
    meta_set("anchor", anchor.isoformat())
    if meta_get("seed") is None:
        meta_set("seed", str(seed))
    seed = int(meta_get("seed"))
    from disclosure.demo import TOPICS

    for order, (code, name) in enumerate(TOPICS):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "sort_order": (order + 1) * 10})
    government = None
    orgs: list[Organisation] = []
    for order, (code, name, short, kind) in enumerate(organisation_specs()):
        org, _created = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "sort_order": (order + 1) * 10,
                "parent": government if code != "BJ-GOV" else None,
                "office_name": f"{name}办公室",
                "address": "甲市人民路 1 号",
                "postcode": "100001",
                "office_hours": "工作日 9:00—17:00",
                "phone": "010-12345678",
                "email": "gk@example.gov.cn",
                "letter_code": f"{short[:4]}依公开",
                "review_body": "甲市人民政府",
                "court": "甲市中级人民法院",
            },
        )
        if code == "BJ-GOV":
            government = org
        orgs.append(org)
    _catalogue_nodes(orgs)
    return {"anchor": anchor, "seed": seed}


def _catalogue_nodes(orgs: list[Organisation]) -> None:
    """Each organisation's catalogue items (SECTION_ITEMS, each with its SUB_ITEMS), the missing ones written with one
    statement per level: 2,500 items one by one (each with its history row and audit seal) took 15 s of the build."""

    def key(node: CatalogueNode) -> tuple[int, str, int | None, str]:
        return (node.organisation_id, node.section, node.parent_id, node.name)

    existing = {key(n): n for n in CatalogueNode.objects.filter(organisation__in=orgs)}
    tops = []
    for org in orgs:
        for section, items in SECTION_ITEMS.items():
            for position, item in enumerate(items):
                node = CatalogueNode(
                    organisation=org,
                    section=section,
                    parent=None,
                    name=item,
                    subject=org,
                    sort_order=(position + 1) * 10,
                    channels=["website"],
                    levels=["city"],
                    time_limit_days=20,
                    statutory_class=1 if item == "政策文件" else None,
                    freshness=CatalogueNode.Freshness.NOTICE,
                )
                tops.append(existing.get(key(node), node))
    CatalogueNode.objects.bulk_create([n for n in tops if n.pk is None])
    subs = []
    for top in tops:
        for sub_position, sub in enumerate(SUB_ITEMS):
            node = CatalogueNode(
                organisation_id=top.organisation_id,
                section=top.section,
                parent=top,
                name=f"{top.name}（{sub}）",
                subject_id=top.organisation_id,
                sort_order=(sub_position + 1) * 10,
                channels=["website"],
                levels=["city"],
            )
            if key(node) not in existing:
                subs.append(node)
    CatalogueNode.objects.bulk_create(subs)


@dataclass
class Reference:
    orgs: list[tuple[int, str, str, str]]  # id, code, name, short
    nodes: list[list[tuple[int, list[int]]]]  # per org: level-1 id with its level-2 ids
    node_sections: dict[int, str]
    topics: list[int]
    vector: bool  # the PostgreSQL tsvector column exists
    search_columns: set[str]


@lru_cache(maxsize=1)
def reference() -> Reference:
    specs = [code for code, *_ in organisation_specs()]
    by_code = {o.code: o for o in Organisation.objects.filter(code__in=specs)}
    orgs = [(by_code[c].pk, c, by_code[c].name, by_code[c].display_name) for c in specs]
    nodes: list[list[tuple[int, list[int]]]] = []
    sections: dict[int, str] = {}
    all_nodes = list(CatalogueNode.objects.filter(organisation__code__in=specs).order_by("section", "sort_order", "pk"))
    children: dict[int, list[int]] = {}
    for node in all_nodes:
        sections[node.pk] = node.section
        if node.parent_id:
            children.setdefault(node.parent_id, []).append(node.pk)
    for org_id, *_ in orgs:
        nodes.append(
            [(n.pk, children.get(n.pk, [])) for n in all_nodes if n.organisation_id == org_id and not n.parent_id]
        )
    topics = list(Topic.objects.order_by("sort_order", "pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'disclosure_searchentry'")
        columns = {row[0] for row in cursor.fetchall()}
    return Reference(orgs, nodes, sections, topics, "vector" in columns, columns)


@lru_cache(maxsize=500_000)
def _lexeme(token: str) -> str:
    return backends._pg_lexeme(token)


def tsvector_literal(fields: backends.Fields, *, numbers_weight: str = "A") -> str:
    """``backends.tsvector_literal`` (``title_tsvector_literal`` with ``numbers_weight="B"`` and only title and
    numbers), rewritten for speed (the same output: the tests compare it with the index that
    ``search_index_document`` writes)."""
    positions: dict[str, list[str]] = {}
    position = 0
    cap = backends.MAX_POSITION
    parts = (("A", fields.title), (numbers_weight, fields.numbers), ("B", fields.metadata), ("", fields.body))
    for suffix, tokens in parts:
        for token in tokens:
            if position < cap:
                position += 1
            slots = positions.get(token)
            if slots is None:
                positions[token] = [f"{position}{suffix}"]
            elif len(slots) < 256:
                slots.append(f"{position}{suffix}")
    return " ".join(f"{_lexeme(token)}:{','.join(slots)}" for token, slots in positions.items())


# --- COPY -------------------------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@cache
def _model_defaults(model: type) -> tuple[list[str], dict[str, Any]]:
    """The columns of ``model`` and a default for each (for columns this builder does not set itself)."""
    columns, defaults = [], {}
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        if field.has_default():
            value = field.get_default()
            defaults[field.column] = json.dumps(value) if isinstance(field, JSONField) else value
        elif field.null:
            defaults[field.column] = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.column] = "now()"
        else:
            defaults[field.column] = ""
    return columns, defaults


def copy_rows(cursor: Any, table: str, columns: list[str], rows: Iterable[Iterable[Any]]) -> int:
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_cell(v) for v in row))
        buffer.write("\n")
        count += 1
    if count:
        buffer.seek(0)
        quoted = ", ".join(f'"{column}"' for column in columns)
        cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN', buffer)
    return count


def copy_model(cursor: Any, model: type, dicts: list[dict[str, Any]]) -> int:
    columns, defaults = _model_defaults(model)
    now = timezone.now()
    rows = []
    for values in dicts:
        row = []
        for column in columns:
            value = values[column] if column in values else defaults[column]
            row.append(now if value == "now()" else value)
        rows.append(row)
    return copy_rows(cursor, model._meta.db_table, columns, rows)


def _raw_cursor() -> Any:
    connection.ensure_connection()
    return connection.connection.cursor()


# --- Documents ----------------------------------------------------------------------------------------------------


def _document_batch(batch: int, *, n_published: int, seed: int, anchor: dt.date) -> int:
    ref = reference()
    plan = doc_plan(n_published, len(ref.orgs), seed, anchor)
    lo, hi = batch * DOC_BATCH + 1, min((batch + 1) * DOC_BATCH, plan.total)
    rng = random.Random(f"{seed}-doc-{batch}")
    c = corpus()
    documents, links, entries, interpretations = [], [], [], []
    now = timezone.now()
    topic_cum = _zipf_cum(len(ref.topics))
    for pk in range(lo, hi + 1):
        i = pk - 1
        org_id, code, org_name, short = ref.orgs[plan.org_index[i]]
        written, serial, published_at = plan.written[i], plan.serial[i], plan.published_at[i]
        on_request = pk % ON_REQUEST_EVERY == 0
        subject = c.title_subjects[int(rng.paretovariate(1.1) * 7) % len(c.title_subjects)]
        kind = rng.choice(TITLE_KINDS)
        title = f"{org_name}关于{subject}的{kind}"[:300]
        index_no = f"{code}/{written.year}-{serial:05d}"
        document_number = f"{short[:4]}发〔{written.year}〕{serial}号" if rng.random() < 0.6 else ""
        planted = [rare_word_clause(rng.choices(c.rare_words, cum_weights=c.rare_cum)[0])]
        if rng.random() < FINANCE_SHARE:
            planted.append(rng.choice(FINANCE_CLAUSES))
        paragraphs = _paragraphs(rng, planted=planted, n_sentences=rng.randint(6, 18))
        texts, body_tokens = render_paragraphs(paragraphs)
        if rng.random() < PUBLIC_CLOSING_SHARE:
            texts.append(CLOSING)
            body_tokens.extend(clause_tokens(CLOSING))
        text = "\n".join(texts)
        is_policy = rng.random() < 0.05
        validity_roll = rng.random()
        validity = "valid" if validity_roll < 0.9 else "expired" if validity_roll < 0.96 else "repealed"
        org_nodes = ref.nodes[plan.org_index[i]]
        level_one, level_two = org_nodes[min(int(rng.paretovariate(1.0)) - 1, len(org_nodes) - 1)]
        node_ids = [level_one if rng.random() < 0.4 or not level_two else rng.choice(level_two)]
        if rng.random() < 0.1:
            other, others = rng.choice(org_nodes)
            extra = rng.choice([other, *others])
            if extra not in node_ids:
                node_ids.append(extra)
        documents.append(
            {
                "id": pk,
                "organisation_id": org_id,
                "index_no": index_no,
                "index_year": written.year,
                "index_serial": serial,
                "title": title,
                "document_number": document_number,
                "issuer": "",
                "written_on": written,
                "topic_id": ref.topics[bisect.bisect_left(topic_cum, rng.random() * topic_cum[-1])],
                "body": body_html(texts),
                "body_text": text,
                "attribute": "on_request" if on_request else "proactive",
                "validity": validity,
                "repealed_on": written + dt.timedelta(days=700) if validity != "valid" else None,
                "is_policy": is_policy,
                "legal_form": "normative" if is_policy and rng.random() < 0.5 else "",
                "status": "approved" if on_request else "published",
                "published_at": None if on_request else published_at,
                "submitted_at": published_at - dt.timedelta(hours=4),
                "decided_at": published_at - dt.timedelta(hours=1),
                "confidentiality_checked": True,
                "created_at": published_at - dt.timedelta(hours=5),
                "updated_at": now,
            }
        )
        links.extend((pk, node) for node in node_ids)
        if on_request:
            continue
        extra_tokens: list[str] = []
        if is_policy and rng.random() < 0.4:
            itexts, itokens = render_paragraphs(_paragraphs(rng, planted=[], n_sentences=rng.randint(3, 6)))
            ititle = f"《{subject}》政策解读"
            interpretations.append(
                {
                    "id": pk,
                    "policy_id": pk,
                    "organisation_id": org_id,
                    "title": ititle,
                    "form": rng.choice(InterpretationForm.values),
                    "summary": itexts[0][:300],
                    "body": body_html(itexts),
                    "body_text": "\n".join(itexts),
                    "status": "published",
                    "published_at": published_at + dt.timedelta(minutes=10),
                    "submitted_at": published_at - dt.timedelta(hours=3),
                    "decided_at": published_at - dt.timedelta(hours=1),
                    "created_at": published_at - dt.timedelta(hours=3),
                    "updated_at": now,
                }
            )
            # index._fields: f"{body_text} {title} {text}" — a space is a jieba boundary, so tokens concatenate.
            extra_tokens = list(text_tokens(ititle)) + itokens
        numbers = [t for t in (whole_term(document_number), whole_term(index_no)) if t]
        numbers += list(text_tokens(document_number)) + index_tokens(index_no)
        fields = backends.Fields(
            title=list(text_tokens(title)),
            numbers=numbers,
            metadata=list(text_tokens(org_name)),
            body=body_tokens + extra_tokens,
        )
        entry = {"document_id": pk, "indexed_at": now}
        if "tokens" in ref.search_columns:  # the schema before issue 15's search
            entry["tokens"] = " ".join(fields.all_tokens())
        if "sections" in ref.search_columns:
            bits = 0
            for node in node_ids:
                bits |= backends.SECTION_BITS[ref.node_sections[node]]
            entry.update(
                organisation_id=org_id,
                topic_id=documents[-1]["topic_id"],
                published_at=published_at,
                validity=validity,
                sections=bits,
            )
        if ref.vector:
            entry["vector"] = tsvector_literal(fields)
        if "title_vector" in ref.search_columns:
            entry["title_vector"] = tsvector_literal(
                backends.Fields(title=fields.title, numbers=fields.numbers, metadata=[], body=[]),
                numbers_weight="B",
            )
        entries.append(entry)
    cursor = _raw_cursor()
    copy_model(cursor, Document, documents)
    copy_rows(cursor, "disclosure_document_catalogue_nodes", ["document_id", "cataloguenode_id"], links)
    copy_model(cursor, Interpretation, interpretations)
    if entries:
        entry_columns, defaults = _model_defaults(SearchEntry)
        columns = [col for col in entry_columns if col in entries[0] or col in ref.search_columns]
        columns += [c for c in ("vector", "title_vector") if c in entries[0] and c not in columns]
        copy_rows(
            cursor,
            "disclosure_searchentry",
            columns,
            ([e.get(col, defaults.get(col)) for col in columns] for e in entries),
        )
    return hi - lo + 1


# --- Applications -------------------------------------------------------------------------------------------------

FINISHED_OUTCOMES = [
    (Outcome.OPEN, 40),
    (Outcome.ALREADY_PUBLIC, 15),
    (Outcome.PARTIAL, 10),
    (Outcome.NOT_HELD, 12),
    (Outcome.NOT_HELD_REFERRAL, 4),
    (Outcome.WITHHELD_PROCESS, 3),
    (Outcome.WITHHELD_THIRD_PARTY, 3),
    (Outcome.WITHHELD_INTERNAL, 2),
    (Outcome.NEEDS_CREATION, 3),
    (Outcome.PETITION, 3),
    (Outcome.REPEAT, 2),
    (Outcome.CONFIRMATION, 1),
    (Outcome.OTHER, 2),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
TRACK = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def tracking_code(pk: int, year: int) -> str:
    """Unique per id (the id in base 32 over the project's alphabet)."""
    digits, value = [], pk
    for _ in range(8):
        value, rest = divmod(value, 32)
        digits.append(TRACK[rest])
    body = "".join(reversed(digits))
    return f"YS{year}-{body[:4]}-{body[4:]}"


def _id_number(rng: random.Random) -> str:
    base = f"{rng.randint(110000, 659000)}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(base, weights)) % 11]
    return base + check


def _application_batch(batch: int, *, n_applications: int, seed: int, anchor: dt.date) -> int:
    from catalog.workdays import WorkCalendar
    from requests_app.deadlines import compute_deadline

    ref = reference()
    lo, hi = batch * APP_BATCH + 1, min((batch + 1) * APP_BATCH, n_applications)
    rng = random.Random(f"{seed}-app-{batch}")
    org_cum = list(itertools.accumulate(org_weights(len(ref.orgs))))
    outcome_cum = list(itertools.accumulate(w for _o, w in FINISHED_OUTCOMES))
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(anchor - dt.timedelta(days=365 * APP_YEARS), dt.time(8), tzinfo=tz)
    span = 365 * APP_YEARS * 86400
    calendar = WorkCalendar()
    secret_digest = hashlib.sha256(f"bench-{seed}".encode()).hexdigest()
    rows, events = [], []
    now = timezone.now()
    for pk in range(lo, hi + 1):
        submitted = start + dt.timedelta(seconds=span * (pk - 1) // max(n_applications, 1) + rng.randrange(0, 36000))
        if submitted > now:
            submitted = now - dt.timedelta(minutes=rng.randrange(1, 600))
        day = timezone.localtime(submitted).date()
        org_index = bisect.bisect_left(org_cum, rng.random() * org_cum[-1])
        org_id, _code, org_name, short = ref.orgs[min(org_index, len(ref.orgs) - 1)]
        natural = rng.random() < 0.85
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        id_type = IdType.RESIDENT_ID if natural else IdType.USCC
        id_number = (
            _id_number(rng) if natural else f"91{rng.randint(110000, 659999)}MA{rng.randint(10000000, 99999999)}X"[:18]
        )
        channel = (
            Channel.ONLINE if rng.random() < 0.8 else rng.choice([Channel.IN_PERSON, Channel.POST, Channel.LETTER])
        )
        subject = rng.choice(corpus().title_subjects)
        row: dict[str, Any] = {
            "id": pk,
            "organisation_id": org_id,
            "tracking_code": tracking_code(pk, day.year),
            "secret_hash": secret_digest,
            "channel": channel,
            "applicant_type": ApplicantType.NATURAL if natural else ApplicantType.BUSINESS,
            "applicant_name": name if natural else f"甲市{name}商贸有限公司",
            "id_type": id_type,
            "id_number": crypto.stored_form(id_number, setting_key=None),
            "id_blind_index": crypto.blind_index(id_type, id_number),
            "legal_representative": "" if natural else name,
            "contact_person": "" if natural else name,
            "phone": crypto.stored_form(f"13{rng.randint(100000000, 999999999)}", setting_key="phone"),
            "email": crypto.stored_form(f"user{pk}@example.com" if rng.random() < 0.7 else "", setting_key="email"),
            "address": crypto.stored_form(
                f"甲市{rng.choice(DISTRICTS)}人民路{rng.randint(1, 300)}号", setting_key="address"
            ),
            "postcode": "100001",
            "description": f"申请公开{org_name}关于{subject}的相关文件。",
            "document_title": subject[:200],
            "information_form": InformationForm.ELECTRONIC,
            "delivery": Delivery.EMAIL if rng.random() < 0.6 else Delivery.ONLINE,
            "submitted_at": submitted,
            "arrived_on": day,
            "created_at": submitted,
            "updated_at": now,
            "withheld_parts": "[]",
        }
        event = [(submitted, day, "filed" if channel == Channel.ONLINE else "registered", "", "submitted")]
        age = (anchor - day).days
        if age <= 1 and rng.random() < 0.7:
            row.update(status="submitted", received_on=None, clock="not_started", due_on=None)
        else:
            received = calendar.add_working_days(day, 1).value if channel == Channel.ONLINE else day
            row["received_on"] = received
            event.append((submitted + dt.timedelta(days=1), received, "accepted", "submitted", "accepted"))
            if age <= OPEN_DAYS:
                if rng.random() < 0.05:
                    row.update(
                        status="awaiting_correction",
                        correction_requested_on=received,
                        correction_items="请补充所需信息的名称或文号。",
                        correction_period_days=15,
                    )
                    event.append(
                        (
                            submitted + dt.timedelta(days=2),
                            received,
                            "correction_requested",
                            "accepted",
                            "awaiting_correction",
                        )
                    )
                else:
                    row["status"] = "accepted"
                deadline = compute_deadline(
                    InformationRequest(
                        **{
                            k: v
                            for k, v in row.items()
                            if k not in ("id_number", "phone", "email", "address", "withheld_parts")
                        }
                    ),
                    today=anchor,
                    calendar=calendar,
                    consultations=[],
                )
                row.update(due_on=deadline.due, due_provisional=deadline.provisional, clock=deadline.clock)
            else:
                due = calendar.add_working_days(received, 20).value
                roll = rng.random()
                if roll < 0.03:
                    requested = received + dt.timedelta(days=2)
                    closed = calendar.add_working_days(requested, 16).value
                    row.update(
                        status="abandoned",
                        outcome=Outcome.NO_CORRECTION,
                        correction_requested_on=requested,
                        correction_items="请补充所需信息的名称或文号。",
                        correction_period_days=15,
                        closed_on=closed,
                    )
                    event.append((submitted, requested, "correction_requested", "accepted", "awaiting_correction"))
                    event.append((submitted, closed, "abandoned", "awaiting_correction", "abandoned"))
                elif roll < 0.06:
                    closed = received + dt.timedelta(days=rng.randint(1, 10))
                    row.update(status="withdrawn", outcome=Outcome.OTHER, closed_on=closed)
                    event.append((submitted, closed, "withdrawn", "accepted", "withdrawn"))
                else:
                    outcome = FINISHED_OUTCOMES[bisect.bisect_left(outcome_cum, rng.random() * outcome_cum[-1])][0]
                    replied = received + dt.timedelta(days=rng.randint(3, 27))
                    closed = replied + dt.timedelta(days=rng.randint(0, 7))
                    status = "closed" if rng.random() < 0.6 else "replied"
                    row.update(
                        status=status,
                        outcome=outcome,
                        replied_on=replied,
                        closed_on=closed if status == "closed" else None,
                        reply_letter=f"{name}：\n你于{received:%Y年%m月%d日}向本机关申请公开的政府信息，经审查，现答复如下。",
                        reply_number=f"{short[:4]}依公开〔{replied.year}〕{pk}号",
                        reply_issuer=org_name,
                        reply_remedy="如对本答复不服，可以自收到本答复之日起六十日内向甲市人民政府申请行政复议，或者在六个月内向甲市中级人民法院提起行政诉讼。",
                    )
                    event.append((submitted, replied, "replied", "accepted", "replied"))
                    if status == "closed":
                        event.append((submitted, closed, "closed", "replied", "closed"))
                row.update(due_on=due, clock="stopped")
        rows.append(row)
        for at, on, action, before, after in event:
            events.append(
                {
                    "request_id": pk,
                    "at": at,
                    "on": on,
                    "action": action,
                    "from_status": before,
                    "to_status": after,
                    "note": "",
                }
            )
    cursor = _raw_cursor()
    copy_model(cursor, InformationRequest, rows)
    columns, _defaults = _model_defaults(RequestEvent)
    columns = [c for c in columns if c != "id"]
    copy_rows(cursor, RequestEvent._meta.db_table, columns, ([e.get(c) for c in columns] for e in events))
    return hi - lo + 1


# --- Running batches ---------------------------------------------------------------------------------------------


def done_batches(phase: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT batch FROM bench_progress WHERE phase = %s", [phase])
        return {row[0] for row in cursor.fetchall()}


def run_batch(phase: str, batch: int, params: dict[str, Any]) -> int:
    """One batch in one transaction, recorded in bench_progress in the same transaction."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM bench_progress WHERE phase = %s AND batch = %s", [phase, batch])
            if cursor.fetchone():
                return 0
        if phase == "documents":
            rows = _document_batch(batch, n_published=params["documents"], seed=params["seed"], anchor=params["anchor"])
        else:
            rows = _application_batch(
                batch, n_applications=params["applications"], seed=params["seed"], anchor=params["anchor"]
            )
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_progress (phase, batch, rows) VALUES (%s, %s, %s)", [phase, batch, rows])
    return rows


def _worker_init() -> None:
    connection.close()  # never share the parent's socket
    corpus()


def _worker(task: tuple[str, int, dict[str, Any]]) -> tuple[str, int]:
    phase, batch, params = task
    return phase, run_batch(phase, batch, params)


def drop_search_gin() -> None:
    """Bulk loading into a GIN index is several times slower than building it once at the end (finalise)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'disclosure_search_vector_gin'")
        row = cursor.fetchone()
        if row and meta_get("gin_definition") is None:
            meta_set("gin_definition", row[0])
        cursor.execute("DROP INDEX IF EXISTS disclosure_search_vector_gin")


def finalise(*, anchor: dt.date, write: Any = print) -> None:
    """Rebuild dropped indexes, move sequences past the explicit ids, compile the directory issues, analyse."""
    with connection.cursor() as cursor:
        definition = meta_get("gin_definition")
        if definition:
            write("  building the GIN index of the search vector …")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            cursor.execute("DELETE FROM bench_meta WHERE key = 'gin_definition'")
        for table in ("disclosure_document", "disclosure_interpretation", "requests_app_informationrequest"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )
    compile_directory(anchor=anchor)
    write("  VACUUM ANALYZE …")
    with connection.cursor() as cursor:
        # VACUUM (visibility map for index-only scans) cannot run inside a transaction, as in the tests.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def compile_directory(*, anchor: dt.date) -> None:
    """The monthly 依申请公开目录 issues the directory job would have published, up to last month."""
    from disclosure.directory import _json_row

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(period_end) FROM disclosure_directoryissue")
        last = cursor.fetchone()[0]
    first_of_month = anchor.replace(day=1)
    rows = (
        Document.objects.filter(status="approved", attribute="on_request", decided_at__date__lt=first_of_month)
        .order_by("decided_at", "pk")
        .values("title", "index_no", "document_number", "summary", "organisation__name", "written_on", "decided_at")
    )
    if last:
        rows = rows.filter(decided_at__date__gt=last)
    issues: dict[dt.date, list[dict]] = {}
    for row in rows.iterator(chunk_size=5000):
        month = timezone.localtime(row["decided_at"]).date().replace(day=1)
        issues.setdefault(month, []).append(_json_row(row))
    objects = []
    for month, month_rows in sorted(issues.items()):
        end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        objects.append(DirectoryIssue(period="month", period_start=month, period_end=end, rows=month_rows))
    DirectoryIssue.objects.bulk_create(objects, ignore_conflicts=True)


def build(
    *,
    documents: int,
    applications: int,
    jobs: int = 2,
    seed: int = 15,
    write: Any = print,
    anchor: dt.date | None = None,
) -> dict[str, Any]:
    """Build (or continue building) the dataset; returns timings. Safe to call again after an interruption."""
    started = time.monotonic()
    info = setup_reference(seed=seed, anchor=anchor)
    stored = meta_get("size")
    wanted = f"{documents}/{applications}"
    if stored and stored != wanted:
        raise SystemExit(f"this database was built for {stored} (documents/applications), not {wanted}")
    meta_set("size", wanted)
    params = {"documents": documents, "applications": applications, "seed": info["seed"], "anchor": info["anchor"]}
    doc_batches = (total_documents(documents) + DOC_BATCH - 1) // DOC_BATCH
    app_batches = (applications + APP_BATCH - 1) // APP_BATCH
    tasks = [("documents", b, params) for b in range(doc_batches) if b not in done_batches("documents")]
    tasks += [("applications", b, params) for b in range(app_batches) if b not in done_batches("applications")]
    if tasks:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_meta WHERE key = 'finalised'")
        if jobs > 1:
            drop_search_gin()
    totals = {"documents": total_documents(documents), "applications": applications}
    with connection.cursor() as cursor:
        cursor.execute("SELECT phase, sum(rows) FROM bench_progress GROUP BY phase")
        done = {"documents": 0, "applications": 0} | {phase: int(n) for phase, n in cursor.fetchall()}
    load_started = time.monotonic()
    written = 0

    def show(final: bool = False) -> None:
        rate = written / max(time.monotonic() - load_started, 1e-6)
        left = sum(totals.values()) - sum(done.values())
        eta = left / rate if rate else 0
        line = (
            f"\r  documents {done['documents']:>9,}/{totals['documents']:,}  applications "
            f"{done['applications']:>9,}/{totals['applications']:,}  {rate:,.0f} rows/s  ETA {eta / 60:4.1f} min"
        )
        sys.stderr.write(line + ("\n" if final else ""))
        sys.stderr.flush()

    if jobs > 1 and tasks:
        import multiprocessing

        reference()
        connection.close()
        corpus()  # forked workers inherit the parsed seeds and the jieba dictionary
        text_tokens("预热")
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init) as pool:
            for phase, rows in pool.imap_unordered(_worker, tasks):
                done[phase] += rows
                written += rows
                show()
    else:
        for task in tasks:
            phase, rows = _worker(task)
            done[phase] += rows
            written += rows
            show()
    if tasks:
        show(final=True)
    load_seconds = time.monotonic() - load_started
    if meta_get("finalised") is None:
        write("finalising (indexes, sequences, directory, VACUUM ANALYZE)")
        finalise(anchor=info["anchor"], write=write)
        meta_set("finalised", dt.datetime.now(dt.UTC).isoformat())
    total_seconds = time.monotonic() - started
    if tasks:
        meta_set("build_seconds", f"{total_seconds:.0f}")
    return {"load_seconds": load_seconds, "total_seconds": total_seconds, "rows": written}


def query_words(*, documents: int) -> dict[str, str]:
    """The words of the search classes: a common, a mid-frequency and a rare word (chosen by measured frequency)."""
    stored = meta_get("query_words")
    if stored:
        return json.loads(stored)
    words = {"common": "公开", "mid": "金融", "two": "金融 风险"}
    c = corpus()
    target = max(3, documents // 40000)  # about 25 documents at 1M, 3 at the smallest scales
    best, best_gap = c.rare_words[0], None
    with connection.cursor() as cursor:
        for word in c.rare_words[1500:1700]:
            cursor.execute(
                "SELECT count(*) FROM disclosure_searchentry WHERE vector @@ %s::tsquery",
                [backends.tsquery_literal([word], "")],
            )
            n = cursor.fetchone()[0]
            if n and (best_gap is None or abs(n - target) < best_gap):
                best, best_gap = word, abs(n - target)
    words["rare"] = best
    meta_set("query_words", json.dumps(words, ensure_ascii=False))
    return words


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, required=True, help="published documents")
    parser.add_argument("--applications", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        parser.error("DATABASE_URL must point at PostgreSQL")
    result = build(documents=args.documents, applications=args.applications, jobs=args.jobs, seed=args.seed)
    words = query_words(documents=args.documents)
    print(
        f"built in {result['total_seconds']:.0f} s (loading {result['load_seconds']:.0f} s, {result['rows']:,} rows);"
        f" query words {json.dumps(words, ensure_ascii=False)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
