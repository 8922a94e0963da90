"""Django's ``user.has_perm("<app>.<permission>")`` answered from role grants.

An app below the access layer (``curriculum``, on the registry layer) must not import it, yet its pages need
to know who may read and who may import. They ask Django's standard question, ``request.user.has_perm``;
this backend (in ``AUTHENTICATION_BACKENDS``) answers it from :data:`PERMISSION_ROLES`, so which roles hold a
permission is written here, in the access layer, once. It never authenticates anyone.
"""

from __future__ import annotations

from typing import Any

from zhijiao.identity.models import Role
from zhijiao.identity.scope import scope_for

STAFF = frozenset(
    {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER}
)
BUREAU = frozenset({Role.PLATFORM_ADMIN, Role.REGION_ADMIN})

PERMISSION_ROLES: dict[str, frozenset[Role]] = {
    "curriculum.view": STAFF,  # the 课程体系 pages and API: teachers and administrators read
    "curriculum.manage": BUREAU,  # import a bureau's own edition, export one
}


class RolePermissionBackend:
    """``has_perm`` from the account's roles; ``authenticate`` declines, the login backends decide that."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        roles = PERMISSION_ROLES.get(perm)
        if roles is None or not getattr(user_obj, "is_authenticated", False) or not user_obj.is_active:
            return False
        scope = scope_for(user_obj)
        held = set(scope.roles) | ({Role.PLATFORM_ADMIN.value} if scope.is_platform_admin else set())
        return bool(held & {r.value for r in roles})
