"""Applicants' personal data at rest (PIPL Art 28): identity numbers, phones, e-mails and addresses are encrypted in
the case table, absent from its history, encrypted in the notification table; equality goes through a blind index;
keys rotate; production refuses to start without keys."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from core.crypto import FieldDecryptError, load_key_settings, new_key
from core.env import EnvError
from ops.models import Notification
from requests_app.models import InformationRequest
from requests_app.selectors import art44_clusters
from requests_app.services import fee_options
from tests.conftest import VALID_RESIDENT_ID

PHONE, EMAIL, ADDRESS = "13812345678", "zhangsan@example.com", "甲市中山路 8 号"
PLAINTEXTS = (VALID_RESIDENT_ID, PHONE, EMAIL, ADDRESS, "中山路")


def raw_rows(table: str, using=connection) -> str:
    with using.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {using.ops.quote_name(table)}")
        return repr(cursor.fetchall())


def raw_value(table: str, column: str, pk: int, using=connection) -> str:
    with using.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def case(org_a, handler_a, filed):
    return filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)


def test_it_keeps_no_plaintext_personal_data_in_the_case_history_and_notification_tables(case):
    for table in ("requests_app_informationrequest", "requests_app_historicalinformationrequest", "ops_notification"):
        rows = raw_rows(table)
        assert rows != "[]"
        assert not [text for text in PLAINTEXTS if text in rows], table
    case = InformationRequest.objects.get(pk=case.pk)
    assert (case.id_number, case.phone, case.email, case.address) == (VALID_RESIDENT_ID, PHONE, EMAIL, ADDRESS)
    assert raw_value("requests_app_informationrequest", "id_number", case.pk).startswith("gv1:")
    to_applicant = Notification.objects.filter(key__startswith=f"request:{case.pk}:accepted").get()
    assert to_applicant.recipients == [EMAIL]  # ops code still reads a plain list


def test_it_refuses_value_lookups_on_an_encrypted_column(case):
    with pytest.raises(FieldError, match="id_blind_index"):
        InformationRequest.objects.filter(id_number=VALID_RESIDENT_ID).count()
    assert InformationRequest.objects.filter(address="").count() == 0  # emptiness can still be asked


def test_it_rotates_to_a_new_key_and_the_old_key_can_then_be_removed(case, capsys):
    old = list(settings.GOVOPEN_FIELD_KEYS)
    before = raw_value("requests_app_informationrequest", "phone", case.pk)
    notification = Notification.objects.filter(recipients__isnull=False).first()
    recipients_before = Notification.objects.get(pk=notification.pk).recipients
    newest = new_key()
    with override_settings(GOVOPEN_FIELD_KEYS=[newest, *old]):
        call_command("rotate_field_key", "--batch-size", "2")
        first = capsys.readouterr().out
        call_command("rotate_field_key")
        second = capsys.readouterr().out
    rewritten = dict(line.split(": ", 1) for line in first.splitlines())
    assert "重新写入 0 个值" not in rewritten["requests_app_informationrequest"] + rewritten["ops_notification"]
    assert all("重新写入 0 个值" in line for line in second.splitlines())  # a second run finds nothing to do
    after = raw_value("requests_app_informationrequest", "phone", case.pk)
    assert after != before and after.startswith("gv1:")
    assert Fernet(newest.encode()).decrypt(after[4:].encode()).decode() == PHONE
    with override_settings(GOVOPEN_FIELD_KEYS=[newest]):  # the old key removed
        reread = InformationRequest.objects.get(pk=case.pk)
        assert (reread.id_number, reread.phone, reread.email, reread.address) == (
            VALID_RESIDENT_ID,
            PHONE,
            EMAIL,
            ADDRESS,
        )
        assert Notification.objects.get(pk=notification.pk).recipients == recipients_before
    with override_settings(GOVOPEN_FIELD_KEYS=old):  # only the old key: the rotated rows cannot be read
        with pytest.raises(FieldDecryptError, match="GOVOPEN_FIELD_KEYS"):
            InformationRequest.objects.get(pk=case.pk)


def test_it_recomputes_blind_indexes_after_the_index_key_changes(case):
    old_index = InformationRequest.objects.get(pk=case.pk).id_blind_index
    with override_settings(GOVOPEN_BLIND_INDEX_KEY=new_key()):
        call_command("rotate_field_key")
        reread = InformationRequest.objects.get(pk=case.pk)
        assert reread.id_blind_index != old_index
        assert fee_options(reread, pages=None)["nth"] == 1


def test_r26_the_nth_application_this_month_is_counted_through_the_blind_index(org_a, handler_a, filed):
    first = filed(org_a, moment="2026-03-02 09:00", accepted="2026-03-02", handler=handler_a)
    other = filed(
        org_a,
        moment="2026-03-03 09:00",
        accepted="2026-03-03",
        handler=handler_a,
        id_type="passport",
        id_number="E12345678",
    )
    second = filed(
        org_a, moment="2026-03-04 09:00", accepted="2026-03-04", handler=handler_a, id_number=VALID_RESIDENT_ID.lower()
    )
    cases = {c.pk: c for c in InformationRequest.objects.all()}
    assert cases[first.pk].id_blind_index == cases[second.pk].id_blind_index != cases[other.pk].id_blind_index
    assert VALID_RESIDENT_ID not in cases[first.pk].id_blind_index
    assert fee_options(cases[second.pk], pages=None)["nth"] == 2
    assert fee_options(cases[other.pk], pages=None)["nth"] == 1


def test_r28_art44_counts_distinct_applicants_through_the_blind_index(org_a, filed):
    for n, (id_type, number) in enumerate(
        [("passport", "E20000001"), ("passport", "E2000-0001"), ("resident_id", VALID_RESIDENT_ID)]
    ):
        filed(
            org_a,
            moment=f"2026-03-0{n + 2} 09:00",
            description="请公开城区占道经营整治方案",
            id_type=id_type,
            id_number=number,
        )
    [cluster] = art44_clusters(InformationRequest.objects.all(), threshold=3)
    assert len(cluster.requests) == 3 and cluster.applicants == 2
    assert len({r.id_blind_index for r in cluster.requests}) == 2


def test_it_shows_no_phone_or_id_digits_in_the_admin_history(case, login, office):
    # A change of contact details made outside the services (a shell, a future form) must not leave a trace either.
    case = InformationRequest.objects.get(pk=case.pk)
    case.phone, case.address = "13999990000", "乙市人民路 9 号"
    case.save()
    client = login(office)
    page = client.get(reverse("admin:requests_app_informationrequest_history", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="change-history"' in html and case.history.count() >= 3  # filed, accepted, the change
    for digits in (PHONE, "13999990000", VALID_RESIDENT_ID, "1101", "人民路"):
        assert digits not in html


# --- Keys in settings ---------------------------------------------------------------------------------------------


def test_it_refuses_bad_or_missing_keys_by_name(tmp_path: Path):
    good = {"GOVOPEN_FIELD_KEYS": new_key(), "GOVOPEN_BLIND_INDEX_KEY": new_key()}
    loaded = load_key_settings(environ=good, debug=False, var_dir=tmp_path)
    assert loaded.encrypted_fields == ["id_number", "phone", "email", "address"]
    for name in good:
        with pytest.raises(EnvError, match=name):
            load_key_settings(environ={**good, name: ""}, debug=False, var_dir=tmp_path)
        with pytest.raises(EnvError, match=name):
            load_key_settings(environ={**good, name: "not-a-key"}, debug=False, var_dir=tmp_path)
    with pytest.raises(EnvError, match="GOVOPEN_ENCRYPTED_FIELDS"):
        load_key_settings(environ={**good, "GOVOPEN_ENCRYPTED_FIELDS": "phone"}, debug=False, var_dir=tmp_path)
    two = load_key_settings(
        environ={**good, "GOVOPEN_FIELD_KEYS": f"{new_key()}, {new_key()}"}, debug=False, var_dir=tmp_path
    )
    assert len(two.field_keys) == 2


def test_it_makes_a_private_key_file_once_in_debug(tmp_path: Path):
    first = load_key_settings(environ={}, debug=True, var_dir=tmp_path)
    again = load_key_settings(environ={}, debug=True, var_dir=tmp_path)
    assert first == again and first.field_keys[0] != first.blind_index_key
    key_file = tmp_path / "field-keys.env"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    environ = dict(os.environ)
    for key, value in env.items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_it_stops_production_start_up_without_a_field_key():
    result = manage("check", DEBUG="0", GOVOPEN_FIELD_KEYS=None)
    assert result.returncode == 2
    assert "GOVOPEN_FIELD_KEYS" in result.stderr and "Traceback" not in result.stderr
    result = manage("check", DEBUG="0", GOVOPEN_BLIND_INDEX_KEY=None)
    assert result.returncode == 2 and "GOVOPEN_BLIND_INDEX_KEY" in result.stderr


# --- The data migration -------------------------------------------------------------------------------------------


@pytest.fixture
def empty_database(django_db_blocker) -> Iterator[str]:
    """A database alias of its own, on an empty database beside the test database and dropped afterwards: walking the
    migrations there applies only the ones the targets need, where unapplying them in the test database would
    unapply (and later reapply) every migration that depends on them, about a minute of rendering model states."""
    from django.db import connections

    alias = "migrations_walk"
    name = f"{connection.settings_dict['NAME']}_migrations_walk"
    with django_db_blocker.unblock():
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connections.settings[alias] = {**connection.settings_dict, "NAME": name}
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_it_encrypts_existing_rows_and_the_migration_is_reversible(empty_database):
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    walk = connections[empty_database]

    def migrate(*targets: tuple[str, str], models: bool = True):
        executor = MigrationExecutor(walk)
        executor.migrate(list(targets))
        # The models as of ``targets``: rendering them takes seconds, so only when the test reads them.
        return executor.loader.project_state(list(targets)).apps if models else None

    old = migrate(("requests_app", "0001_initial"), ("ops", "0002_outbox"))
    organisation = old.get_model("catalog", "Organisation").objects.using(empty_database).create(code="A001", name="甲")
    OldRequest = old.get_model("requests_app", "InformationRequest")
    pk = (
        OldRequest.objects.using(empty_database)
        .create(
            organisation_id=organisation.pk,
            tracking_code="YS2026-AAAA-BBBB",
            secret_hash="0" * 64,
            applicant_type="natural",
            applicant_name="张三",
            id_type="resident_id",
            id_number=VALID_RESIDENT_ID,
            phone=PHONE,
            email=EMAIL,
            address=ADDRESS,
            description="旧申请",
            information_form="electronic",
            delivery="online",
        )
        .pk
    )
    notification_pk = (
        old.get_model("ops", "Notification")
        .objects.using(empty_database)
        .create(key="old:1", recipients=[EMAIL], subject="s", body="b")
        .pk
    )
    encrypted = migrate(
        ("requests_app", "0002_encrypt_personal_data"), ("ops", "0003_notification_recipients_encrypted")
    )
    stored = raw_rows("requests_app_informationrequest", walk) + raw_rows("ops_notification", walk)
    assert not [text for text in PLAINTEXTS if text in stored]
    # The model as of that migration: the current one has columns later migrations add.
    case = encrypted.get_model("requests_app", "InformationRequest").objects.using(empty_database).get(pk=pk)
    assert (case.id_number, case.phone, case.email, case.address) == (VALID_RESIDENT_ID, PHONE, EMAIL, ADDRESS)
    assert case.id_blind_index
    assert Notification.objects.using(empty_database).get(pk=notification_pk).recipients == [EMAIL]
    migrate(("requests_app", "0001_initial"), ("ops", "0002_outbox"), models=False)
    assert raw_value("requests_app_informationrequest", "phone", pk, walk) == PHONE
    assert raw_value("requests_app_informationrequest", "id_number", pk, walk) == VALID_RESIDENT_ID
    with walk.cursor() as cursor:
        cursor.execute("SELECT recipients FROM ops_notification WHERE id = %s", [notification_pk])
        assert json.loads(cursor.fetchone()[0]) == [EMAIL]
