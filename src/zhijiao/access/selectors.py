"""Reads of role grants for the layers above (account administration, provisioning, audit, warnings).

They return values or account-id subqueries, never let a caller filter the grant table itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import SCHOOL_GRANTABLE_ROLES, Role
from zhijiao.access.types import Actor
from zhijiao.org.models import Division, School, SchoolClass

GrantKey = tuple[str, int | None, int | None]  # (role, school_id, school_class_id); derived grants have no division


@dataclass(frozen=True)
class Grant:
    """One grant, as a value: its role, node and whether account provisioning derived it from the registry."""

    pk: int
    account_id: int
    role: str
    derived: bool
    division: Division | None
    school: School | None
    school_class: SchoolClass | None

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def division_id(self) -> str | None:
        return self.division.code if self.division is not None else None

    @property
    def school_id(self) -> int | None:
        """The school of a school grant, or of a class grant's class."""
        if self.school is not None:
            return self.school.pk
        return self.school_class.school_id if self.school_class is not None else None


def _value(g: RoleGrant) -> Grant:
    return Grant(g.pk, g.account_id, g.role, g.derived, g.division, g.school, g.school_class)


def _rows() -> QuerySet[RoleGrant]:
    return RoleGrant.objects.select_related("division", "school", "school_class__school", "school_class__grade")


def grant_list(*, account_ids: Iterable[int]) -> list[Grant]:
    """The grants of some accounts (their nodes loaded), in no particular order."""
    return [_value(g) for g in _rows().filter(account_id__in=list(account_ids))]


def grant_get(*, account: Actor, grant_id: int) -> Grant | None:
    """One of the account's grants; None when it has no such grant."""
    found = _rows().filter(pk=grant_id, account_id=account.pk).first()
    return _value(found) if found is not None else None


def grant_nodes(*, account: Actor) -> list[tuple[str, str | None, int | None, int | None]]:
    """(role, division code, school id, class id) of each of the account's grants."""
    return list(
        RoleGrant.objects.filter(account_id=account.pk).values_list(
            "role", "division_id", "school_id", "school_class_id"
        )
    )


def account_holds(account: Actor, roles: Iterable[str]) -> bool:
    """Does the account hold one of ``roles`` (any node)? One query; a request's :class:`Scope` answers without."""
    return RoleGrant.objects.filter(account_id=account.pk, role__in=list(roles)).exists()


def accounts_granted_inside(divisions: Iterable[str]) -> QuerySet:
    """Ids (a subquery) of the accounts holding a grant on a node inside one of ``divisions``."""
    inside = Q(pk__in=[])
    for code in divisions:
        inside |= (
            Q(division__code__startswith=code)
            | Q(school__division__code__startswith=code)
            | Q(school_class__school__division__code__startswith=code)
        )
    return RoleGrant.objects.filter(inside).values("account_id")


def accounts_holding(role: str) -> QuerySet:
    """Ids (a subquery) of the accounts holding ``role`` on any node."""
    return RoleGrant.objects.filter(role=role).values("account_id")


def accounts_hand_granted_at(school_ids: Iterable[int], roles: Iterable[str]) -> QuerySet:
    """Ids (a subquery) of the accounts holding a hand-made grant of one of ``roles`` on one of the schools."""
    return RoleGrant.objects.filter(school_id__in=list(school_ids), role__in=list(roles), derived=False).values(
        "account_id"
    )


def school_grants_revocable(*, school_ids: Iterable[int], grants: Iterable[Grant]) -> set[int]:
    """Ids of the ``grants`` a 学校管理员 of ``school_ids`` may take back: hand-made grants of a school-grantable role
    (心理教师) on one of those schools."""
    mine = set(school_ids)
    return {g.pk for g in grants if not g.derived and g.role in SCHOOL_GRANTABLE_ROLES and g.school_id in mine}


def persons_with_derived_grants_at(school: School) -> QuerySet:
    """Person ids (values) of the accounts holding a derived grant at the school or one of its classes."""
    return RoleGrant.objects.filter(Q(school=school) | Q(school_class__school=school), derived=True).values_list(
        "account__person_id", flat=True
    )


def grant_keys_of_persons(person_filter: Q) -> list[tuple[int, int, str, str | None, int | None, int | None, bool]]:
    """(id, account id, role, division, school, class, derived) of the grants of the accounts whose person matches
    ``person_filter`` (a filter on the field path ``account__person_id``)."""
    return list(
        RoleGrant.objects.filter(person_filter).values_list(
            "id", "account_id", "role", "division_id", "school_id", "school_class_id", "derived"
        )
    )


def school_admin_of_each_school() -> dict[int, int]:
    """School id -> the account of its first (oldest) school administrator."""
    owners: dict[int, int] = {}
    for school_id, account_id in (
        RoleGrant.objects.filter(role=Role.SCHOOL_ADMIN, school__isnull=False)
        .order_by("-pk")
        .values_list("school_id", "account_id")
    ):
        owners[school_id] = account_id  # newest first, so the oldest grant is written last and wins
    return owners


def school_managers(school: School) -> list[int]:
    """Account ids of the school's administrators and of the bureaus above it, by user name."""
    county = school.division_id
    prefixes = [county[:n] for n in (2, 4, 6)]
    rows = (
        RoleGrant.objects.filter(
            Q(role=Role.SCHOOL_ADMIN, school=school) | Q(role=Role.REGION_ADMIN, division_id__in=prefixes)
        )
        .order_by("account__username")
        .values_list("account_id", flat=True)
    )
    return list(dict.fromkeys(rows))
