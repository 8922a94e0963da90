from django.db import migrations


class Migration(migrations.Migration):
    """Loaded the textbook taxonomy; the curriculum app owns it now and loads it (curriculum 0002)."""

    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
