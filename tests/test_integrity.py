"""The public integrity log 发布存证 (issue 17 §5): every publication, revision, validity change and withdrawal of a
public record appends a hash-chained entry in the publishing transaction; nothing else does. Hashes are recomputed
here independently of integrity/ (hashlib and json only), so a wrong serialisation in the app cannot pass."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from catalog.models import Organisation
from disclosure.content import check_upload
from disclosure.grounds import Ground
from disclosure.interpretations import (
    interpretation_approve,
    interpretation_create,
    interpretation_plan_save,
    interpretation_submit,
    interpretation_withdraw,
)
from disclosure.models import Document
from disclosure.services import (
    attachment_add,
    document_approve,
    document_import,
    document_submit,
    document_validity_set,
    document_withdraw,
    documents_publish_due,
)
from integrity.models import AppendOnlyError, Checkpoint, Entry
from integrity.services import integrity_backfill, integrity_checkpoint
from tests.conftest import SYSTEM

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
GENESIS = "0" * 64
PLAN = {"planned_on": dt.date(2026, 11, 20), "channels": "政府网站", "forms": ["text"], "outline": "一、背景"}


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_entry_hash(entry: Entry) -> str:
    fields = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "kind": entry.kind,
        "type": entry.record_type,
        "path": entry.path,
        "version": entry.version,
        "content_sha256": entry.content_sha256,
        "files": entry.files,
        "prev_hash": entry.prev_hash,
    }
    return sha(canonical(fields))


def document_content(document: Document) -> dict:
    """docs/integrity.md's document content, written out here from the page's fields."""
    document = Document.objects.select_related("organisation", "topic").get(pk=document.pk)
    local = dt.timezone(dt.timedelta(hours=8))
    return {
        "type": "document",
        "path": reverse("disclosure:document", args=document.index_path),
        "index_no": document.index_no,
        "title": document.title,
        "document_number": document.document_number,
        "organisation": document.organisation.code,
        "topic": document.topic.code if document.topic else None,
        "issuer": document.issuer,
        "written_on": document.written_on.isoformat() if document.written_on else None,
        "published_at": document.published_at.astimezone(local).isoformat(timespec="seconds"),
        "validity": document.validity,
        "repealed_on": document.repealed_on.isoformat() if document.repealed_on else None,
        "keywords": document.keywords,
        "summary": document.summary,
        "body": document.body,
        "repost": None,
    }


def chain() -> list[Entry]:
    return list(Entry.objects.order_by("seq"))


def assert_chain_holds() -> None:
    prev = GENESIS
    for number, entry in enumerate(chain(), start=1):
        assert entry.seq == number
        assert entry.prev_hash == prev
        assert entry.hash == expected_entry_hash(entry)
        prev = entry.hash


@pytest.fixture
def file_upload():
    return check_upload(SimpleUploadedFile("实施方案.txt", "实施方案的正文。".encode()))


# --- Entries for each event ------------------------------------------------------------------------------------------


def test_publication_appends_an_entry_with_the_content_and_file_hashes(
    org_a, drafter_a, reviewer_a, make_document, publish, file_upload, topic
):
    document = make_document(org_a, drafter_a, topic=topic, document_number="甲城管〔2026〕5号")
    attachment_add(document=document, actor=drafter_a, upload=file_upload)
    document = publish(document, drafter_a, reviewer_a)
    [entry] = chain()
    assert (entry.seq, entry.kind, entry.record_type, entry.version) == (1, "published", "document", 1)
    assert entry.path == reverse("disclosure:document", args=document.index_path)
    assert entry.content_sha256 == sha(canonical(document_content(document)))
    data = "实施方案的正文。".encode()
    assert entry.files == [{"size": len(data), "sha256": sha(data)}]  # no name: the log outlives the record
    assert entry.prev_hash == GENESIS and entry.hash == expected_entry_hash(entry)


def test_validity_change_and_withdrawal_are_new_versions_of_the_same_address(
    org_a, drafter_a, reviewer_a, office, make_document, publish
):
    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    document_validity_set(document=document, actor=office, validity="repealed", repealed_on=dt.date(2026, 11, 30))
    document_withdraw(document=document, actor=office, reason="内部原因：与另一文件重复，不对外说明")
    published, validity, withdrawn = chain()
    assert [e.kind for e in (published, validity, withdrawn)] == ["published", "validity", "withdrawn"]
    assert [e.version for e in (published, validity, withdrawn)] == [1, 2, 3]
    assert {e.path for e in (published, validity, withdrawn)} == {published.path}
    document.refresh_from_db()
    assert validity.content_sha256 == sha(canonical(document_content(document)))
    assert validity.content_sha256 != published.content_sha256
    # A withdrawal says that and when, never why (the reason is not shown publicly) nor any content.
    assert (withdrawn.content_sha256, withdrawn.files) == ("", [])
    assert "内部原因" not in json.dumps(withdrawn.public_fields(), ensure_ascii=False)
    assert_chain_holds()


def test_an_unchanged_validity_appends_nothing(org_a, drafter_a, reviewer_a, office, make_document, publish):
    document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    document_validity_set(document=document, actor=office, validity="valid")
    assert [e.kind for e in chain()] == ["published"]


def test_scheduled_publication_is_logged_when_it_happens_not_when_it_is_scheduled(
    org_a, drafter_a, reviewer_a, make_document, clock
):
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    document_approve(
        document=document,
        actor=reviewer_a,
        confidentiality_checked=True,
        publish_at=timezone.now() + dt.timedelta(hours=2),
    )
    assert chain() == []
    assert documents_publish_due(now=timezone.now()) == []
    assert chain() == []
    assert documents_publish_due(now=timezone.now() + dt.timedelta(hours=3)) == [document.pk]
    [entry] = chain()
    assert entry.kind == "published" and entry.record_id == document.pk


def test_an_imported_historical_document_is_logged(org_a):
    document = document_import(
        organisation=org_a,
        actor=SYSTEM,
        published_at=dt.datetime(2019, 5, 6, 9, 0, tzinfo=SHANGHAI),
        changes={
            "title": "关于公园开放时间的公告",
            "written_on": dt.date(2019, 5, 1),
            "attribute": "proactive",
            "body": "公园开放时间调整。",
        },
    )
    [entry] = chain()
    assert entry.kind == "published"
    content = document_content(document)
    assert content["published_at"] == "2019-05-06T09:00:00+08:00"
    assert entry.content_sha256 == sha(canonical(content))


def test_moves_the_public_never_sees_append_nothing(org_a, drafter_a, reviewer_a, make_document, publish):
    """Drafts, review, and the decisions that keep a document off the site: 依申请公开 and 不予公开."""
    on_request = make_document(org_a, drafter_a, attribute="on_request", ground=Ground.THIRD_PARTY, reason="第三方")
    withheld = make_document(org_a, drafter_a, attribute="withheld", ground=Ground.INTERNAL_AFFAIRS, reason="内部事务")
    draft = make_document(org_a, drafter_a)
    document_submit(document=draft, actor=drafter_a)
    publish(on_request, drafter_a, reviewer_a)
    publish(withheld, drafter_a, reviewer_a)
    assert Document.objects.filter(status="approved").count() == 2
    assert chain() == []


# --- Interpretations, emergencies, annual reports ----------------------------------------------------------------------


def _interpretation(policy, drafter, title="政策解读：若干措施"):
    return interpretation_create(
        policy=policy, actor=drafter, changes={"title": title, "form": "text", "body": "一、出台背景。"}
    )


def test_a_policy_and_its_interpretations_are_logged_together_and_withdrawn_together(
    org_a, drafter_a, reviewer_a, office, make_document, publish
):
    policy = make_document(org_a, drafter_a, title="促进民营经济发展若干措施", is_policy=True)
    interpretation_plan_save(policy=policy, actor=drafter_a, changes=PLAN)
    first = _interpretation(policy, drafter_a)
    policy = publish(policy, drafter_a, reviewer_a)
    assert [(e.record_type, e.kind) for e in chain()] == [("document", "published"), ("interpretation", "published")]
    assert chain()[1].path == reverse("disclosure:interpretation", args=[first.pk])

    # A further interpretation, drafted, submitted and unpublished: nothing; published: an entry.
    second = _interpretation(policy, drafter_a, title="媒体解读：若干措施")
    interpretation_submit(interpretation=second, actor=drafter_a)
    assert len(chain()) == 2
    interpretation_approve(interpretation=second, actor=reviewer_a, confidentiality_checked=True)
    assert chain()[-1].record_id == second.pk and chain()[-1].kind == "published"
    interpretation_withdraw(interpretation=first, actor=reviewer_a, reason="内容过时")
    assert (chain()[-1].record_id, chain()[-1].kind) == (first.pk, "withdrawn")

    document_withdraw(document=policy, actor=office, reason="重新发布")
    assert [(e.record_type, e.record_id, e.kind) for e in chain()[-2:]] == [
        ("document", policy.pk, "withdrawn"),
        ("interpretation", second.pk, "withdrawn"),
    ]
    assert_chain_holds()


def test_an_emergency_update_is_logged_when_published(org_a, drafter_a, reviewer_a):
    from emergencies.services import emergency_register, update_draft, update_publish

    emergency = emergency_register(
        organisation=org_a,
        actor=drafter_a,
        title="城区内涝",
        level="2",
        category="natural",
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    update = update_draft(
        emergency=emergency, actor=drafter_a, kind="info", title="内涝情况通报", body="部分路段积水，正在排涝。"
    )
    assert chain() == []
    update_publish(update=update, actor=reviewer_a, confidentiality_checked=True)
    [entry] = chain()
    assert entry.record_type == "emergency_update"
    assert entry.path == reverse("emergencies:detail", args=[emergency.pk]) + f"#update-{update.pk}"
    update.refresh_from_db()
    local = dt.timezone(dt.timedelta(hours=8))
    assert entry.content_sha256 == sha(
        canonical(
            {
                "type": "emergency_update",
                "path": entry.path,
                "organisation": org_a.code,
                "kind": "info",
                "title": "内涝情况通报",
                "body": update.body,
                "held_at": None,
                "published_at": update.published_at.astimezone(local).isoformat(timespec="seconds"),
            }
        )
    )


def test_an_annual_report_is_logged_when_published(org_a, office):
    from audits.reports import report_create, report_publish, report_update

    report = report_create(organisation=org_a, year=2025, actor=office, today=dt.date(2026, 1, 5))
    report = report_update(
        report=report,
        actor=office,
        changes={
            "overview": "本局坚持以公开为常态。",
            "problems": "栏目更新不及时。",
            "admin_fees_wan": Decimal("0"),
        },
    )
    assert chain() == []
    report = report_publish(report=report, actor=office)
    [entry] = chain()
    assert (entry.record_type, entry.path) == ("annual_report", reverse("audits:report", args=[report.pk]))
    local = dt.timezone(dt.timedelta(hours=8))
    assert entry.content_sha256 == sha(
        canonical(
            {
                "type": "annual_report",
                "path": entry.path,
                "organisation": org_a.code,
                "year": 2025,
                "published_at": report.published_at.astimezone(local).isoformat(timespec="seconds"),
                "overview": report.overview,
                "problems": report.problems,
                "other_matters": report.other_matters,
                "admin_fees_wan": str(report.admin_fees_wan),
                "data": report.data,
            }
        )
    )


# --- The chain itself ---------------------------------------------------------------------------------------------------


def test_a_rolled_back_publication_leaves_no_entry(org_a, drafter_a, reviewer_a, make_document, publish):
    publish(make_document(org_a, drafter_a, title="先发布的文件"), drafter_a, reviewer_a)
    document = make_document(org_a, drafter_a)
    document_submit(document=document, actor=drafter_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
        assert len(chain()) == 2
        raise RuntimeError("the request failed after publishing")
    assert len(chain()) == 1
    document.refresh_from_db()
    assert document.status == "in_review"


def test_the_model_refuses_to_change_or_delete_an_entry(org_a, drafter_a, reviewer_a, make_document, publish):
    publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    entry = Entry.objects.get()
    entry.path = "/elsewhere/"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.update(path="/elsewhere/")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE integrity_entry SET content_sha256 = repeat('0', 64)",
        "DELETE FROM integrity_entry",
    ],
)
def test_the_database_refuses_raw_update_and_delete(org_a, drafter_a, reviewer_a, make_document, publish, statement):
    publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert Entry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_trigger_refuses_truncate_outside_a_test_database(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('integrity_append_only'::regproc)")
        body = cursor.fetchone()[0]
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'integrity_entry'::regclass AND NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}
    assert triggers == {"integrity_append_only", "integrity_no_truncate"}
    assert "TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\\_%'" in body


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_never_fork_the_chain(org_a, drafter_a, reviewer_a):
    from tests.conftest import run_twice_at_once

    def approved(title: str) -> Document:
        from disclosure.services import document_create

        document = document_create(
            organisation=org_a,
            actor=drafter_a,
            changes={
                "title": title,
                "written_on": dt.date(2026, 11, 2),
                "attribute": "proactive",
                "body": "正文。",
            },
        )
        return document_submit(document=document, actor=drafter_a)

    queue = [approved(f"并发发布的文件{n}") for n in range(6)]

    def publish_one() -> int:
        document = queue.pop()
        document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
        return document.pk

    published = run_twice_at_once(publish_one, rounds=3)
    assert len(published) == 6
    assert sorted(Entry.objects.values_list("record_id", flat=True)) == sorted(published)
    assert_chain_holds()


def test_backfill_registers_public_records_without_an_entry_once(org_a, drafter_a, reviewer_a, make_document, publish):
    first = publish(make_document(org_a, drafter_a, title="已有存证的文件"), drafter_a, reviewer_a)
    old = publish(make_document(org_a, drafter_a, title="早先发布的文件"), drafter_a, reviewer_a)
    # A record that reached the public around the services (a bulk load, or before the log existed).
    imported = Document.objects.create(
        organisation=org_a,
        index_no="A001/2018-00001",
        index_year=2018,
        index_serial=1,
        title="批量导入的旧文件",
        written_on=dt.date(2018, 1, 2),
        attribute="proactive",
        status="published",
        body="<p>旧文件。</p>",
        published_at=dt.datetime(2018, 1, 3, 9, tzinfo=SHANGHAI),
    )
    unpublished = make_document(org_a, drafter_a, title="草稿")
    assert integrity_backfill() == 1
    registered = chain()[-1]
    assert (registered.kind, registered.record_id, registered.version) == ("registered", imported.pk, 1)
    assert integrity_backfill() == 0  # idempotent
    call_command("integrity_backfill")
    assert not Entry.objects.filter(record_id=unpublished.pk, record_type="document").exists()
    assert {e.record_id for e in chain()} == {first.pk, old.pk, imported.pk}
    assert_chain_holds()


# --- Verification: the command and the stand-alone script ---------------------------------------------------------


@pytest.fixture
def small_chain(org_a, drafter_a, reviewer_a, office, make_document, publish, file_upload):
    document = make_document(org_a, drafter_a, title="含附件的文件")
    attachment_add(document=document, actor=drafter_a, upload=file_upload)
    document = publish(document, drafter_a, reviewer_a)
    other = publish(make_document(org_a, drafter_a, title="另一个文件"), drafter_a, reviewer_a)
    document_validity_set(document=document, actor=office, validity="expired", repealed_on=dt.date(2026, 11, 29))
    document_withdraw(document=other, actor=office, reason="错误发布")
    return document


def export_text(citizen) -> str:
    response = citizen.get(reverse("integrity:export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    return b"".join(response.streaming_content).decode("utf-8")


def run_script(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify-integrity"), str(path), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},  # no Django, no project path
    )


def tamper(text: str, seq: int) -> str:
    lines = text.splitlines()
    entry = json.loads(lines[seq - 1])
    entry["content_sha256"] = "f" * 64
    lines[seq - 1] = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "\n".join(lines) + "\n"


def test_the_verifier_script_passes_a_clean_export_and_names_the_tampered_entry(small_chain, citizen, tmp_path):
    text = export_text(citizen)
    head = Entry.objects.order_by("-seq").first()
    assert len(text.splitlines()) == head.seq == 4
    clean = tmp_path / "integrity.jsonl"
    clean.write_text(text, encoding="utf-8")
    result = run_script(clean)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"OK 4 entries, head 4 {head.hash}"
    assert run_script(clean, "--head", f"2:{Entry.objects.get(seq=2).hash}").returncode == 0

    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(tamper(text, 2), encoding="utf-8")
    result = run_script(tampered)
    assert result.returncode == 1
    assert result.stdout.startswith("BROKEN 2: hash does not match")

    # Recomputing the tampered entry's hash breaks the next link instead.
    lines = text.splitlines()
    entry = json.loads(lines[1])
    entry["content_sha256"] = "f" * 64
    fields = {k: v for k, v in entry.items() if k != "hash"}
    entry["hash"] = sha(canonical(fields))
    lines[1] = json.dumps(entry, ensure_ascii=False)
    tampered.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_script(tampered)
    assert (result.returncode, result.stdout.split(":")[0]) == (1, "BROKEN 3")
    # A kept head from the feed shows a rewritten history even when the rewrite is consistent from there on.
    result = run_script(tampered, "--head", f"2:{Entry.objects.get(seq=2).hash}")
    assert result.returncode == 1


def test_the_verify_command_checks_the_database_and_an_export(small_chain, citizen, tmp_path, capsys):
    call_command("integrity_verify", "--content")
    assert capsys.readouterr().out.startswith("OK 发布存证完好：共 4 条")
    text = export_text(citizen)
    clean = tmp_path / "integrity.jsonl"
    clean.write_text(text, encoding="utf-8")
    call_command("integrity_verify", "--export", str(clean))
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(tamper(text, 3), encoding="utf-8")
    with pytest.raises(CommandError, match="第 3 条校验失败"):
        call_command("integrity_verify", "--export", str(tampered))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a tampered copy of the table")
def test_the_verify_command_detects_an_entry_tampered_in_the_database(small_chain):
    """The trigger stops the application's role; a superuser who disables it (or edits a restored dump) is caught
    by the chain."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE integrity_entry DISABLE TRIGGER integrity_append_only")
        cursor.execute("UPDATE integrity_entry SET path = '/documents/A001/2026-99999/' WHERE seq = 2")
        cursor.execute("ALTER TABLE integrity_entry ENABLE TRIGGER integrity_append_only")
    with pytest.raises(CommandError, match="第 2 条校验失败"):
        call_command("integrity_verify")


