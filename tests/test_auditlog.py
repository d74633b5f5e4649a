"""The security audit log (网络安全法 Art 21): who signed in, who changed what, who exported and who saw unmasked
personal data; append-only at the database, chained by SHA-256 so tampering, deletion and reordering show. Writers
take no lock: rows are sealed into the chain after their transaction commits."""

from __future__ import annotations

import logging
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from auditlog.models import AppendOnlyError, AuditEvent
from auditlog.services import PRUNE_SETTING, AuditError, audit_record, audit_seal, verify_chain
from auditlog.tasks import seal_audit_log, verify_audit_log
from audits.models import AuditRun
from audits.services import audit_run
from catalog.roles import Role
from catalog.services import role_grant
from disclosure.grounds import Ground
from disclosure.models import DocumentEvent
from disclosure.services import document_approve, document_rereview, document_submit
from ops.models import JobRun
from requests_app.models import RequestFile
from tests.conftest import PASSWORD, SYSTEM, VALID_RESIDENT_ID, applicant_values, run_twice_at_once

Kind = AuditEvent.Kind
TABLE = AuditEvent._meta.db_table


def new_rows(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=since).order_by("seq"))


def tail() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def tamper(sql: str, params: list | None = None) -> None:
    """Change the table behind the trigger's back, as an intruder with the table owner's rights could."""
    raw(f"ALTER TABLE {TABLE} DISABLE TRIGGER auditlog_append_only")
    raw(sql, params)
    raw(f"ALTER TABLE {TABLE} ENABLE TRIGGER auditlog_append_only")


def test_it_records_sign_in_and_failed_attempts_with_the_address_never_the_password(office):
    start = tail()
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.post(reverse("admin:login"), {"username": "office", "password": "wrong-guess-123"})
    client.post(reverse("admin:login"), {"username": "office", "password": PASSWORD})
    rows = new_rows(start)
    failed = [r for r in rows if r.kind == Kind.LOGIN_FAILED]
    signed_in = [r for r in rows if r.kind == Kind.LOGIN]
    assert len(failed) == 1 and failed[0].actor_username == "office" and failed[0].actor_id is None
    assert failed[0].object_pk == str(office.pk)  # a username that is an account names it
    assert failed[0].client_ip == "203.0.113.7"
    assert len(signed_in) == 1 and signed_in[0].actor == office and signed_in[0].client_ip == "203.0.113.7"
    assert not any("wrong-guess-123" in r.canonical() or PASSWORD in r.canonical() for r in rows)


def test_it_keeps_no_plaintext_of_a_password_typed_as_the_username(office):
    start = tail()
    Client(REMOTE_ADDR="203.0.113.8").post(reverse("admin:login"), {"username": "Tr0ub4dor&3x", "password": "x"})
    rows = [r for r in new_rows(start) if r.kind == Kind.LOGIN_FAILED]
    assert len(rows) == 1 and rows[0].client_ip == "203.0.113.8"
    assert rows[0].actor_username == "T***12" and rows[0].object_pk == ""
    assert "Tr0ub4dor" not in rows[0].canonical() and "r0ub4dor&3x" not in rows[0].canonical()


def test_it_writes_no_row_for_an_attempt_refused_as_locked_out(office, clock):
    clock("2026-11-30 09:00")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _attempt in range(4):  # below the lockout limit of 5: each failure is recorded, naming the account
        client.post(reverse("admin:login"), {"username": "office", "password": "wrong"})
    start = tail()
    for _attempt in range(3):  # the fifth locks; the later ones are refused by axes before any password check
        client.post(reverse("admin:login"), {"username": "office", "password": "wrong"})
    refused = client.post(reverse("admin:login"), {"username": "office", "password": PASSWORD})
    assert refused.status_code == 429
    assert AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, object_pk=str(office.pk)).count() == 4
    assert not [r for r in new_rows(start) if r.kind in (Kind.LOGIN_FAILED, Kind.LOGIN)]


