from django.db import migrations


class Migration(migrations.Migration):
    """Loaded 人教版小学数学, 人教A版高中数学, 统编版初中语文, 人教版初中物理 and 初中英语; the curriculum app owns the
    taxonomy now and loads it (curriculum 0002)."""

    dependencies = [("resources", "0003_use_value_upload_preview")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