def test_the_content_check_finds_a_body_changed_behind_the_log(small_chain):
    Document.objects.filter(pk=small_chain.pk).update(body="<p>被悄悄改过的正文。</p>")
    with pytest.raises(CommandError, match="内容与第 3 条存证不符"):
        call_command("integrity_verify", "--content")


# --- Pages and feed -----------------------------------------------------------------------------------------------------


def test_the_document_page_shows_its_content_hash_entry_and_file_hashes(small_chain, citizen):
    page = citizen.get(reverse("disclosure:document", args=small_chain.index_path)).content.decode()
    latest = Entry.objects.filter(record_id=small_chain.pk, record_type="document").order_by("-seq").first()
    plain = page.replace("<wbr>", "")
    assert latest.content_sha256 in plain
    assert reverse("integrity:entry", args=[latest.seq]) in page
    assert sha("实施方案的正文。".encode()) in plain


def test_the_list_shows_the_head_and_never_names_a_withdrawn_record(small_chain, citizen):
    response = citizen.get(reverse("integrity:list"))
    page = response.content.decode()
    plain = page.replace("<wbr>", "")
    head = Entry.objects.order_by("-seq").first()
    assert response.status_code == 200 and "发布存证" in page
    assert head.hash in plain and "sha256sum" in page
    assert "含附件的文件" in page  # public: named and linked
    assert f'<a href="{reverse("disclosure:document", args=small_chain.index_path)}">含附件的文件</a>' in page
    assert "另一个文件" not in page  # withdrawn: only its address
    assert "现已不公开" in page
    assert "max-age=60" in response["Cache-Control"]


