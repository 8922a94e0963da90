from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.resources.taxonomy import taxonomy_load

    taxonomy_load(apps)


class Migration(migrations.Migration):
    """人教版小学数学, 人教A版高中数学, 统编版初中语文, 人教版初中物理 and 初中英语 beside 人教版初中数学."""

    dependencies = [("resources", "0003_use_value_upload_preview")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
