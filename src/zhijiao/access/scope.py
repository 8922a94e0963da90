"""What an account may see and do: the one place that turns role grants into answers and query filters.

Every selector that reads registry or people data asks a :class:`Scope` for its filter, and every feature asks
it a named question (``manages_school``, ``governs``, ``divisions(Role.REGION_ADMIN)`` …), so a rule is written
once and adding a role is one branch here. Visibility and unmasking are separate questions:

* ``*_q()``: which rows the account sees at all (rows outside give 404, never 403, so nothing leaks).
* ``*_ids_q()`` / ``*_contact_q()``: on which of those rows it may see ID numbers / phone and address
  unmasked. Administrators of the node may; teachers and inspectors see masked values; a 班主任 sees
  the contacts of their class; students and parents see their own records.

Cheap filters: a Scope lives for one request (:func:`scope_for` caches it on the account). The first filter
it builds works out the concrete values behind the grants once (taught classes, own and children's records,
the schools of class grants) with a few small queries, and every filter is then plain
``school_id__in=[…]`` / ``school__division__code__startswith=…`` terms, each built once and memoised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import (
    ACCOUNT_ADMIN_ROLES,
    APP_ADMIN_ROLES,
    AUDIT_ROLES,
    BUREAU_ADMIN_ROLES,
    DATA_MANAGER_ROLES,
    SECURITY_ROLES,
    SEPARATED_ROLES,
    Role,
)
from zhijiao.access.types import Actor
from zhijiao.core.prepared import Prepared
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.people.models import Guardianship, TeachingAssignment

NOTHING = Q(pk__in=[])


def _any(parts: Iterable[Q | None]) -> Q:
    """OR of the parts (None: a term with no values, left out); none at all matches nothing."""
    result = NOTHING
    for part in parts:
        if part is not None:
            result |= part
    return result


@dataclass(frozen=True)
class Place:
    """Where one grant sits, as a value: its role and node (``kind`` platform, division, school or class).

    ``school`` is the school of a school grant or of a class grant's class; ``division_code`` the grant's
    division, or the district of its school.
    """

    role: str
    kind: str
    division: Division | None = None
    school: School | None = None
    school_class: SchoolClass | None = None

    @property
    def division_code(self) -> str:
        if self.division is not None:
            return self.division.code
        return self.school.division_id if self.school is not None else ""

    @property
    def school_id(self) -> int | None:
        return self.school.pk if self.school is not None else None


def _place(g: RoleGrant) -> Place:
    if g.division_id:
        return Place(g.role, "division", division=g.division)
    if g.school_id:
        return Place(g.role, "school", school=g.school)
    if g.school_class is not None:
        return Place(g.role, "class", school=g.school_class.school, school_class=g.school_class)
    return Place(g.role, "platform")


@dataclass
class Scope:
    account: Actor
    grants: list[RoleGrant] = field(default_factory=list)
    person_id: int = -1  # -1 matches nothing: an account without a person has no personal links
    _memo: dict[tuple[str, str], Q] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ roles
    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.account.is_superuser) or self.has(Role.PLATFORM_ADMIN)

    def has_any(self, roles: Iterable[str]) -> bool:
        """Platform administrators, or a grant of one of ``roles`` (a feature's role set, e.g. ANALYTICS_ROLES)."""
        return self.is_platform_admin or self.has(*roles)

    # ------------------------------------------------------------- the nodes
    @cached_property
    def places(self) -> list[Place]:
        """Where each grant sits, in grant order."""
        return [_place(g) for g in self.grants]

    def places_of(self, *roles: str) -> list[Place]:
        return [p for p in self.places if p.role in roles]

    def divisions(self, *roles: str) -> list[str]:
        """Division codes granted (in ``roles``; none given: any role), in grant order, each once.
        ``divisions(Role.REGION_ADMIN)`` is "my bureau's divisions"."""
        return list(
            dict.fromkeys(g.division_id for g in self.grants if g.division_id and (not roles or g.role in roles))
        )

    def school_ids(self, *roles: str) -> list[int]:
        """Ids of the schools granted as a node (in ``roles``), in grant order, each once."""
        return list(dict.fromkeys(g.school_id for g in self.grants if g.school_id and (not roles or g.role in roles)))

    def class_ids(self, *roles: str) -> list[int]:
        """Ids of the classes granted as a node (in ``roles``), in grant order, each once."""
        return list(
            dict.fromkeys(
                g.school_class_id for g in self.grants if g.school_class_id and (not roles or g.role in roles)
            )
        )

    def holds_everywhere(self, role: str) -> bool:
        """Platform administrators, or a grant of ``role`` placed on no division (a platform-wide 三员)."""
        return self.is_platform_admin or any(g.role == role and not g.division_id for g in self.grants)

    def covers_division(self, code: str) -> bool:
        """Platform administrators, or a grant on a division at or above ``code`` (any role)."""
        return self.is_platform_admin or any(code.startswith(d) for d in self.divisions())

    def covers(self, *, division_code: str, school_code: str | None = None, roles: Iterable[str] | None = None) -> bool:
        """Does a grant (of ``roles``; None: any) cover the node: a division at or above ``division_code`` (for a
        school, its district), or the school itself (``school_code``)? Platform administrators cover every node."""
        if self.is_platform_admin:
            return True
        for place in self.places:
            if roles is not None and place.role not in roles:
                continue
            if place.kind == "division" and division_code.startswith(place.division_code):
                return True
            if place.kind == "school" and place.school is not None and place.school.code == school_code:
                return True
        return False

    def governs(self, division_code: str) -> bool:
        """A bureau at or above ``division_code``: platform administrators, or 区域管理员 of a division above it."""
        return self.is_platform_admin or any(division_code.startswith(d) for d in self.divisions(Role.REGION_ADMIN))

    def manages_school(self, *, school_id: int | None, division_code: str) -> bool:
        """ "Admin of this school or of a bureau above it": platform administrators, the school's 学校管理员, a
        区域管理员 at or above its district. ``school_id`` None asks about a division-owned thing (bureaus only)."""
        if self.governs(division_code):
            return True
        return school_id is not None and school_id in self.school_ids(Role.SCHOOL_ADMIN)

    def led_class_ids(self) -> list[int]:
        """The classes this account leads: those it teaches this term and those it is 班主任 of (class grants)."""
        return sorted(set(self._taught_class_ids) | set(self.class_ids(Role.HEAD_TEACHER)))

    def leads_class(self, class_id: int) -> bool:
        """Does this account teach the class this term, or is it the class's 班主任?"""
        return class_id in self.led_class_ids()

    # ------------------------------------------------------------ 网络学习空间 (class and pupil spaces)
    def member_class_ids(self) -> list[int]:
        """The classes the account belongs to as a pupil, or through its children as a guardian."""
        return list(self._own_class_ids)

    def children_ids(self) -> list[int]:
        """The pupils the account is a guardian of (empty without a 家长 grant)."""
        return list(self._children_ids)

    def in_class_space(self, class_id: int) -> bool:
        """A class's space: its pupils, their guardians, its teachers this term and its 班主任 — nobody else, not
        even the school's administrators (the class's feed is the class's own)."""
        return self.leads_class(class_id) or class_id in self._own_class_ids

    def sees_pupil_space(self, *, student_id: int, person_id: int, class_id: int | None) -> bool:
        """A pupil's space: the pupil, their guardians, their classmates and the class's teachers and 班主任."""
        if student_id in self._children_ids or (self.has(Role.STUDENT) and person_id == self.person_id):
            return True
        if class_id is None:
            return False
        if self.leads_class(class_id):
            return True
        return self.has(Role.STUDENT) and class_id in set(
            SchoolClass.objects.filter(students__person_id=self.person_id).values_list("pk", flat=True)
        )

    # ------------------------------------------------------------ 教研员 (district subject researcher)
    def researches(self, division_code: str) -> bool:
        """A 教研员 granted at or above ``division_code`` (a district's or a school's division)."""
        return any(division_code.startswith(d) for d in self.divisions(Role.RESEARCHER))

    def research_subjects(self) -> list[str]:
        """The subject codes of the account's 教研员 grants (blank: all subjects), each once."""
        return list(dict.fromkeys(g.subject for g in self.grants if g.role == Role.RESEARCHER))

    # ------------------------------------------------------------ 心理教师 (psychological screening results)
    def counsels_school(self, school_id: int | None) -> bool:
        """A 心理教师 granted on the school: the only staff who read and write its pupils' psychological screening
        results. Not the platform administrator, not a bureau, not the 学校管理员 (decision 0055-health-file)."""
        return school_id is not None and school_id in self.school_ids(Role.PSYCH_TEACHER)

    def research_divisions(self, subject: str) -> list[str]:
        """The division codes of the account's 教研员 grants for ``subject`` (a grant with a blank subject: every
        subject), each covering prefix once (learning's school and district reports)."""
        return _narrowest(
            g.division_id
            for g in self.grants
            if g.role == Role.RESEARCHER and g.division_id and g.subject in ("", subject)
        )

    def researches_subject(self, division_code: str, subject: str) -> bool:
        """A 教研员 of ``subject`` granted at or above ``division_code``."""
        return any(division_code.startswith(d) for d in self.research_divisions(subject))

    # ----------------------------------------------- 三员分立 (GB/T 22239): who runs which part of the platform
    @property
    def may_administer_accounts(self) -> bool:
        """系统管理员 (and the platform and region administrators): accounts, role grants, registered apps."""
        return self.has_any(ACCOUNT_ADMIN_ROLES)

    def grant_school_ids(self) -> list[int]:
        """The schools where this account, as their 学校管理员, grants ``SCHOOL_GRANTABLE_ROLES`` to the school's staff
        (decision 0066-school-grants)."""
        return self.school_ids(Role.SCHOOL_ADMIN)

    @property
    def may_open_account_admin(self) -> bool:
        """账号管理 opens to the account administrators and, for their school's 心理教师, to 学校管理员."""
        return self.may_administer_accounts or bool(self.grant_school_ids())

    @property
    def may_administer_apps(self) -> bool:
        """系统管理员 and the platform administrator register and configure the education apps (OIDC clients)."""
        return self.has_any(APP_ADMIN_ROLES)

    @property
    def may_manage_security(self) -> bool:
        """安全管理员 and the platform administrator: lockouts, unlocks, two-factor resets, security settings."""
        return self.has_any(SECURITY_ROLES)

    @property
    def may_read_audit(self) -> bool:
        """审计管理员 and the platform administrator read the audit log (what part of it: audit.selectors)."""
        return self.has_any(AUDIT_ROLES)

    @property
    def manages_data(self) -> bool:
        return self.has_any(DATA_MANAGER_ROLES)

    @property
    def is_bureau(self) -> bool:
        """Platform or region administrators: the bureau side that decides conflicts between schools."""
        return self.has_any(BUREAU_ADMIN_ROLES)

    # ----------------------------------------- the concrete values behind the grants (worked out once)
    def _memoised(self, key: tuple[str, str], build: Callable[[], Q]) -> Q:
        q = self._memo.get(key)
        if q is None:
            q = self._memo[key] = build()
        return q

    @cached_property
    def _taught_class_ids(self) -> list[int]:
        """The classes this account teaches in the current term."""
        if not self.has(Role.TEACHER):
            return []
        return list(
            TeachingAssignment.objects.filter(
                staff__person_id=self.person_id, term__is_current=True, staff__is_active=True
            )
            .values_list("school_class_id", flat=True)
            .distinct()
        )

    @cached_property
    def _children_ids(self) -> list[int]:
        if not self.has(Role.PARENT):
            return []
        return list(Guardianship.objects.filter(guardian_id=self.person_id).values_list("student_id", flat=True))

    @cached_property
    def _own_class_ids(self) -> list[int]:
        """Classes of the account's own student record and of its children."""
        if not self.has(Role.STUDENT, Role.PARENT):
            return []
        return sorted(
            set(
                SchoolClass.objects.filter(
                    Q(students__person_id=self.person_id) | Q(students__id__in=self._children_ids)
                ).values_list("pk", flat=True)
            )
        )

    @cached_property
    def _own_school_ids(self) -> list[int]:
        return self._schools_of(self._own_class_ids)

    @staticmethod
    def _schools_of(class_ids: list[int]) -> list[int]:
        if not class_ids:
            return []
        return sorted(set(SchoolClass.objects.filter(pk__in=class_ids).values_list("school_id", flat=True)))

    @cached_property
    def _own_staff_ids(self) -> list[int]:
        """The staff a pupil or parent sees: who teaches or heads their (children's) classes this term."""
        own = self._own_class_ids
        if not own:
            return []
        taught = TeachingAssignment.objects.filter(term__is_current=True, school_class_id__in=own).values_list(
            "staff_id", flat=True
        )
        heads = SchoolClass.objects.filter(pk__in=own, head_teacher_id__isnull=False).values_list(
            "head_teacher_id", flat=True
        )
        return sorted(set(taught) | set(heads))

    def _node_terms(self, *, teachers: bool) -> tuple[list[str], list[int], list[int]]:
        """(division prefixes, school ids, class ids) of the node grants, pupils, parents and the 三员 left out
        (they see through their own records, or nothing), and 教研员 (schools and aggregates only: never a class,
        pupil or staff list), and 心理教师 (a grant that adds the psychology pages to a school's staff member, who
        sees pupils through their other grants); ``teachers``: whether 教师 grants count by their node (for staff
        they do; for classes and students a teacher sees the classes taught, whatever the node)."""
        divisions: list[str] = []
        schools: list[int] = []
        classes: list[int] = []
        for g in self.grants:
            if g.role in (Role.STUDENT, Role.PARENT, Role.RESEARCHER, Role.PSYCH_TEACHER) or g.role in SEPARATED_ROLES:
                continue
            if g.role == Role.TEACHER and not teachers:
                continue
            if g.division_id:
                divisions.append(g.division_id)
            elif g.school_class_id:
                classes.append(g.school_class_id)
            elif g.school_id:
                schools.append(g.school_id)
        return _narrowest(divisions), sorted(set(schools)), sorted(set(classes))

    @staticmethod
    def _prefix_q(field_name: str, divisions: list[str]) -> Q | None:
        if not divisions:
            return None
        return _any(Q(**{f"{field_name}__startswith": d}) for d in divisions)

    @staticmethod
    def _in_q(field_name: str, values: list[Any]) -> Q | None:
        return Q(**{f"{field_name}__in": values}) if values else None

    # -------------------------------------------------------------- schools
    def managed_schools_q(self, prefix: str = "") -> Q:
        """Filter on School: the schools whose registry data this account may change (import, correct)."""

        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            return _any(
                [
                    self._prefix_q(f"{prefix}division__code", _narrowest(self.divisions(Role.REGION_ADMIN))),
                    self._in_q(f"{prefix}pk", self.school_ids(Role.SCHOOL_ADMIN)),
                ]
            )

        return self._memoised(("managed_schools", prefix), build)

    def schools_q(self, prefix: str = "") -> Q:
        """Filter on School (``prefix`` when filtering a relation, e.g. ``"school__"``)."""

        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            divisions = _narrowest(
                [g.division_id for g in self.grants if g.division_id and g.role not in SEPARATED_ROLES]
            )
            schools = {g.school_id for g in self.grants if g.school_id and g.role not in SEPARATED_ROLES}
            classes = [g.school_class_id for g in self.grants if g.school_class_id and g.role not in SEPARATED_ROLES]
            schools |= set(self._schools_of(classes)) | set(self._own_school_ids)
            return _any(
                [self._prefix_q(f"{prefix}division__code", divisions), self._in_q(f"{prefix}pk", sorted(schools))]
            )

        return self._memoised(("schools", prefix), build)

    # ------------------------------------------------------ classes and students
    def _class_grant_q(self, class_field: str) -> Q:
        """What the node grants cover, for a model that names its class by ``class_field`` and has ``school``."""
        divisions, schools, classes = self._node_terms(teachers=False)
        return _any(
            [
                self._in_q(class_field, sorted(set(classes) | set(self._taught_class_ids))),
                self._in_q("school_id", schools),
                self._prefix_q("school__division__code", divisions),
            ]
        )

    def classes_q(self) -> Q:
        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            return _any([self._class_grant_q("pk"), self._in_q("pk", self._own_class_ids)])

        return self._memoised(("classes", ""), build)

    def _own_students_q(self) -> Q | None:
        return _any(
            [
                Q(person_id=self.person_id) if self.has(Role.STUDENT) else None,
                self._in_q("pk", self._children_ids),
            ]
        )

    def students_q(self) -> Q:
        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            return _any([self._class_grant_q("school_class_id"), self._own_students_q()])

        return self._memoised(("students", ""), build)

    def students_ids_q(self) -> Q:
        """Students whose ID number this account may see unmasked."""

        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            return _any(
                [
                    self._prefix_q("school__division__code", _narrowest(self.divisions(Role.REGION_ADMIN))),
                    self._in_q("school_id", self.school_ids(Role.SCHOOL_ADMIN)),
                    self._own_students_q(),
                ]
            )

        return self._memoised(("students_ids", ""), build)

    def students_contact_q(self) -> Q:
        """Students whose (and whose guardians') phone and address this account may see unmasked."""

        def build() -> Q:
            # as _any always did: a platform administrator's Q() folds into nothing here (people.selectors asks
            # students_ids_q first, which answers for them)
            return _any([self.students_ids_q(), self._in_q("school_class_id", self.class_ids(Role.HEAD_TEACHER))])

        return self._memoised(("students_contact", ""), build)

    # ---------------------------------------------------------------- staff
    def staff_q(self) -> Q:
        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            divisions, schools, classes = self._node_terms(teachers=True)
            schools = sorted(set(schools) | set(self._schools_of(classes)))
            return _any(
                [
                    self._prefix_q("school__division__code", divisions),
                    self._prefix_q("bureau__division__code", divisions),
                    self._in_q("school_id", schools),
                    self._in_q("pk", self._own_staff_ids),
                    Q(person_id=self.person_id),
                ]
            )

        return self._memoised(("staff", ""), build)

    def staff_pii_q(self) -> Q:
        """Staff whose ID number, phone and address this account may see unmasked."""

        def build() -> Q:
            if self.is_platform_admin:
                return Q()
            divisions = _narrowest(self.divisions(Role.REGION_ADMIN))
            return _any(
                [
                    Q(person_id=self.person_id),
                    self._prefix_q("school__division__code", divisions),
                    self._prefix_q("bureau__division__code", divisions),
                    self._in_q("school_id", self.school_ids(Role.SCHOOL_ADMIN)),
                ]
            )

        return self._memoised(("staff_pii", ""), build)

    # ------------------------------------------- the same rules as predicates on one fetched row
    # A detail fetches its row by id and asks these, instead of compiling the filters above into the query and two
    # exists() checks; each mirrors its filter term by term (tests/test_scope_predicates.py compares them on every
    # account and row of the test region). ``student.school`` / ``member.school`` / ``member.bureau`` should be
    # fetched with the row (select_related), or each costs a query.
    @staticmethod
    def _under(code: str | None, divisions: list[str]) -> bool:
        return bool(code) and any(code.startswith(d) for d in divisions)  # type: ignore[union-attr]

    def sees_school(self, school: Any) -> bool:
        """Is this School row inside :meth:`schools_q`?"""
        if self.is_platform_admin:
            return True
        divisions = _narrowest([g.division_id for g in self.grants if g.division_id and g.role not in SEPARATED_ROLES])
        if self._under(school.division_id, divisions):
            return True
        schools = {g.school_id for g in self.grants if g.school_id and g.role not in SEPARATED_ROLES}
        if school.pk in schools:
            return True
        classes = [g.school_class_id for g in self.grants if g.school_class_id and g.role not in SEPARATED_ROLES]
        return school.pk in set(self._schools_of(classes)) | set(self._own_school_ids)

    def _own_student(self, student: Any) -> bool:
        return (self.has(Role.STUDENT) and student.person_id == self.person_id) or student.pk in self._children_ids

    def sees_student(self, student: Any) -> bool:
        """Is this Student row inside :meth:`students_q`?"""
        if self.is_platform_admin:
            return True
        divisions, schools, classes = self._node_terms(teachers=False)
        return (
            (
                student.school_class_id is not None
                and student.school_class_id in set(classes) | set(self._taught_class_ids)
            )
            or student.school_id in schools
            or self._under(student.school.division_id, divisions)
            or self._own_student(student)
        )

    def student_ids_unmasked(self, student: Any) -> bool:
        """Is this Student row inside :meth:`students_ids_q`?"""
        if self.is_platform_admin:
            return True
        return (
            self._under(student.school.division_id, _narrowest(self.divisions(Role.REGION_ADMIN)))
            or student.school_id in self.school_ids(Role.SCHOOL_ADMIN)
            or self._own_student(student)
        )

    def student_contact_unmasked(self, student: Any) -> bool:
        """May this account see the student's (and guardians') phone and address: the ID-number rule, or the
        student's 班主任 (as a profile asks: :meth:`students_ids_q`, then :meth:`students_contact_q`)."""
        return self.student_ids_unmasked(student) or (
            student.school_class_id is not None and student.school_class_id in self.class_ids(Role.HEAD_TEACHER)
        )

    def sees_staff(self, member: Any) -> bool:
        """Is this Staff row inside :meth:`staff_q`?"""
        if self.is_platform_admin:
            return True
        divisions, schools, classes = self._node_terms(teachers=True)
        return (
            (member.school_id is not None and self._under(member.school.division_id, divisions))
            or (member.bureau_id is not None and self._under(member.bureau.division_id, divisions))
            or (member.school_id is not None and member.school_id in set(schools) | set(self._schools_of(classes)))
            or member.pk in self._own_staff_ids
            or member.person_id == self.person_id
        )

    def staff_pii_unmasked(self, member: Any) -> bool:
        """Is this Staff row inside :meth:`staff_pii_q`?"""
        if self.is_platform_admin:
            return True
        divisions = _narrowest(self.divisions(Role.REGION_ADMIN))
        return (
            member.person_id == self.person_id
            or (member.school_id is not None and self._under(member.school.division_id, divisions))
            or (member.bureau_id is not None and self._under(member.bureau.division_id, divisions))
            or (member.school_id is not None and member.school_id in self.school_ids(Role.SCHOOL_ADMIN))
        )


def _narrowest(prefixes: Iterable[str]) -> list[str]:
    """The prefixes without those another one already covers ("32" makes "3201" redundant), sorted."""
    kept: list[str] = []
    for p in sorted(set(prefixes), key=lambda p: (len(p), p)):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return sorted(kept)


# Compiled once (zhijiao.core.prepared): every signed-in request reads its account's grants.
_GRANTS: Prepared[RoleGrant] = Prepared(
    lambda account_id: (
        RoleGrant.objects.filter(account_id=account_id)
        .select_related("division", "school", "school_class__school")
        .order_by("pk")
    ),
    account_id=int,
)


def scope_for(account: Actor) -> Scope:
    """The account's scope, cached on the account object for the length of a request."""
    cached = getattr(account, "_zhijiao_scope", None)
    if cached is not None:
        return cached
    if account.is_authenticated and account.is_active:
        grants = _GRANTS.all(account_id=account.pk)
        scope = Scope(account=account, grants=grants, person_id=getattr(account, "person_id", None) or -1)
    else:
        scope = Scope(account=account)
    setattr(account, "_zhijiao_scope", scope)  # noqa: B010  (request-lifetime cache on the user object)
    return scope
