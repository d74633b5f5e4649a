"""The organisation of a review or litigation record is required once 0003 has filled it for the existing rows (a
separate migration: PostgreSQL does not alter a table with the data migration's updates still pending)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0003_reviewcase_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewcase",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="review_cases",
                to="catalog.organisation",
                verbose_name="被申请机关",
            ),
        ),
    ]
