"""Review and litigation records tied to the organisation they are brought against (issue 14, R29/R31): the case
becomes optional (a review of another act of the organisation has none), and existing rows take the organisation
of their case, before the column becomes required."""

import django.db.models.deletion
from django.db import migrations, models


def organisation_from_case(apps, schema_editor) -> None:
    ReviewCase = apps.get_model("requests_app", "ReviewCase")
    HistoricalReviewCase = apps.get_model("requests_app", "HistoricalReviewCase")
    Request = apps.get_model("requests_app", "InformationRequest")
    for model in (ReviewCase, HistoricalReviewCase):
        for case in model.objects.filter(organisation__isnull=True, request__isnull=False).only("pk", "request_id"):
            organisation_id = (
                Request.objects.filter(pk=case.request_id).values_list("organisation_id", flat=True).first()
            )
            model.objects.filter(pk=case.pk).update(organisation_id=organisation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_topic_cataloguenode_historicalcataloguenode_and_more"),
        ("requests_app", "0002_encrypt_personal_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalreviewcase",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="catalog.organisation",
                verbose_name="被申请机关",
            ),
        ),
        migrations.AddField(
            model_name="historicalreviewcase",
            name="subject",
            field=models.CharField(
                choices=[
                    ("reply", "答复或处理决定"),
                    ("no_reply", "未按期答复"),
                    ("other_act", "其他政府信息公开行为"),
                ],
                default="reply",
                max_length=10,
                verbose_name="复议或诉讼事项",
            ),
        ),
        migrations.AddField(
            model_name="reviewcase",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="review_cases",
                to="catalog.organisation",
                verbose_name="被申请机关",
            ),
        ),
        migrations.AddField(
            model_name="reviewcase",
            name="subject",
            field=models.CharField(
                choices=[
                    ("reply", "答复或处理决定"),
                    ("no_reply", "未按期答复"),
                    ("other_act", "其他政府信息公开行为"),
                ],
                default="reply",
                max_length=10,
                verbose_name="复议或诉讼事项",
            ),
        ),
        migrations.AlterField(
            model_name="historicalreviewcase",
            name="request",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="针对其他政府信息公开行为的，可以不选。",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="requests_app.informationrequest",
                verbose_name="申请",
            ),
        ),
        migrations.AlterField(
            model_name="reviewcase",
            name="request",
            field=models.ForeignKey(
                blank=True,
                help_text="针对其他政府信息公开行为的，可以不选。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="review_cases",
                to="requests_app.informationrequest",
                verbose_name="申请",
            ),
        ),
        migrations.RunPython(organisation_from_case, migrations.RunPython.noop),
    ]
