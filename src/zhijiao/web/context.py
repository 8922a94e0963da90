"""Template context shared by every page: navigation for the account's roles, its name and role labels."""

from __future__ import annotations

from django.http import HttpRequest

from zhijiao.access.roles import (
    ACCOUNT_PAGE_ROLES,
    ADMISSION_ROLES,
    ANALYTICS_ROLES,
    APP_ADMIN_ROLES,
    AUDIT_ROLES,
    BUREAU_ADMIN_ROLES,
    DATA_MANAGER_ROLES,
    REGISTRY_READER_ROLES,
    RESEARCH_ROLES,
    REVIEWER_ROLES,
    SECURITY_ROLES,
    STATUS_CASE_ROLES,
    Role,
)
from zhijiao.access.scope import scope_for

# (label, url, icon, url-name prefix that marks it active, roles that see it; None = everyone)
NAV = [
    ("首页", "/", "i-home", "home", None),
    ("我的空间", "/space/", "i-user", "spaces", None),
    ("网络教研", "/space/research/", "i-class", "research", RESEARCH_ROLES),
    ("我的应用", "/apps/", "i-grid", "apps", None),
    (
        "成长档案",
        "/growth/",
        "i-book",
        "growth",
        {Role.PLATFORM_ADMIN, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER, Role.STUDENT, Role.PARENT},
    ),
    ("资源中心", "/resources/", "i-book", "resource-list", None),
    (
        "资源审核",
        "/resources/review/",
        "i-shield",
        "resource-review",
        REVIEWER_ROLES,
    ),
    (
        "题库",
        "/learning/items/",
        "i-book",
        "learning-item",
        {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER},
    ),
    ("作业与考试", "/learning/homework/", "i-book", "learning-homework", {Role.HEAD_TEACHER, Role.TEACHER}),
    ("我的作业", "/learning/my/homework/", "i-book", "learning-my", {Role.STUDENT}),
    (
        "学情报告",
        "/learning/reports/",
        "i-chart",
        "learning-report",
        {
            Role.PLATFORM_ADMIN,
            Role.REGION_ADMIN,
            Role.SCHOOL_ADMIN,
            Role.RESEARCHER,
            Role.HEAD_TEACHER,
            Role.TEACHER,
            Role.STUDENT,
        },
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
        ANALYTICS_ROLES,
    ),
    (
        "规划指标",
        "/analytics/indicators/",
        "i-book",
        "indicator",
        ANALYTICS_ROLES,
    ),
    (
        "预警",
        "/analytics/warnings/",
        "i-alert",
        "warning",
        ANALYTICS_ROLES,
    ),
    (
        "学校",
        "/schools/",
        "i-school",
        "school",
        ANALYTICS_ROLES,
    ),
    (
        "班级",
        "/classes/",
        "i-class",
        "class",
        REGISTRY_READER_ROLES,
    ),
    (
        "学生",
        "/students/",
        "i-student",
        "student",
        REGISTRY_READER_ROLES,
    ),
    ("我的孩子", "/students/", "i-student", "student", {Role.PARENT}),
    (
        "学习记录",
        "/records/",
        "i-book",
        "records",
        {Role.STUDENT, Role.PARENT, Role.TEACHER, Role.HEAD_TEACHER},
    ),
    ("孩子的学习情况", "/learning/reports/child/", "i-chart", "learning-report-child", {Role.PARENT}),
    ("孩子的数据授权", "/privacy/consent/", "i-shield", "privacy-consent", {Role.PARENT}),
    ("个人信息访问记录", "/privacy/access/", "i-id", "privacy-access", {Role.PARENT}),
    (
        "教职工",
        "/staff/",
        "i-staff",
        "staff",
        REGISTRY_READER_ROLES,
    ),
    ("数据导入", "/intake/", "i-api", "import", DATA_MANAGER_ROLES),
    (
        "账号激活",
        "/accounts/activation-codes/",
        "i-id",
        "activation",
        DATA_MANAGER_ROLES,
    ),
    ("比对待办", "/intake/cases/", "i-id", "case", BUREAU_ADMIN_ROLES),
    ("电脑派位", "/services/lottery/", "i-grid", "services-lottery", BUREAU_ADMIN_ROLES),
    ("学籍异动", "/services/status/", "i-id", "services-status", STATUS_CASE_ROLES),
    ("入学报名", "/services/admission/", "i-student", "services-admission", ADMISSION_ROLES),
    ("培训机构", "/services/institutions/", "i-book", "services-institution", BUREAU_ADMIN_ROLES),
    (
        "数据目录",
        "/catalogue/",
        "i-book",
        "catalogue",
        ANALYTICS_ROLES,
    ),
    (
        "数据质量",
        "/quality/",
        "i-chart",
        "quality",
        ANALYTICS_ROLES,
    ),
    ("应用管理", "/apps/registry/", "i-key", "app-", APP_ADMIN_ROLES),
    ("学习记录库", "/lrs/", "i-api", "lrs", APP_ADMIN_ROLES),
    (
        "账号管理",
        "/accounts/admin/",
        "i-user",
        "account-admin",
        ACCOUNT_PAGE_ROLES,
    ),
    ("安全管理", "/security/", "i-lock", "security", SECURITY_ROLES),
    ("未成年人数据授权", "/privacy/policy/", "i-shield", "privacy-policy", BUREAU_ADMIN_ROLES),
    ("审计日志", "/audit/", "i-shield", "audit", AUDIT_ROLES),
    ("接口文档", "/api/v1/docs", "i-api", "api", BUREAU_ADMIN_ROLES),
]


# Section headings for a long menu (administrators): the group of each entry, by URL; a heading shows above the
# first visible entry of its group. Short menus (teachers, pupils, parents) have no headings.
NAV_GROUPS = {
    "/resources/": "教学资源",
    "/resources/review/": "教学资源",
    "/curriculum/": "教学资源",
    "/learning/items/": "教学资源",
    "/learning/homework/": "教学资源",
    "/analytics/": "统计分析",
    "/analytics/indicators/": "统计分析",
    "/analytics/warnings/": "统计分析",
    "/learning/reports/": "统计分析",
    "/schools/": "教育数据",
    "/classes/": "教育数据",
    "/students/": "教育数据",
    "/staff/": "教育数据",
    "/intake/": "数据治理",
    "/intake/cases/": "数据治理",
    "/services/lottery/": "网上办事",
    "/services/status/": "网上办事",
    "/services/admission/": "网上办事",
    "/services/institutions/": "网上办事",
    "/catalogue/": "数据治理",
    "/quality/": "数据治理",
    "/accounts/activation-codes/": "账号与安全",
    "/apps/registry/": "账号与安全",
    "/lrs/": "数据治理",
    "/accounts/admin/": "账号与安全",
    "/security/": "账号与安全",
    "/privacy/policy/": "账号与安全",
    "/audit/": "账号与安全",
    "/api/v1/docs": "账号与安全",
}
NAV_GROUPED_FROM = 10  # entries: a longer menu gets section headings


NAV_GROUP_ORDER = ["", "教学资源", "统计分析", "教育数据", "数据治理", "网上办事", "账号与安全"]


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
        if allowed is not None and not roles & {str(r) for r in allowed}:
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
