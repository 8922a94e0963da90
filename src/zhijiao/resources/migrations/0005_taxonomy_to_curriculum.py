"""The taxonomy models now belong to ``curriculum`` (its 0001): state only, no table or key changes.

``Resource``'s keys point at the curriculum models (same tables, so the database keeps its constraints), then the
four models leave this app's state.
"""

import django.db.models.deletion
from django.db import migrations, models

STATE = [
    migrations.AlterField(
        model_name="resource",
        name="edition",
        field=models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="curriculum.textbookedition",
        ),
    ),
    migrations.AlterField(
        model_name="resource",
        name="volume",
        field=models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="+",
            to="curriculum.textbookvolume",
        ),
    ),
    migrations.AlterField(
        model_name="resource",
        name="chapter",
        field=models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="resources",
            to="curriculum.chapter",
        ),
    ),
    migrations.AlterField(
        model_name="resource",
        name="knowledge_points",
        field=models.ManyToManyField(blank=True, related_name="resources", to="curriculum.knowledgepoint"),
    ),
    migrations.DeleteModel(name="KnowledgePoint"),
    migrations.DeleteModel(name="Chapter"),
    migrations.DeleteModel(name="TextbookVolume"),
    migrations.DeleteModel(name="TextbookEdition"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0004_taxonomy_more_editions"),
        ("curriculum", "0001_initial"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=STATE, database_operations=[])]
