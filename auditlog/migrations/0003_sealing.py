"""Sealing: writers insert unsealed rows (id from a sequence, no chain fields) and ``audit_seal`` chains them after
commit. Rows already chained keep their hashes and get position = seq. On PostgreSQL the append-only trigger now
lets exactly one update through: the sealing of an unsealed row, which sets position and hashes and nothing else.
"""

from django.db import migrations, models

SEAL_TRIGGER = """
CREATE OR REPLACE FUNCTION auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('govopen.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    -- Sealing: an unsealed row receives its chain position and hashes, once; its content must stay as written.
    IF TG_OP = 'UPDATE' AND OLD.position IS NULL AND coalesce(OLD.hash, '') = '' AND coalesce(OLD.prev_hash, '') = ''
        AND NEW.position IS NOT NULL AND coalesce(NEW.hash, '') <> ''
        AND (NEW.seq, NEW.at, NEW.actor_id, NEW.actor_username, NEW.kind, NEW.object_type, NEW.object_pk,
             NEW.object_label, NEW.change, NEW.summary, NEW.client_ip)
            IS NOT DISTINCT FROM
            (OLD.seq, OLD.at, OLD.actor_id, OLD.actor_username, OLD.kind, OLD.object_type, OLD.object_pk,
             OLD.object_label, OLD.change, OLD.summary, OLD.client_ip)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'auditlog_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

APPEND_ONLY_TRIGGER = """
CREATE OR REPLACE FUNCTION auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('govopen.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'auditlog_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def forwards(apps, schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # The migration (the table owner) fills the new column behind the trigger, which would refuse it.
        schema_editor.execute("ALTER TABLE auditlog_auditevent DISABLE TRIGGER auditlog_append_only", None)
    schema_editor.execute("UPDATE auditlog_auditevent SET position = seq", None)
    if postgresql:
        schema_editor.execute("ALTER TABLE auditlog_auditevent ENABLE TRIGGER auditlog_append_only", None)
        # The new identity starts at 1; new ids must follow the ones already used.
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('auditlog_auditevent', 'seq'), "
            "COALESCE((SELECT MAX(seq) FROM auditlog_auditevent), 0) + 1, false)",
            None,
        )
        schema_editor.execute(SEAL_TRIGGER, None)  # None: the "%" in RAISE is not a parameter


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_TRIGGER, None)


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0002_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="链上位置"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="哈希"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="前一条哈希"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigAutoField(primary_key=True, serialize=False, verbose_name="序号"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
