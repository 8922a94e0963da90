"""What an account may see: one place that turns role grants into query filters.

Every selector that reads registry or people data asks a :class:`Scope` for its filter, so a rule is
written once. Visibility and unmasking are separate questions:

* ``*_q()``: which rows the account sees at all (rows outside give 404, never 403, so nothing leaks).
* ``*_ids_q()`` / ``*_contact_q()``: on which of those rows it may see ID numbers / phone and address
  unmasked. Administrators of the node may; teachers and inspectors see masked values; a 班主任 sees
  the contacts of their class; students and parents see their own records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from zhijiao.identity.models import Account, Role, RoleGrant
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Guardianship, TeachingAssignment

NOTHING = Q(pk__in=[])
# 三员分立: these roles run the platform, they see no registry or personal data through their node.
SEPARATED_ROLES: frozenset[str] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Every other role reads personal data somewhere (its own node's registry, its class, its own record or its
# children's): a 系统管理员 may not hand these out, nor take over an account that holds one (decision 0001 addendum).
PERSONAL_DATA_ROLES: frozenset[str] = frozenset(set(Role.values) - SEPARATED_ROLES)


def _any(parts: list[Q]) -> Q:
    result = NOTHING
    for part in parts:
        result |= part
    return result


@dataclass
class Scope:
    account: Account | AnonymousUser
    grants: list[RoleGrant] = field(default_factory=list)
    person_id: int = -1  # -1 matches nothing: an account without a person has no personal links

    # ------------------------------------------------------------------ roles
    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.account.is_superuser) or self.has(Role.PLATFORM_ADMIN)

    # ----------------------------------------------- 三员分立 (GB/T 22239): who runs which part of the platform
    @property
    def may_administer_accounts(self) -> bool:
        """系统管理员 (and the platform and region administrators): accounts, role grants, registered apps."""
        return self.is_platform_admin or self.has(Role.SYSTEM_ADMIN, Role.REGION_ADMIN)

    @property
    def may_administer_apps(self) -> bool:
        """系统管理员 and the platform administrator register and configure the education apps (OIDC clients)."""
        return self.is_platform_admin or self.has(Role.SYSTEM_ADMIN)

    @property
    def may_manage_security(self) -> bool:
        """安全管理员 and the platform administrator: lockouts, unlocks, two-factor resets, security settings."""
        return self.is_platform_admin or self.has(Role.SECURITY_ADMIN)

    @property
    def may_read_audit(self) -> bool:
        """审计管理员 and the platform administrator read the audit log (what part of it: audit.selectors)."""
        return self.is_platform_admin or self.has(Role.AUDIT_ADMIN)

    def _person_id(self) -> int:
        return self.person_id

    # ----------------------------------------------------------- class sets
    def _taught_classes(self):
        """Ids of the classes this account teaches in the current term (a subquery)."""
        return TeachingAssignment.objects.filter(
            staff__person_id=self._person_id(), term__is_current=True, staff__is_active=True
        ).values("school_class_id")

    def _children_ids(self):
        return Guardianship.objects.filter(guardian_id=self._person_id()).values("student_id")

    def _own_class_ids(self):
        """Classes of the account's own student record and of its children."""
        return SchoolClass.objects.filter(
            Q(students__person_id=self._person_id()) | Q(students__id__in=self._children_ids())
        ).values("pk")

    def _class_grant_parts(self, class_field: str) -> list[Q]:
        """What the node grants cover, for a model that names its class by ``class_field`` and has ``school``."""
        parts: list[Q] = []
        for g in self.grants:
            if g.role == Role.TEACHER:
                parts.append(Q(**{f"{class_field}__in": self._taught_classes()}))
            elif g.role in (Role.STUDENT, Role.PARENT) or g.role in SEPARATED_ROLES:
                continue  # pupils and parents see through their own records, below; 三员 see no people data
            elif g.division_id:
                parts.append(Q(school__division__code__startswith=g.division_id))
            elif g.school_class_id:
                parts.append(Q(**{class_field: g.school_class_id}))
            elif g.school_id:
                parts.append(Q(school_id=g.school_id))
        return parts

    # -------------------------------------------------------------- schools
    def managed_schools_q(self, prefix: str = "") -> Q:
        """Filter on School: the schools whose registry data this account may change (import, correct)."""
        if self.is_platform_admin:
            return Q()
        parts: list[Q] = []
        for g in self.grants:
            if g.role == Role.REGION_ADMIN and g.division_id:
                parts.append(Q(**{f"{prefix}division__code__startswith": g.division_id}))
            elif g.role == Role.SCHOOL_ADMIN and g.school_id:
                parts.append(Q(**{f"{prefix}pk": g.school_id}))
        return _any(parts)

    @property
    def manages_data(self) -> bool:
        return self.is_platform_admin or self.has(Role.REGION_ADMIN, Role.SCHOOL_ADMIN)

    @property
    def is_bureau(self) -> bool:
        """Platform or region administrators: the bureau side that decides conflicts between schools."""
        return self.is_platform_admin or self.has(Role.REGION_ADMIN)

    def schools_q(self, prefix: str = "") -> Q:
        """Filter on School (``prefix`` when filtering a relation, e.g. ``"school__"``)."""
        if self.is_platform_admin:
            return Q()
        parts: list[Q] = []
        for g in self.grants:
            if g.role in SEPARATED_ROLES:
                continue
            if g.division_id:
                parts.append(Q(**{f"{prefix}division__code__startswith": g.division_id}))
            elif g.school_id:
                parts.append(Q(**{f"{prefix}pk": g.school_id}))
            elif g.school_class_id:
                parts.append(Q(**{f"{prefix}pk__in": self._schools_of_classes([g.school_class_id])}))
        if self.has(Role.STUDENT, Role.PARENT):
            parts.append(Q(**{f"{prefix}pk__in": self._schools_of_classes(self._own_class_ids())}))
        return _any(parts)

    @staticmethod
    def _schools_of_classes(class_ids):
        """Ids of the schools of some classes, as a subquery: filtering through the ``classes`` relation instead
        joins every class of the school, and OR-ed with another grant repeats each row once per class."""
        return SchoolClass.objects.filter(pk__in=class_ids).values("school_id")

    # -------------------------------------------------------------- classes
    def classes_q(self) -> Q:
        if self.is_platform_admin:
            return Q()
        parts = self._class_grant_parts("pk")
        if self.has(Role.STUDENT, Role.PARENT):
            parts.append(Q(pk__in=self._own_class_ids()))
        return _any(parts)

    # ------------------------------------------------------------- students
    def students_q(self) -> Q:
        if self.is_platform_admin:
            return Q()
        parts = self._class_grant_parts("school_class_id")
        if self.has(Role.STUDENT):
            parts.append(Q(person_id=self._person_id()))
        if self.has(Role.PARENT):
            parts.append(Q(pk__in=self._children_ids()))
        return _any(parts)

    def students_ids_q(self) -> Q:
        """Students whose ID number this account may see unmasked."""
        if self.is_platform_admin:
            return Q()
        parts: list[Q] = []
        for g in self.grants:
            if g.role == Role.REGION_ADMIN and g.division_id:
                parts.append(Q(school__division__code__startswith=g.division_id))
            elif g.role == Role.SCHOOL_ADMIN and g.school_id:
                parts.append(Q(school_id=g.school_id))
        if self.has(Role.STUDENT):
            parts.append(Q(person_id=self._person_id()))
        if self.has(Role.PARENT):
            parts.append(Q(pk__in=self._children_ids()))
        return _any(parts)

    def students_contact_q(self) -> Q:
        """Students whose (and whose guardians') phone and address this account may see unmasked."""
        parts = [self.students_ids_q()]
        parts += [
            Q(school_class_id=g.school_class_id)
            for g in self.grants
            if g.role == Role.HEAD_TEACHER and g.school_class_id
        ]
        return _any(parts)

    # ---------------------------------------------------------------- staff
    def staff_q(self) -> Q:
        if self.is_platform_admin:
            return Q()
        parts: list[Q] = []
        for g in self.grants:
            if g.role in (Role.STUDENT, Role.PARENT) or g.role in SEPARATED_ROLES:
                continue
            if g.division_id:
                parts.append(
                    Q(school__division__code__startswith=g.division_id)
                    | Q(bureau__division__code__startswith=g.division_id)
                )
            elif g.school_id:
                parts.append(Q(school_id=g.school_id))
            elif g.school_class_id:
                parts.append(Q(school_id__in=self._schools_of_classes([g.school_class_id])))
        if self.has(Role.STUDENT, Role.PARENT):
            own = self._own_class_ids()
            parts.append(
                Q(
                    pk__in=TeachingAssignment.objects.filter(term__is_current=True, school_class_id__in=own).values(
                        "staff_id"
                    )
                )
                | Q(pk__in=SchoolClass.objects.filter(pk__in=own).values("head_teacher_id"))
            )
        parts.append(Q(person_id=self._person_id()))
        return _any(parts)

    def staff_pii_q(self) -> Q:
        """Staff whose ID number, phone and address this account may see unmasked."""
        if self.is_platform_admin:
            return Q()
        parts: list[Q] = [Q(person_id=self._person_id())]
        for g in self.grants:
            if g.role == Role.REGION_ADMIN and g.division_id:
                parts.append(
                    Q(school__division__code__startswith=g.division_id)
                    | Q(bureau__division__code__startswith=g.division_id)
                )
            elif g.role == Role.SCHOOL_ADMIN and g.school_id:
                parts.append(Q(school_id=g.school_id))
        return _any(parts)


