"""The access matrix: every demo role × every object type × every channel, on a region with two districts.

What each role should get is DERIVED from the registry — the org tree (which division a school lies in), enrolments,
guardianships, teaching assignments, class heads, the roles' nodes and a resource's author, status and sharing —
by the plain-Python rules in :class:`Expect`, written apart from ``access.scope`` and the apps' selectors, never
from lists of expected answers. Each cell is then asked over HTTP (Django test client) and checked:

* not allowed: the answer is 403 or 404 (or the record is absent from a list/export), never 200 with the record;
* allowed: 200 (or the record is present);
* every 200 body holds no plain personal value (ID number, phone, address) the role may not see unmasked.

The region is built once per module; counts (cells, allowed, denied, mismatches) are printed in the terminal summary.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.analytics.engine import engine
from zhijiao.analytics.models import EarlyWarning, WarningKind
from zhijiao.analytics.services import snapshot_take
from zhijiao.audit.services import Origin
from zhijiao.curriculum.loading import taxonomy_load
from zhijiao.curriculum.models import KnowledgePoint, TextbookVolume
from zhijiao.growth import services as growth
from zhijiao.growth.health import psych_screening_add
from zhijiao.growth.models import GrowthRecord, HealthCheck, TermReview
from zhijiao.identity.models import Account
from zhijiao.intake.models import ImportBatch
from zhijiao.intake.services import import_batch_create, import_batch_run
from zhijiao.intake.spec import SPECS
from zhijiao.learning.homework import AssignSpec, assignment_publish
from zhijiao.learning.images import item_image_add
from zhijiao.learning.models import Assignment, Item, ItemSharing, ItemStatus, Mastery, Paper, PaperItem, Submission
from zhijiao.learning.paper_services import paper_add_item, paper_create, paper_set_status
from zhijiao.learning.refit import refit_assignment
from zhijiao.learning.services import item_create, item_review, item_submit
from zhijiao.learning.validation import ItemData
from zhijiao.oidc.services import app_register
from zhijiao.org.models import School, SchoolClass, Term
from zhijiao.people.models import ChangeRecord, Guardianship, Person, Staff, Student, TeachingAssignment
from zhijiao.people.services import person_update
from zhijiao.resources.models import Resource, ResourceStatus, ResourceType, SearchTerm, SharingScope
from zhijiao.resources.services import (
    ResourceData,
    UploadedFile,
    resource_create,
    resource_review,
    resource_submit,
)
from zhijiao.services import admission
from zhijiao.services.models import Institution, StatusCase
from zhijiao.services.models_admission import Application
from zhijiao.services.services import draw_create
from zhijiao.services.services_institutions import institution_save
from zhijiao.services.services_status import case_submit
from zhijiao.spaces.contact.selectors import partners as contact_partners
from zhijiao.spaces.contact.services import thread_start as contact_thread_start
from zhijiao.spaces.homes.services import school_page_save
from zhijiao.spaces.models import Notice
from zhijiao.spaces.research.services import activity_create as research_activity_create
from zhijiao.spaces.research.services import group_create as research_group_create
from zhijiao.spaces.research.services import member_add as research_member_add
from zhijiao.spaces.research.services import plan_save as research_plan_save
from zhijiao.spaces.services import notice_send
from zhijiao.testing import build_matrix_region, login_as, make_id
from zhijiao.xapi.models import Credential
from zhijiao.xapi.services import app_for_lrs as xapi_app_for_lrs
from zhijiao.xapi.services import statement_prepare as xapi_statement_prepare
from zhijiao.xapi.services import statements_store as xapi_statements_store

# pytest-django sets the test database up only for a session that has tests marked so
pytestmark = [pytest.mark.slow, pytest.mark.django_db]  # every role × record × channel: minutes

# The demo's roles (zhijiao demo: one account per role), played by the matrix region's accounts.
ROLES: dict[str, str] = {
    "平台管理员": "admin",
    "区域管理员": "bureau",
    "督导": "inspector",
    "学校管理员": "principal",
    "班主任": "head",
    "教师": "teacher",
    "学生": "student",
    "家长": "parent",
    "系统管理员": "sysadmin",
    "安全管理员": "secadmin",
    "审计管理员": "auditor",
    "教研员": "researcher",
    "心理教师": "psych",
}
SEPARATED = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
ANALYTICS = {Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.INSPECTOR}  # statistics are for the bureau and schools
ORIGIN = Origin(channel="cli")

# The objects of the matrix: (type, key). Keys name records of build_matrix_region or of _objects_build below.
OBJECTS: dict[str, list[str]] = {
    "school": ["A", "B", "C"],
    "class": ["A1", "A2", "B1", "C1"],
    "student": ["s1", "s3", "s4", "s5"],
    "staff": ["teacher", "head", "teacher_b", "teacher_c"],
    "resource": ["draft_A", "submitted_A", "school_A", "district_A", "school_C"],
    "analytics": ["420112", "420102", "school:A", "school:C"],
    "warning": ["A", "C"],
    "batch": ["A", "C"],
    "account": ["teacher", "teacher_c", "secadmin", "admin"],
    "app": ["portal"],
    "curriculum": ["pep-math-8b"],
    "lottery": ["A", "C"],
    "status_case": ["s1", "s5"],  # s1: A → C transfer applied by its guardian; s5: 休学 at C applied by the school
    "institution": ["420112"],
    "admission": ["A", "C"],  # 入学报名: A by 家长 (东西湖区), C by teacher_c as a family (江岸区), each with a file
    "notice": ["A1", "C1"],  # a class's teacher to the class's guardians
    "search_terms": ["dictionary"],
    "statement": ["s1"],
    "research": ["studio", "plan"],  # a private 名师工作室 of 东西湖区 (led by the 教研员, the teacher a member)
    "hours_report": ["420112", "420102"],
    "learning_records": ["s1", "s3", "s5"],  # 学习记录 of a pupil (s1: 家长's child in A1, s3: A2, s5: 江岸区 C1)
    "lrs_admin": ["s1"],  # 学习记录库 pages (and the export of s1's statements)
    "item": ["draft_A", "submitted_A", "school_A", "district_A", "school_C"],
    "item_bank": ["pages"],
    "paper": ["A", "C"],  # 组卷: a teacher's paper of school A, one of school C (江岸区)
    "homework": ["A1", "A2", "C1"],  # 作业: set to A1 by its 数学 teacher, A2 by its 班主任, C1 by teacher_c
    "my_homework": ["s1", "s5"],  # a pupil's own copy (s1 in A1, s5 in 江岸区 C1)
    "homework_pages": ["pages"],
    "growth": ["s1", "s3", "s5"],  # a pupil's 成长档案 (portrait) and the evidence file of one of their records
    "growth_class": ["A1", "C1"],  # a class's 综合素质评价 page (A1: its selections in publicity)
    "leave_class": ["A1", "A2", "C1"],  # a class's 请假考勤 page
    "thread": ["s1"],  # 家校沟通: 家长 (s1's mother) with teacher (s1's 数学 teacher in A1)
    "fitness": ["A", "C"],  # a school's 体质健康 test round with results (its class A1 / C1)
    "fitness_pupil": ["s1", "s3", "s5"],  # a pupil's 体质健康 results and trend
    "fitness_district": ["page"],  # 区域体质健康统计
    "health_pupil": ["s1", "s3", "s5"],  # a pupil's 健康档案 (page) and psychological screenings (psych)
    "health_class": ["A1", "C1"],  # a class's 健康档案 entry and import
    # 学情报告 of a district 数学 exam (420112: s1 in A1 and s3 in A2 sat it; 420102: s5 in C1), per school and class
    "area_exam": ["420112", "420102"],
    "child_report": ["s1", "s3", "s5"],  # 孩子的学习情况 (the guardian's view) of a pupil
    "area_reports": ["home"],  # the list of 学情报告
    # 网络学习空间 (issue 18): one's own space, a class's, a pupil's, a school's (A public, C not), the region's
    "space_home": ["self"],
    "space_class": ["A1", "A2", "C1"],
    "space_pupil": ["s1", "s3", "s5"],
    "space_school": ["A", "C"],
    "space_region": ["420112"],
    "diag_class": ["A1", "A2", "C1"],  # a class's 学情报告 of an exam its pupils sat (s1 in A1, s3 in A2, s5 in C1)
    "diag_pupil": ["s1", "s3", "s5"],  # a pupil's 学情报告 and 为什么是这个数
}
CHANNELS: dict[str, list[str]] = {
    "school": ["api", "page", "export"],
    "class": ["api", "page", "export"],
    "student": ["api", "page", "export"],
    "staff": ["api", "page", "export"],
    "resource": ["api", "page", "download", "api-download"],
    "analytics": ["page", "export"],
    "warning": ["page", "api"],
    "batch": ["page", "download"],
    "account": ["page"],
    "app": ["page"],
    "curriculum": ["page", "api", "export"],
    "lottery": ["stage", "public"],
    "status_case": ["page"],
    "institution": ["page", "public", "export"],
    "admission": ["page", "file", "enrol"],
    "notice": ["page", "api"],
    "search_terms": ["page"],
    "statement": ["lrs", "lrs-query"],
    "research": ["page"],
    "hours_report": ["page"],
    "learning_records": ["page", "export"],
    "lrs_admin": ["home", "browser", "export"],
    "item": ["page", "edit", "image"],
    "item_bank": ["list", "review", "import", "papers", "paper_auto"],
    "paper": ["page", "preview", "key", "export"],
    "homework": ["page", "mark", "import"],
    "my_homework": ["page"],
    "homework_pages": ["list", "new", "push", "my"],
    "growth": ["page", "evidence"],
    "growth_class": ["page"],
    "leave_class": ["page"],
    "thread": ["page"],
    "fitness": ["page", "class", "export"],
    "fitness_pupil": ["page"],
    "fitness_district": ["page", "area_import"],
    "health_pupil": ["page", "psych"],
    "health_class": ["page"],
    "area_exam": ["district", "district_export", "school", "school_export", "class"],
    "child_report": ["page"],
    "area_reports": ["page"],
    "space_home": ["home", "notices", "settings"],
    "space_class": ["page"],
    "space_pupil": ["page"],
    "space_school": ["public", "edit"],
    "space_region": ["page"],
    "diag_class": ["page", "export"],
    "diag_pupil": ["page", "why"],
}

# Cells expected to fail for a known, open reason (none today): (role, kind, key, channel) -> reason.
KNOWN: dict[tuple[str, str, str, str], str] = {}


def _cells() -> list[Any]:
    cells = []
    for label, username in ROLES.items():
        for kind, keys in OBJECTS.items():
            for key in keys:
                for channel in CHANNELS[kind]:
                    cell = (label, kind, key, channel)
                    marks = [pytest.mark.xfail(strict=False, reason=KNOWN[cell])] if cell in KNOWN else []
                    cells.append(pytest.param(*cell, marks=marks, id=f"{username}-{kind}-{key}-{channel}"))
    return cells


# ------------------------------------------------------------------ expectations, from the registry


@dataclass
class Who:
    """One account's place in the registry: its grants (role, node) and the person behind it."""

    account: Account
    grants: list[RoleGrant]
    person_id: int | None

    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    @property
    def platform(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles()

    def has(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))


