"""The backend's own full-text structures beside SearchEntry: a tsvector column with a GIN index on PostgreSQL,
an FTS5 table on SQLite (see disclosure.search.backends)."""

from django.db import migrations


def create(apps, schema_editor):
    from disclosure.search.backends import create_structures

    create_structures(schema_editor)


def drop(apps, schema_editor):
    from disclosure.search.backends import drop_structures

    drop_structures(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
