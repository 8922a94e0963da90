"""The registry API's fast request path answers exactly as the scoped querysets do (issue 13, item 7).

Details fetch their row by id and ask the scope's predicates; lists read plain values through compiled queries and
a cached count. These tests hold them to the filters and schemas they replace, on every account of the matrix
region, and show that revoking a token, deactivating an account or removing a grant is refused on the very next
request (nothing about the caller is kept between requests), and that a registry write shows in the next count.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhijiao.access.models import RoleGrant
from zhijiao.access.scope import Scope
from zhijiao.core.listing import COUNTS
from zhijiao.identity.models import Account, ApiToken
from zhijiao.identity.services import api_token_create
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import Staff, Student
from zhijiao.people.services import student_transfer
from zhijiao.registry.api_org import ClassOut, SchoolOut
from zhijiao.registry.api_people import StaffOut, StudentOut
from zhijiao.registry.selectors import org as org_selectors
from zhijiao.registry.selectors import people as people_selectors
from zhijiao.testing import build_matrix_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(db):
    return build_matrix_region()


def _scope(account: Account) -> Scope:
    from zhijiao.access.scope import scope_for

    return scope_for(Account.objects.get(pk=account.pk))  # a fresh account object: a fresh scope


def test_scope_predicates_agree_with_the_filters(matrix):
    students = list(Student.objects.select_related("school"))
    staff = list(Staff.objects.select_related("school", "bureau"))
    schools = list(School.objects.all())
    assert students and staff and schools
    for username, account in matrix.accounts.items():
        scope = _scope(account)
        in_q = set(Student.objects.filter(scope.students_q()).values_list("pk", flat=True))
        ids_q = set(Student.objects.filter(scope.students_ids_q()).values_list("pk", flat=True))
        contact_q = set(Student.objects.filter(scope.students_contact_q()).values_list("pk", flat=True))
        for s in students:
            assert scope.sees_student(s) == (s.pk in in_q), (username, s.pk)
            assert scope.student_ids_unmasked(s) == (s.pk in ids_q), (username, s.pk)
            # as a profile asks: the ID-number rule first, then the contact rule
            assert scope.student_contact_unmasked(s) == (s.pk in ids_q or s.pk in contact_q), (username, s.pk)
        staff_q = set(Staff.objects.filter(scope.staff_q()).values_list("pk", flat=True))
        pii_q = set(Staff.objects.filter(scope.staff_pii_q()).values_list("pk", flat=True))
        for m in staff:
            assert scope.sees_staff(m) == (m.pk in staff_q), (username, m.pk)
            assert scope.staff_pii_unmasked(m) == (m.pk in pii_q), (username, m.pk)
        schools_q = set(School.objects.filter(scope.schools_q()).values_list("pk", flat=True))
        for school in schools:
            assert scope.sees_school(school) == (school.pk in schools_q), (username, school.pk)


def _listing_rows(listing) -> list[dict]:
    return listing.rows(offset=0, limit=10_000)


def test_list_rows_and_counts_agree_with_the_querysets(matrix):
    for username, account in matrix.accounts.items():
        actor = Account.objects.get(pk=account.pk)
        cases = [
            (
                people_selectors.student_listing(actor=actor),
                people_selectors.student_list(actor=actor),
                StudentOut,
            ),
            (
                people_selectors.student_listing(actor=actor, school_id=matrix.schools["A"].pk, search="学生"),
                people_selectors.student_list(actor=actor, school_id=matrix.schools["A"].pk, search="学生"),
                StudentOut,
            ),
            (
                people_selectors.student_listing(actor=actor, class_id=matrix.classes["A1"].pk),
                people_selectors.student_list(actor=actor, class_id=matrix.classes["A1"].pk),
                StudentOut,
            ),
            (people_selectors.staff_listing(actor=actor), people_selectors.staff_list(actor=actor), StaffOut),
            (
                people_selectors.staff_listing(actor=actor, school_id=matrix.schools["A"].pk, category="11"),
                people_selectors.staff_list(actor=actor, school_id=matrix.schools["A"].pk, category="11"),
                StaffOut,
            ),
            (org_selectors.school_listing(actor=actor), org_selectors.school_list(actor=actor), SchoolOut),
            (
                org_selectors.school_listing(actor=actor, division="420112", school_type="211"),
                org_selectors.school_list(actor=actor, division="420112", school_type="211"),
                SchoolOut,
            ),
            (org_selectors.class_listing(actor=actor), org_selectors.class_list(actor=actor), ClassOut),
            (
                org_selectors.class_listing(actor=actor, school=matrix.schools["A"]),
                org_selectors.class_list(actor=actor, school=matrix.schools["A"]),
                ClassOut,
            ),
        ]
        for listing, queryset, schema in cases:
            expected = [schema.from_orm(o).model_dump() for o in queryset]
            rows = [schema.model_validate(r).model_dump() for r in _listing_rows(listing)]
            assert rows == expected, (username, schema.__name__)
            assert listing.count() == queryset.count() == len(expected), (username, schema.__name__)
            assert listing.rows(offset=1, limit=2) == _listing_rows(listing)[1:3]


def test_detail_rows_agree_with_the_schemas(matrix):
    for student in Student.objects.select_related("person", "school", "school_class__grade"):
        assert people_selectors.student_row_of(student) == StudentOut.from_orm(student).model_dump()
    for member in Staff.objects.select_related("person", "school", "bureau"):
        assert people_selectors.staff_row_of(member) == StaffOut.from_orm(member).model_dump()


def _bearer(account: Account) -> tuple[Client, ApiToken]:
    token, raw = api_token_create(account=account, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), token


def test_a_revoked_token_is_refused_on_the_next_request(matrix):
    client, token = _bearer(matrix.accounts["principal"])
    assert client.get("/api/v1/students").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get("/api/v1/students").status_code == 401


def test_a_deactivated_account_is_refused_on_the_next_request(matrix):
    client, _ = _bearer(matrix.accounts["principal"])
    assert client.get("/api/v1/students").status_code == 200
    Account.objects.filter(pk=matrix.accounts["principal"].pk).update(is_active=False)
    assert client.get("/api/v1/students").status_code == 401


def test_a_removed_grant_takes_effect_on_the_next_request(matrix):
    principal = matrix.accounts["principal"]
    client, _ = _bearer(principal)
    s1 = matrix.students["s1"]
    assert client.get(f"/api/v1/students/{s1.pk}").json()["masked"] is False
    assert client.get("/api/v1/students").json()["count"] > 0
    RoleGrant.objects.filter(account=principal).delete()
    assert client.get(f"/api/v1/students/{s1.pk}").status_code == 404
    assert client.get("/api/v1/students").json() == {"items": [], "count": 0}


def test_a_changed_grant_changes_what_the_next_request_unmasks(matrix):
    principal = matrix.accounts["principal"]
    client, _ = _bearer(principal)
    s1 = matrix.students["s1"]
    assert client.get(f"/api/v1/students/{s1.pk}").json()["masked"] is False
    # from the school's administrator to the district's inspector: still sees the pupil, no longer unmasked
    RoleGrant.objects.filter(account=principal).update(role="inspector", school=None, division_id="420112")
    assert client.get(f"/api/v1/students/{s1.pk}").json()["masked"] is True


def test_a_registry_write_shows_in_the_next_count(matrix):
    client, _ = _bearer(matrix.accounts["principal"])
    school_a = matrix.schools["A"]
    before = client.get("/api/v1/students").json()["count"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/students").json()["count"] == before
    assert not any("COUNT(" in q["sql"] for q in queries.captured_queries), "the count should come from the cache"
    moved = Student.objects.filter(school=school_a).first()
    assert moved is not None
    student_transfer(
        actor=None, student=moved, to_class=SchoolClass.objects.get(pk=matrix.classes["C1"].pk), on=date(2026, 10, 1)
    )
    assert client.get("/api/v1/students").json()["count"] == before - 1


def test_the_count_cache_is_keyed_by_scope_and_filters(matrix):
    COUNTS.clear()
    principal = Account.objects.get(pk=matrix.accounts["principal"].pk)
    teacher = Account.objects.get(pk=matrix.accounts["teacher"].pk)
    a = people_selectors.student_listing(actor=principal).count()
    b = people_selectors.student_listing(actor=teacher).count()
    c = people_selectors.student_listing(actor=principal, class_id=matrix.classes["A1"].pk).count()
    assert (a, b, c) == (
        people_selectors.student_list(actor=principal).count(),
        people_selectors.student_list(actor=teacher).count(),
        people_selectors.student_list(actor=principal, class_id=matrix.classes["A1"].pk).count(),
    )


def test_a_detail_takes_a_few_queries(matrix):
    client, _ = _bearer(matrix.accounts["principal"])
    s1 = matrix.students["s1"]
    client.get(f"/api/v1/students/{s1.pk}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/students/{s1.pk}").status_code == 200
    # token, grants, the student, the guardians, and the audit append (lock the head, insert, seal, move the head)
    reads = [
        q
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in q["sql"]  # PostgreSQL's head lock
    ]
    assert len(reads) <= 4, [q["sql"][:120] for q in reads]
