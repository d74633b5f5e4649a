"""Search within the title or the numbers (文号、索引号) only (issue 16): a GIN index on the title vector
(PostgreSQL), a numbers column in the FTS5 table (SQLite). Run ``search_rebuild`` once after this migration so that
the numbers get their own weight."""

from django.db import migrations


def forwards(apps, schema_editor):
    from disclosure.search.backends import add_field_search

    add_field_search(schema_editor)


def backwards(apps, schema_editor):
    from disclosure.search.backends import remove_field_search

    remove_field_search(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0012_search_synonyms")]

    operations = [migrations.RunPython(forwards, backwards)]
