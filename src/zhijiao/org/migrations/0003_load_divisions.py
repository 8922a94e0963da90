"""Load the GB/T 2260 provinces, cities and counties from the project's data file."""

from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.org.services import division_sync

    division_sync(model=apps.get_model("org", "Division"))


class Migration(migrations.Migration):
    dependencies = [("org", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
