"""Permissions, and the one entry that checks them: :func:`require`.

A permission names what the actor wants to do; whether it may is decided by the :class:`~zhijiao.access.scope.Scope`
predicates, for a node when one is given (a school, or a division code). Refusals raise the project's Chinese
``Forbidden`` (403); reads outside the scope stay 404 in the selectors, so nothing leaks.
"""

from __future__ import annotations

from enum import StrEnum

from zhijiao.access.roles import ANALYTICS_ROLES, REGISTRY_READER_ROLES, REVIEWER_ROLES
from zhijiao.access.scope import Scope, scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import Forbidden
from zhijiao.org.models import School


class Perm(StrEnum):
    ADMINISTER_ACCOUNTS = "administer_accounts"  # 账号与授权 (系统管理员, bureaus, platform)
    ADMINISTER_APPS = "administer_apps"  # 应用管理
    # 学习记录库的语句内容（个人信息）: browsing, exporting and erasing a learner's statements. The platform
    # administrator only: 三员分立 keeps the 系统管理员 (who manages the apps and their credentials) off personal data.
    READ_LEARNING_RECORDS = "read_learning_records"
    MANAGE_SECURITY = "manage_security"  # 安全管理
    READ_AUDIT = "read_audit"  # 审计日志
    MANAGE_DATA = "manage_data"  # 学籍/人员数据的导入与更正 (node: the school or division)
    GOVERN = "govern"  # 区域管理员 decisions for a division's subtree (node: the division or a school in it)
    READ_ANALYTICS = "read_analytics"  # 统计分析、规划指标、预警
    REVIEW_RESOURCES = "review_resources"  # 资源审核
    READ_CURRICULUM = "curriculum.view"  # 课程体系: teachers and administrators read (Django's has_perm name)
    MANAGE_CURRICULUM = "curriculum.manage"  # import a bureau's own edition, export one


Node = School | str | None  # a school, a division code, or nothing


def _division_of(node: Node) -> str:
    return node.division_id if isinstance(node, School) else (node or "")


def allows(scope: Scope, perm: Perm, node: Node = None) -> bool:
    """Does the scope allow ``perm`` (on ``node``, where the permission takes one)?"""
    if perm == Perm.ADMINISTER_ACCOUNTS:
        return scope.may_administer_accounts
    if perm == Perm.ADMINISTER_APPS:
        return scope.may_administer_apps
    if perm == Perm.READ_LEARNING_RECORDS:
        return scope.is_platform_admin
    if perm == Perm.MANAGE_SECURITY:
        return scope.may_manage_security
    if perm == Perm.READ_AUDIT:
        return scope.may_read_audit
    if perm == Perm.READ_ANALYTICS:
        return scope.has_any(ANALYTICS_ROLES)
    if perm == Perm.REVIEW_RESOURCES:
        return scope.has_any(REVIEWER_ROLES)
    if perm == Perm.READ_CURRICULUM:
        return scope.is_platform_admin or scope.has_any(REGISTRY_READER_ROLES)
    if perm == Perm.MANAGE_CURRICULUM:
        return scope.is_bureau
    if perm == Perm.MANAGE_DATA:
        if node is None:
            return scope.manages_data
        school_id = node.pk if isinstance(node, School) else None
        return scope.manages_school(school_id=school_id, division_code=_division_of(node))
    if perm == Perm.GOVERN:
        return scope.is_bureau if node is None else scope.governs(_division_of(node))
    raise ValueError(perm)  # pragma: no cover  (a new Perm without its branch)


def require(actor: Actor, permission: Perm, node: Node = None, *, detail: str = "") -> None:
    """Raise ``Forbidden`` (403, "没有执行此操作的权限", with the caller's ``detail``) unless ``actor`` holds
    ``permission`` (on ``node``)."""
    if not allows(scope_for(actor), permission, node):
        raise Forbidden(detail)


class PermissionBackend:
    """Django's ``user.has_perm("curriculum.view")`` answered by :func:`allows`, for apps below this layer
    (``curriculum``) that may not import it: they ask Django's standard question, and which roles hold the
    permission is still written here, once. It never authenticates anyone (``AUTHENTICATION_BACKENDS``)."""

    def authenticate(self, request: object, **credentials: object) -> None:
        return None

    def get_user(self, user_id: int) -> None:
        return None

    def has_perm(self, user_obj: Actor, perm: str, obj: object = None) -> bool:
        if perm not in Perm._value2member_map_ or not getattr(user_obj, "is_authenticated", False):
            return False
        if not user_obj.is_active:
            return False
        return allows(scope_for(user_obj), Perm(perm))
