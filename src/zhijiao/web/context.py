"""Template context shared by every page: navigation for the account's roles, its name and role labels."""

from __future__ import annotations

from django.http import HttpRequest

from zhijiao.identity.models import Role
from zhijiao.identity.scope import scope_for

# (label, url, icon, url-name prefix that marks it active, roles that see it; None = everyone)
NAV = [
    ("首页", "/", "i-home", "home", None),
    ("我的应用", "/apps/", "i-grid", "apps", None),
    ("资源中心", "/resources/", "i-book", "resource-list", None),
    (
        "资源审核",
        "/resources/review/",
        "i-shield",
        "resource-review",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN},
    ),
    (
        "课程体系",
        "/curriculum/",
        "i-book",
        "curriculum",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER},
    ),
    (
        "统计分析",
        "/analytics/",
        "i-chart",
        "analytics",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN},
    ),
    (
        "规划指标",
        "/analytics/indicators/",
        "i-book",
        "indicator",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN},
    ),
    (
        "预警",
        "/analytics/warnings/",
        "i-alert",
        "warning",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN},
    ),
    (
        "学校",
        "/schools/",
        "i-school",
        "school",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN},
    ),
    (
        "班级",
        "/classes/",
        "i-class",
        "class",
        {
            Role.PLATFORM_ADMIN,
            Role.REGION_ADMIN,
            Role.INSPECTOR,
            Role.SCHOOL_ADMIN,
            Role.HEAD_TEACHER,
            Role.TEACHER,
        },
    ),
    (
        "学生",
        "/students/",
        "i-student",
        "student",
        {
            Role.PLATFORM_ADMIN,
            Role.REGION_ADMIN,
            Role.INSPECTOR,
            Role.SCHOOL_ADMIN,
            Role.HEAD_TEACHER,
            Role.TEACHER,
        },
    ),
    ("我的孩子", "/students/", "i-student", "student", {Role.PARENT}),
    ("孩子的数据授权", "/privacy/consent/", "i-shield", "privacy-consent", {Role.PARENT}),
    ("个人信息访问记录", "/privacy/access/", "i-id", "privacy-access", {Role.PARENT}),
    (
        "教职工",
        "/staff/",
        "i-staff",
        "staff",
        {
            Role.PLATFORM_ADMIN,
            Role.REGION_ADMIN,
            Role.INSPECTOR,
            Role.SCHOOL_ADMIN,
            Role.HEAD_TEACHER,
            Role.TEACHER,
        },
    ),
    ("数据导入", "/intake/", "i-api", "import", {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN}),
    (
        "账号激活",
        "/accounts/activation-codes/",
        "i-id",
        "activation",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN},
    ),
    ("比对待办", "/intake/cases/", "i-id", "case", {Role.PLATFORM_ADMIN, Role.REGION_ADMIN}),
    (
        "数据目录",
        "/catalogue/",
        "i-book",
        "catalogue",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN},
    ),
    (
        "数据质量",
        "/quality/",
        "i-chart",
        "quality",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN},
    ),
    ("应用管理", "/apps/registry/", "i-key", "app-", {Role.PLATFORM_ADMIN, Role.SYSTEM_ADMIN}),
    (
        "账号管理",
        "/accounts/admin/",
        "i-user",
        "account-admin",
        {Role.PLATFORM_ADMIN, Role.SYSTEM_ADMIN, Role.REGION_ADMIN},
    ),
    ("安全管理", "/security/", "i-lock", "security", {Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN}),
    ("未成年人数据授权", "/privacy/policy/", "i-shield", "privacy-policy", {Role.PLATFORM_ADMIN, Role.REGION_ADMIN}),
    ("审计日志", "/audit/", "i-shield", "audit", {Role.PLATFORM_ADMIN, Role.AUDIT_ADMIN}),
    ("接口文档", "/api/v1/docs", "i-api", "api", {Role.PLATFORM_ADMIN, Role.REGION_ADMIN}),
]


# Section headings for a long menu (administrators): the group of each entry, by URL; a heading shows above the
# first visible entry of its group. Short menus (teachers, pupils, parents) have no headings.
NAV_GROUPS = {
    "/resources/": "教学资源",
    "/resources/review/": "教学资源",
    "/curriculum/": "教学资源",
    "/analytics/": "统计分析",
    "/analytics/indicators/": "统计分析",
    "/analytics/warnings/": "统计分析",
    "/schools/": "教育数据",
    "/classes/": "教育数据",
    "/students/": "教育数据",
    "/staff/": "教育数据",
    "/intake/": "数据治理",
    "/intake/cases/": "数据治理",
    "/catalogue/": "数据治理",
    "/quality/": "数据治理",
    "/accounts/activation-codes/": "账号与安全",
    "/apps/registry/": "账号与安全",
    "/accounts/admin/": "账号与安全",
    "/security/": "账号与安全",
    "/privacy/policy/": "账号与安全",
    "/audit/": "账号与安全",
    "/api/v1/docs": "账号与安全",
}
NAV_GROUPED_FROM = 9  # entries


NAV_GROUP_ORDER = ["", "教学资源", "统计分析", "教育数据", "数据治理", "账号与安全"]


def _nav_grouped(items: list[dict]) -> list[dict]:
    """A long menu in its sections (ungrouped entries first), each section under a heading."""
    if len(items) < NAV_GROUPED_FROM:
        return items
    ordered = sorted(items, key=lambda item: NAV_GROUP_ORDER.index(NAV_GROUPS.get(item["url"], "")))
    previous = ""
    for item in ordered:
        group = NAV_GROUPS.get(item["url"], "")
        if group and group != previous:
            item["heading"] = group
        previous = group
    return ordered


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    roles = set(scope.roles) | ({Role.PLATFORM_ADMIN.value} if scope.is_platform_admin else set())
    match = request.resolver_match
    current = match.url_name if match else ""
    items = []
    seen_urls = set()
    for label, url, icon, key, allowed in NAV:
        if allowed is not None and not roles & {r.value for r in allowed}:
            continue
        if url in seen_urls:
            continue
        seen_urls.add(url)
        items.append({"label": label, "url": url, "icon": icon, "active": bool(current and current.startswith(key))})
    items = _nav_grouped(items)
    labels = [Role(r).label for r in sorted(roles, key=lambda r: list(Role.values).index(r))]
    return {
        "nav": items,
        "user_display_name": user.display_name or user.username,
        "user_role_labels": labels,
    }
