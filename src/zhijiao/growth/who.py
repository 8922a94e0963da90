"""Who a pupil is to the acting account, for growth records: one place that answers it from the access layer.

The relations (``Relation``) decide what the growth pages and services allow (``docs/growth.md`` has the table):

* ``self`` (the pupil), ``guardian``, ``head`` (班主任 of the pupil's current class), ``school`` (学校管理员 of the
  pupil's current school, a 区域管理员 above it, the platform administrator): every record of the pupil;
* ``teacher`` (teaches the pupil's class this term): the records they wrote, and the class's published selections;
* ``classmate_guardian`` (a guardian of another pupil of the class): the published selections while the class's
  publicity runs, nothing else;
* nothing: NotFound.

Everything is keyed to the pupil's *current* class and school, so the archive follows a transferred pupil: the new
school sees it, the old one no longer does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.people.models import Guardianship, Student


class Relation(StrEnum):
    SELF = "self"
    GUARDIAN = "guardian"
    HEAD = "head"
    SCHOOL = "school"
    TEACHER = "teacher"
    CLASSMATE_GUARDIAN = "classmate_guardian"


FULL = frozenset({Relation.SELF, Relation.GUARDIAN, Relation.HEAD, Relation.SCHOOL})
# who runs the class's process (publish, answer objections, levels, comments)
CLASS_LEADERS = frozenset({Relation.HEAD, Relation.SCHOOL})


def is_head_of(actor: Actor, class_id: int) -> bool:
    return class_id in scope_for(actor).class_ids(Role.HEAD_TEACHER)


def manages_class_school(actor: Actor, student_or_class: Any) -> bool:
    """学校管理员 of the school, a 区域管理员 above it, or the platform administrator."""
    school = student_or_class.school
    return scope_for(actor).manages_school(school_id=school.pk, division_code=school.division_id)


def guarded_ids(actor: Actor) -> set[int]:
    scope = scope_for(actor)
    if not scope.has(Role.PARENT) or scope.person_id < 0:
        return set()
    return set(Guardianship.objects.filter(guardian_id=scope.person_id).values_list("student_id", flat=True))


def guarded_class_ids(actor: Actor) -> set[int]:
    ids = guarded_ids(actor)
    if not ids:
        return set()
    return set(Student.objects.filter(pk__in=ids, school_class__isnull=False).values_list("school_class_id", flat=True))


def relations(actor: Actor, student: Student) -> set[Relation]:
    """Every relation the account has to the pupil (``student.school`` should be fetched with it)."""
    scope = scope_for(actor)
    found: set[Relation] = set()
    if not getattr(actor, "is_authenticated", False):
        return found
    if scope.has(Role.STUDENT) and student.person_id == scope.person_id:
        found.add(Relation.SELF)
    kids = guarded_ids(actor)
    if student.pk in kids:
        found.add(Relation.GUARDIAN)
    if manages_class_school(actor, student):
        found.add(Relation.SCHOOL)
    class_id = student.school_class_id
    if class_id is not None:
        if is_head_of(actor, class_id):
            found.add(Relation.HEAD)
        if scope.leads_class(class_id):
            found.add(Relation.TEACHER)
        if class_id in guarded_class_ids(actor) and Relation.GUARDIAN not in found:
            found.add(Relation.CLASSMATE_GUARDIAN)
    return found


def class_relations(actor: Actor, school_class: object) -> set[Relation]:
    """The account's relation to a class as a whole: head, school, teacher, classmate_guardian (a guardian of one
    of its pupils)."""
    found: set[Relation] = set()
    if not getattr(actor, "is_authenticated", False):
        return found
    class_id = school_class.pk  # type: ignore[attr-defined]
    if is_head_of(actor, class_id):
        found.add(Relation.HEAD)
    if manages_class_school(actor, school_class):
        found.add(Relation.SCHOOL)
    if scope_for(actor).leads_class(class_id):
        found.add(Relation.TEACHER)
    if class_id in guarded_class_ids(actor):
        found.add(Relation.CLASSMATE_GUARDIAN)
    return found