def test_the_list_pages_by_keyset(org_a, citizen):
    for n in range(55):
        document_import(
            organisation=org_a,
            actor=SYSTEM,
            published_at=timezone.now() - dt.timedelta(days=1),
            changes={
                "title": f"历史文件{n}",
                "written_on": dt.date(2026, 1, 1),
                "attribute": "proactive",
                "body": "正文。",
            },
        )
    first = citizen.get(reverse("integrity:list")).content.decode()
    assert 'href="?before=6"' in first
    second = citizen.get(reverse("integrity:list") + "?before=6").content.decode()
    assert reverse("integrity:entry", args=[5]) in second and reverse("integrity:entry", args=[6]) not in second
    assert citizen.get(reverse("integrity:list") + "?before=abc").status_code == 200


def test_the_entry_page_shows_the_links_and_how_to_check_a_file(small_chain, citizen):
    page = citizen.get(reverse("integrity:entry", args=[1])).content.decode()
    plain = page.replace("<wbr>", "")
    entry = Entry.objects.get(seq=1)
    assert entry.hash in plain and GENESIS in plain and "sha256sum" in plain and "certutil" in plain
    assert sha("实施方案的正文。".encode()) in plain
    assert citizen.get(reverse("integrity:entry", args=[99])).status_code == 404


