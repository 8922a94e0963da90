"""Seed the six registry datasets (学校、班级、教职工、学生、监护人、任课) and their data items."""

from django.db import migrations


def seed(apps, schema_editor):
    from zhijiao.catalogue.services import catalogue_sync

    catalogue_sync(
        dataset_model=apps.get_model("catalogue", "Dataset"), item_model=apps.get_model("catalogue", "DataItem")
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
