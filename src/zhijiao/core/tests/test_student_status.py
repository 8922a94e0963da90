"""学生当前状态 is stated once (core.student_status): the codes match the national table, and provisioning, the
class sizes of the registry pages, the analytics snapshot, the data-quality check and the import all count the
same pupils on the roll — 在读 and 复学, never 休学 or 退学 (issue 13)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.db import connection

from zhijiao.analytics.selectors import metric_rows, node_figures
from zhijiao.analytics.services import snapshot_take
from zhijiao.core.codes import code_table
from zhijiao.core.student_status import (
    STUDYING,
    STUDYING_CODES,
    StudentStatus,
    is_studying,
    studying_q,
    studying_sql,
)
from zhijiao.identity.activation import activation_pending
from zhijiao.identity.models import Account
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.people.models import Student
from zhijiao.registry.selectors.org import class_rows, region_view, school_facts
from zhijiao.registry.selectors.people import student_list


def test_the_enum_is_the_national_code_table():
    assert {(s.value, s.label) for s in StudentStatus} == {(c.code, c.name) for c in code_table("student_status")}
    assert StudentStatus.IN_SCHOOL == "01" and StudentStatus.IN_SCHOOL.label == "在读"
    assert StudentStatus.RESUMED == "05" and StudentStatus.RESUMED.label == "复学"


def test_the_studying_rule_is_attending_pupils_only():
    assert STUDYING == {"01", "05"} == set(STUDYING_CODES)
    assert [s.value for s in StudentStatus if is_studying(s)] == ["01", "05"]
    assert not is_studying(None) and not is_studying("")
    # the same rule in SQL text and in a Polars expression
    assert studying_sql("s.status") == "s.status IN ('01', '05')"
    frame = pl.DataFrame({"status": [s.value for s in StudentStatus]})
    assert frame.filter(pl.col("status").is_in(STUDYING_CODES))["status"].to_list() == ["01", "05"]


@pytest.mark.django_db
def test_studying_sql_and_q_select_the_same_rows(region):
    set_status(region, s1="05", s2="02", s3="03")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM people_student WHERE {studying_sql('status')}")
        by_sql = {row[0] for row in cursor.fetchall()}
    assert by_sql == set(Student.objects.filter(studying_q()).values_list("pk", flat=True))
    assert by_sql == {region.students[k].pk for k in ("s1", "s4", "s5")}


def set_status(region, **statuses: str) -> None:
    for key, status in statuses.items():
        Student.objects.filter(pk=region.students[key].pk).update(status=status)


@pytest.mark.django_db
def test_provisioning_class_sizes_and_analytics_agree_on_who_is_on_the_roll(region):
    # class A1 holds s1 and s2, A2 holds s3 (school A); s2 is back from 休学 (复学), s1 is on 休学, s3 left (退学)
    set_status(region, s1=StudentStatus.SUSPENDED, s2=StudentStatus.RESUMED, s3=StudentStatus.WITHDRAWN)
    bureau, principal = region.accounts["bureau"], region.accounts["principal"]
    school, a1, a2 = region.schools["A"], region.classes["A1"], region.classes["A2"]

    # provisioning: the 复学 pupil gets a live account, the 休学 pupil's account closes
    accounts_sync(actor=None)
    live = dict(Account.objects.filter(person__student__school=school).values_list("person__student__pk", "is_active"))
    assert live == {region.students["s1"].pk: False, region.students["s2"].pk: True}  # 退学 s3 gets none

    # registry pages: class sizes, the school's facts, the region view, the default student list
    sizes = {row.school_class.pk: row.students for row in class_rows(actor=bureau, school=school)}
    assert sizes == {a1.pk: 1, a2.pk: 0}
    assert school_facts(actor=bureau, school=school).students == 1
    assert {n.code: n.students for n in region_view(actor=bureau, code="420112").children}[school.code] == 1
    assert set(student_list(actor=principal).values_list("pk", flat=True)) == {region.students["s2"].pk}

    # analytics: the snapshot's headcount and class sizes
    snapshot_take(day=date(2026, 11, 20))
    assert node_figures(actor=bureau, node=school.code)["students"] == 1
    rows = metric_rows(actor=bureau, metric="class_sizes", node=school.code)["rows"]
    assert {r["class_id"]: r["size"] for r in rows} == {a1.pk: 1, a2.pk: 0}

    # account activation slips list the pupils on the roll only
    assert [s.name for s in activation_pending(actor=principal, school=school) if s.identity == "学生"] == ["学生s2"]