def test_a_withdrawn_records_entry_keeps_its_file_hashes_but_not_their_names(
    small_chain,
    citizen,
    office,
    django_capture_on_commit_callbacks,
):
    name = small_chain.attachments.get().name
    first = Entry.objects.filter(record_id=small_chain.pk, record_type="document").order_by("seq").first()
    assert name in citizen.get(reverse("integrity:entry", args=[first.seq])).content.decode()  # public: named
    with django_capture_on_commit_callbacks(execute=True):
        document_withdraw(document=small_chain, actor=office, reason="附件含有不应公开的内容")
    page = citizen.get(reverse("integrity:entry", args=[first.seq])).content.decode()
    assert name not in page and first.files[0]["sha256"] in page.replace("<wbr>", "")
    assert name not in export_text(citizen)
    assert name not in citizen.get(reverse("integrity:api_list")).content.decode()


def test_r12_renaming_the_organisation_or_the_topic_leaves_the_content_hash_as_logged(small_chain, office):
    from integrity.records import KINDS, content_hash

    latest = Entry.objects.filter(record_id=small_chain.pk, record_type="document").order_by("-seq").first()
    Organisation.objects.filter(pk=small_chain.organisation_id).update(name="改过名的机构")
    small_chain.refresh_from_db()
    assert content_hash(KINDS["document"], small_chain) == latest.content_sha256
    call_command("integrity_verify", "--content")  # no mismatch


