"""Load the GB/T 2260 provinces, cities and counties from the project's data file."""

from django.db import migrations


def load(apps, schema_editor):
    from zhijiao.core.codes import divisions

    Division = apps.get_model("org", "Division")
    known = set(Division.objects.values_list("code", flat=True))
    rows = [
        Division(code=d.code, name=d.name, level=d.level, parent_id=d.parent or None)
        for d in sorted(divisions().values(), key=lambda d: (d.level, d.code))
        if d.code not in known
    ]
    Division.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("org", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
