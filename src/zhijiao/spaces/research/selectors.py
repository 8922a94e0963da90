"""Reads of 网络教研: which groups and activities an account sees, and who may lead or join them.

Visibility (decision 0048-research): a group's members and leader see it; the administrators over it (学校
管理员 of a 教研组's school, 区域管理员 and 教研员 at or above its division, the platform) see and manage it; a group
that is not private is also read by the teachers of its area (its school, or the schools of its division). Pupils,
parents, inspectors and the 三员 have no 网络教研 (403); a group or activity outside the reader's view is 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zhijiao.access.roles import RESEARCH_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import Forbidden, NotFound
from zhijiao.identity.models import Account
from zhijiao.org.models import Division, School
from zhijiao.people.models import Staff
from zhijiao.spaces.research.errors import ResearchError
from zhijiao.spaces.research.models import Activity, GroupMember, ResearchGroup


def research_may_use(actor: Actor) -> bool:
    return bool(actor.is_authenticated) and scope_for(actor).has_any(RESEARCH_ROLES)


def research_require(actor: Actor) -> None:
    """403 for the roles without 网络教研 (the feature exists; they learn to ask the right person)."""
    if not research_may_use(actor):
        raise Forbidden(ResearchError.RESEARCH_NOT_ALLOWED.message)


def _prefixes(code: str) -> list[str]:
    """A division code and the codes above it: 420112 → 42, 4201, 420112."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if len(code) >= n]


def staff_area(actor: Actor) -> tuple[list[int], list[str]]:
    """(school ids, district codes) of the account's school-staff grants (教师, 班主任, 学校管理员)."""
    scope = scope_for(actor)
    schools = {
        p.school.pk: p.school.division_id
        for p in scope.places_of(Role.TEACHER, Role.HEAD_TEACHER, Role.SCHOOL_ADMIN)
        if p.school is not None
    }
    return sorted(schools), sorted(set(schools.values()))


def group_visible_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Q()
    q = Q(leader_id=actor.pk) | Q(pk__in=GroupMember.objects.filter(account_id=actor.pk).values("group_id"))
    for code in scope.divisions(Role.REGION_ADMIN, Role.RESEARCHER):
        q |= Q(division__code__startswith=code)
    admin_schools = scope.school_ids(Role.SCHOOL_ADMIN)
    if admin_schools:
        q |= Q(school_id__in=admin_schools)
    schools, districts = staff_area(actor)
    if schools:
        above = sorted({p for d in districts for p in _prefixes(d)})
        q |= Q(is_private=False) & (Q(school_id__in=schools) | Q(school__isnull=True, division_id__in=above))
    return q


def group_list(*, actor: Actor) -> QuerySet[ResearchGroup]:
    research_require(actor)
    return (
        ResearchGroup.objects.filter(group_visible_q(actor))
        .select_related("leader", "school", "division")
        .order_by("kind", "name")
    )


def group_get(*, actor: Actor, group_id: int) -> ResearchGroup:
    research_require(actor)
    group = group_list(actor=actor).filter(pk=group_id).first()
    if group is None:
        raise NotFound(ResearchError.RESEARCH_NOT_FOUND.message)
    return group


def group_manages(*, actor: Actor, group: ResearchGroup) -> bool:
    """The leader, and the administrators over the group: 学校管理员 (a 教研组's school), 区域管理员 over its division,
    the platform."""
    if group.leader_id == actor.pk:
        return True
    scope = scope_for(actor)
    if scope.governs(group.division_id):
        return True
    return group.school_id is not None and group.school_id in scope.school_ids(Role.SCHOOL_ADMIN)


def group_is_member(*, actor: Actor, group: ResearchGroup) -> bool:
    return group.leader_id == actor.pk or GroupMember.objects.filter(group=group, account_id=actor.pk).exists()


def group_members(*, group: ResearchGroup) -> list[Account]:
    """The leader first, then the members by name (display names only: no personal data)."""
    ids = list(GroupMember.objects.filter(group=group).values_list("account_id", flat=True))
    members = sorted(Account.objects.filter(pk__in=ids).exclude(pk=group.leader_id), key=lambda a: str(a))
    return [group.leader, *members]


def member_schools(*, accounts: list[Account]) -> dict[int, str]:
    """Account id → the school (or bureau) name of the person's active post, for the members list."""
    rows = (
        Staff.objects.filter(person_id__in=[a.person_id for a in accounts if a.person_id], is_active=True)
        .select_related("school", "bureau")
        .order_by("pk")
    )
    by_person: dict[int, str] = {}
    for s in rows:
        by_person.setdefault(s.person_id, s.school.name if s.school else (s.bureau.name if s.bureau else ""))
    return {a.pk: by_person.get(a.person_id or -1, "") for a in accounts}


def member_candidates(*, group: ResearchGroup, query: str, limit: int = 20) -> list[tuple[Account, str]]:
    """Staff of the group's area with an account whose name or username matches ``query``: (account, school)."""
    query = query.strip()
    if not query:
        return []
    area = Q(school_id=group.school_id) if group.school_id else Q(school__division__code__startswith=group.division_id)
    if not group.school_id:
        area |= Q(bureau__division__code__startswith=group.division_id)
    staff = (
        Staff.objects.filter(area, is_active=True, person__account__isnull=False)
        .filter(Q(person__name__contains=query) | Q(person__account__username=query))
        .select_related("person__account", "school", "bureau")
        .order_by("person__name")[:limit]
    )
    seen: set[int] = set()
    found = []
    for s in staff:
        account = s.person.account
        if account.pk in seen:
            continue
        seen.add(account.pk)
        found.append((account, s.school.name if s.school else (s.bureau.name if s.bureau else "")))
    return found


def activity_get(*, actor: Actor, activity_id: int) -> Activity:
    research_require(actor)
    activity = (
        Activity.objects.filter(pk=activity_id, group__in=ResearchGroup.objects.filter(group_visible_q(actor)))
        .select_related("group__leader", "group__school", "final_version", "resource", "video_file")
        .first()
    )
    if activity is None:
        raise NotFound(ResearchError.RESEARCH_NOT_FOUND.message)
    return activity


def activity_list(*, actor: Actor, group: ResearchGroup | None = None) -> QuerySet[Activity]:
    research_require(actor)
    groups = ResearchGroup.objects.filter(group_visible_q(actor))
    rows = Activity.objects.filter(group__in=groups).select_related("group")
    if group is not None:
        rows = rows.filter(group=group)
    return rows.order_by("-starts_at")


def group_create_nodes(*, actor: Actor) -> dict[str, list]:
    """Where the actor may set groups up: {"schools": [School…], "divisions": [Division…]}."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        districts = Division.objects.filter(code__in=School.objects.values("division_id")).order_by("code")
        return {"schools": [], "divisions": list(districts)}
    codes = scope.divisions(Role.REGION_ADMIN, Role.RESEARCHER)
    return {
        "schools": list(School.objects.filter(pk__in=scope.school_ids(Role.SCHOOL_ADMIN)).order_by("code")),
        "divisions": list(Division.objects.filter(code__in=codes).order_by("code")),
    }