def test_content_json_hashes_to_the_entry_while_the_record_is_unchanged(small_chain, citizen):
    latest = Entry.objects.filter(record_id=small_chain.pk, record_type="document").order_by("-seq").first()
    response = citizen.get(reverse("integrity:content", args=[latest.seq]))
    assert response.status_code == 200 and sha(response.content) == latest.content_sha256
    withdrawn = Entry.objects.get(kind="withdrawn")
    assert citizen.get(reverse("integrity:content", args=[withdrawn.seq])).status_code == 404


def test_the_daily_head_feed_lists_one_checkpoint_per_day_and_is_safe_twice(
    org_a, drafter_a, reviewer_a, make_document, publish, citizen, clock
):
    clock("2026-11-27 10:00")
    publish(make_document(org_a, drafter_a, title="周五的文件"), drafter_a, reviewer_a)
    clock("2026-11-29 10:00")
    publish(make_document(org_a, drafter_a, title="周日的文件"), drafter_a, reviewer_a)
    clock("2026-11-30 09:00")
    made = integrity_checkpoint()
    assert [(c.day, c.seq) for c in made] == [
        (dt.date(2026, 11, 27), 1),
        (dt.date(2026, 11, 28), 1),
        (dt.date(2026, 11, 29), 2),
    ]
    assert integrity_checkpoint() == []
    assert Checkpoint.objects.count() == 3
    feed = citizen.get(reverse("integrity:feed"))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert Entry.objects.get(seq=2).hash in text and "2026-11-29" in text


