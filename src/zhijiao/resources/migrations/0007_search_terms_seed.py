"""Seed the search dictionary from ``resources/search/data/search_terms.txt`` (region administrators edit it later)."""

from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "search" / "data" / "search_terms.txt"
KINDS = {"同义词": "synonym", "异体字": "variant", "热门": "popular"}


def seed(apps, schema_editor):
    SearchTerm = apps.get_model("resources", "SearchTerm")
    if SearchTerm.objects.exists():
        return
    rows = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        label, _, rest = line.partition(" ")
        kind = KINDS.get(label)
        if kind == "popular":
            rows.extend(SearchTerm(kind=kind, forms=form) for form in rest.split())
        elif kind:
            rows.append(SearchTerm(kind=kind, forms=rest.strip()))
    SearchTerm.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("resources", "0006_search_terms")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
