"""Applicants' identity numbers and contacts encrypted at rest (PIPL Art 28), a blind index for equality on the
identity number, and no personal data left in the history table.

Existing rows are encrypted and indexed by ``core.crypto.reencrypt_table``; the reverse writes plaintext back
before the columns shrink to their old types. History columns are dropped: their values are not restored.
"""

from django.db import migrations, models

import core.crypto

TABLE = "requests_app_informationrequest"
# column → its name in GOVOPEN_ENCRYPTED_FIELDS (None: always encrypted)
COLUMNS = {"id_number": None, "phone": "phone", "email": "email", "address": "address"}
HISTORY_DROPPED = ("id_number", "phone", "email", "address", "postcode", "legal_representative", "contact_person")


def encrypt_rows(apps, schema_editor) -> None:
    core.crypto.reencrypt_table(
        schema_editor.connection,
        table=TABLE,
        columns=COLUMNS,
        blind_index_column="id_blind_index",
        blind_index_sources=("id_type", "id_number"),
    )


def decrypt_rows(apps, schema_editor) -> None:
    core.crypto.decrypt_table(schema_editor.connection, table=TABLE, columns=list(COLUMNS))


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="informationrequest", name="requests_ap_id_numb_f72344_idx"),
        migrations.AddField(
            model_name="informationrequest",
            name="id_blind_index",
            field=core.crypto.BlindIndexField(sources=["id_type", "id_number"]),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="id_number",
            field=core.crypto.EncryptedCharField(max_length=40, verbose_name="证件号码"),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="phone",
            field=core.crypto.EncryptedCharField(max_length=30, setting_key="phone", verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="email",
            field=core.crypto.EncryptedEmailField(
                blank=True, max_length=254, setting_key="email", verbose_name="电子邮箱"
            ),
        ),
        migrations.AlterField(
            model_name="informationrequest",
            name="address",
            field=core.crypto.EncryptedCharField(
                blank=True, max_length=300, setting_key="address", verbose_name="通信地址"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(fields=["id_blind_index"], name="requests_ap_id_blin_530981_idx"),
        ),
        *[migrations.RemoveField(model_name="historicalinformationrequest", name=name) for name in HISTORY_DROPPED],
    ]