def test_paths_are_the_same_wherever_the_site_is_mounted(org_a, drafter_a, reviewer_a, make_document, publish):
    from django.urls import set_script_prefix

    from integrity.records import page_url

    set_script_prefix("/zwgk/")
    try:
        document = publish(make_document(org_a, drafter_a), drafter_a, reviewer_a)
        entry = Entry.objects.get()
        code, number = document.index_path
        assert entry.path == f"/documents/{code}/{number}/"
        assert page_url(entry.path) == f"/zwgk/documents/{code}/{number}/"
    finally:
        set_script_prefix("/")


def test_the_api_lists_the_entries_as_the_export_does(small_chain, citizen):
    response = citizen.get(reverse("integrity:api_list"))
    assert response.status_code == 200 and "max-age=60" in response["Cache-Control"]
    body = response.json()
    lines = [json.loads(line) for line in export_text(citizen).splitlines()]
    assert body["results"] == list(reversed(lines))
    assert citizen.get(reverse("integrity:api_head")).json() == lines[-1]
    assert citizen.get(reverse("integrity:api_entry", args=[2])).json() == lines[1]
    assert citizen.get(reverse("integrity:api_entry", args=[99])).status_code == 404


def test_the_api_pages_by_cursor(org_a, citizen):
    for n in range(52):
        document_import(
            organisation=org_a,
            actor=SYSTEM,
            published_at=timezone.now() - dt.timedelta(days=1),
            changes={
                "title": f"历史文件{n}",
                "written_on": dt.date(2026, 1, 1),
                "attribute": "proactive",
                "body": "正文。",
            },
        )
    first = citizen.get(reverse("integrity:api_list")).json()
    assert [e["seq"] for e in first["results"]] == list(range(52, 2, -1))
    second = citizen.get(first["next"]).json()
    assert [e["seq"] for e in second["results"]] == [2, 1] and second["next"] is None


