from django.db import migrations

from tremplin.core.rome import load_rome


def load(apps, schema_editor):
    load_rome(apps.get_model("core", "RomeCode"), apps.get_model("core", "RomeJobTitle"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
