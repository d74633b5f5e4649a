"""Reposts registered before their event table existed (0017) get the rows their own fields prove: registered (by whom,
when) and, once published, the publication at its reposted time. Steps whose time was never stored (the draft, a
dismissal) are not invented; every backfilled row says it was recorded afterwards. Reversible: the rows it wrote are
removed by their note."""

from django.db import migrations

NOTE = "补记：依据转载登记信息补录（操作记录表启用前的转载）"


def forwards(apps, schema_editor):
    Repost = apps.get_model("disclosure", "Repost")
    RepostEvent = apps.get_model("disclosure", "RepostEvent")
    rows = []
    for repost in Repost.objects.filter(events__isnull=True).iterator():
        rows.append(
            RepostEvent(
                repost=repost,
                at=repost.registered_at,
                actor_id=repost.registered_by_id,
                action="registered",
                from_status="",
                to_status="queued",
                note=NOTE,
            )
        )
        if repost.status == "published" and repost.reposted_at is not None:
            rows.append(
                RepostEvent(
                    repost=repost,
                    at=repost.reposted_at,
                    action="published",
                    from_status="drafted",
                    to_status="published",
                    note=NOTE,
                )
            )
    RepostEvent.objects.bulk_create(rows, batch_size=1000)


def backwards(apps, schema_editor):
    apps.get_model("disclosure", "RepostEvent").objects.filter(note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0017_transition_events")]

    operations = [migrations.RunPython(forwards, backwards)]
