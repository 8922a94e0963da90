"""The import templates' sample rows pass the rules they teach."""

from __future__ import annotations

import pytest

from zhijiao.core.validators import validate_id_number, validate_mobile, validate_school_code, validate_student_no
from zhijiao.intake.models import QuarantineRow
from zhijiao.intake.report import template_write
from zhijiao.intake.spec import SPECS, FieldType
from zhijiao.intake.tests.test_pipeline import assert_sums, run
from zhijiao.people.models import Student

VALIDATORS = {
    FieldType.ID_NUMBER: validate_id_number,
    FieldType.STUDENT_NO: validate_student_no,
    FieldType.MOBILE: validate_mobile,
    FieldType.SCHOOL_CODE: validate_school_code,
}


@pytest.mark.parametrize("kind", list(SPECS))
def test_every_template_example_validates(kind):
    for f in SPECS[kind].fields:
        if f.type in VALIDATORS and f.example:
            VALIDATORS[f.type](f.example, field=f.header)  # raises ZhijiaoError on a bad sample


@pytest.mark.django_db
def test_the_students_template_imports_its_sample_row_cleanly(region, settings, tmp_path):
    settings.HOME = tmp_path
    batch = run(template_write("students", tmp_path / "学生导入模板.xlsx"))
    assert_sums(batch)
    assert batch.created == 1, list(QuarantineRow.objects.filter(batch=batch).values_list("issues", flat=True))
    assert batch.warnings == 0
    assert Student.objects.get(person__name="张三").person.id_number == SPECS["students"].field("id_number").example
