"""A staff member's 姓名 is one field, written as it is written (李娜), not Western given and family names: the name
moves to ``first_name`` (family name first) and ``last_name`` stays empty, so ``get_full_name()`` shows it whole."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    User.objects.exclude(last_name="").update(first_name=Concat(F("last_name"), F("first_name")), last_name=Value(""))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_staff_security"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