def test_it_records_each_document_step_once_with_its_actor(org_a, drafter_a, reviewer_a, make_document):
    document = make_document(org_a, drafter_a)
    start = tail()
    document_submit(document=document, actor=drafter_a)
    submitted = new_rows(start)
    assert [(r.kind, r.object_type, r.object_pk, r.actor) for r in submitted] == [
        (Kind.STATE_CHANGED, "disclosure.document", str(document.pk), drafter_a)
    ]
    assert submitted[0].object_label == document.index_no and submitted[0].summary.startswith("提交")
    start = tail()
    document_approve(document=document, actor=reviewer_a, confidentiality_checked=True)
    # Approving a 主动公开 document publishes it at once: two state changes, two event rows, two audit rows.
    approved = new_rows(start)
    assert [(r.object_type, r.summary, r.actor) for r in approved] == [
        ("disclosure.document", "审定：主动公开", reviewer_a),
        ("disclosure.document", "发布", reviewer_a),
    ]
    assert (
        DocumentEvent.objects.filter(document=document).count()
        == AuditEvent.objects.filter(object_type="disclosure.document", object_pk=str(document.pk)).count()
    )


def test_it_records_a_workflow_event_that_writes_no_history_once(org_a, drafter_a, reviewer_a, make_document, publish):
    withheld = publish(
        make_document(org_a, drafter_a, attribute="withheld", ground=Ground.PROCESS, reason="过程性信息"),
        drafter_a,
        reviewer_a,
    )
    start = tail()
    document_rereview(document=withheld, actor=reviewer_a, attribute="keep", note="讨论尚未结束")
    rows = new_rows(start)
    assert [(r.object_type, r.object_pk, r.actor) for r in rows] == [
        ("disclosure.document", str(withheld.pk), reviewer_a)
    ]
    assert "维持不予公开" in rows[0].summary


def test_it_records_each_step_of_an_application_once_named_by_tracking_code(org_a, handler_a, filed):
    from requests_app.models import RequestEvent

    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    rows = list(AuditEvent.objects.filter(object_type="requests_app.informationrequest", object_pk=str(case.pk)))
    assert len(rows) == RequestEvent.objects.filter(request=case).count() == 2
    assert {r.object_label for r in rows} == {case.tracking_code}
    assert sorted((r.actor_id or 0) for r in rows) == [0, handler_a.pk]  # the applicant files without an account


def test_it_records_a_role_grant_with_who_granted_it(org_a, office, make_user):
    newcomer = make_user("newcomer")
    start = tail()
    role_grant(organisation=org_a, user=newcomer, role=Role.REVIEWER, actor=office)
    rows = [r for r in new_rows(start) if r.kind == Kind.ROLE_CHANGED]
    assert len(rows) == 1
    assert rows[0].actor == office and rows[0].object_label == "newcomer" and "审核人" in rows[0].summary
    assert org_a.code in rows[0].summary and "授予" in rows[0].summary


def test_it_records_an_xlsx_export_of_a_self_audit(office, login, org_a):
    run = audit_run(trigger=AuditRun.Trigger.MANUAL, actor=office)
    start = tail()
    response = login(office).get(reverse("admin:audits_auditrun_xlsx", args=[run.pk]))
    assert response.status_code == 200
    rows = [r for r in new_rows(start) if r.kind == Kind.EXPORT]
    assert len(rows) == 1 and rows[0].actor == office and rows[0].object_pk == str(run.pk)
    assert rows[0].summary.endswith(".xlsx")


