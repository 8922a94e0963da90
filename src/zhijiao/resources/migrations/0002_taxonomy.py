from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.resources.taxonomy import taxonomy_load

    taxonomy_load(apps)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
