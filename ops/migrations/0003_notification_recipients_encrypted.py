"""Notification recipients (applicants' e-mail addresses among them) encrypted at rest (PIPL Art 28).

The jsonb column becomes text holding one token per row; existing rows are encrypted, and the reverse writes them
back as JSON text before the column turns into jsonb again.
"""

from django.db import migrations

import core.crypto

TABLE = "ops_notification"


def encrypt_rows(apps, schema_editor) -> None:
    core.crypto.reencrypt_table(schema_editor.connection, table=TABLE, columns={"recipients": None})


def decrypt_rows(apps, schema_editor) -> None:
    core.crypto.decrypt_table(schema_editor.connection, table=TABLE, columns=["recipients"])


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0002_outbox"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="recipients",
            field=core.crypto.EncryptedJSONField(default=list, verbose_name="收件人"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
