from __future__ import annotations

from datetime import date

import pytest

from zhijiao.people.models import Person, Student
from zhijiao.people.services import guardianship_add, person_create, student_enroll
from zhijiao.testing import make_id


@pytest.fixture
def school_a(region):
    """School A of the test region with four students whose every measured field is filled and valid.

    s1, s2, s3 come from the test region; a fourth joins A1. Every one gets 就读方式, 户口所在地 and a guardian
    with a phone, so each measured cell is filled and each check passes until a test spoils one.
    """
    born = date(2018, 7, 7)
    p = person_create(
        name="学生s6", sex="2", birth_date=born, ethnicity="01", id_number=make_id("420112", born, 77, "2")
    )
    region.students["s6"] = student_enroll(
        actor=None, person=p, student_no=f"G{p.id_number}", school_class=region.classes["A1"], on=date(2024, 9, 1)
    )
    school = region.schools["A"]
    Student.objects.filter(school=school).update(study_mode="1", hukou_place="湖北省武汉市东西湖区")
    mother = region.persons["parent"]
    for key in ("s2", "s3", "s6"):
        guardianship_add(actor=None, guardian=mother, student=region.students[key], relation="52")
    assert Student.objects.filter(school=school, status="01").count() == 4
    assert Person.objects.filter(student__school=school, ethnicity="").count() == 0
    return school