def test_r27_unmasked_views_of_a_case_are_recorded_by_tracking_code_masked_views_are_not(
    org_a, handler_a, reviewer_a, office, login, filed, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    url = reverse("admin:requests_app_informationrequest_change", args=[case.pk])
    start = tail()
    assert login(reviewer_a).get(url).status_code == 200  # masked for a reviewer
    assert not [r for r in new_rows(start) if r.kind == Kind.PERSONAL_DATA_VIEWED]

    assert login(office).get(url).status_code == 200
    viewed = [r for r in new_rows(start) if r.kind == Kind.PERSONAL_DATA_VIEWED]
    assert len(viewed) == 1 and viewed[0].actor == office and viewed[0].object_label == case.tracking_code

    identity = RequestFile(
        request=case,
        kind=RequestFile.Kind.IDENTITY,
        name="身份证.png",
        content_type="image/png",
        size=8,
        sha256="0" * 64,
    )
    identity.file.save("id.png", SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n"), save=True)
    start = tail()
    download = login(office).get(reverse("admin:requests_app_informationrequest_file", args=[case.pk, identity.pk]))
    assert download.status_code == 200
    downloaded = [r for r in new_rows(start) if r.kind == Kind.PERSONAL_DATA_VIEWED]
    assert len(downloaded) == 1 and downloaded[0].object_label == case.tracking_code

    values = applicant_values()
    secrets = [VALID_RESIDENT_ID, values["phone"], values["email"], values["applicant_name"], values["address"]]
    for row in AuditEvent.objects.all():
        assert not any(secret in row.canonical() for secret in secrets), row.canonical()
    assert AuditEvent.objects.filter(object_label=case.tracking_code, kind=Kind.STATE_CHANGED).exists()


def test_it_refuses_update_and_delete_in_the_orm_and_in_raw_sql(office):
    row = audit_record(kind=Kind.EXPORT, actor=office, summary="x.xlsx")
    audit_seal()
    row.refresh_from_db()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=row.seq).update(summary="y")
    with pytest.raises(AppendOnlyError):
        row.seal(position=row.position + 1, prev_hash=row.hash)  # sealing happens once
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"UPDATE {TABLE} SET summary = 'y' WHERE seq = %s", [row.seq])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"DELETE FROM {TABLE} WHERE seq = %s", [row.seq])
    assert AuditEvent.objects.get(seq=row.seq).summary == "x.xlsx"


