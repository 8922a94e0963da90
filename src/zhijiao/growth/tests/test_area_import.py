"""A bureau's area import of fitness results (issue 16): one file for the area, grouped by each pupil's school."""

from __future__ import annotations

import csv
import io

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound
from zhijiao.growth.models import FitnessResult, FitnessSession
from zhijiao.growth.services import fitness_area_import, fitness_results_import, fitness_session_create
from zhijiao.org.models import Term
from zhijiao.testing import login_as

HEADER = ["学籍号", "性别", "年级", "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "一分钟跳绳"]
CLI = Origin(channel="cli")
GOOD = ["男", "一年级", "120", "22", "1300", "10.6", "11.0", "87"]  # 83.0 良好
NAME = "2026年秋季体测"


def _file(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode()


def _term() -> Term:
    return Term.objects.filter(is_current=True).first() or Term.objects.first()


def _import(region, rows, who="bureau"):
    return fitness_area_import(
        actor=region.accounts[who], term_id=_term().pk, name=NAME, data=_file(rows), filename="area.csv", origin=CLI
    )


@pytest.mark.django_db
def test_rows_go_to_each_pupils_school_round_audited_once(region):
    s1, s3, s4 = (region.students[k] for k in ("s1", "s3", "s4"))  # s1, s3 at school A; s4 at school B
    existing = fitness_session_create(
        actor=region.accounts["principal"], school_id=region.schools["A"].pk, term_id=_term().pk, name=NAME,
        origin=CLI,
    )  # fmt: skip
    before = AuditEvent.objects.count()
    outcome = _import(region, [[s1.student_no, *GOOD], [s4.student_no, *GOOD], [s3.student_no, *GOOD]])
    assert outcome.ok and outcome.imported == 3
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "growth.fitness_area_import" and "2 所学校 3 名学生" in event.target_label
    session_b = FitnessSession.objects.get(school=region.schools["B"], term=_term(), name=NAME)
    assert sorted((name, n) for name, _, n in outcome.schools) == [("东西湖区第一小学", 2), ("东西湖区第二小学", 1)]
    assert set(FitnessResult.objects.filter(session=existing).values_list("student_id", flat=True)) == {s1.pk, s3.pk}
    r4 = FitnessResult.objects.get(session=session_b)
    assert (r4.student_id, r4.school_class_id, r4.grade, r4.sex, r4.level) == (
        s4.pk, s4.school_class_id, 1, "男", "良好",
    )  # fmt: skip
    assert str(r4.total_score) == "83.0" and r4.scores["run_50m"] == 80 and r4.scores["bmi"] is not None
    assert r4.measurements == {
        "vital_capacity": "1300", "run_50m": "10.6", "sit_reach": "11.0", "rope_1min": "87", "height": 120.0,
        "weight": 22.0,
    }  # fmt: skip


@pytest.mark.django_db
def test_a_bad_row_stores_nothing_and_every_row_is_accounted_for(region):
    s1, s5 = region.students["s1"], region.students["s5"]  # s5: 江岸区, outside 东西湖区's bureau
    outcome = _import(
        region,
        [
            [s1.student_no, *GOOD],
            [s5.student_no, *GOOD],
            ["L000000000000000001", *GOOD],
            [region.students["s2"].student_no, "男", "一年级", "120", "22", "1300", "快", "11.0", "87"],
            [s1.student_no, *GOOD],
        ],
    )
    assert not outcome.ok and outcome.imported == 0
    assert [p.text for p in outcome.problems] == [
        f"第2行 学籍号：{s1.student_no} 在文件中出现了不止一次",
        f"第3行 学籍号：{s5.student_no} 不是本区域学校的学生",
        "第4行 学籍号：L000000000000000001 学籍库中没有这个学籍号",
        "第5行 50米跑：不是数字",
        f"第6行 学籍号：{s1.student_no} 在文件中出现了不止一次",
    ]
    assert not FitnessResult.objects.exists() and not FitnessSession.objects.exists()


@pytest.mark.django_db
def test_a_reimport_replaces_the_pupils_result(region):
    s1, s2 = region.students["s1"], region.students["s2"]
    _import(region, [[s1.student_no, *GOOD], [s2.student_no, "男", "一年级", "120", "35", "500", "13.6", "-4.0", "2"]])
    assert FitnessResult.objects.get(student=s2).level == "不及格"
    outcome = _import(region, [[s2.student_no, *GOOD]], who="city")  # the city's bureau covers the district
    assert outcome.ok and outcome.imported == 1
    assert FitnessResult.objects.count() == 2 and FitnessSession.objects.count() == 1
    assert FitnessResult.objects.get(student=s2).level == "良好"
    # the school's own import of the same round goes on replacing through the shared path
    session = FitnessSession.objects.get()
    fitness_results_import(
        actor=region.accounts["principal"], session_id=session.pk, name="a.csv", origin=CLI,
        data=_file([[s2.student_no, "男", "一年级", "120", "35", "500", "13.6", "-4.0", "2"]]),
    )  # fmt: skip
    assert FitnessResult.objects.get(student=s2).level == "不及格" and FitnessResult.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["principal", "teacher", "inspector", "student", "parent"])
def test_only_a_bureau_imports_for_an_area(region, who):
    with pytest.raises(NotFound):
        _import(region, [[region.students["s1"].student_no, *GOOD]], who=who)


@pytest.mark.django_db
def test_the_page_imports_and_hands_back_a_reimportable_problem_report(region, client):
    s1, s4 = region.students["s1"], region.students["s4"]
    login_as(client, region.accounts["bureau"])
    page = client.get("/growth/fitness/area-import/")
    assert page.status_code == 200 and "区域导入体质测试成绩" in page.content.decode()
    bad = io.BytesIO(
        _file([[s1.student_no, *GOOD], [s4.student_no, "男", "一年级", "120", "22", "1300", "快", "11.0", "87"]])
    )
    bad.name = "area.csv"
    page = client.post("/growth/fitness/area-import/", {"term": _term().pk, "name": NAME, "file": bad})
    body = page.content.decode()
    assert "未导入：1 处问题" in body and "第3行 50米跑：不是数字" in body
    token = page.context["report"]
    report = b"".join(client.get(f"/growth/fitness/area-import/{token}.csv").streaming_content).decode("utf-8-sig")
    assert report.splitlines()[0].startswith("问题说明,学籍号") and "50米跑：不是数字" in report.splitlines()[2]
    # another account cannot fetch it
    login_as(client, region.accounts["city"])
    assert client.get(f"/growth/fitness/area-import/{token}.csv").status_code == 404
    # corrected in the report itself, it imports
    fixed = report.replace(",快,", ",10.6,").encode()
    upload = io.BytesIO(fixed)
    upload.name = "area.csv"
    page = client.post("/growth/fitness/area-import/", {"term": _term().pk, "name": NAME, "file": upload}, follow=True)
    body = page.content.decode()
    assert "已导入 2 名学生" in body and "东西湖区第二小学" in body
    assert FitnessResult.objects.count() == 2


@pytest.mark.django_db
def test_the_page_is_refused_to_a_school(region, client):
    login_as(client, region.accounts["principal"])
    assert client.get("/growth/fitness/area-import/").status_code == 404
