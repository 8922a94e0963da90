"""The roles and the named sets of them that features open to (one definition each)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "平台管理员"
    REGION_ADMIN = "region_admin", "区域管理员"
    SCHOOL_ADMIN = "school_admin", "学校管理员"
    HEAD_TEACHER = "head_teacher", "班主任"
    TEACHER = "teacher", "教师"
    STUDENT = "student", "学生"
    PARENT = "parent", "家长"
    INSPECTOR = "inspector", "督导"
    # 三员分立 (GB/T 22239 level 3): administration, security and audit held by different people.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
    # 教研员: a district's subject researcher (the grant's ``subject``); reads schools and aggregates, no pupils.
    RESEARCHER = "researcher", "教研员"
    # 心理教师: a school's designated counsellor; the only staff who read pupils' psychological screening results
    # (growth.health, decision 0055-health-file). Sees the school's pupils like a school-level grant, masked.
    PSYCH_TEACHER = "psych_teacher", "心理教师"


# 三员分立: these roles run the platform, they see no registry or personal data through their node.
SEPARATED_ROLES: frozenset[str] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Every other role reads personal data somewhere (its own node's registry, its class, its own record or its
# children's): a 系统管理员 may not hand these out, nor take over an account that holds one (decision 0001 addendum).
PERSONAL_DATA_ROLES: frozenset[str] = frozenset(set(Role.values) - SEPARATED_ROLES)
# The bureau's data staff (区域管理员, 督导).
BUREAU_ROLES: frozenset[str] = frozenset({Role.REGION_ADMIN, Role.INSPECTOR})
# Registry data is changed (imported, corrected) by these.
DATA_MANAGER_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN})
# Statistics, indicators, warnings, schools, the data catalogue and data quality are read by these.
ANALYTICS_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.INSPECTOR})
# Class, student and staff lists: the analytics readers and the teachers (who see their own classes).
REGISTRY_READER_ROLES: frozenset[str] = ANALYTICS_ROLES | {Role.HEAD_TEACHER, Role.TEACHER}
# The bureau side that decides between schools: ID conflicts, minors' data policy, the API documentation.
BUREAU_ADMIN_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.REGION_ADMIN})
# 三员分立: accounts and grants (系统管理员, bureaus, platform); security; audit.
ACCOUNT_ADMIN_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.SYSTEM_ADMIN, Role.REGION_ADMIN})
# The roles a 学校管理员 grants and revokes by hand, on their own school only and to its staff only (the school names
# its own 心理教师; decision 0066-school-grants). Nothing else: every other role stays with the bureau.
SCHOOL_GRANTABLE_ROLES: frozenset[str] = frozenset({Role.PSYCH_TEACHER})
# 账号管理 opens to the account administrators, and to 学校管理员 for the roles above.
ACCOUNT_PAGE_ROLES: frozenset[str] = ACCOUNT_ADMIN_ROLES | {Role.SCHOOL_ADMIN}
SECURITY_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.SECURITY_ADMIN})
AUDIT_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.AUDIT_ADMIN})
# Resource review: 学校管理员 一审, 区域管理员 二审, 平台管理员 both.
REVIEWER_ROLES: frozenset[str] = frozenset({Role.SCHOOL_ADMIN, Role.REGION_ADMIN, Role.PLATFORM_ADMIN})
# 学籍异动 (services): schools and guardians apply, schools and bureaus decide.
STATUS_CASE_ROLES: frozenset[str] = frozenset(
    {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.PARENT}
)
# 义务教育招生 (services): guardians apply, schools and bureaus review, bureaus place.
ADMISSION_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.PARENT})
# Education apps (OIDC clients) are registered and configured by these.
APP_ADMIN_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.SYSTEM_ADMIN})
# Administrators of any kind: they must use a second factor (identity.twofactor).
ADMIN_ROLES: frozenset[str] = frozenset({Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.SCHOOL_ADMIN, *SEPARATED_ROLES})

# 网络教研 (research groups, 集体备课, 听评课, 主题研讨) and 继续教育学时: school staff, bureaus and 教研员.
RESEARCH_ROLES: frozenset[str] = frozenset(
    {Role.PLATFORM_ADMIN, Role.REGION_ADMIN, Role.RESEARCHER, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER}
)

# Which kind of node each role is granted on ("none": no node, platform-wide).
NODE_KINDS: dict[str, set[str]] = {
    Role.PLATFORM_ADMIN: {"none"},
    Role.REGION_ADMIN: {"division"},
    Role.INSPECTOR: {"division", "school"},
    Role.SCHOOL_ADMIN: {"school"},
    Role.TEACHER: {"school"},
    Role.HEAD_TEACHER: {"class"},
    Role.STUDENT: {"class", "school"},
    Role.PARENT: {"class", "school", "none"},
    # 三员分立: platform-wide or for one division's part of the platform.
    Role.SYSTEM_ADMIN: {"none", "division"},
    Role.SECURITY_ADMIN: {"none", "division"},
    Role.AUDIT_ADMIN: {"none", "division"},
    Role.RESEARCHER: {"division"},
    Role.PSYCH_TEACHER: {"school"},
}
