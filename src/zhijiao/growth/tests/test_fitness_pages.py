"""The 体质健康 pages over HTTP: open a round, import with bad rows (nothing stored, every row named), the class's
results (names only for its teachers and the school), the district's figures (no names), a pupil's trend (the pupil
and own guardians only), the national upload export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from zhijiao.audit.services import Origin
from zhijiao.growth.fitness import standard_load
from zhijiao.growth.models import FitnessResult, FitnessSession
from zhijiao.growth.selectors_fitness import NATIONAL_COLUMNS
from zhijiao.growth.services import fitness_results_import, fitness_session_create
from zhijiao.growth.tabular import score_file
from zhijiao.org.models import Term
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db
CLI = Origin(channel="cli")
HEADER = ["学籍号", "姓名", "性别", "年级", "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "一分钟跳绳"]


def _client(region, who: str) -> Client:
    client = Client()
    login_as(client, region.accounts[who])
    return client


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode()


def _term() -> Term:
    return Term.objects.filter(is_current=True).first() or Term.objects.first()


def _row(student, rope: str = "87", weight: str = "22") -> list[str]:
    return [student.student_no, "某某", "男", "一年级", "120", weight, "1300", "10.6", "11.0", rope]


@pytest.fixture
def scored(region):
    """A round at school A with s1 (良好), s2 (肥胖, 不及格) in A1 and s3 (优秀) in A2."""
    session = fitness_session_create(
        actor=region.accounts["principal"], school_id=region.schools["A"].pk, term_id=_term().pk, name="秋季体测",
        origin=CLI,
    )  # fmt: skip
    s1, s2, s3 = (region.students[k] for k in ("s1", "s2", "s3"))
    bad = [s2.student_no, "某某", "男", "一年级", "120", "35", "500", "13.6", "-4.0", "2"]
    outcome = fitness_results_import(
        actor=region.accounts["principal"], session_id=session.pk, data=_csv([_row(s1), bad, _row(s3, "149")]),
        name="a.csv", origin=CLI,
    )  # fmt: skip
    assert outcome.ok
    return session


def test_a_teacher_of_the_school_opens_a_round_and_imports_it(region):
    client = _client(region, "teacher")
    page = client.get("/growth/fitness/")
    assert page.status_code == 200 and "东西湖区第一小学" in page.content.decode()
    response = client.post(
        "/growth/fitness/new/", {"school": region.schools["A"].pk, "term": _term().pk, "name": "秋季体测"}
    )
    session = FitnessSession.objects.get(name="秋季体测")
    assert response.status_code == 302 and response.url == f"/growth/fitness/sessions/{session.pk}/"
    upload = SimpleUploadedFile("体测.csv", _csv([_row(region.students["s1"]), _row(region.students["s2"])]))
    response = client.post(f"/growth/fitness/sessions/{session.pk}/", {"file": upload})
    assert response.status_code == 302
    assert FitnessResult.objects.filter(session=session).count() == 2
    page = client.get(f"/growth/fitness/sessions/{session.pk}/").content.decode()
    assert "优秀率" in page and "肥胖率" in page and "学生s1" not in page  # the school's page has no names


def test_import_with_bad_rows_stores_nothing_and_names_each_row(region):
    session = fitness_session_create(
        actor=region.accounts["principal"], school_id=region.schools["A"].pk, term_id=_term().pk, name="补测",
        origin=CLI,
    )  # fmt: skip
    s1, s4 = region.students["s1"], region.students["s4"]
    data = _csv([_row(s1), _row(s4), [s1.student_no, "某某", "男", "一年级", "120", "22", "1300", "快", "11", "8"]])
    response = _client(region, "principal").post(
        f"/growth/fitness/sessions/{session.pk}/", {"file": SimpleUploadedFile("a.csv", data)}
    )
    text = response.content.decode()
    assert response.status_code == 200 and "未导入：2 处问题" in text
    assert f"第3行 学籍号：{s4.student_no} 不是东西湖区第一小学的学生" in text and "第4行 50米跑：不是数字" in text
    assert not FitnessResult.objects.exists()


@pytest.mark.parametrize("who", ["nobody", "student", "parent", "inspector"])
def test_outsiders_neither_open_rounds_nor_see_them(region, scored, who):
    client = _client(region, who)
    assert (
        client.post(
            "/growth/fitness/new/", {"school": region.schools["A"].pk, "term": _term().pk, "name": "x"}
        ).status_code
        == 404
    )
    for url in ("", "export.xlsx", f"classes/{region.classes['A1'].pk}/"):
        assert client.get(f"/growth/fitness/sessions/{scored.pk}/{url}").status_code == 404, url
    assert FitnessSession.objects.count() == 1


def test_class_results_with_names_for_its_teachers_and_the_school_only(region, scored):
    a1, a2 = region.classes["A1"].pk, region.classes["A2"].pk
    url = f"/growth/fitness/sessions/{scored.pk}/classes/{{}}/"
    page = _client(region, "teacher").get(url.format(a1)).content.decode()
    assert "学生s1" in page and "学生s2" in page and "学生s3" not in page and "肥胖" in page
    assert _client(region, "teacher").get(url.format(a2)).status_code == 404  # teaches A1 only
    assert _client(region, "principal").get(url.format(a2)).status_code == 200
    assert _client(region, "bureau").get(url.format(a1)).status_code == 404  # the bureau: figures only


def test_district_figures_without_names(region, scored):
    page = _client(region, "bureau").get("/growth/fitness/district/")
    text = page.content.decode()
    assert page.status_code == 200 and "东西湖区第一小学" in text and "学生s1" not in text
    assert "33.3%" in text  # 1 of 3 优秀, 良好, 不及格; 肥胖 1 of 3
    assert _client(region, "inspector").get("/growth/fitness/district/").status_code == 200
    for who in ("teacher", "principal", "parent", "student"):
        assert _client(region, who).get("/growth/fitness/district/").status_code == 404, who
    # a later round of the term (a 补测 of one pupil) replaces the school's figures; it is not added to them
    again = fitness_session_create(
        actor=region.accounts["principal"], school_id=region.schools["A"].pk, term_id=_term().pk, name="补测",
        origin=CLI,
    )  # fmt: skip
    fitness_results_import(
        actor=region.accounts["principal"], session_id=again.pk, data=_csv([_row(region.students["s1"])]),
        name="b.csv", origin=CLI,
    )  # fmt: skip
    text = _client(region, "bureau").get("/growth/fitness/district/").content.decode()
    assert '<div class="v">1</div><div class="l">测试人数</div>' in text


def test_pupil_results_for_the_pupil_and_own_guardian_only(region, scored):
    s1, s3 = region.students["s1"], region.students["s3"]
    assert "良好" in _client(region, "student").get(f"/growth/fitness/pupils/{s1.pk}/").content.decode()
    assert _client(region, "parent").get(f"/growth/fitness/pupils/{s1.pk}/").status_code == 200
    assert _client(region, "parent").get(f"/growth/fitness/pupils/{s3.pk}/").status_code == 404  # not her child
    assert _client(region, "student").get(f"/growth/fitness/pupils/{s3.pk}/").status_code == 404
    assert (
        _client(region, "teacher_c" if "teacher_c" in region.accounts else "nobody")
        .get(f"/growth/fitness/pupils/{s1.pk}/")
        .status_code
        == 404
    )
    assert _client(region, "bureau").get(f"/growth/fitness/pupils/{s1.pk}/").status_code == 404
    link = f"/growth/fitness/pupils/{s1.pk}/"
    assert link in _client(region, "student").get(f"/growth/pupils/{s1.pk}/").content.decode()  # from the portrait
    assert link not in _client(region, "bureau").get(f"/growth/pupils/{s1.pk}/").content.decode()
    assert "/growth/fitness/" in _client(region, "teacher").get("/growth/").content.decode()
    assert "/growth/fitness/" not in _client(region, "parent").get("/growth/").content.decode()


def test_export_in_the_national_layout_is_an_attachment(region, scored):
    response = _client(region, "principal").get(f"/growth/fitness/sessions/{scored.pk}/export.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == NATIONAL_COLUMNS and len(rows) == 4
    first = dict(zip(NATIONAL_COLUMNS, rows[1], strict=True))
    assert first["年级编号"] == 11 and first["性别"] == 1 and first["姓名"] == "学生s1"
    measured = (first["身高"], first["体重"], first["肺活量"], first["50米跑"], first["一分钟跳绳"])
    assert measured == (120, 22, 1300, 10.6, 87)
    assert first["家庭住址"] in (None, "")
    # the export reads back through the scorer to the stored totals (the same column names)
    again = score_file(standard_load(), response.content, "上报.xlsx")
    assert not again.problems
    totals = FitnessResult.objects.filter(session=scored).values_list("total_score", flat=True)
    stored = sorted(float(t) for t in totals)
    assert sorted(again.frame["学年总分"].to_list()) == stored
