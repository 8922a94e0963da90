from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from zhijiao.core.errors import ZhijiaoError
from zhijiao.people.models import ChangeRecord, Enrolment, Person, Student
from zhijiao.people.services import person_create, person_update, student_enroll, student_transfer

pytestmark = pytest.mark.django_db


def test_transfer_keeps_history(region):
    s1 = region.students["s1"]
    actor = region.accounts["principal"]
    student_transfer(actor=actor, student=s1, to_class=region.classes["B1"], on=date(2026, 10, 8), reason="转学")
    rows = list(Enrolment.objects.filter(student=s1).order_by("started_on"))
    assert [(r.school_class_id, r.ended_on) for r in rows] == [
        (region.classes["A1"].pk, date(2026, 10, 8)),
        (region.classes["B1"].pk, None),
    ]
    s1.refresh_from_db()
    assert s1.school_id == region.schools["B"].pk and s1.school_class_id == region.classes["B1"].pk
    change = ChangeRecord.objects.get(entity="student", entity_id=s1.pk)
    assert change.actor == actor and change.field == "school_class"


def test_transfer_to_same_class_is_refused(region):
    with pytest.raises(ZhijiaoError) as err:
        student_transfer(actor=None, student=region.students["s1"], to_class=region.classes["A1"], on=date(2026, 10, 8))
    assert err.value.code == "PEOPLE_SAME_CLASS"


def test_database_allows_one_active_enrolment_only(region):
    s1 = region.students["s1"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            student=s1, school=s1.school, school_class=region.classes["A2"], started_on=date(2026, 9, 1)
        )


def test_person_update_records_old_and_new(region):
    person = region.persons["s2"]
    changes = person_update(actor=region.accounts["principal"], person=person, phone="138 0013 8000", name="学生s2")
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [("phone", "13712345678", "13800138000")]
    assert Person.objects.get(pk=person.pk).phone == "13800138000"


def test_duplicate_id_number_is_refused_with_a_clear_message(region):
    with pytest.raises(ZhijiaoError) as err:
        person_create(name="重复", id_number=region.persons["s1"].id_number.lower())
    assert err.value.code == "PEOPLE_ID_NUMBER_TAKEN"
    assert "身份证件号" in err.value.message


def test_bad_id_number_is_refused(region):
    number = region.persons["s1"].id_number
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ZhijiaoError) as err:
        person_create(name="某人", id_number=bad)
    assert err.value.code == "CORE_ID_CHECKSUM"


def test_student_number_must_be_unique(region):
    other = person_create(name="新生", sex="1", birth_date=date(2018, 1, 1))
    with pytest.raises(ZhijiaoError) as err:
        student_enroll(
            actor=None,
            person=other,
            student_no=region.students["s1"].student_no,
            school_class=region.classes["A1"],
            on=date(2026, 9, 1),
        )
    assert err.value.code == "PEOPLE_STUDENT_NO_TAKEN"
    assert not Student.objects.filter(person=other).exists()
