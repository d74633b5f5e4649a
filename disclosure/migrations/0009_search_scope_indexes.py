"""Indexes behind the search's newest-first walk for each filter (issue 15): 有效性 with the publication time, and one
partial index per 公开类别 bit (PostgreSQL), so that a filtered walk reads only the rows of its scope."""

from django.db import migrations, models


def section_indexes(apps, schema_editor):
    from disclosure.search.backends import create_section_indexes

    create_section_indexes(schema_editor)


def drop_section_indexes(apps, schema_editor):
    from disclosure.search.backends import drop_section_indexes as drop

    drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0008_search_entry_columns")]

    operations = [
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["validity", "-published_at"], name="search_validity_newest_idx"),
        ),
        migrations.RunPython(section_indexes, drop_section_indexes),
    ]
