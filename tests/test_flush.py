"""The database is emptied after each transactional test by deleting its rows (tests/conftest.py
``_flush_by_deleting``), not by Django's TRUNCATE of every table: it must leave exactly what Django's flush leaves."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from auditlog.models import AuditEvent
from integrity.models import Entry as IntegrityEntry
from tests.conftest import FLUSH_KEEPS, new_document, new_node_a, new_org_a, new_staff, published


def rows() -> tuple[dict[str, int], set[tuple[str, str]], set[tuple[str, str, str]]]:
    """Each table's number of rows, and the content types and permissions by name (their ids may differ)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    types = set(ContentType.objects.values_list("app_label", "model"))
    permissions = set(Permission.objects.values_list("content_type__app_label", "content_type__model", "codename"))
    return counts, types, permissions


def write_a_bit_of_everything() -> None:
    """Organisations, staff and their roles, a published document with its events, history, search entry, audit
    trail and integrity record (the last two append-only: their triggers refuse DELETE)."""
    organisation = new_org_a()
    drafter = new_staff("drafter_a", organisation, "drafter")
    reviewer = new_staff("reviewer_a", organisation, "reviewer")
    published(new_document(organisation, drafter, nodes=[new_node_a(organisation)]), drafter, reviewer)
    assert IntegrityEntry.objects.exists() and AuditEvent.objects.exists()


def test_deleting_the_rows_leaves_what_djangos_truncate_and_post_migrate_leave(transactional_db, monkeypatch):
    operations = type(connection.ops)
    assert getattr(operations.sql_flush, "deletes", False)  # scripts/test's cluster user is a superuser

    write_a_bit_of_everything()
    call_command("flush", interactive=False, verbosity=0)
    deleted = rows()

    write_a_bit_of_everything()
    monkeypatch.setattr(operations, "sql_flush", operations.sql_flush.truncate)  # type: ignore[attr-defined]
    call_command("flush", interactive=False, verbosity=0)
    truncated = rows()

    assert deleted == truncated
    counts, types, permissions = deleted
    assert {table for table, count in counts.items() if count} == set(FLUSH_KEEPS)
    assert ("disclosure", "document") in types and ("disclosure", "document", "view_document") in permissions


def test_a_flush_that_resets_sequences_is_djangos_own(db):
    statements = connection.ops.sql_flush(no_style(), ["catalog_organisation"], reset_sequences=True)
    assert statements[0].startswith("TRUNCATE") and "RESTART IDENTITY" in statements[0]