@dataclass
class Expect:
    """Who may read what, in the words of the roles (decision 0001, 0007a, resources/selectors docstring)."""

    who: Who
    taught: set[int] = field(default_factory=set)  # classes the account teaches this term
    headed: set[int] = field(default_factory=set)  # classes it is 班主任 of (grant)
    own_student: Student | None = None
    children: set[int] = field(default_factory=set)  # student ids of its wards

    @classmethod
    def of(cls, account: Account) -> Expect:
        grants = list(RoleGrant.objects.filter(account=account).select_related("school_class", "school"))
        who = Who(account, grants, account.person_id)
        pid = account.person_id or -1
        return cls(
            who=who,
            taught=set(
                TeachingAssignment.objects.filter(
                    staff__person_id=pid, term__is_current=True, staff__is_active=True
                ).values_list("school_class_id", flat=True)
            ),
            headed={g.school_class_id for g in grants if g.role == Role.HEAD_TEACHER and g.school_class_id},
            own_student=Student.objects.filter(person_id=pid).first(),
            children=set(Guardianship.objects.filter(guardian_id=pid).values_list("student_id", flat=True)),
        )

    # ------------------------------------------------ places
    def _grants(self, *, skip: set[str]) -> list[RoleGrant]:
        return [g for g in self.who.grants if g.role not in skip]

    @staticmethod
    def _covers(g: RoleGrant, school: School) -> bool:
        """Does a grant's node lie over the school (its division above it, the school, or a class of it)?"""
        if g.division_id:
            return school.division_id.startswith(g.division_id)
        if g.school_id:
            return g.school_id == school.pk
        if g.school_class_id:
            return g.school_class.school_id == school.pk
        return False

    def _own_classes(self) -> set[int]:
        """Classes of its own enrolment and of its children's."""
        ids = set(Student.objects.filter(pk__in=self.children).values_list("school_class_id", flat=True))
        if self.own_student is not None and self.who.has(Role.STUDENT):
            ids.add(self.own_student.school_class_id)
        return ids

    def _staff_grants(self) -> list[RoleGrant]:
        # 心理教师 (a school grant) opens the psychology pages only: no class, pupil or staff list (decision 0055)
        return self._grants(skip=SEPARATED | {Role.STUDENT, Role.PARENT, Role.RESEARCHER, Role.PSYCH_TEACHER})

    # ------------------------------------------------ registry records
    def school(self, school: School) -> bool:
        if self.who.platform:
            return True
        if any(self._covers(g, school) for g in self._grants(skip=SEPARATED | {Role.STUDENT, Role.PARENT})):
            return True
        return school.pk in set(
            SchoolClass.objects.filter(pk__in=self._own_classes()).values_list("school_id", flat=True)
        )

    def school_class(self, klass: SchoolClass) -> bool:
        return self.who.platform or self.school_class_for_students(klass) or klass.pk in self._own_classes()

    def student(self, student: Student) -> bool:
        if self.who.platform:
            return True
        if student.school_class_id is not None and self.school_class_for_students(student.school_class):
            return True
        if self.who.has(Role.STUDENT) and self.own_student is not None and self.own_student.pk == student.pk:
            return True
        return self.who.has(Role.PARENT) and student.pk in self.children

    def school_class_for_students(self, klass: SchoolClass) -> bool:
        """A teacher reads the pupils of the classes it teaches, a 班主任 its class, a node everything below."""
        for g in self._staff_grants():
            if g.role == Role.TEACHER:
                if klass.pk in self.taught:
                    return True
            elif g.school_class_id:
                if g.school_class_id == klass.pk:
                    return True
            elif self._covers(g, klass.school):
                return True
        return False

    def staff(self, member: Staff) -> bool:
        if self.who.platform or member.person_id == self.who.person_id:
            return True
        if member.school_id is not None and any(self._covers(g, member.school) for g in self._staff_grants()):
            return True
        own = self._own_classes()
        teaches_own = TeachingAssignment.objects.filter(
            staff=member, term__is_current=True, school_class_id__in=own
        ).exists()
        return teaches_own or SchoolClass.objects.filter(pk__in=own, head_teacher=member).exists()

    # ------------------------------------------------ unmasked personal data
    def _administers(self, school: School) -> bool:
        """区域管理员 over the school or 学校管理员 of it: they keep the registry and see it unmasked."""
        return self.who.platform or any(
            (g.role == Role.REGION_ADMIN and g.division_id and school.division_id.startswith(g.division_id))
            or (g.role == Role.SCHOOL_ADMIN and g.school_id == school.pk)
            for g in self.who.grants
        )

    def student_ids(self, student: Student) -> bool:
        if self._administers(student.school):
            return True
        if self.who.has(Role.STUDENT) and student.person_id == self.who.person_id:
            return True
        return self.who.has(Role.PARENT) and student.pk in self.children

    def student_contacts(self, student: Student) -> bool:
        return self.student_ids(student) or student.school_class_id in self.headed

    def staff_pii(self, member: Staff) -> bool:
        return member.person_id == self.who.person_id or (
            member.school is not None and self._administers(member.school)
        )

    def plain_allowed(self, person: Person, what: str) -> bool:
        """May the account see this person's ``what`` (id_number, phone, address) unmasked?"""
        if person.pk == self.who.person_id:
            return True
        student = Student.objects.filter(person=person).select_related("school", "school_class").first()
        if student is not None:
            return self.student_ids(student) if what == "id_number" else self.student_contacts(student)
        member = Staff.objects.filter(person=person).select_related("school").first()
        if member is not None:
            return self.staff_pii(member)
        wards = Student.objects.filter(guardianships__guardian=person).select_related("school", "school_class")
        if what == "id_number":
            return self.who.platform
        return any(self.student_contacts(s) for s in wards)

    # ------------------------------------------------ other objects
    @property
    def manages_data(self) -> bool:
        return self.who.platform or self.who.has(Role.REGION_ADMIN, Role.SCHOOL_ADMIN)

    def analytics_node(self, code: str, school: School | None) -> bool:
        if self.who.platform:
            return True
        for g in self.who.grants:
            if g.role not in ANALYTICS:
                continue
            if g.division_id and (school.division_id if school else code).startswith(g.division_id):
                return True
            if g.school_id and school is not None and g.school_id == school.pk:
                return True
        return False

    def analytics_feature(self) -> bool:
        return self.who.platform or self.who.has(*ANALYTICS)

    def warning(self, warning: EarlyWarning) -> bool:
        if self.who.platform:
            return True
        return any(
            g.role in ANALYTICS
            and (
                (g.division_id and warning.school.division_id.startswith(g.division_id))
                or (g.school_id == warning.school_id)
            )
            for g in self.who.grants
        )

    def batch(self, batch: ImportBatch) -> bool:
        if not self.manages_data:
            return False
        if self.who.platform or batch.actor_id == self.who.account.pk:
            return True
        return batch.school is not None and self._administers(batch.school)

    def resource(self, resource: Resource) -> bool:
        """Authors see their own in every status; reviewers the step waiting for them; published ones by sharing."""
        if resource.author_id == self.who.account.pk:
            return True
        if resource.status == ResourceStatus.SUBMITTED:
            return self.who.platform or any(
                g.role == Role.SCHOOL_ADMIN and g.school_id == resource.owner_school_id for g in self.who.grants
            )
        if resource.status != ResourceStatus.PUBLISHED:
            return False
        if self.who.platform or resource.sharing == SharingScope.PUBLIC:
            return True
        owner_division = resource.owner_division_id or ""
        for g in self._grants(skip=SEPARATED | {Role.PARENT}):
            if (
                g.role in (Role.REGION_ADMIN, Role.INSPECTOR)
                and g.division_id
                and owner_division.startswith(g.division_id)
            ):
                return True
            school = g.school or (g.school_class.school if g.school_class_id else None)
            if resource.sharing == SharingScope.SCHOOL and school is not None and school.pk == resource.owner_school_id:
                return True
            if resource.sharing == SharingScope.DISTRICT:
                district = g.division_id if g.division_id and len(g.division_id) == 6 else None
                district = district or (school.division_id if school is not None else None)
                if district == owner_division:
                    return True
        return False

    # 题库: teachers write items, reviewers review them; pupils, parents, 督导 and the 三员 have no item bank.
    def item_writer(self) -> bool:
        """Items belong to the writer's school (教师, 班主任, 学校管理员) or bureau (a division's 区域管理员 or 教研员,
        or a 平台管理员 placed on a division)."""
        return any(
            g.role in (Role.TEACHER, Role.HEAD_TEACHER, Role.SCHOOL_ADMIN)
            or (g.role in (Role.REGION_ADMIN, Role.RESEARCHER, Role.PLATFORM_ADMIN) and g.division_id)
            for g in self.who.grants
        )

    def item_reviewer(self) -> bool:
        return self.who.has(Role.SCHOOL_ADMIN, Role.REGION_ADMIN, Role.PLATFORM_ADMIN)

    def item_bank(self) -> bool:
        return self.item_writer() or self.item_reviewer()

    def paper(self, paper: Paper) -> bool:
        """组卷: the author, and the staff of the paper's school (教师, 班主任, 学校管理员 there); nobody else."""
        if paper.author_id == self.who.account.pk:
            return True
        school_roles = (Role.TEACHER, Role.HEAD_TEACHER, Role.SCHOOL_ADMIN)
        return any(
            g.role in school_roles
            and (g.school_id or (g.school_class.school_id if g.school_class_id else None)) == paper.owner_school_id
            for g in self.who.grants
        )

    # 作业与考试: the teachers and 班主任 of the classes it was set to (and its author); a pupil their own copy.
    def leads(self) -> bool:
        return bool(self.taught | self.headed)

    def homework(self, assignment: Assignment) -> bool:
        classes = set(assignment.classes.values_list("pk", flat=True))
        return assignment.created_by_id == self.who.account.pk or bool(classes & (self.taught | self.headed))

    def my_homework(self, submission: Submission) -> bool:
        return (
            self.who.has(Role.STUDENT) and self.own_student is not None and self.own_student.pk == submission.student_id
        )

    def item(self, item: Item) -> bool:
        """Authors see their own; the owning school's 学校管理员 (the platform) a submitted one; an approved one by
        sharing, as resources (本校 the school's staff, 本区 the district, a bureau its subtree)."""
        if item.author_id == self.who.account.pk:
            return True
        if not self.item_bank():
            return False
        if item.status == ItemStatus.SUBMITTED and (
            self.who.platform
            or any(g.role == Role.SCHOOL_ADMIN and g.school_id == item.owner_school_id for g in self.who.grants)
        ):
            return True
        if item.approved_version_id is None:
            return False
        if self.who.platform or item.sharing == ItemSharing.PUBLIC:
            return True
        owner_division = item.owner_division_id or ""
        for g in self._grants(skip=SEPARATED | {Role.PARENT}):
            if (
                g.role in (Role.REGION_ADMIN, Role.INSPECTOR)
                and g.division_id
                and owner_division.startswith(g.division_id)
            ):
                return True
            school = g.school or (g.school_class.school if g.school_class_id else None)
            if item.sharing == ItemSharing.SCHOOL and school is not None and school.pk == item.owner_school_id:
                return True
            if item.sharing == ItemSharing.DISTRICT:
                district = g.division_id if g.division_id and len(g.division_id) == 6 else None
                district = district or (school.division_id if school is not None else None)
                if district == owner_division:
                    return True
        return False

    def item_edit(self, item: Item) -> bool:
        return item.author_id == self.who.account.pk and item.status != ItemStatus.SUBMITTED

    def account_page(self, target: Account) -> bool:
        """账号管理: the platform, a 系统管理员 or a bureau over the account's grants (a nodeless grant: platform);
        a 学校管理员 their school's staff in post and whoever holds a hand-made 心理教师 grant there."""
        if self.who.platform:
            return True
        mine = [g for g in self.who.grants if g.role in (Role.SYSTEM_ADMIN, Role.REGION_ADMIN)]
        if any(not g.division_id for g in mine):
            return True
        own = [g.school_id for g in self.who.grants if g.role == Role.SCHOOL_ADMIN and g.school_id]
        if own and (
            Staff.objects.filter(person_id=target.person_id, school_id__in=own, is_active=True).exists()
            or RoleGrant.objects.filter(
                account=target, role=Role.PSYCH_TEACHER, school_id__in=own, derived=False
            ).exists()
        ):
            return True
        theirs = RoleGrant.objects.filter(account=target).select_related("school", "school_class__school")
        places = set()
        for g in theirs:
            if g.division_id:
                places.add(g.division_id)
            elif g.school_id:
                places.add(g.school.division_id)
            elif g.school_class_id:
                places.add(g.school_class.school.division_id)
        return any(p.startswith(g.division_id) for p in places for g in mine)

    def app_page(self) -> bool:
        return self.who.platform or self.who.has(Role.SYSTEM_ADMIN)

    def curriculum_read(self) -> bool:
        """课程体系: every teacher and administrator of schools and bureaus (not 三员, pupils or parents)."""
        staff = (Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER)
        return self.who.platform or self.who.has(*staff)

    def notice_recipient(self, notice: Notice) -> bool:
        """A class notice to guardians reaches the guardians of the pupils in school in the class."""
        pupils = Student.objects.filter(school_class_id=notice.school_class_id, status="01").values_list(
            "pk", flat=True
        )
        return bool(self.children & set(pupils))

    def notice_page(self, notice: Notice) -> bool:
        """The notice's page: its recipients, its sender, and the administrators over its class's school."""
        if self.notice_recipient(notice) or notice.sender_id == self.who.account.pk:
            return True
        return notice.school_class is not None and self._administers(notice.school_class.school)

    def lrs_statement(self) -> bool:
        """xAPI statements (学习记录) are read by the app that wrote them, with its credential or token: never
        through a person's browser session (the LRS takes no session; 我的学习记录 is a later page)."""
        return False

    def learning_records(self, student: Student, channel: str) -> bool:
        """A pupil's 学习记录 through the platform: their guardian (page and JSON export) and the teachers of the
        class this term or its 班主任 (page only); administrators use 学习记录库 instead."""
        if self.who.has(Role.PARENT) and student.pk in self.children:
            return True
        if channel == "export" or student.school_class_id is None:
            return False
        return (self.who.has(Role.TEACHER) and student.school_class_id in self.taught) or (
            student.school_class_id in self.headed
        )

    def curriculum_manage(self) -> bool:
        """Importing and exporting a taxonomy: the bureau (区域管理员) and the platform."""
        return self.who.platform or self.who.has(Role.REGION_ADMIN)

    def lottery_organise(self, school: School) -> bool:
        """电脑派位 is run by the bureau of the school's district or above (区域管理员) and the platform."""
        return self.who.platform or any(
            g.role == Role.REGION_ADMIN and g.division_id and school.division_id.startswith(g.division_id)
            for g in self.who.grants
        )

    def research(self, obj: Any) -> bool:
        """A private group (and its activities): its leader and members, the 区域管理员 over its division, the
        platform. Pupils, parents, inspectors, the 三员 have no 网络教研; teachers outside the group see nothing."""
        group = getattr(obj, "group", obj)
        if self.who.platform or group.leader_id == self.who.account.pk:
            return True
        if group.members.filter(account=self.who.account).exists():
            return True
        return any(
            g.role in (Role.REGION_ADMIN, Role.RESEARCHER)
            and g.division_id
            and group.division_id.startswith(g.division_id)
            for g in self.who.grants
        )

    def hours_report(self, code: str) -> bool:
        """学时完成情况 of a district: the platform, the 区域管理员 and 教研员 at or above it (aggregates only)."""
        return self.who.platform or any(
            g.role in (Role.REGION_ADMIN, Role.RESEARCHER) and g.division_id and code.startswith(g.division_id)
            for g in self.who.grants
        )

    def status_case(self, case: StatusCase) -> bool:
        """学籍异动: the applicant, the pupil's guardians, both schools' 学校管理员, the 班主任 of the pupil's class,
        the bureaus over either school, the platform (services.selectors_status)."""
        schools = [s for s in (case.from_school, case.to_school) if s is not None]
        return (
            self.who.platform
            or case.applicant_id == self.who.account.pk
            or case.student_id in self.children
            or (case.from_class_id is not None and case.from_class_id in self.headed)
            or any(
                (g.role == Role.REGION_ADMIN and g.division_id and s.division_id.startswith(g.division_id))
                or (g.role == Role.SCHOOL_ADMIN and g.school_id == s.pk)
                for g in self.who.grants
                for s in schools
            )
        )

    def admission(self, app: Application) -> bool:
        """入学报名: the family account that filed it, the 学校管理员 of the school it names, the bureau over its
        district, the platform (services.admission_selectors)."""
        return (
            self.who.platform
            or app.applicant_id == self.who.account.pk
            or any(
                (g.role == Role.REGION_ADMIN and g.division_id and app.division_id.startswith(g.division_id))
                or (g.role == Role.SCHOOL_ADMIN and g.school_id == app.school_id)
                for g in self.who.grants
            )
        )

    def admission_enrol(self, school: School) -> bool:
        """新生注册 of a school: its 学校管理员, the bureau over its district, the platform."""
        return self.who.platform or any(
            (g.role == Role.REGION_ADMIN and g.division_id and school.division_id.startswith(g.division_id))
            or (g.role == Role.SCHOOL_ADMIN and g.school_id == school.pk)
            for g in self.who.grants
        )

    def institution_manage(self, institution: Institution) -> bool:
        """校外培训机构 are kept by the bureau over the institution's district (区域管理员) and the platform."""
        return self.who.platform or any(
            g.role == Role.REGION_ADMIN and g.division_id and institution.division_id.startswith(g.division_id)
            for g in self.who.grants
        )

    # ------------------------------------------------ 成长档案 (docs/growth.md: who sees what)
    def growth_relations(self, student: Student) -> set[str]:
        """What the account is to the pupil: the pupil, a guardian, the class's 班主任 or teacher, the school (its
        学校管理员 or a bureau above), or a guardian of a classmate."""
        rel = set()
        if self.who.platform or self._administers(student.school):
            rel.add("school")
        if self.who.has(Role.STUDENT) and self.own_student is not None and self.own_student.pk == student.pk:
            rel.add("self")
        if self.who.has(Role.PARENT) and student.pk in self.children:
            rel.add("guardian")
        if student.school_class_id in self.headed:
            rel.add("head")
        if student.school_class_id in self.taught | self.headed:
            rel.add("teacher")
        if "guardian" not in rel and self.who.has(Role.PARENT) and student.school_class_id in self._child_classes():
            rel.add("classmate_guardian")
        return rel

    def _child_classes(self) -> set[int]:
        return set(Student.objects.filter(pk__in=self.children).values_list("school_class_id", flat=True))

    @staticmethod
    def _publicity_open(class_id: int | None) -> bool:
        today = timezone.localdate()
        return TermReview.objects.filter(
            school_class_id=class_id, state="published", published_on__lte=today, publicity_ends_on__gte=today
        ).exists()

    def growth_page(self, student: Student) -> bool:
        """The portrait: any relation; a classmate's guardian only while the class's selections are published."""
        rel = self.growth_relations(student)
        if rel == {"classmate_guardian"}:
            return self._publicity_open(student.school_class_id)
        return bool(rel)

    def growth_record(self, record: GrowthRecord) -> bool:
        """A record (and its evidence): the pupil, guardians, 班主任 and school always; a teacher of the class its own
        and the published selections; a classmate's guardian the selections while published."""
        rel = self.growth_relations(record.student)
        if rel & {"self", "guardian", "head", "school"}:
            return True
        published = record.selections.filter(review__state__in=["published", "audited", "archived"]).exists()
        if "teacher" in rel and (record.author_id == self.who.account.pk or published):
            return True
        return "classmate_guardian" in rel and published and self._publicity_open(record.student.school_class_id)

    def growth_class(self, klass: SchoolClass) -> bool:
        """A class's process page: its 班主任, its teachers, its school; its pupils' guardians during publicity."""
        if self.who.platform or self._administers(klass.school) or klass.pk in self.taught | self.headed:
            return True
        return self.who.has(Role.PARENT) and klass.pk in self._child_classes() and self._publicity_open(klass.pk)

    def leave_class(self, klass: SchoolClass) -> bool:
        """A class's 请假考勤: its 班主任, its teachers this term, its school's administrators (no guardian, pupil)."""
        return self.who.platform or self._administers(klass.school) or klass.pk in self.taught | self.headed

    def thread(self, thread: Any) -> bool:
        """A 家校沟通 thread: its two participants, the 学校管理员 of its class's school (moderation), the platform."""
        if self.who.platform or self.who.account.pk in (thread.guardian_id, thread.staff_id):
            return True
        school_id = thread.school_class.school_id
        return any(g.role == Role.SCHOOL_ADMIN and g.school_id == school_id for g in self.who.grants)

    # ------------------------------------------------ 网络学习空间 (decision 0060-space-homes)
    def class_space(self, klass: SchoolClass) -> bool:
        """A class's space: its pupils, their guardians, its teachers this term and its 班主任 — no administrator."""
        return klass.pk in self.taught | self.headed | self._own_classes()

    def pupil_space(self, student: Student) -> bool:
        """A pupil's space: the pupil, their guardians, their classmates, the class's teachers and 班主任."""
        if self.who.has(Role.PARENT) and student.pk in self.children:
            return True
        own = self.own_student if self.who.has(Role.STUDENT) else None
        if own is not None and (own.pk == student.pk or own.school_class_id == student.school_class_id):
            return True
        return student.school_class_id in self.taught | self.headed

    def school_space(self, school: School, channel: str, public: bool) -> bool:
        """A school's public face: anyone once the school shows it (else its administrators' preview); editing:
        the school's administrators and the bureaus above."""
        return (public and channel == "public") or self._administers(school)

    # ------------------------------------------------ 体质健康 (docs/growth.md: 体质健康页面)
    def fitness_school(self, school: School) -> bool:
        """A school's test rounds (figures, import, national export): its 学校管理员 and teachers, bureaus above."""
        return self._administers(school) or any(
            g.role in (Role.TEACHER, Role.HEAD_TEACHER) and g.school_id == school.pk for g in self.who.grants
        )

    def fitness_class(self, klass: SchoolClass) -> bool:
        """A class's results with names: the class's teachers and 班主任, the school's 学校管理员 (no bureau)."""
        return klass.pk in self.taught | self.headed or any(
            g.role == Role.SCHOOL_ADMIN and g.school_id == klass.school_id for g in self.who.grants
        )

    def fitness_pupil(self, student: Student) -> bool:
        """A pupil's results: the pupil, own guardians, the class's teachers, the school's 学校管理员."""
        return bool(self.growth_relations(student) & {"self", "guardian", "head", "teacher"}) or any(
            g.role == Role.SCHOOL_ADMIN and g.school_id == student.school_id for g in self.who.grants
        )

    def fitness_district(self) -> bool:
        """The district's figures per school (no names): 区域管理员, 督导, the platform."""
        return self.who.platform or any(
            g.role in (Role.REGION_ADMIN, Role.INSPECTOR) and g.division_id for g in self.who.grants
        )

    def fitness_area_import(self) -> bool:
        """区域导入: one results file for the whole area: its 区域管理员 and the platform (not 督导, not schools)."""
        return self.who.platform or any(g.role == Role.REGION_ADMIN and g.division_id for g in self.who.grants)

    # ------------------------------------------------ 健康档案 (decision 0055)
    def _counsels(self, school_id: int) -> bool:
        return any(g.role == Role.PSYCH_TEACHER and g.school_id == school_id for g in self.who.grants)

    def health_pupil(self, student: Student) -> bool:
        """A pupil's health file: the pupil, own guardians, the class's 班主任 and teachers, the school's 学校管理员
        and 心理教师; not a bureau, not the platform."""
        return (
            bool(self.growth_relations(student) & {"self", "guardian", "teacher"})
            or any(g.role == Role.SCHOOL_ADMIN and g.school_id == student.school_id for g in self.who.grants)
            or self._counsels(student.school_id)
        )

    def health_psych(self, student: Student) -> bool:
        """Psychological screenings: the school's 心理教师 and the pupil's guardians, nobody else."""
        return self._counsels(student.school_id) or (self.who.has(Role.PARENT) and student.pk in self.children)

    def health_class(self, klass: SchoolClass) -> bool:
        """A class's entry and import: its 班主任 and teachers, the school's 学校管理员 and 心理教师."""
        return (
            klass.pk in self.taught | self.headed
            or any(g.role == Role.SCHOOL_ADMIN and g.school_id == klass.school_id for g in self.who.grants)
            or self._counsels(klass.school_id)
        )

    def _area_researcher(self, g: RoleGrant, subject: str) -> bool:
        return g.role == Role.RESEARCHER and g.subject in ("", subject)

    def area_district(self, exam: Any) -> bool:
        """A district exam's report (per school, no names): the platform, and the 区域管理员 and 教研员 (of its
        subject) whose division overlaps the exam's (each reads the narrower of the two)."""
        code = exam.division_id
        return self.who.platform or any(
            (g.role == Role.REGION_ADMIN or self._area_researcher(g, exam.subject))
            and g.division_id
            and (code.startswith(g.division_id) or g.division_id.startswith(code))
            for g in self.who.grants
        )

    def area_school(self, exam: Any, school: School) -> bool:
        """A school's report of the exam (per class): its 学校管理员, the 区域管理员 and the subject's 教研员 over
        it, the platform."""
        return self.who.platform or any(
            (g.role == Role.SCHOOL_ADMIN and g.school_id == school.pk)
            or (
                (g.role == Role.REGION_ADMIN or self._area_researcher(g, exam.subject))
                and g.division_id
                and school.division_id.startswith(g.division_id)
            )
            for g in self.who.grants
        )

    def area_class(self, school: School) -> bool:
        """A class's pupils and their scores: the school's own 学校管理员 only (no pupil names above the school)."""
        return any(g.role == Role.SCHOOL_ADMIN and g.school_id == school.pk for g in self.who.grants)

    def child_report(self, student: Student) -> bool:
        """孩子的学习情况: the pupil's guardians and the pupil themselves."""
        mine = self.own_student is not None and self.own_student.pk == student.pk and self.who.has(Role.STUDENT)
        return mine or (self.who.has(Role.PARENT) and student.pk in self.children)

    def area_home(self) -> bool:
        return self.who.platform or self.who.has(Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.RESEARCHER)

    def diag_class(self, klass: SchoolClass) -> bool:
        """A class's 学情报告 (names, mastery per pupil): its teachers this term, its 班主任, its 学校管理员 (no bureau,
        教研员, pupil or guardian)."""
        return (
            self.who.platform
            or klass.pk in self.taught | self.headed
            or any(g.role == Role.SCHOOL_ADMIN and g.school_id == klass.school_id for g in self.who.grants)
        )

    def diag_pupil(self, student: Student) -> bool:
        """A pupil's 学情报告: the pupil, the class's teachers and 班主任, the school's 学校管理员 (guardians have their
        own view; bureaus and 教研员 read aggregates)."""
        return (
            self.who.platform
            or bool(self.growth_relations(student) & {"self", "head", "teacher"})
            or any(g.role == Role.SCHOOL_ADMIN and g.school_id == student.school_id for g in self.who.grants)
        )

    def search_terms(self) -> bool:
        """The search dictionary (检索词典): the bureau (区域管理员) and the platform."""
        return self.who.platform or self.who.has(Role.REGION_ADMIN)


