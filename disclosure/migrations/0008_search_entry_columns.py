"""The search index carries what a search filters, ranks and counts by, so that a query never joins the documents
(issue 15): organisation, topic, 公开类别 bits, publication time and 有效性 on SearchEntry, backfilled from the
documents; a title tsvector beside the full one (PostgreSQL); the ``tokens`` column, a second copy of the words, goes.
"""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery
import django.db.models.deletion


def backfill(apps, schema_editor):
    from disclosure.search.backends import SECTION_BITS

    SearchEntry = apps.get_model("disclosure", "SearchEntry")
    Document = apps.get_model("disclosure", "Document")
    document = Document.objects.filter(pk=OuterRef("document_id"))
    SearchEntry.objects.update(
        organisation_id=Subquery(document.values("organisation_id")[:1]),
        topic_id=Subquery(document.values("topic_id")[:1]),
        published_at=Subquery(document.values("published_at")[:1]),
        validity=Subquery(document.values("validity")[:1]),
        sections=0,
    )
    for section, bit in SECTION_BITS.items():
        SearchEntry.objects.filter(document__catalogue_nodes__section=section).update(sections=F("sections").bitor(bit))
    # An entry whose document lost its publication time cannot be public: the next indexing would drop it anyway.
    SearchEntry.objects.filter(published_at__isnull=True).delete()
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign keys are deferred: check them now, or the ALTER TABLEs below refuse to run.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def add_title_vector(apps, schema_editor):
    from disclosure.search.backends import add_title_vector as add

    add(schema_editor)


def drop_title_vector(apps, schema_editor):
    from disclosure.search.backends import drop_title_vector as drop

    drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_organisation_letter_settings"),
        ("disclosure", "0007_interpretation_waiver"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="catalog.organisation",
            ),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="topic",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_index=False,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="catalog.topic",
            ),
        ),
        migrations.AddField(model_name="searchentry", name="published_at", field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name="searchentry", name="validity", field=models.CharField(default="valid", max_length=10)
        ),
        migrations.AddField(
            model_name="searchentry", name="sections", field=models.PositiveSmallIntegerField(default=0)
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="searchentry",
            name="organisation",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalog.organisation"
            ),
        ),
        migrations.AlterField(model_name="searchentry", name="published_at", field=models.DateTimeField()),
        migrations.AlterField(model_name="searchentry", name="validity", field=models.CharField(max_length=10)),
        migrations.RemoveField(model_name="searchentry", name="tokens"),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["-published_at", "-document"], name="search_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["organisation", "-published_at"], name="search_org_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["topic", "-published_at"], name="search_topic_newest_idx"),
        ),
        migrations.RunPython(add_title_vector, drop_title_vector),
    ]
