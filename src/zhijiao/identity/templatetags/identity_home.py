"""Home-page pieces for the administrators of 三员分立: the lockout alert and the duties card."""

from __future__ import annotations

from django import template

from zhijiao.access.roles import SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.identity.selectors import lockout_alert_count

register = template.Library()

# (role, what it does, link label, url, icon)
_DUTIES = [
    (
        Role.SYSTEM_ADMIN,
        "系统管理员：管理账号与角色授权、登记和配置接入的教育应用",
        "应用管理",
        "/apps/registry/",
        "i-key",
    ),
    (
        Role.SECURITY_ADMIN,
        "安全管理员：处理账号锁定与解锁、重置管理员身份验证器、查看安全策略",
        "安全管理",
        "/security/",
        "i-lock",
    ),
    (
        Role.AUDIT_ADMIN,
        "审计管理员：查阅、筛选和导出审计日志，核验日志哈希链是否完整",
        "审计日志",
        "/audit/",
        "i-shield",
    ),
]


@register.inclusion_tag("identity/lockout_alert.html", takes_context=True)
def lockout_alert(context: template.Context) -> dict:
    """A banner for those who manage security when accounts they could unlock are locked out now."""
    user = context["request"].user
    count = lockout_alert_count(actor=user) if user.is_authenticated else 0
    return {"count": count}


@register.inclusion_tag("identity/duties_home.html", takes_context=True)
def duties_home(context: template.Context) -> dict:
    """What a 系统/安全/审计管理员 does here, with links; for an account without roles, the usual empty note."""
    user = context["request"].user
    roles = scope_for(user).roles if user.is_authenticated else set()
    duties = [d for d in _DUTIES if d[0] in roles]
    return {"duties": duties, "separated": bool(roles & SEPARATED_ROLES)}