def test_hostile_numbers_answer_404_or_the_first_page(db, citizen):
    huge = "9" * 30
    assert citizen.get(f"/integrity/{huge}/").status_code == 404
    assert citizen.get(f"/integrity/{huge}/content.json").status_code == 404
    assert citizen.get(f"/api/v1/integrity/{huge}/").status_code == 404
    assert citizen.get(reverse("integrity:api_head")).status_code == 404  # an empty log has no head
    page = citizen.get(reverse("integrity:list") + f"?before={huge}")
    assert page.status_code == 200 and "尚无存证" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a tampered copy of the table")
def test_the_daily_jobs_record_the_head_and_fail_on_a_broken_chain(small_chain):
    from integrity.tasks import IntegrityBroken, record_integrity_checkpoint, verify_integrity_log
    from ops.models import JobRun

    verify_integrity_log()
    run = JobRun.objects.get(name="integrity-verify")
    assert run.status == "succeeded" and run.details["head_seq"] == 4
    record_integrity_checkpoint()
    record_integrity_checkpoint()  # twice: still one row per finished day
    assert JobRun.objects.filter(name="integrity-checkpoint", status="succeeded").count() == 2
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE integrity_entry DISABLE TRIGGER integrity_append_only")
        cursor.execute("UPDATE integrity_entry SET version = 9 WHERE seq = 1")
        cursor.execute("ALTER TABLE integrity_entry ENABLE TRIGGER integrity_append_only")
    with pytest.raises(IntegrityBroken, match="seq 1"):
        verify_integrity_log()
    assert JobRun.objects.filter(name="integrity-verify", status="failed").count() == 1
