"""健康档案 (decision 0055): the 筛查性近视 rule at its boundaries, vision in both notations, the class entry and
the file import (every row accounted for, nothing stored on a bad row), and every access rule of the health file
and the psychological screenings (only the school's 心理教师 and the pupil's guardians; every read audited)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound
from zhijiao.growth import health
from zhijiao.growth.models import HealthCheck, PsychScreening
from zhijiao.identity.services import account_create, role_grant
from zhijiao.testing import PASSWORD, login_as

CLI = Origin(channel="cli")
D = Decimal


# ------------------------------------------------------------------------------------------ the rule
@pytest.mark.parametrize(
    ("vision", "se", "glasses", "age", "expected"),
    [
        ((D("5.0"), D("5.0")), (None, None), False, 9, (False, False)),  # 5.0 is normal: not below the cut-off
        ((D("4.9"), D("5.0")), (D("-0.50"), None), False, 9, (True, True)),  # SE −0.50 is "≤ −0.50"
        ((D("4.9"), D("5.0")), (D("-0.25"), None), False, 9, (False, True)),  # poor vision, not myopic
        ((D("4.9"), D("5.0")), (None, None), False, 9, (None, True)),  # no refraction: undecided, 视力不良
        ((D("5.0"), D("5.1")), (D("-1.00"), D("-1.00")), False, 9, (False, False)),  # SE alone is not enough
        ((D("5.0"), D("4.8")), (D("0.00"), D("-0.75")), False, 9, (True, True)),  # the eye below 5.0 decides
        ((D("5.1"), D("5.1")), (None, None), True, 9, (True, False)),  # myopia glasses: counted as myopic
        ((D("4.8"), D("4.8")), (D("-1.00"), D("-1.00")), False, 5, (None, True)),  # under 6: the rule does not apply
        ((None, None), (None, None), False, 9, (None, None)),  # nothing measured
    ],
)
def test_myopia_rule(vision, se, glasses, age, expected):
    assert health.myopia(vision=vision, se=se, glasses=glasses, age=age) == expected


@pytest.mark.parametrize(
    ("text", "five"),
    [("5.0", "5.0"), ("4.0", "4.0"), ("5.3", "5.3"), ("1.0", "5.0"), ("0.5", "4.7"), ("0.1", "4.0"), ("1.5", "5.2")],
)
def test_vision_both_notations(text, five):
    assert health.vision_five(text) == D(five)


@pytest.mark.parametrize("text", ["5.4", "2.5", "0.05", "3.2x"])
def test_vision_out_of_range(text):
    with pytest.raises(Exception):  # noqa: B017  (ValueError or InvalidOperation: both are rejected rows)
        health.vision_five(text)


def test_age_on_birthday():
    assert health.age_on(date(2018, 3, 2), date(2024, 3, 1)) == 5
    assert health.age_on(date(2018, 3, 2), date(2024, 3, 2)) == 6


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture
def hregion(region):
    """The test region with a 心理教师 (``psych``, also a 教师 of school A) and 王老师 as 班主任 of A1."""
    psych = account_create(username="psych", password=PASSWORD, display_name="周老师")
    role_grant(account=psych, role=Role.PSYCH_TEACHER, school=region.schools["A"])
    role_grant(account=psych, role=Role.TEACHER, school=region.schools["A"])
    region.accounts["psych"] = psych
    role_grant(account=region.accounts["teacher"], role=Role.HEAD_TEACHER, school_class=region.classes["A1"])
    return region


def _client(region, who: str) -> Client:
    client = Client()
    login_as(client, region.accounts[who])
    return client


HEADER = [
    "学籍号", "检查日期", "身高(cm)", "体重", "左眼视力", "右眼视力", "左眼等效球镜", "右眼等效球镜", "戴镜", "龋齿",
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode()


# ------------------------------------------------------------------------------------------ writes
@pytest.mark.django_db
def test_import_bad_rows_store_nothing_and_are_named(hregion):
    s1, s2, s3 = (hregion.students[k] for k in ("s1", "s2", "s3"))
    data = _csv(
        [
            [s1.student_no, "2026-09-10", "128.5", "26", "4.8", "4.9", "-1.00", "-0.75", "否", "1"],
            [s2.student_no, "2026-09-40", "500", "26", "6.1", "5.0", "", "", "也许", "x"],
            [s3.student_no, "2026-09-10", "130", "27", "5.0", "5.0", "", "", "否", "0"],  # A2: not this class
        ]
    )
    outcome = health.health_import(
        actor=hregion.accounts["teacher"], class_id=hregion.classes["A1"].pk, data=data, name="h.csv", origin=CLI
    )
    texts = [p.text for p in outcome.problems]
    assert outcome.rows_in == 3 and outcome.saved == 0
    assert "第3行 检查日期：日期无效，请写成 2026-09-15 这样的格式" in texts
    assert any(t.startswith("第3行 身高：500 超出合理范围") for t in texts)
    assert any(t.startswith("第3行 左眼视力：") for t in texts)
    assert any(t.startswith("第3行 戴镜：") for t in texts)
    assert any(t.startswith("第3行 龋齿：") for t in texts)
    assert any(t.startswith("第4行 学籍号：") and "不是本班学生" in t for t in texts)
    assert not HealthCheck.objects.exists()


@pytest.mark.django_db
def test_import_good_file_every_row_saved_with_flags(hregion):
    s1, s2 = hregion.students["s1"], hregion.students["s2"]
    data = _csv(
        [
            [s1.student_no, "2026-09-10", "128.5", "26", "4.8", "0.8", "-1.00", "-0.75", "否", "1"],
            [s2.student_no, "2026/09/10", "125", "24", "5.1", "5.0", "", "", "否", ""],
        ]
    )
    outcome = health.health_import(
        actor=hregion.accounts["teacher"], class_id=hregion.classes["A1"].pk, data=data, name="h.csv", origin=CLI
    )
    assert outcome.ok and outcome.rows_in == outcome.saved == 2
    c1 = HealthCheck.objects.get(student=s1)
    assert (c1.vision_right, c1.myopia, c1.poor_vision, c1.school_id) == (D("4.9"), True, True, s1.school_id)
    assert HealthCheck.objects.get(student=s2).myopia is False
    # a re-import of the same day replaces, it does not duplicate
    health.health_import(
        actor=hregion.accounts["teacher"], class_id=hregion.classes["A1"].pk, data=data, name="h.csv", origin=CLI
    )
    assert HealthCheck.objects.count() == 2
    assert AuditEvent.objects.filter(action="growth.health_save").count() == 2


@pytest.mark.django_db
def test_import_refused_outside_the_class_leaders(hregion):
    data = _csv([[hregion.students["s5"].student_no, "2026-09-10", "120", "", "", "", "", "", "否", ""]])
    for who in ("bureau", "admin", "parent", "student", "teacher_b" if "teacher_b" in hregion.accounts else "nobody"):
        with pytest.raises(NotFound):
            health.health_import(
                actor=hregion.accounts[who], class_id=hregion.classes["A1"].pk, data=data, name="h.csv", origin=CLI
            )


@pytest.mark.django_db
def test_class_page_entry(hregion):
    s1, s2 = hregion.students["s1"], hregion.students["s2"]
    client = _client(hregion, "teacher")
    url = f"/growth/health/classes/{hregion.classes['A1'].pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "逐班录入" in page.content.decode()
    bad = client.post(url, {"checked_on": "2026-09-10", f"height_cm_{s1.pk}": "abc", f"vision_left_{s2.pk}": "4.9"})
    assert bad.status_code == 200 and f"{s1.person.name} 身高" in bad.content.decode()
    assert not HealthCheck.objects.exists()
    ok = client.post(
        url,
        {
            "checked_on": "2026-09-10",
            f"height_cm_{s1.pk}": "128",
            f"vision_left_{s1.pk}": "5.1",
            f"vision_right_{s1.pk}": "5.1",
            "glasses": [str(s1.pk)],
            f"height_cm_{s2.pk}": "",
        },
    )
    assert ok.status_code == 302
    check = HealthCheck.objects.get()
    assert (check.student_id, check.glasses, check.myopia) == (s1.pk, True, True)


@pytest.mark.django_db
def test_class_page_import_lists_every_problem(hregion):
    s1 = hregion.students["s1"]
    data = _csv([[s1.student_no, "2026-09-10", "128", "26", "9.9", "5.0", "", "", "否", ""], ["G0", "2026-09-10"]])
    client = _client(hregion, "principal")
    response = client.post(
        f"/growth/health/classes/{hregion.classes['A1'].pk}/", {"file": SimpleUploadedFile("h.csv", data)}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "第2行 左眼视力" in body and "第3行 学籍号" in body
    assert not HealthCheck.objects.exists()


# ------------------------------------------------------------------------------------------ access
@pytest.fixture
def screened(hregion):
    s1 = hregion.students["s1"]
    HealthCheck.objects.create(
        student=s1, school=s1.school, school_class=s1.school_class, checked_on=date(2026, 9, 10), height_cm=128,
        vision_left=D("4.8"), vision_right=D("4.9"), se_left=D("-1.00"), se_right=D("-0.75"), myopia=True,
        poor_vision=True,
    )  # fmt: skip
    health.psych_screening_add(
        actor=hregion.accounts["psych"], student_id=s1.pk, screened_on=date(2026, 10, 8), instrument="心理健康量表",
        score=D("62"), level="watch", note="考试焦虑，已约谈", origin=CLI,
    )  # fmt: skip
    return hregion


# who opens s1's health file: the pupil, the guardian, the class's teacher (here also 班主任), the school's
# 学校管理员 and 心理教师; not the other class's 班主任, not a bureau, not the platform, not another school's teacher
HEALTH_FILE = {
    "student": 200, "parent": 200, "teacher": 200, "principal": 200, "psych": 200,
    "head": 404, "bureau": 404, "inspector": 404, "admin": 404, "nobody": 404,
}  # fmt: skip
# who opens s1's psychological screenings: the school's 心理教师 and the guardian only
PSYCH = {
    "psych": 200, "parent": 200,
    "student": 404, "teacher": 404, "head": 404, "principal": 404, "bureau": 404, "inspector": 404, "admin": 404,
    "nobody": 404,
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), HEALTH_FILE.items())
def test_health_file_access(screened, who, status):
    s1 = screened.students["s1"]
    response = _client(screened, who).get(f"/growth/health/pupils/{s1.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "筛查性近视" in body
        assert "考试焦虑" not in body and "需要关注" not in body  # psychology never on the health file
        assert ("心理筛查</a>" in body) == (who in ("psych", "parent"))


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), PSYCH.items())
def test_psych_access_and_every_read_audited(screened, who, status):
    s1 = screened.students["s1"]
    before = AuditEvent.objects.filter(action="growth.psych_read").count()
    response = _client(screened, who).get(f"/growth/health/pupils/{s1.pk}/psych/")
    assert response.status_code == status
    after = AuditEvent.objects.filter(action="growth.psych_read")
    if status == 200:
        assert "考试焦虑，已约谈" in response.content.decode()
        assert after.count() == before + 1
        event = after.latest("pk")
        assert (event.actor_id, event.target_id) == (screened.accounts[who].pk, str(s1.pk))
    else:
        assert after.count() == before


@pytest.mark.django_db
def test_psych_of_another_school_is_not_the_counsellors(screened):
    s5 = screened.students["s5"]
    assert _client(screened, "psych").get(f"/growth/health/pupils/{s5.pk}/psych/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["principal", "teacher", "parent", "admin", "bureau"])
def test_only_the_counsellor_writes_psychology(screened, who):
    s1 = screened.students["s1"]
    response = _client(screened, who).post(
        f"/growth/health/pupils/{s1.pk}/psych/",
        {"screened_on": "2026-10-09", "instrument": "量表", "level": "normal", "note": ""},
    )
    assert response.status_code == 404
    assert PsychScreening.objects.count() == 1


@pytest.mark.django_db
def test_counsellor_writes_and_lists_carry_no_psychology(screened):
    s1 = screened.students["s1"]
    client = _client(screened, "psych")
    response = client.post(
        f"/growth/health/pupils/{s1.pk}/psych/",
        {"screened_on": "2026-11-09", "instrument": "复评", "score": "40", "level": "normal", "note": "好转"},
    )
    assert response.status_code == 302 and PsychScreening.objects.count() == 2
    for who in ("psych", "teacher", "principal"):
        page = _client(screened, who).get(f"/growth/health/classes/{screened.classes['A1'].pk}/").content.decode()
        assert "考试焦虑" not in page and "需要关注" not in page and "复评" not in page


@pytest.mark.django_db
def test_psych_summary_only_above_the_threshold(screened):
    actor = screened.accounts["psych"]
    school = screened.schools["A"]
    assert health.psych_school_summary(actor=actor, school_id=school.pk) is None  # 1 pupil < 10
    with pytest.raises(NotFound):
        health.psych_school_summary(actor=screened.accounts["principal"], school_id=school.pk)


@pytest.mark.django_db
def test_psych_role_grant_fits_a_school_only(hregion):
    from zhijiao.core.errors import ZhijiaoError

    with pytest.raises(ZhijiaoError):
        role_grant(account=hregion.accounts["teacher"], role=Role.PSYCH_TEACHER, school_class=hregion.classes["A1"])
