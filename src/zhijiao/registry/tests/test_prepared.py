"""``zhijiao.core.prepared``: a queryset compiled once gives the rows the queryset gives, for any parameter values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhijiao.core.prepared import Prepared, PreparedCache
from zhijiao.people.models import Student

pytestmark = pytest.mark.django_db

BY_ID: Prepared[Student] = Prepared(
    lambda pk: Student.objects.filter(pk=pk).select_related("person", "school", "school_class__grade")[:1], pk=int
)
BY_SCHOOL = Prepared(
    lambda school_id, status: (
        Student.objects.filter(school_id=school_id, status=status)
        .order_by("student_no")
        .values_list("student_no", "person__name", "person__birth_date")
    ),
    paged=True,
    school_id=int,
    status=str,
)
COUNT_BY_SCHOOL = Prepared(lambda school_id: Student.objects.filter(school_id=school_id), counting=True, school_id=int)


def test_model_rows_with_their_related_objects(region):
    for student in Student.objects.select_related("person", "school", "school_class__grade"):
        got = BY_ID.first(pk=student.pk)
        assert got == student
        assert got.person.name == student.person.name and got.person.birth_date == student.person.birth_date
        assert got.school.code == student.school.code
        assert got.school_class.grade.entry_year == student.school_class.grade.entry_year
        with CaptureQueriesContext(connection) as queries:
            got.person, got.school, got.school_class.grade  # noqa: B018  # fetched with the row
        assert len(queries) == 0
    assert BY_ID.first(pk=10**12) is None


def test_values_paged_and_counted(region):
    school = region.schools["A"]
    expected = list(
        Student.objects.filter(school_id=school.pk, status="01")
        .order_by("student_no")
        .values_list("student_no", "person__name", "person__birth_date")
    )
    assert len(expected) >= 2
    assert BY_SCHOOL.rows(school_id=school.pk, status="01", limit=100, offset=0) == expected
    assert BY_SCHOOL.rows(school_id=school.pk, status="01", limit=1, offset=1) == expected[1:2]
    assert BY_SCHOOL.rows(school_id=school.pk, status="99", limit=100, offset=0) == []
    for s in region.schools.values():
        assert COUNT_BY_SCHOOL.rows(school_id=s.pk) == [(Student.objects.filter(school_id=s.pk).count(),)]


def test_parameters_are_checked():
    with pytest.raises(TypeError):
        BY_ID.first(pk="1")
    with pytest.raises(TypeError):
        BY_ID.first(pk=True)
    with pytest.raises(TypeError):
        BY_ID.first(id=1)
    with pytest.raises(TypeError):
        Prepared(lambda pk: Student.objects.filter(pk__in=pk), pk=list)


def test_a_filter_that_matches_nothing_runs_no_query(db):
    nothing = Prepared(lambda pk: Student.objects.filter(pk__in=[]).filter(pk=pk), pk=int)
    counted = Prepared(lambda pk: Student.objects.filter(pk__in=[]).filter(pk=pk), counting=True, pk=int)
    with CaptureQueriesContext(connection) as queries:
        assert nothing.all(pk=1) == []
        assert counted.rows(pk=1) == [(0,)]
    assert len(queries) == 0


def test_a_parameter_the_query_does_not_use_is_an_error(db):
    with pytest.raises(ValueError, match="not found"):
        Prepared(lambda pk: Student.objects.filter(student_no__contains=str(pk)), pk=int).all(pk=1)


def test_the_cache_keeps_the_latest(db):
    cache = PreparedCache(size=2)
    first = cache.get("a", lambda pk: Student.objects.filter(pk=pk), {"pk": int})
    assert cache.get("a", lambda pk: Student.objects.none(), {"pk": int}) is first
    cache.get("b", lambda pk: Student.objects.filter(pk=pk), {"pk": int})
    cache.get("c", lambda pk: Student.objects.filter(pk=pk), {"pk": int})
    assert cache.get("a", lambda pk: Student.objects.filter(pk=pk), {"pk": int}) is not first
