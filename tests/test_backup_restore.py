"""scripts/backup and scripts/restore round-trip the portal onto a fresh database on the real PostgreSQL server:
every row and every uploaded file come back, staff log in with their passwords and applicants open their cases with
their secrets, given the same keys (which are never in the backup)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from psycopg2 import sql

from tests.conftest import PASSWORD, VALID_RESIDENT_ID, applicant_values

SCRIPTS = Path(settings.BASE_DIR) / "scripts"


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"


def run_script(script: str, *args: str, database: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media_root),
        "GOVOPEN_PYTHON": sys.executable,
    }
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def table_counts(name: str) -> dict[str, int]:
    db = connection.settings_dict
    with (
        psycopg2.connect(
            dbname=name, user=db["USER"], password=db.get("PASSWORD") or None, host=db["HOST"], port=db["PORT"]
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        counts = {}
        for schema, table in cursor.fetchall():
            cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
            counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    conn.close()
    return counts


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def production_password_hasher(settings):
    """The restored portal runs in a process of its own with the production settings, whose hasher must read the
    persona's password: here it is stored with that hasher, not the suite's fast one (tests/conftest.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """This test's own MEDIA_ROOT, so the backup holds exactly the files it creates."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def portal_with_data(
    transactional_db,
    media_root,
    org_a,
    drafter_a,
    reviewer_a,
    work_calendar,
    make_document,
    publish,
    django_capture_on_commit_callbacks,
):
    """An organisation, a published document with an attachment, an application with an identity file."""
    from disclosure.content import check_upload
    from disclosure.services import attachment_add
    from requests_app.services import request_file

    document = make_document(org_a, drafter_a, title="关于公布城市管理执法事项清单的通知")
    attachment_add(
        document=document,
        actor=drafter_a,
        upload=check_upload(SimpleUploadedFile("执法事项清单.txt", "一、占道经营\n二、违法建设\n".encode())),
    )
    document = publish(document, drafter_a, reviewer_a)
    identity = check_upload(
        SimpleUploadedFile("身份证.pdf", b"%PDF-1.4 identity", content_type="application/pdf"), extract=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        case, secret = request_file(organisation=org_a, values=applicant_values(), files=[identity])
    return {"document": document, "case": case, "secret": secret}


@pytest.fixture
def fresh_database():
    """An empty database on the test server, dropped afterwards (connections and all)."""
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:  # autocommit under transactional_db: CREATE DATABASE may run
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)).as_string(cursor.connection))
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                .format(sql.Identifier(name))
                .as_string(cursor.connection)
            )


def test_it_restores_every_row_and_file_onto_a_fresh_database_where_staff_and_applicants_still_get_in(
    portal_with_data, media_root, fresh_database, tmp_path
):
    source = connection.settings_dict["NAME"]
    backup_dir = tmp_path / "backup"
    made = run_script("backup", str(backup_dir), database=source, media_root=media_root)
    assert made.returncode == 0, made.stderr

    # The backup holds the dump, the files and the manifest, and no key.
    assert sorted(p.name for p in backup_dir.iterdir()) == ["database.dump", "manifest.json", "media.tar"]
    manifest_text = (backup_dir / "manifest.json").read_text(encoding="utf-8")
    for key in ("SECRET_KEY", "GOVOPEN_FIELD_KEYS", "GOVOPEN_BLIND_INDEX_KEY"):
        if os.environ.get(key):
            assert os.environ[key] not in manifest_text
    manifest = json.loads(manifest_text)
    assert manifest["database"]["tables"] == table_counts(source)
    assert manifest["database"]["tables"]["public.disclosure_attachment"] == 1
    assert manifest["database"]["tables"]["public.requests_app_requestfile"] == 1
    assert len(manifest["media"]) == 2

    restored_media = tmp_path / "restored-media"
    restored = run_script("restore", str(backup_dir), database=fresh_database, media_root=restored_media)
    assert restored.returncode == 0, restored.stderr
    assert "核对通过" in restored.stdout

    assert table_counts(fresh_database) == table_counts(source)
    assert files_under(restored_media) == files_under(media_root)
    assert len(files_under(restored_media)) == 2

    # The restored portal, with the same keys from the environment: the drafter logs in with the password (through
    # django-axes, which needs a request), the applicant opens the case with the secret, and the identity number,
    # encrypted with GOVOPEN_FIELD_KEYS, reads back.
    case = portal_with_data["case"]
    code = (
        "import django, sys; django.setup()\n"
        "from django.contrib.auth import authenticate\n"
        "from django.test import RequestFactory\n"
        "from requests_app.selectors import request_for_applicant\n"
        "request = RequestFactory().post('/admin/login/')\n"
        "user = authenticate(request=request, username='drafter_a', password=sys.argv[1])\n"
        "case = request_for_applicant(code=sys.argv[2], secret=sys.argv[3])\n"
        "print(user.username if user else None)\n"
        "print(case.pk if case else None)\n"
        "print(case.id_number if case else None)\n"
    )
    checked = subprocess.run(
        [sys.executable, "-c", code, PASSWORD, case.tracking_code, portal_with_data["secret"]],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DATABASE_URL": database_url(fresh_database),
            "MEDIA_ROOT": str(restored_media),
            "DJANGO_SETTINGS_MODULE": "govopen.settings",
        },
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.split("\n")[:3] == ["drafter_a", str(case.pk), VALID_RESIDENT_ID]


def test_it_refuses_to_restore_over_a_database_in_use_or_from_a_damaged_backup(
    portal_with_data, media_root, fresh_database, tmp_path
):
    source = connection.settings_dict["NAME"]
    backup_dir = tmp_path / "backup"
    assert run_script("backup", str(backup_dir), database=source, media_root=media_root).returncode == 0
    before = table_counts(source)

    over_live = run_script("restore", str(backup_dir), database=source, media_root=tmp_path / "empty-media")
    assert over_live.returncode == 1
    assert "不是空的" in over_live.stderr and "--force" in over_live.stderr
    assert table_counts(source) == before

    # A backup whose file was altered after the manifest is refused before anything is written.
    archive = backup_dir / "media.tar"
    data = bytearray(archive.read_bytes())
    data[700] ^= 0xFF
    archive.write_bytes(bytes(data))
    damaged = run_script("restore", str(backup_dir), database=fresh_database, media_root=tmp_path / "new-media")
    assert damaged.returncode == 1
    assert "media.tar 的 SHA-256 与清单不符" in damaged.stderr
    assert table_counts(fresh_database) == {}
    assert not (tmp_path / "new-media").exists()

    # A second backup never overwrites the first.
    again = run_script("backup", str(backup_dir), database=source, media_root=media_root)
    assert again.returncode == 1
    assert "不是空的" in again.stderr
