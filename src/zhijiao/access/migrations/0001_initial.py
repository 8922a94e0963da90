"""RoleGrant, moved here from identity: state only, the table ``identity_rolegrant`` exists already
(created by identity 0002 and extended by identity 0006, on which this depends)."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("identity", "0006_registry_accounts"),
        ("org", "0004_school_feed_seq_school_origin_schoolclass_feed_seq_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="RoleGrant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("platform_admin", "平台管理员"),
                                    ("region_admin", "区域管理员"),
                                    ("school_admin", "学校管理员"),
                                    ("head_teacher", "班主任"),
                                    ("teacher", "教师"),
                                    ("student", "学生"),
                                    ("parent", "家长"),
                                    ("inspector", "督导"),
                                    ("system_admin", "系统管理员"),
                                    ("security_admin", "安全管理员"),
                                    ("audit_admin", "审计管理员"),
                                ],
                                max_length=32,
                                verbose_name="角色",
                            ),
                        ),
                        ("granted_at", models.DateTimeField(auto_now_add=True)),
                        ("derived", models.BooleanField(default=False, verbose_name="由登记信息生成")),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="grants",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "division",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.division",
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.school",
                            ),
                        ),
                        (
                            "school_class",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.schoolclass",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "角色授权",
                        "verbose_name_plural": "角色授权",
                        "db_table": "identity_rolegrant",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("division__isnull", True), ("school__isnull", True)),
                                    models.Q(("division__isnull", True), ("school_class__isnull", True)),
                                    models.Q(("school__isnull", True), ("school_class__isnull", True)),
                                    _connector="OR",
                                ),
                                name="grant_at_most_one_node",
                            ),
                            models.UniqueConstraint(
                                models.F("account"),
                                models.F("role"),
                                django.db.models.functions.comparison.Coalesce("division", models.Value("")),
                                django.db.models.functions.comparison.Coalesce("school", models.Value(0)),
                                django.db.models.functions.comparison.Coalesce("school_class", models.Value(0)),
                                name="grant_unique",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