# ------------------------------------------------------------------ the region and its objects


def _student_csv(school_code: str) -> bytes:
    """A one-row students file whose row is rejected (a bad ID checksum), so the batch has a 问题数据 report."""
    headers = SPECS["students"].headers
    number = make_id("420112", timezone.localdate().replace(year=2018, month=5, day=5), 88, "1")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    row = {
        "姓名": "钱小明",
        "性别": "男",
        "出生日期": "2018-05-05",
        "民族": "汉族",
        "身份证件类型": "居民身份证",
        "身份证件号": wrong,
        "学籍号": f"G{wrong}",
        "学校标识码": school_code,
        "年级": "三年级",
        "班级": "1",
        "入学年月": "2024-09",
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode("utf-8-sig")


def _resource(author: Account, title: str, sharing: str) -> Resource:
    meta = ResourceData(title=title, type=ResourceType.MICRO_LESSON, stage="2", subject="14", sharing=sharing)
    upload = UploadedFile.from_bytes("lesson.pdf", title.encode() * 10)
    return resource_create(actor=author, data=meta, upload=upload, origin=ORIGIN).resource


def _publish(resource: Resource, first: Account, second: Account) -> Resource:
    resource_submit(actor=resource.author, resource=resource, origin=ORIGIN)
    resource_review(actor=first, resource=resource, approve=True, origin=ORIGIN)
    return resource_review(actor=second, resource=resource, approve=True, origin=ORIGIN)


def _objects_build(r) -> dict[tuple[str, str], Any]:
    a = r.accounts
    if not TextbookVolume.objects.exists():
        taxonomy_load()
    objects: dict[tuple[str, str], Any] = {}
    for key, school in r.schools.items():
        objects[("school", key)] = school
    for key in OBJECTS["class"]:
        objects[("class", key)] = r.classes[key]
    for key in OBJECTS["student"]:
        objects[("student", key)] = r.students[key]
    # a history to mask: s1's phone corrected on the web, its 学籍号 changed from the G form (which holds the ID
    # number) to an L number by an import — the 变更记录 must follow the profile's masking
    s1 = r.students["s1"]
    person_update(actor=a["principal"], person=s1.person, phone="13712340001")
    ChangeRecord.objects.create(
        entity="student",
        entity_id=s1.pk,
        person=s1.person,
        field="student_no",
        old_value=s1.student_no,
        new_value="L420112201800000001",
        actor=a["principal"],
        source="import",
    )
    for key in OBJECTS["staff"]:
        objects[("staff", key)] = r.staff[key]

    draft = _resource(a["teacher"], "草稿：圆的认识", SharingScope.SCHOOL)
    submitted = _resource(a["teacher"], "待审：分数的意义", SharingScope.SCHOOL)
    resource_submit(actor=a["teacher"], resource=submitted, origin=ORIGIN)
    objects[("resource", "draft_A")] = draft
    objects[("resource", "submitted_A")] = submitted
    objects[("resource", "school_A")] = _publish(
        _resource(a["teacher"], "本校：长方形面积", SharingScope.SCHOOL), a["principal"], a["bureau"]
    )
    objects[("resource", "district_A")] = _publish(
        _resource(a["head"], "本区：古诗两首", SharingScope.DISTRICT), a["principal"], a["bureau"]
    )
    objects[("resource", "school_C")] = _publish(
        _resource(a["teacher_c"], "本校：江岸区的乘法口诀", SharingScope.SCHOOL), a["principal_c"], a["bureau_c"]
    )

    def item(author: Account, stem: str, sharing: str) -> Item:
        data = ItemData(type="true_false", stem=stem, stage="3", subject="14", answer=["T"], sharing=sharing)
        made = item_create(actor=author, data=data, origin=ORIGIN).item
        item_image_add(actor=author, item=made, name="图.png", data=b"\x89PNG\r\n\x1a\n" + bytes(32), origin=ORIGIN)
        return made

    def approved(one: Item, reviewer: Account) -> Item:
        item_submit(actor=one.author, item=one, origin=ORIGIN)
        return item_review(actor=reviewer, item=one, approve=True, origin=ORIGIN)

    objects[("item", "draft_A")] = item(a["teacher"], "草稿：$0$ 是自然数。", ItemSharing.SCHOOL)
    waiting = item(a["teacher"], "待审：$-1$ 是整数。", ItemSharing.SCHOOL)
    objects[("item", "submitted_A")] = item_submit(actor=a["teacher"], item=waiting, origin=ORIGIN)
    objects[("item", "school_A")] = approved(
        item(a["teacher"], "本校：$\\sqrt{4}=2$。", ItemSharing.SCHOOL), a["principal"]
    )
    objects[("item", "district_A")] = approved(item(a["head"], "本区：$2^3=8$。", ItemSharing.DISTRICT), a["principal"])
    objects[("item", "school_C")] = approved(
        item(a["teacher_c"], "本校：$1+1=2$。", ItemSharing.SCHOOL), a["principal_c"]
    )
    objects[("item_bank", "pages")] = a["teacher"]
    for key, author in (("A", a["teacher"]), ("C", a["teacher_c"])):
        objects[("paper", key)] = paper_create(
            actor=author, title=f"单元测验 {key}", stage="3", subject="14", grade="", origin=ORIGIN
        )

    set_by = {"A1": (a["teacher"], "school_A"), "A2": (a["head"], "district_A"), "C1": (a["teacher_c"], "school_C")}
    for key, (author, item_key) in set_by.items():
        hw_paper = paper_create(actor=author, title=f"作业 {key}", stage="3", subject="14", grade="", origin=ORIGIN)
        paper_add_item(actor=author, paper=hw_paper, item_id=objects[("item", item_key)].pk, origin=ORIGIN)
        paper_set_status(actor=author, paper=hw_paper, ready=True, origin=ORIGIN)
        objects[("homework", key)] = assignment_publish(
            actor=author,
            paper_id=hw_paper.pk,
            class_ids=[r.classes[key].pk],
            spec=AssignSpec(title=f"作业 {key}", opens_at=timezone.now() - timedelta(hours=1)),
            origin=ORIGIN,
        )
    for key, klass in (("s1", "A1"), ("s5", "C1")):
        objects[("my_homework", key)] = Submission.objects.get(
            assignment=objects[("homework", klass)], student=r.students[key]
        )
    objects[("homework_pages", "pages")] = None
    _diag_build(r, objects)

    snapshot_take(actor=None)
    for key in ("420112", "420102"):
        objects[("analytics", key)] = (key, None)
    for key in ("A", "C"):
        objects[("analytics", f"school:{key}")] = (r.schools[key].code, r.schools[key])

    now = timezone.now()
    for key in ("A", "C"):
        objects[("warning", key)] = EarlyWarning.objects.create(
            kind=WarningKind.values[0],
            school=r.schools[key],
            detail="测试预警",
            first_seen=now - timedelta(days=1),
            last_seen=now,
        )

    for key, actor in (("A", a["principal"]), ("C", None)):
        school = r.schools[key]
        batch = import_batch_create(
            actor=actor,
            kind="students",
            file_name="学生.csv",
            source=io.BytesIO(_student_csv(school.code)),
            school_code=school.code,
        )
        objects[("batch", key)] = import_batch_run(batch=batch)

    for key in OBJECTS["account"]:
        objects[("account", key)] = a[key]
    for key, applicant, seq in (("A", a["parent"], 1), ("C", a["teacher_c"], 2)):
        school = r.schools[key]
        admission.plan_save(actor=a["admin"], school=school, year=2026, stage="primary", seats=30)
        catchment = admission.catchment_save(
            actor=a["admin"],
            division=school.division,
            year=2026,
            stage="primary",
            compound=f"{school.name}小区",
            address_range="",
            school_codes=[school.code],
        )
        objects[("admission", key)] = admission.application_submit(
            actor=applicant,
            data=admission.ApplicationInput(
                year=2026,
                stage="primary",
                guardian_name="报名家长",
                guardian_phone="13700002222",
                relation="母亲",
                child_name=f"新生{key}",
                child_id_number=make_id(school.division_id, date(2020, 3, 1), seq, "1"),
                hukou_address="户籍地址",
                catchment_id=catchment.pk,
                home_address="1栋",
                hukou_in_catchment=True,
                housing="property",
                residence_permit=False,
                social_months=0,
            ),
            files=[admission.Evidence("hukou", "户口簿.pdf", [b"%PDF-1.4"])],
        )
    for (kind, key), obj in objects.items():
        if kind == "resource":  # the services work on their own copies: read the final status back
            objects[(kind, key)] = Resource.objects.get(pk=obj.pk)
        if kind == "item":
            objects[(kind, key)] = Item.objects.get(pk=obj.pk)
    app, _ = app_register(actor=None, name="智慧作业", redirect_uris=["https://zuoye.example.cn/callback"])
    objects[("app", "portal")] = app
    objects[("curriculum", "pep-math-8b")] = TextbookVolume.objects.get(
        edition__code="pep", edition__subject="14", edition__stage="3", code="8b"
    )
    for key in OBJECTS["lottery"]:
        objects[("lottery", key)] = draw_create(
            actor=a["admin"],
            school=r.schools[key],
            year=2026,
            seats=2,
            applicants="报名编号,姓名\n2026-0001,张三\n2026-0002,李四\n2026-0003,王五\n".encode(),
            input_plan="派位当日福利彩票开奖号码",
        )
    objects[("status_case", "s1")] = case_submit(
        actor=a["parent"], student=r.students["s1"], kind="transfer", reason="随父母迁居", to_school=r.schools["C"]
    )
    objects[("status_case", "s5")] = case_submit(
        actor=a["principal_c"], student=r.students["s5"], kind="suspend", reason="病休"
    )
    objects[("institution", "420112")] = institution_save(
        actor=a["bureau"],
        values={
            "licence_no": "教民14201120000001",
            "name": "金银湖书法培训学校",
            "division": "420112",
            "address": "金银湖路18号",
            "subjects": "书法",
        },
    )
    for key, sender in (("A1", a["teacher"]), ("C1", a["teacher_c"])):
        objects[("notice", key)] = notice_send(
            actor=sender,
            title=f"{key}班春游通知",
            body="本周五春游，请家长知悉。",
            audience_kind="class",
            node_id=r.classes[key].pk,
            recipients="guardians",
        )
    studio = research_group_create(
        actor=a["researcher"],
        name="小学数学名师工作室",
        kind="studio",
        division=r.schools["A"].division,
        subject="14",
        origin=ORIGIN,
    )
    research_member_add(actor=a["researcher"], group=studio, account_id=a["teacher"].pk, origin=ORIGIN)
    plan = research_activity_create(
        actor=a["researcher"],
        group=studio,
        kind="plan",
        title="分数的初步认识",
        starts_at=timezone.now(),
        origin=ORIGIN,
    )
    research_plan_save(actor=a["teacher"], activity=plan, body="教学目标：认识几分之一")
    objects[("research", "studio")], objects[("research", "plan")] = studio, plan
    objects[("hours_report", "420112")], objects[("hours_report", "420102")] = "420112", "420102"
    objects[("search_terms", "dictionary")] = SearchTerm.objects.create(kind="synonym", forms="教案 教学设计")
    # 成长档案: a record with an evidence file per pupil, by a teacher of the class; A1 selected and in publicity
    for key, author in (("s1", "teacher"), ("s3", "head"), ("s5", "teacher_c")):
        record = growth.record_create(
            actor=a[author], student=r.students[key], origin=ORIGIN,
            data=growth.RecordInput(dimension="c5", title=f"{key}的植树活动", occurred_on=timezone.localdate()),
        )  # fmt: skip
        growth.evidence_add(actor=a[author], record=record, name="照片说明.txt", chunks=[b"planting"], origin=ORIGIN)
        objects[("growth", key)] = record
    review = growth.review_open(actor=a["principal"], school_class=r.classes["A1"], origin=ORIGIN)
    growth.selection_set(
        actor=a["student"], review=review, student=r.students["s1"], record_ids=[objects[("growth", "s1")].pk],
        origin=ORIGIN,
    )  # fmt: skip
    growth.review_publish(actor=a["principal"], review=review, origin=ORIGIN)
    growth.review_open(actor=a["teacher_c"], school_class=r.classes["C1"], origin=ORIGIN)
    for key in OBJECTS["growth_class"]:
        objects[("growth_class", key)] = r.classes[key]
    for key in OBJECTS["leave_class"]:
        objects[("leave_class", key)] = r.classes[key]
    teacher_partner = next(p for p in contact_partners(actor=a["parent"]) if p.account_id == a["teacher"].pk)
    objects[("thread", "s1")] = contact_thread_start(actor=a["parent"], partner=teacher_partner.value)

    # 体质健康: a round at A (s1, s3) and at C (s5), opened and imported by the school's 学校管理员
    term = Term.objects.filter(is_current=True).first() or Term.objects.first()
    for key, principal, pupils, klass in (("A", "principal", ("s1", "s3"), "A1"), ("C", "principal_c", ("s5",), "C1")):
        fitness = growth.fitness_session_create(
            actor=a[principal], school_id=r.schools[key].pk, term_id=term.pk, name="秋季体测", origin=ORIGIN
        )
        rows = "".join(f"{r.students[p].student_no},男,一年级,120,22,1300,10.6,11.0,87\n" for p in pupils)
        growth.fitness_results_import(
            actor=a[principal], session_id=fitness.pk, name="体测.csv", origin=ORIGIN,
            data=("学籍号,性别,年级,身高,体重,肺活量,50米跑,坐位体前屈,一分钟跳绳\n" + rows).encode(),
        )  # fmt: skip
        objects[("fitness", key)] = (fitness, r.classes[klass])
    for key in OBJECTS["fitness_pupil"]:
        objects[("fitness_pupil", key)] = r.students[key]
    objects[("fitness_district", "page")] = "page"
    # 健康档案: a check of s1 and a psychological screening of s1 by A's 心理教师
    s1 = r.students["s1"]
    HealthCheck.objects.create(
        student=s1, school=s1.school, school_class=s1.school_class, checked_on=date(2026, 9, 10), height_cm=128,
        vision_left=Decimal("4.8"), vision_right=Decimal("5.0"), se_left=Decimal("-1.00"), myopia=True,
        poor_vision=True,
    )  # fmt: skip
    psych_screening_add(
        actor=a["psych"], student_id=s1.pk, screened_on=date(2026, 10, 8), instrument="心理健康量表",
        score=Decimal("60"), level="watch", note="需要关注", origin=ORIGIN,
    )  # fmt: skip
    for key in OBJECTS["health_pupil"]:
        objects[("health_pupil", key)] = r.students[key]
    for key in OBJECTS["health_class"]:
        objects[("health_class", key)] = r.classes[key]
    lrs_app, _ = xapi_app_for_lrs(name="智慧作业")
    lrs_client = Credential(app=lrs_app, key="matrix", scopes=["xapi:write"])
    s1_statement = {
        "actor": {"name": str(r.students["s1"].person.name), "account": {"homePage": "urn:zhijiao:sub", "name": "s1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "http://zuoye.example.cn/homework/1"},
    }
    [statement_id] = xapi_statements_store(
        client=lrs_client,
        statements=[xapi_statement_prepare(client=lrs_client, statement=s1_statement, stored=timezone.now(), v2=True)],
        attachments={},
    )
    objects[("statement", "s1")] = statement_id
    for key in ("s1", "s3", "s5"):
        objects[("learning_records", key)] = r.students[key]
    # 学情报告: a district 数学 exam in each district, marked, with one estimate per pupil
    point = KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code").first()
    for code, bureau, pupils, school in (
        ("420112", "bureau", ("s1", "s3"), "A"),
        ("420102", "bureau_c", ("s5",), "C"),
    ):
        paper = objects[("paper", school)]
        exam = Assignment.objects.create(
            title=f"{code} 数学期中", kind="exam", mode="paper", paper=paper, stage="3", subject="14",
            division_id=code, opens_at=now, status="published", created_by=a[bureau],
        )  # fmt: skip
        for key in pupils:
            pupil = r.students[key]
            Submission.objects.create(
                assignment=exam, student=pupil, school_class_id=pupil.school_class_id, status="marked",
                score=8, max_score=10, marked_at=now,
            )  # fmt: skip
            Mastery.objects.update_or_create(  # the 学情 reports' exam (_diag_build) estimated the same point
                student=pupil, knowledge_point=point,
                defaults={"subject": "14", "estimate": 0.3, "uncertainty": 0.1, "model": "cdm", "fitted_at": now},
            )  # fmt: skip
        objects[("area_exam", code)] = (exam, r.schools[school], r.students[pupils[0]].school_class)
    for key in OBJECTS["child_report"]:
        objects[("child_report", key)] = r.students[key]
    objects[("area_reports", "home")] = "home"
    objects[("lrs_admin", "s1")] = Account.objects.get(person_id=r.students["s1"].person_id)
    # 网络学习空间: school A shows its public face, C does not
    school_page_save(
        actor=a["principal"], school=r.schools["A"], intro="百年老校", motto="", is_public=True, origin=ORIGIN
    )
    objects[("space_home", "self")] = "self"
    for key in OBJECTS["space_class"]:
        objects[("space_class", key)] = r.classes[key]
    for key in OBJECTS["space_pupil"]:
        objects[("space_pupil", key)] = r.students[key]
    objects[("space_school", "A")], objects[("space_school", "C")] = (r.schools["A"], True), (r.schools["C"], False)
    objects[("space_region", "420112")] = "420112"
    return objects


def _diag_build(r, objects: dict[tuple[str, str], Any]) -> None:
    """An exam sat by s1 (A1), s3 (A2) and s5 (C1), marked and diagnosed: the 学情 reports have figures."""
    school_a = r.schools["A"]
    one = objects[("item", "school_A")]
    point = KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code").first()
    one.knowledge_points.add(point)
    paper = Paper.objects.create(
        title="学情测验", stage="3", subject="14", author=one.author, owner_school=school_a,
        owner_division_id=school_a.division_id,
    )  # fmt: skip
    entry = PaperItem.objects.create(paper=paper, item=one, version=one.approved_version, order=0, points=3)
    exam = Assignment.objects.create(
        title="学情测验", kind="exam", paper=paper, stage="3", subject="14", division_id="4201",
        opens_at=timezone.now(), status="published", created_by=one.author,
    )  # fmt: skip
    for key in ("s1", "s3", "s5"):
        pupil = r.students[key]
        sub = Submission.objects.create(
            assignment=exam, student=pupil, school_class_id=pupil.school_class_id, status="marked", score=3,
            max_score=3,
        )  # fmt: skip
        sub.answers.create(entry=entry, response="T", score=3, auto=True)
    refit_assignment(exam.pk)
    for key in ("A1", "A2", "C1"):
        objects[("diag_class", key)] = (r.classes[key], exam)
    for key in ("s1", "s3", "s5"):
        objects[("diag_pupil", key)] = (r.students[key], point)


# ------------------------------------------------------------------ asking: one request per cell


@dataclass
class Cell:
    allowed: bool
    status: int
    reason: str = ""  # why the cell is a mismatch ("" when it matches)


@dataclass
class Matrix:
    cells: dict[tuple[str, str, str, str], Cell]
    seconds: float = 0.0

    def counts(self) -> Counter:
        c: Counter = Counter(cells=len(self.cells))
        for cell in self.cells.values():
            c["allowed" if cell.allowed else "denied"] += 1
            c["mismatches"] += bool(cell.reason)
        return c


def _pii(r) -> list[tuple[Person, str, str]]:
    """Every plain personal value in the region, present or past (from the change history): (person, field, value).
    A 学籍号 of the G form holds the ID number, so it needs no entry of its own."""
    fields = ("id_number", "phone", "address")
    values = []
    for person in Person.objects.all():
        for what in fields:
            value = getattr(person, what, "") or ""
            if len(value) >= 7:
                values.append((person, what, value))
    for change in ChangeRecord.objects.filter(field__in=fields, person__isnull=False).select_related("person"):
        for value in (change.old_value, change.new_value):
            if len(value) >= 7:
                values.append((change.person, change.field, value))
    return values


def _leaks(body: str, expect: Expect, pii: list[tuple[Person, str, str]]) -> list[str]:
    """Plain values in a response the role may not see unmasked (a value several people share counts as allowed
    when the role may see it for one of them)."""
    by_value: dict[str, list[tuple[Person, str]]] = {}
    for person, what, value in pii:
        by_value.setdefault(value, []).append((person, what))
    leaks = []
    for value, holders in by_value.items():
        if value in body and not any(expect.plain_allowed(p, w) for p, w in holders):
            leaks.append(f"{holders[0][1]} of {holders[0][0].name}")
    return leaks


def _listed(response, kind: str, pk: int) -> bool:
    """Is the record in a list or export answer? ``kind`` "*" for lists of one kind (no ``kind`` field to match)."""
    if response.status_code != 200:
        return False
    items = response.json().get("items", [])
    return any(item.get("id") == pk and kind in ("*", item.get("kind")) for item in items)


def _ask(client: Client, cache: dict[str, Any], url: str):
    if url not in cache:
        cache[url] = client.get(url)
    return cache[url]


def _run(r, objects) -> Matrix:
    pii = _pii(r)
    cells: dict[tuple[str, str, str, str], Cell] = {}
    for label, username in ROLES.items():
        account = Account.objects.get(username=username)
        expect = Expect.of(account)
        client = Client()
        login_as(client, account)
        cache: dict[str, Any] = {}
        for kind, keys in OBJECTS.items():
            for key in keys:
                obj = objects[(kind, key)]
                for channel in CHANNELS[kind]:
                    allowed, url, listed_as = _plan(expect, kind, obj, channel)
                    response = _ask(client, cache, url)
                    if listed_as:  # a list or an export: the record is in it or not
                        got = _listed(response, listed_as, obj.pk)
                        ok = got == allowed
                        reason = "" if ok else f"{'missing' if allowed else 'listed'} (HTTP {response.status_code})"
                    else:
                        status = response.status_code
                        # 401: the LRS (/xapi/) answers a request without an app's credential so
                        ok = status == 200 if allowed else status in (401, 403, 404)
                        reason = "" if ok else f"expected {'200' if allowed else '401/403/404'}, got {status}"
                    if response.status_code == 200 and not response.streaming:
                        content_type = response.get("Content-Type", "")
                        if "json" in content_type or "html" in content_type or "text" in content_type:
                            leaks = _leaks(response.content.decode(), expect, pii)
                            if leaks:
                                reason = (reason + "; " if reason else "") + "unmasked: " + ", ".join(leaks)
                    cells[(label, kind, key, channel)] = Cell(allowed, response.status_code, reason)
    return Matrix(cells)


def _plan(expect: Expect, kind: str, obj: Any, channel: str) -> tuple[bool, str, str]:
    """(allowed, url, list kind or "") for one cell."""
    registry: dict[str, tuple[Callable[[Any], bool], str, str]] = {
        "school": (expect.school, "/api/v1/schools/{pk}", "/schools/{pk}/"),
        "class": (expect.school_class, "/api/v1/classes/{pk}", "/classes/{pk}/"),
        "student": (expect.student, "/api/v1/students/{pk}", "/students/{pk}/"),
        "staff": (expect.staff, "/api/v1/staff/{pk}", "/staff/{pk}/"),
    }
    feed = {"school": "schools", "class": "classes", "student": "students", "staff": "staff"}
    if kind in registry:
        visible, api, page = registry[kind]
        if channel == "api":
            return visible(obj), api.format(pk=obj.pk), ""
        if channel == "page":
            return visible(obj), page.format(pk=obj.pk), ""
        # export: the exchange pull (data managers only), the record listed or not
        url = f"/api/v1/exchange/changes?kinds={feed[kind]}&limit=500"
        return expect.manages_data and visible(obj), url, feed[kind]
    if kind == "resource":
        urls = {
            "api": f"/api/v1/resources/{obj.pk}",
            "page": f"/resources/{obj.pk}/",
            "download": f"/resources/{obj.pk}/download/",
            "api-download": f"/api/v1/resources/{obj.pk}/download",
        }
        return expect.resource(obj), urls[channel], ""
    if kind == "analytics":
        code, school = obj
        url = f"/analytics/{code}/" if channel == "page" else f"/analytics/{code}/export/all.xlsx"
        return expect.analytics_node(code, school), url, ""
    if kind == "warning":
        if channel == "page":
            return expect.warning(obj), f"/analytics/warnings/{obj.pk}/", ""
        return expect.warning(obj), "/api/v1/analytics/warnings?limit=1000", "*"
    if kind == "batch":
        url = f"/intake/batches/{obj.pk}/" + ("report.xlsx" if channel == "download" else "")
        return expect.batch(obj), url, ""
    if kind == "account":
        return expect.account_page(obj), f"/accounts/admin/{obj.username}/", ""
    if kind == "app":
        return expect.app_page(), f"/apps/registry/{obj.pk}/", ""
    if kind == "statement":  # obj: the statement's id
        query = f"statementId={obj}" if channel == "lrs" else "verb=http://adlnet.gov/expapi/verbs/completed"
        return expect.lrs_statement(), f"/xapi/statements?{query}", ""
    if kind == "learning_records":  # obj: the Student
        url = f"/records/student/{obj.pk}/" + ("export/" if channel == "export" else "")
        return expect.learning_records(obj, channel), url, ""
    if kind == "lrs_admin":  # obj: the pupil's Account
        urls = {"home": "/lrs/", "browser": "/lrs/statements/", "export": f"/lrs/learners/{obj.pk}/export/"}
        # 三员分立: the 系统管理员 runs the apps and credentials (home); statements are the platform's to read
        return (expect.app_page() if channel == "home" else expect.who.platform), urls[channel], ""
    if kind == "curriculum":
        if channel == "page":
            return expect.curriculum_read(), f"/curriculum/?volume={obj.pk}", ""
        if channel == "api":
            return expect.curriculum_read(), f"/api/v1/curriculum/volumes/{obj.pk}/tree", ""
        return expect.curriculum_manage(), f"/curriculum/export/?edition={obj.edition_id}", ""
    if kind == "lottery":
        if channel == "stage":
            return expect.lottery_organise(obj.school), f"/services/lottery/{obj.pk}/stage/", ""
        return True, f"/services/lottery/public/{obj.pk}/", ""  # public: application numbers only
    if kind == "status_case":
        return expect.status_case(obj), f"/services/status/{obj.pk}/", ""
    if kind == "admission":
        if channel == "page":
            return expect.admission(obj), f"/services/admission/{obj.pk}/", ""
        if channel == "file":
            return expect.admission(obj), f"/services/admission/files/{obj.files.get().pk}/", ""
        return expect.admission_enrol(obj.school), f"/services/admission/enrol/{obj.school_id}/", ""
    if kind == "institution":
        if channel == "page":
            return expect.institution_manage(obj), f"/services/institutions/{obj.pk}/", ""
        if channel == "public":  # public: the registry's public facts, staff masked, no complaints
            return True, f"/services/institutions/public/{obj.pk}/", ""
        return True, "/services/institutions/public/export.json", ""
    if kind == "growth":
        if channel == "page":
            return expect.growth_page(obj.student), f"/growth/pupils/{obj.student_id}/", ""
        return expect.growth_record(obj), f"/growth/evidence/{obj.evidence.get().pk}/", ""
    if kind == "growth_class":
        return expect.growth_class(obj), f"/growth/classes/{obj.pk}/", ""
    if kind == "thread":
        return expect.thread(obj), f"/space/messages/{obj.pk}/", ""
    if kind == "leave_class":
        return expect.leave_class(obj), f"/space/leave/class/{obj.pk}/", ""
    if kind == "fitness":  # obj: (the round, its class)
        fitness, klass = obj
        if channel == "class":
            return expect.fitness_class(klass), f"/growth/fitness/sessions/{fitness.pk}/classes/{klass.pk}/", ""
        url = f"/growth/fitness/sessions/{fitness.pk}/" + ("export.xlsx" if channel == "export" else "")
        return expect.fitness_school(fitness.school), url, ""
    if kind == "fitness_pupil":
        return expect.fitness_pupil(obj), f"/growth/fitness/pupils/{obj.pk}/", ""
    if kind == "fitness_district":
        if channel == "area_import":
            return expect.fitness_area_import(), "/growth/fitness/area-import/", ""
        return expect.fitness_district(), "/growth/fitness/district/", ""
    if kind == "health_pupil":
        if channel == "psych":
            return expect.health_psych(obj), f"/growth/health/pupils/{obj.pk}/psych/", ""
        return expect.health_pupil(obj), f"/growth/health/pupils/{obj.pk}/", ""
    if kind == "health_class":
        return expect.health_class(obj), f"/growth/health/classes/{obj.pk}/", ""
    if kind == "notice":
        if channel == "page":
            return expect.notice_page(obj), f"/space/notices/{obj.pk}/", ""
        return expect.notice_recipient(obj), "/api/v1/notices?page_size=100", "*"
    if kind == "search_terms":
        return expect.search_terms(), "/resources/search-terms/", ""
    if kind == "research":
        path = "activities" if hasattr(obj, "group") else "groups"
        return expect.research(obj), f"/space/research/{path}/{obj.pk}/", ""
    if kind == "hours_report":
        return expect.hours_report(obj), f"/space/hours/report/?node=d:{obj}", ""
    if kind == "item":
        if channel == "page":
            return expect.item(obj), f"/learning/items/{obj.pk}/", ""
        if channel == "image":  # a picture of the item: whoever may see the item
            return expect.item(obj), f"/learning/items/images/{obj.images.get().pk}/", ""
        return expect.item_edit(obj), f"/learning/items/{obj.pk}/edit/", ""
    if kind == "paper":
        suffix = {"page": "", "export": "qti.zip"}.get(channel, f"{channel}/")
        return expect.paper(obj), f"/learning/papers/{obj.pk}/{suffix}", ""
    if kind == "homework":
        entry = obj.paper.entries.first()
        suffix = {"page": "", "mark": f"mark/{entry.pk}/", "import": "import/"}[channel]
        return expect.homework(obj), f"/learning/homework/{obj.pk}/{suffix}", ""
    if kind == "my_homework":
        return expect.my_homework(obj), f"/learning/my/homework/{obj.pk}/", ""
    if kind == "homework_pages":
        if channel == "my":
            return expect.who.has(Role.STUDENT), "/learning/my/homework/", ""
        return expect.leads(), {"list": "/learning/homework/", "new": "/learning/homework/new/",
                                "push": "/learning/homework/push/"}[channel], ""  # fmt: skip
    if kind == "diag_class":  # obj: (the class, the exam)
        klass, exam = obj
        suffix = "export.xlsx" if channel == "export" else ""
        return expect.diag_class(klass), f"/learning/reports/class/{klass.pk}/{suffix}?assignment={exam.pk}", ""
    if kind == "diag_pupil":  # obj: (the pupil, the knowledge point)
        pupil, point = obj
        suffix = f"why/{point.pk}/" if channel == "why" else ""
        return expect.diag_pupil(pupil), f"/learning/reports/student/{pupil.pk}/{suffix}", ""
    if kind == "item_bank":
        if channel == "list":
            return expect.item_bank(), "/learning/items/", ""
        if channel == "review":
            return expect.item_reviewer(), "/learning/items/review/", ""
        if channel == "papers":
            return expect.item_bank(), "/learning/papers/", ""
        if channel == "paper_auto":
            return expect.item_writer(), "/learning/papers/auto/", ""
        return expect.item_writer(), "/learning/items/import/", ""
    if kind == "area_exam":  # obj: (the exam, a school of its district, a class there)
        exam, school, klass = obj
        base = f"/learning/reports/assignments/{exam.pk}/"
        if channel.startswith("district"):
            url = base + "district/" + ("export.xlsx" if channel.endswith("export") else "")
            return expect.area_district(exam), url, ""
        if channel.startswith("school"):
            url = base + f"schools/{school.pk}/" + ("export.xlsx" if channel.endswith("export") else "")
            return expect.area_school(exam, school), url, ""
        return expect.area_class(school), base + f"classes/{klass.pk}/", ""
    if kind == "child_report":
        return expect.child_report(obj), f"/learning/reports/child/{obj.pk}/", ""
    if kind == "area_reports":
        return expect.area_home(), "/learning/reports/area/", ""
    if kind == "space_home":  # everyone signed in has a space (its content is theirs)
        return True, {"home": "/space/", "notices": "/space/notices/", "settings": "/space/settings/"}[channel], ""
    if kind == "space_class":
        return expect.class_space(obj), f"/space/class/{obj.pk}/", ""
    if kind == "space_pupil":
        return expect.pupil_space(obj), f"/space/pupils/{obj.pk}/", ""
    if kind == "space_school":  # obj: (school, whether it shows a public face)
        school, public = obj
        url = f"/space/school/{school.pk}/" + ("edit/" if channel == "edit" else "")
        return expect.school_space(school, channel, public), url, ""
    if kind == "space_region":  # public: schools and public notices, no personal data
        return True, f"/space/region/{obj}/", ""
    raise AssertionError(kind)


# ------------------------------------------------------------------ the test


@pytest.fixture(scope="module")
def matrix(request, django_db_setup, django_db_blocker, tmp_path_factory) -> Matrix:
    home = tmp_path_factory.mktemp("matrix")
    with (
        django_db_blocker.unblock(),
        override_settings(
            ZHIJIAO_MEDIA_DIR=home / "media",
            ZHIJIAO_SEARCH_DIR=home / "search",
            ZHIJIAO_WAREHOUSE_DIR=home / "warehouse",
            ZHIJIAO_WAREHOUSE_KEEP=0,
            HOME=home,
            PASSWORD_HASHERS=[
                "django.contrib.auth.hashers.MD5PasswordHasher",
                "zhijiao.identity.hashers.ClientSecretHasher",
            ],
        ),
        transaction.atomic(),
    ):
        engine().forget()
        started = time.perf_counter()
        try:
            region = build_matrix_region()
            result = _run(region, _objects_build(region))
            result.seconds = time.perf_counter() - started
        finally:
            engine().forget()
            transaction.set_rollback(True)
    request.config._zhijiao_access_matrix = result  # printed by tests/conftest.py
    return result


@pytest.mark.parametrize(("role", "kind", "key", "channel"), _cells())
def test_access_matrix(matrix, role, kind, key, channel):
    cell = matrix.cells[(role, kind, key, channel)]
    assert not cell.reason, f"{role} × {kind} {key} × {channel}: {cell.reason}"


def test_access_matrix_is_complete_and_balanced(matrix):
    counts = matrix.counts()
    assert counts["cells"] == sum(len(OBJECTS[k]) * len(CHANNELS[k]) for k in OBJECTS) * len(ROLES)
    # a matrix that allows everything or nothing proves little: both sides are well represented
    assert counts["allowed"] > 100 and counts["denied"] > 100
    # every role is allowed something and denied something
    for label in ROLES:
        seen = {c.allowed for (r, *_), c in matrix.cells.items() if r == label}
        assert True in seen or label in ("安全管理员", "审计管理员"), label  # these two read nothing here
        assert False in seen or label == "平台管理员", label
