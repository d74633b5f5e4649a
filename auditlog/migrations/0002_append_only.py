"""PostgreSQL refuses UPDATE and DELETE on the audit table; only audit_prune may delete, and only inside its own
transaction after setting ``govopen.audit_prune`` (a transaction-local setting). SQLite (the demo) relies on the
model refusing changes."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('govopen.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'auditlog_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER auditlog_append_only BEFORE UPDATE OR DELETE ON auditlog_auditevent
    FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS auditlog_append_only ON auditlog_auditevent;
DROP FUNCTION IF EXISTS auditlog_append_only();
"""


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, None)  # None: the "%" in RAISE is not a parameter


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, None)


class Migration(migrations.Migration):
    dependencies = [("auditlog", "0001_audit_event")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
