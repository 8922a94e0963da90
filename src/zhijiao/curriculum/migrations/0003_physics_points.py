from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.curriculum.loading import taxonomy_load

    taxonomy_load(apps)


class Migration(migrations.Migration):
    """人教版 初中物理 (八年级) knowledge points added to ``pep_physics_8_9.json``: an existing database gets them
    (the loader upserts by code; a fresh one has them from 0002 already)."""

    dependencies = [("curriculum", "0002_taxonomy")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
