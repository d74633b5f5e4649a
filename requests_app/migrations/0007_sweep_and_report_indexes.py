# Issue 15: indexes for the deadline sweep (cases at a threshold) and the annual report (a year's cases and those
# open across it). Index-only; the same entries are declared in the models' Meta.indexes.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0006_formal_reply_letters"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                condition=models.Q(("answered_on__isnull", True)), fields=["started_on"], name="consultation_unanswered"
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("clock", "running"), ("status", "accepted")),
                fields=["due_on"],
                name="request_running_due",
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "accepted", "awaiting_correction"])),
                fields=["clock"],
                name="request_open_clock",
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("status", "submitted")), fields=["submitted_at"], name="request_waiting"
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("fee_notified_on__isnull", False), ("fee_paid_on__isnull", True)),
                fields=["fee_notified_on"],
                name="request_fee_unpaid",
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(fields=["received_on"], name="request_received_on"),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                models.Case(
                    models.When(
                        status__in=["replied", "closed"],
                        then=django.db.models.functions.comparison.Coalesce("replied_on", "closed_on"),
                    ),
                    models.When(status__in=["withdrawn", "abandoned"], then=models.F("closed_on")),
                    default=None,
                    output_field=models.DateField(),
                ),
                models.F("received_on"),
                name="request_concluded_received",
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("fee_paid_on__isnull", False)), fields=["fee_paid_on"], name="request_fee_paid_on"
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "accepted", "awaiting_correction"])),
                fields=["received_on"],
                name="request_open_received",
            ),
        ),
        migrations.AddIndex(
            model_name="informationrequest",
            index=models.Index(
                condition=models.Q(
                    models.Q(
                        ("closed_on__isnull", True), ("replied_on__isnull", True), ("status__in", ["replied", "closed"])
                    ),
                    models.Q(("closed_on__isnull", True), ("status__in", ["withdrawn", "abandoned"])),
                    _connector="OR",
                ),
                fields=["received_on"],
                name="request_undated_received",
            ),
        ),
    ]
