"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the integrity log: it is append-only for everyone, the
application included. SQLite (the demo) relies on the model refusing changes.

One exception: TRUNCATE is let through in a database named ``test_…`` (Django's test databases), whose flush between
transactional tests truncates every table; no deployment's database is named so (docs/integrity.md)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION integrity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\\_%' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'integrity_entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER integrity_append_only BEFORE UPDATE OR DELETE ON integrity_entry
    FOR EACH ROW EXECUTE FUNCTION integrity_append_only();
CREATE TRIGGER integrity_no_truncate BEFORE TRUNCATE ON integrity_entry
    FOR EACH STATEMENT EXECUTE FUNCTION integrity_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS integrity_no_truncate ON integrity_entry;
DROP TRIGGER IF EXISTS integrity_append_only ON integrity_entry;
DROP FUNCTION IF EXISTS integrity_append_only();
"""


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)  # None: the "%" in RAISE is not a parameter


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_entry")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
