"""Emergencies registered before their event table existed (0002) get the rows their own fields prove: registered (by
whom, when), each update drafted (author, creation time) and published (publisher, publication time), and the close.
Every backfilled row says it was recorded afterwards. Reversible: the rows it wrote are removed by their note."""

from django.db import migrations

NOTE = "补记：依据事件登记和发布信息补录（操作记录表启用前的事件）"


def forwards(apps, schema_editor):
    Emergency = apps.get_model("emergencies", "Emergency")
    EmergencyEvent = apps.get_model("emergencies", "EmergencyEvent")
    rows = []
    for emergency in Emergency.objects.filter(events__isnull=True).iterator():
        rows.append(
            EmergencyEvent(
                emergency=emergency,
                at=emergency.registered_at,
                actor_id=emergency.registered_by_id,
                action="registered",
                from_status="",
                to_status="open",
                note=NOTE,
            )
        )
        for update in emergency.updates.order_by("created_at", "pk"):
            rows.append(
                EmergencyEvent(
                    emergency=emergency,
                    update=update,
                    at=update.created_at,
                    actor_id=update.author_id,
                    action="drafted",
                    from_status="open",
                    to_status="open",
                    note=NOTE,
                )
            )
            if update.status == "published" and update.published_at is not None:
                rows.append(
                    EmergencyEvent(
                        emergency=emergency,
                        update=update,
                        at=update.published_at,
                        actor_id=update.publisher_id,
                        action="published",
                        from_status="open",
                        to_status="open",
                        note=NOTE,
                    )
                )
        if emergency.status == "closed" and emergency.closed_at is not None:
            rows.append(
                EmergencyEvent(
                    emergency=emergency,
                    at=emergency.closed_at,
                    action="closed",
                    from_status="open",
                    to_status="closed",
                    note=NOTE,
                )
            )
    EmergencyEvent.objects.bulk_create(rows, batch_size=1000)


def backwards(apps, schema_editor):
    apps.get_model("emergencies", "EmergencyEvent").objects.filter(note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("emergencies", "0002_transition_events")]

    operations = [migrations.RunPython(forwards, backwards)]
