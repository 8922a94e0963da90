from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.curriculum.loading import taxonomy_load

    taxonomy_load(apps)


class Migration(migrations.Migration):
    """The shipped editions (``curriculum/data``): loaded on a fresh database, brought up to date on an old one
    (the loader upserts by code and keeps the ids resources point at)."""

    dependencies = [("curriculum", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