def scope_for(account: Account | AnonymousUser) -> Scope:
    """The account's scope, cached on the account object for the length of a request."""
    cached = getattr(account, "_zhijiao_scope", None)
    if cached is not None:
        return cached
    if isinstance(account, Account) and account.is_active:
        grants = list(RoleGrant.objects.filter(account=account).select_related("division", "school", "school_class"))
        scope = Scope(account=account, grants=grants, person_id=account.person_id or -1)
    else:
        scope = Scope(account=account)
    setattr(account, "_zhijiao_scope", scope)  # noqa: B010  (request-lifetime cache on the user object)
    return scope


# ------------------------------------------------------------------ who may act on which account


def _grant_division_codes(account: Account) -> set[str]:
    """The division codes of the nodes an account holds grants on (a class or school counts as its district)."""
    codes: set[str] = set()
    grants = RoleGrant.objects.filter(account=account).select_related("school", "school_class__school")
    for g in grants:
        if g.division_id:
            codes.add(g.division_id)
        elif g.school is not None:
            codes.add(g.school.division_id)
        elif g.school_class is not None:
            codes.add(g.school_class.school.division_id)
    return codes


def _reaches(*, actor: Account, account: Account, roles: set[str]) -> bool:
    """Does one of the actor's grants in ``roles`` cover the account? A grant without a node covers every account;
    one at a division the accounts granted inside it. Platform administrators reach every account."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return True
    grants = [g for g in scope.grants if g.role in roles]
    if any(not (g.division_id or g.school_id or g.school_class_id) for g in grants):
        return True
    divisions = [g.division_id for g in grants if g.division_id]
    if not divisions:
        return False
    return any(code.startswith(d) for code in _grant_division_codes(account) for d in divisions)


def account_may_administer(*, actor: Account, account: Account) -> bool:
    """Accounts and their passwords: platform administrators every account; a 系统管理员 or a bureau (区域管理员)
    those granted inside its division (a 系统管理员 without a node: every account)."""
    return _reaches(actor=actor, account=account, roles={Role.SYSTEM_ADMIN, Role.REGION_ADMIN})


def account_may_unlock(*, actor: Account, account: Account) -> bool:
    """Lockouts and authenticators (三员分立): platform administrators every account; a 安全管理员 those granted
    inside its division (without a node: every account). Bureaus (区域管理员) no longer unlock: that is security."""
    return _reaches(actor=actor, account=account, roles={Role.SECURITY_ADMIN})


def account_roles(account: Account) -> set[str]:
    """The roles an account holds (any node)."""
    return set(RoleGrant.objects.filter(account=account).values_list("role", flat=True))


def account_reads_personal_data(account: Account) -> bool:
    """Does the account hold a role that reads personal data (anything but the 三员), or is it a superuser?"""
    return bool(account.is_superuser) or bool(account_roles(account) & PERSONAL_DATA_ROLES)


def account_holds_separated_role(account: Account) -> bool:
    """Is the account one of the 三员 (系统管理员, 安全管理员, 审计管理员)?"""
    return bool(account_roles(account) & SEPARATED_ROLES)


def account_may_administer_personal(*, actor: Account, account: Account) -> bool:
    """May ``actor`` take over (reset the password of, re-enable) an account that reads personal data? Only those who
    may read that data themselves: platform administrators, and a bureau (区域管理员) whose division covers the
    account's grants. A 系统管理员 may not: it would sign in as the account and read what 三员分立 keeps from it."""
    return _reaches(actor=actor, account=account, roles={Role.REGION_ADMIN})


def _platform_wide(actor: Account, role: str) -> bool:
    scope = scope_for(actor)
    return scope.is_platform_admin or any(g.role == role and not g.division_id for g in scope.grants)


def account_may_administer_separated(*, actor: Account) -> bool:
    """Accounts holding a 三员 role are changed (grants, password, 停用/启用) only platform-wide: by platform
    administrators or a 系统管理员 without a node. A bureau or a division's 系统管理员 may not strip or take over
    the people who administer, secure and audit it."""
    return _platform_wide(actor, Role.SYSTEM_ADMIN)


def account_may_reset_separated_otp(*, actor: Account) -> bool:
    """The authenticator of a 三员 account is reset only by platform administrators or a 安全管理员 without a node."""
    return _platform_wide(actor, Role.SECURITY_ADMIN)
