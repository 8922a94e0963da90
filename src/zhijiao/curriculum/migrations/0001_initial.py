"""The taxonomy models move here from ``resources``: state only, the tables (``resources_*``) stay as they are.

``resources`` 0001–0004 created and filled the tables; this migration adds the models to the curriculum app's
state, and ``resources`` 0005 re-points ``Resource``'s keys here and drops the models from its own state.
Content types follow the models, so permissions and admin history keep pointing at them.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ["textbookedition", "textbookvolume", "chapter", "knowledgepoint"]


def content_types_to_curriculum(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="resources", model__in=MODELS).update(app_label="curriculum")


def content_types_to_resources(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="curriculum", model__in=MODELS).update(app_label="resources")


STATE = [
    migrations.CreateModel(
        name="TextbookEdition",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("code", models.CharField(max_length=32, verbose_name="代码")),
            ("name", models.CharField(max_length=64, verbose_name="版本")),
            ("publisher", models.CharField(blank=True, max_length=64, verbose_name="出版社")),
            ("subject", models.CharField(max_length=4, verbose_name="学科")),
            ("stage", models.CharField(max_length=2, verbose_name="学段")),
        ],
        options={
            "verbose_name": "教材版本",
            "verbose_name_plural": "教材版本",
            "db_table": "resources_textbookedition",
            "ordering": ["stage", "subject", "code"],
            "constraints": [models.UniqueConstraint(fields=("code", "subject", "stage"), name="edition_unique")],
        },
    ),
    migrations.CreateModel(
        name="TextbookVolume",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("code", models.CharField(max_length=16, verbose_name="代码")),
            ("name", models.CharField(max_length=32, verbose_name="册")),
            ("grade", models.CharField(max_length=4, verbose_name="年级")),
            ("term", models.CharField(max_length=2, verbose_name="学期")),
            ("order", models.PositiveSmallIntegerField(default=0, verbose_name="顺序")),
            (
                "edition",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="volumes",
                    to="curriculum.textbookedition",
                ),
            ),
        ],
        options={
            "verbose_name": "教材册次",
            "verbose_name_plural": "教材册次",
            "db_table": "resources_textbookvolume",
            "ordering": ["edition_id", "order"],
            "constraints": [models.UniqueConstraint(fields=("edition", "code"), name="volume_unique")],
        },
    ),
    migrations.CreateModel(
        name="Chapter",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("number", models.CharField(max_length=16, verbose_name="编号")),
            ("name", models.CharField(max_length=128, verbose_name="名称")),
            ("order", models.PositiveSmallIntegerField(default=0, verbose_name="顺序")),
            (
                "parent",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="sections",
                    to="curriculum.chapter",
                ),
            ),
            (
                "volume",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="chapters",
                    to="curriculum.textbookvolume",
                ),
            ),
        ],
        options={
            "verbose_name": "章节",
            "verbose_name_plural": "章节",
            "db_table": "resources_chapter",
            "ordering": ["volume_id", "order"],
            "constraints": [models.UniqueConstraint(fields=("volume", "number"), name="chapter_number_unique")],
        },
    ),
    migrations.CreateModel(
        name="KnowledgePoint",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("code", models.CharField(max_length=32, unique=True, verbose_name="代码")),
            ("name", models.CharField(max_length=64, verbose_name="名称")),
            ("aliases", models.JSONField(blank=True, default=list, verbose_name="别名")),
            ("subject", models.CharField(max_length=4, verbose_name="学科")),
            ("stage", models.CharField(max_length=2, verbose_name="学段")),
            (
                "chapter",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="knowledge_points",
                    to="curriculum.chapter",
                ),
            ),
            (
                "prerequisites",
                models.ManyToManyField(
                    blank=True,
                    db_table="resources_knowledgepoint_prerequisites",
                    related_name="leads_to",
                    to="curriculum.knowledgepoint",
                ),
            ),
        ],
        options={
            "verbose_name": "知识点",
            "verbose_name_plural": "知识点",
            "db_table": "resources_knowledgepoint",
            "ordering": ["code"],
        },
    ),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("resources", "0004_taxonomy_more_editions"),  # the tables exist from here on
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE, database_operations=[]),
        migrations.RunPython(content_types_to_curriculum, content_types_to_resources),
    ]
