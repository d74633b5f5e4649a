"""The database is emptied after each transactional test, and by the demo's fixtures, by deleting its rows
(tests/conftest.py ``_flush_by_deleting``), not by Django's TRUNCATE of every table: it must leave exactly the rows and
sequences Django's flush leaves."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
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


def sequences() -> dict[str, tuple[int, bool]]:
    """Where each sequence of the schema stands (the number it last gave and whether it gave it), but those of the
    content types and permissions, which post_migrate moves on when it writes them back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        names = [name for (name,) in cursor.fetchall() if not name.startswith(tuple(FLUSH_KEEPS))]
        standing = {}
        for name in names:
            cursor.execute(f"SELECT last_value, is_called FROM {connection.ops.quote_name(name)}")
            standing[name] = cursor.fetchone()
    return standing


def write_a_bit_of_everything() -> None:
    """Organisations, staff and their roles, a published document with its events, history, search entry, audit
    trail and integrity record (the last two append-only: their triggers refuse DELETE)."""
    organisation = new_org_a()
    drafter = new_staff("drafter_a", organisation, "drafter")
    reviewer = new_staff("reviewer_a", organisation, "reviewer")
    published(new_document(organisation, drafter, nodes=[new_node_a(organisation)]), drafter, reviewer)
    assert IntegrityEntry.objects.exists() and AuditEvent.objects.exists()


@pytest.mark.parametrize("reset_sequences", [False, True], ids=["after a transactional test", "the flush command"])
def test_deleting_the_rows_leaves_the_rows_and_sequences_djangos_truncate_leaves(
    transactional_db, monkeypatch, reset_sequences
):
    """A transactional test's flush leaves the sequences where they are; the command's restarts them."""
    operations = type(connection.ops)
    assert getattr(operations.sql_flush, "deletes", False)  # scripts/test's cluster user is a superuser

    def flushed() -> tuple[Any, ...]:
        write_a_bit_of_everything()
        before = sequences()
        call_command("flush", interactive=False, verbosity=0, reset_sequences=reset_sequences)
        after = sequences()
        assert (after == before) is not reset_sequences
        return (*rows(), after if reset_sequences else None)

    deleted = flushed()
    monkeypatch.setattr(operations, "sql_flush", operations.sql_flush.truncate)  # type: ignore[attr-defined]
    truncated = flushed()

    assert deleted == truncated
    counts, types, permissions = deleted[:3]
    assert {table for table, count in counts.items() if count} == set(FLUSH_KEEPS)
    assert ("disclosure", "document") in types and ("disclosure", "document", "view_document") in permissions
    if reset_sequences:
        restarted = {name for name, standing in deleted[3].items() if standing == (1, False)}
        assert set(deleted[3]) - restarted == {"django_migrations_id_seq"}  # not a table the flush empties


def test_the_demo_restores_onto_a_flushed_database_with_the_dumps_content_types(transactional_db):
    """The demo's fixtures empty the database without post_migrate and restore a dump that carries its own content
    types and permissions: none may be left behind for them to collide with."""
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not ContentType.objects.exists() and not Permission.objects.exists()
