"""The Scope's filters are cheap: concrete ids and prefixes, worked out once per request, each filter built once."""

from __future__ import annotations

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhijiao.access.scope import scope_for
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Staff, Student

pytestmark = pytest.mark.django_db

USERS = ["bureau", "city", "inspector", "principal", "head", "teacher", "student", "parent", "nobody"]


@pytest.mark.parametrize("username", USERS)
def test_filters_hold_no_subqueries(region, username):
    scope = scope_for(Account.objects.get(username=username))
    for model, q in [
        (Student, scope.students_q()),
        (Student, scope.students_ids_q()),
        (Student, scope.students_contact_q()),
        (SchoolClass, scope.classes_q()),
        (Staff, scope.staff_q()),
        (Staff, scope.staff_pii_q()),
    ]:
        try:
            sql = str(model.objects.filter(q).query)
        except EmptyResultSet:
            continue  # matches nothing: no query is run at all
        assert sql.count("SELECT") <= 1, (username, model.__name__, sql)


@pytest.mark.parametrize("username", USERS)
def test_values_worked_out_once_per_scope(region, username):
    scope = scope_for(Account.objects.get(username=username))
    scope.students_q(), scope.classes_q(), scope.staff_q(), scope.schools_q()  # warm
    with CaptureQueriesContext(connection) as queries:
        for _ in range(10):
            assert scope.students_q() is scope.students_q()
            scope.classes_q(), scope.staff_q(), scope.schools_q(), scope.students_ids_q()
    assert len(queries) == 0


def test_a_teacher_sees_the_classes_taught(region):
    teacher = Account.objects.get(username="teacher")
    scope = scope_for(teacher)
    with CaptureQueriesContext(connection) as queries:
        seen = set(Student.objects.filter(scope.students_q()).values_list("school_class_id", flat=True))
    assert len(queries) == 2  # the classes taught this term, then the students
    assert seen and seen <= set(scope._taught_class_ids)


def test_leads_class(region):
    """Taught this term, or 班主任 of it: the classes a teacher may address (spaces' notices)."""
    a1, a2, b1 = (region.classes[k].pk for k in ("A1", "A2", "B1"))
    teacher, head, principal = (scope_for(Account.objects.get(username=u)) for u in ("teacher", "head", "principal"))
    assert teacher.led_class_ids() == [a1] and teacher.leads_class(a1) and not teacher.leads_class(a2)
    assert head.leads_class(a2) and not head.leads_class(b1)
    assert principal.led_class_ids() == []  # a school administrator administers, but leads no class
