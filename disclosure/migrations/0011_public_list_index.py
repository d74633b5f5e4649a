from django.db import migrations, models


class Migration(migrations.Migration):
    """The public-list index gains the id (the full order of every list) and the organisation (included), so a deep
    page's offset is skipped in the index alone. The new index is built before the old one goes."""

    dependencies = [
        ("catalog", "0003_organisation_letter_settings"),
        ("disclosure", "0010_on_request_directory_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                fields=["status", "attribute", "-published_at", "-id"],
                include=("organisation",),
                name="document_public_list_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="document", name="document_public_idx"),
    ]