def test_the_trigger_lets_only_the_sealing_through_never_a_change_of_content(office):
    sealed = audit_record(kind=Kind.EXPORT, actor=office, summary="sealed.xlsx")
    audit_seal()
    sealed.refresh_from_db()
    unsealed = audit_record(kind=Kind.EXPORT, actor=office, summary="unsealed.xlsx")
    # A sealed row: neither its content nor its chain fields may change, not even to "unseal" it.
    for assignment in ("summary = 'nothing'", "hash = ''", "position = NULL, prev_hash = '', hash = ''"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(f"UPDATE {TABLE} SET {assignment} WHERE seq = %s", [sealed.seq])
    # An unsealed row: a seal that also changes its content, or a bare change of content, is refused.
    for assignment in (
        "summary = 'nothing', position = 999, prev_hash = 'x', hash = 'y'",
        "summary = 'nothing'",
        "actor_id = NULL, position = 999, prev_hash = 'x', hash = 'y'",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(f"UPDATE {TABLE} SET {assignment} WHERE seq = %s", [unsealed.seq])
    assert audit_seal() == 1
    unsealed.refresh_from_db()
    assert unsealed.summary == "unsealed.xlsx" and unsealed.position == sealed.position + 1
    assert unsealed.prev_hash == sealed.hash and verify_chain().ok


def _chain_of_five(actor) -> list[int]:
    """Five sealed rows; returns their chain positions."""
    seqs = [audit_record(kind=Kind.EXPORT, actor=actor, summary=f"{n}.xlsx").seq for n in range(5)]
    audit_seal()
    return list(AuditEvent.objects.filter(seq__in=seqs).order_by("position").values_list("position", flat=True))


def test_audit_verify_passes_then_names_a_tampered_row(office, capsys):
    seqs = _chain_of_five(office)
    call_command("audit_verify", batch_size=2)
    assert f"已校验 {len(AuditEvent.objects.all())} 条" in capsys.readouterr().out
    tamper(f"UPDATE {TABLE} SET summary = 'nothing happened' WHERE position = %s", [seqs[2]])
    with pytest.raises(CommandError, match=f"第 {seqs[2]} 条.*篡改"):
        call_command("audit_verify", batch_size=2)


def test_audit_verify_names_the_row_after_a_deleted_one(office):
    seqs = _chain_of_five(office)
    raw("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
    raw(f"DELETE FROM {TABLE} WHERE position = %s", [seqs[1]])
    raw("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])
    with pytest.raises(CommandError, match=f"第 {seqs[2]} 条.*删除"):
        call_command("audit_verify")


def test_audit_verify_names_a_reordered_row(office):
    seqs = _chain_of_five(office)
    a, b = seqs[2], seqs[3]
    tamper(f"UPDATE {TABLE} SET position = -1 WHERE position = %s", [a])
    tamper(f"UPDATE {TABLE} SET position = %s WHERE position = %s", [a, b])
    tamper(f"UPDATE {TABLE} SET position = %s WHERE position = -1", [b])
    report = verify_chain()
    assert not report.ok and report.first_broken == a


def test_audit_verify_notices_rows_deleted_from_the_start(office):
    seqs = _chain_of_five(office)
    raw("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
    raw(f"DELETE FROM {TABLE} WHERE position <= %s", [seqs[1]])
    report = verify_chain()
    assert not report.ok and report.first_broken == seqs[2]


def test_audit_prune_keeps_the_retention_and_leaves_a_verifiable_chain(db, clock):
    clock("2024-03-01 10:00")
    old = [audit_record(kind=Kind.LOGOUT, actor_username=f"old{n}").seq for n in range(3)]
    clock("2026-11-20 10:00")
    young = [audit_record(kind=Kind.LOGOUT, actor_username=f"new{n}").seq for n in range(2)]
    audit_seal()
    clock("2024-03-02 10:00")
    # Old but not yet sealed (its writer stopped before sealing): it must survive the prune and join the chain.
    straggler = audit_record(kind=Kind.LOGOUT, actor_username="straggler").seq
    clock("2026-11-20 11:00")
    with pytest.raises(CommandError, match="至少保存 365 天"):
        call_command("audit_prune", before="2026-01-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit_prune", before="last year")
    call_command("audit_prune", before="2025-01-01")
    assert not AuditEvent.objects.filter(seq__in=old).exists()
    assert AuditEvent.objects.filter(seq__in=young).count() == 2
    assert AuditEvent.objects.filter(seq=straggler, position__isnull=True).exists()
    prune = AuditEvent.objects.get(kind=Kind.PRUNED)
    first = AuditEvent.objects.filter(position__isnull=False).order_by("position").first()
    assert prune.object_pk == str(first.position) and first.seq == young[0]
    assert verify_chain().ok  # the prune row and the straggler are not sealed yet
    assert audit_seal() == 2
    report = verify_chain()
    assert report.ok and report.unsealed == 0 and report.verified == 4
    # Deleting the anchor the prune named is noticed: the chain no longer starts where it must.
    raw("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
    raw(f"DELETE FROM {TABLE} WHERE position = %s", [int(prune.object_pk)])
    assert not verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_valid_under_concurrent_writers(org_a, make_user):
    picked = [make_user(f"racer{n}") for n in range(6)]

    def grant() -> None:
        role_grant(organisation=org_a, user=picked.pop(), role=Role.DRAFTER, actor=SYSTEM)
        audit_record(kind=Kind.EXPORT, summary="race.xlsx")

    before = AuditEvent.objects.count()
    run_twice_at_once(grant, rounds=3)
    assert AuditEvent.objects.count() == before + 12
    audit_seal()
    report = verify_chain()
    assert report.ok and report.unsealed == 0 and report.verified == before + 12


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_writer_commit_while_another_writers_transaction_is_still_open(office):
    written, release, b_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []
    seqs: dict[str, int] = {}

    def writer_a() -> None:
        try:
            with transaction.atomic():
                seqs["a"] = audit_record(kind=Kind.EXPORT, summary="a.xlsx").seq
                written.set()
                release.wait()
        except BaseException as exc:
            errors.append(exc)
        finally:
            written.set()
            connection.close()

    def writer_b() -> None:
        try:
            written.wait()
            with transaction.atomic():
                seqs["b"] = audit_record(kind=Kind.EXPORT, summary="b.xlsx").seq
            b_done.set()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    a, b = threading.Thread(target=writer_a), threading.Thread(target=writer_b)
    a.start()
    b.start()
    # The wait only keeps a regression from hanging the run: B must finish while A's transaction is still open.
    b_finished_while_a_open = b_done.wait(timeout=30)
    release.set()
    a.join()
    b.join()
    assert not errors, errors
    assert b_finished_while_a_open
    audit_seal()
    report = verify_chain()
    assert report.ok and report.unsealed == 0
    positions = dict(AuditEvent.objects.filter(seq__in=seqs.values()).values_list("seq", "position"))
    # B committed first, so B was chained first, although A's row has the lower id.
    assert seqs["a"] < seqs["b"] and positions[seqs["b"]] < positions[seqs["a"]]


def test_it_seals_a_row_a_crashed_process_left_unsealed_with_the_beat_job(office):
    # The test transaction never commits, so no after-commit seal runs: as if the process died right after COMMIT.
    row = audit_record(kind=Kind.EXPORT, actor=office, summary="left.xlsx")
    assert row.position is None and row.hash == ""
    assert verify_chain().unsealed >= 1
    seal_audit_log()
    row.refresh_from_db()
    assert row.position is not None and row.hash == row.compute_hash()
    report = verify_chain()
    assert report.ok and report.unsealed == 0 and report.last_position == row.position
    run = JobRun.objects.get(name="audit-seal")
    assert run.status == JobRun.Status.SUCCEEDED and run.details["sealed"] >= 1
    seal_audit_log()  # nothing left: no second run row
    assert JobRun.objects.filter(name="audit-seal").count() == 1


def test_the_daily_verify_job_logs_the_tail_and_fails_on_a_broken_chain(office, caplog):
    positions = _chain_of_five(office)
    last = AuditEvent.objects.get(position=positions[-1])
    with caplog.at_level(logging.INFO, logger="auditlog.tasks"):
        verify_audit_log()
    logged = [r.getMessage() for r in caplog.records if r.name == "auditlog.tasks" and r.levelno == logging.INFO]
    assert len(logged) == 1 and f"last position {last.position}" in logged[0] and last.hash in logged[0]
    run = JobRun.objects.get(name="audit-verify")
    assert run.status == JobRun.Status.SUCCEEDED and last.hash in run.summary
    assert run.details["last_position"] == last.position and run.details["verified"] == AuditEvent.objects.count()

    tamper(f"UPDATE {TABLE} SET summary = 'nothing happened' WHERE position = %s", [positions[1]])
    with pytest.raises(AuditError, match=f"position {positions[1]}"):
        verify_audit_log()
    failed = JobRun.objects.filter(name="audit-verify").latest("pk")
    assert failed.status == JobRun.Status.FAILED and failed.details["first_broken"] == positions[1]


def test_the_log_is_404_for_a_drafter_and_read_only_for_the_office(drafter_a, office, login):
    row = audit_record(kind=Kind.EXPORT, actor=office, summary="x.xlsx")
    listing = reverse("admin:auditlog_auditevent_changelist")
    page = reverse("admin:auditlog_auditevent_change", args=[row.seq])
    drafter = login(drafter_a)
    assert drafter.get(listing).status_code == 404 and drafter.get(page).status_code == 404
    client = login(office)
    response = client.get(listing, {"kind__exact": "export"})
    assert response.status_code == 200 and "x.xlsx" in response.content.decode()
    assert client.get(page).status_code == 200
    assert client.get(reverse("admin:auditlog_auditevent_add")).status_code == 404
    assert client.get(reverse("admin:auditlog_auditevent_delete", args=[row.seq])).status_code == 404
    assert client.post(page, {"summary": "changed"}).status_code == 403
    assert AuditEvent.objects.get(seq=row.seq).summary == "x.xlsx"


def test_the_retention_cannot_be_set_below_six_months():
    from tests.test_settings import manage

    result = manage("check", GOVOPEN_AUDIT_RETENTION_DAYS="90", DEBUG="1")
    assert result.returncode == 2 and "GOVOPEN_AUDIT_RETENTION_DAYS" in result.stderr
