"""Role grants: (account, role, node). The node is a division, a school or a class (none for the platform
administrator). What a grant lets its holder see and do is decided in :mod:`zhijiao.access.scope`.

The table keeps its first name (``identity_rolegrant``): the model moved here from identity (decision 0028).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from zhijiao.access.roles import Role


class RoleGrant(models.Model):
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    division = models.ForeignKey("org.Division", models.CASCADE, null=True, blank=True, related_name="+")
    school = models.ForeignKey("org.School", models.CASCADE, null=True, blank=True, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", models.CASCADE, null=True, blank=True, related_name="+")
    # 教研员: the subject researched (中小学课程代码, core code table "subject"); blank for every other role
    # (a database default too: account provisioning writes grants with plain SQL, decision 0028)
    subject = models.CharField("学科", max_length=4, blank=True, default="", db_default="")
    granted_at = models.DateTimeField(auto_now_add=True)
    # Derived from the registry (post, enrolment, head teacher, teaching assignment, guardianship) by account
    # provisioning, which also removes it when the fact no longer holds; manual grants are never touched by it.
    derived = models.BooleanField("由登记信息生成", default=False)

    class Meta:
        db_table = "identity_rolegrant"
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            # At most one node; which kind of node fits which role is checked by the service.
            models.CheckConstraint(
                condition=(
                    Q(division__isnull=True, school__isnull=True)
                    | Q(division__isnull=True, school_class__isnull=True)
                    | Q(school__isnull=True, school_class__isnull=True)
                ),
                name="grant_at_most_one_node",
            ),
            # NULL nodes count as equal (SQLite has no NULLS NOT DISTINCT, so coalesce them).
            models.UniqueConstraint(
                "account",
                "role",
                Coalesce("division", Value("")),
                Coalesce("school", Value(0)),
                Coalesce("school_class", Value(0)),
                name="grant_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_role_display()}"
