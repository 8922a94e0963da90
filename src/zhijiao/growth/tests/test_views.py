"""The growth pages over HTTP: who gets which page, the forms, the xlsx import, evidence files never active."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from zhijiao.audit.services import Origin
from zhijiao.growth import services
from zhijiao.growth.models import GrowthRecord, RecordEvidence
from zhijiao.growth.selectors import portrait_get
from zhijiao.growth.services import fitness_results_import, fitness_session_create
from zhijiao.org.models import Term
from zhijiao.testing import login_as

WEB = Origin(channel="web")
pytestmark = pytest.mark.django_db


def _client(region, who: str) -> Client:
    client = Client()
    login_as(client, region.accounts[who])
    return client


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_class_record_page_records_for_many_pupils(term_region):
    r = term_region
    s1, s2 = r.students["s1"], r.students["s2"]
    head = _client(r, "teacher")
    page = head.get(f"/growth/classes/{r.classes['A1'].pk}/record/")
    assert page.status_code == 200 and "为全班记录" in page.content.decode()
    answer = head.post(
        f"/growth/classes/{r.classes['A1'].pk}/record/",
        {"dimension": "c5", "title": "社区垃圾分类宣传", "occurred_on": "2026-10-20", "hours": "1.5",
         "pupils": [s1.pk, s2.pk]},
    )  # fmt: skip
    assert answer.status_code == 302
    assert GrowthRecord.objects.filter(title="社区垃圾分类宣传").count() == 2
    bad = head.post(
        f"/growth/classes/{r.classes['A1'].pk}/record/",
        {"dimension": "c5", "title": "", "occurred_on": "2099-01-01", "hours": "abc", "pupils": [s1.pk]},
        follow=True,
    )
    text = bad.content.decode()
    assert "标题：不能为空" in text and "日期：日期不能晚于今天" in text and "时长：" in text
    # another class's teacher, a pupil and a parent get no such page
    for who in ("nobody", "student", "parent"):
        assert _client(r, who).get(f"/growth/classes/{r.classes['A1'].pk}/record/").status_code == 404


def test_xlsx_import_all_or_nothing_with_row_errors(term_region):
    r = term_region
    s1, s2 = r.students["s1"], r.students["s2"]
    head = _client(r, "teacher")
    url = f"/growth/classes/{r.classes['A1'].pk}/record/"
    header = ["学籍号", "姓名", "维度", "标题", "日期", "时长"]
    wrong = _xlsx(
        [header, [s1.student_no, "学生s1", "审美素养", "区合唱比赛一等奖", "2026-10-08", 2],
         [s2.student_no, "别人", "体育", "跳绳", "2026-13-01", -1],
         ["G000", "", "品德发展", "好人好事", "2026-10-01", ""]]
    )  # fmt: skip
    page = head.post(url, {"form": "import", "file": SimpleUploadedFile("获奖.xlsx", wrong)})
    text = page.content.decode()
    assert "文件未导入：2 行有误（共 3 行）" in text
    assert "第3行 姓名：与学籍号" in text and "第3行 维度：不是该学段的评价维度" in text and "第3行 日期" in text
    assert "第3行 时长" in text and "第4行 学籍号：G000 不是" in text
    assert not GrowthRecord.objects.exists()
    good = _xlsx([header, [s1.student_no, "学生s1", "审美素养", "区合唱比赛一等奖", dt.date(2026, 10, 8), 2]])
    head.post(url, {"form": "import", "file": SimpleUploadedFile("获奖.xlsx", good)})
    head.post(url, {"form": "import", "file": SimpleUploadedFile("获奖.xlsx", good)})  # again: nothing new
    rec = GrowthRecord.objects.get()
    assert rec.author_role == "system" and rec.dimension == "c4" and str(rec.hours) == "2.0"


def test_portrait_for_each_role(term_region):
    r = term_region
    s1 = r.students["s1"]
    services.record_create(
        actor=r.accounts["student"], student=s1,
        data=services.RecordInput(dimension="c2", title="读完《西游记》", occurred_on="2026-10-01"), origin=WEB,
    )  # fmt: skip
    for who in ("student", "parent", "teacher", "principal"):
        page = _client(r, who).get(f"/growth/pupils/{s1.pk}/")
        assert page.status_code == 200, who
        assert "读完《西游记》" in page.content.decode()
    assert _client(r, "nobody").get(f"/growth/pupils/{s1.pk}/").status_code == 404
    assert _client(r, "student").get(f"/growth/pupils/{r.students['s2'].pk}/").status_code == 404
    # the guardian adds a home record (labour only), through the page
    parent = _client(r, "parent")
    parent.post(
        f"/growth/pupils/{s1.pk}/record/",
        {"dimension": "c5", "title": "周末做晚饭", "occurred_on": "2026-10-11", "hours": "1"},
    )
    assert GrowthRecord.objects.filter(title="周末做晚饭", author_role="guardian").exists()
    answer = parent.post(
        f"/growth/pupils/{s1.pk}/record/", {"dimension": "c1", "title": "x", "occurred_on": "2026-10-11"}, follow=True
    )
    assert "家长只能记录" in answer.content.decode()


def test_evidence_is_never_active_content(term_region):
    r = term_region
    s1 = r.students["s1"]
    student = _client(r, "student")
    student.post(
        f"/growth/pupils/{s1.pk}/record/",
        {"dimension": "c4", "title": "我的画", "occurred_on": "2026-10-02",
         "evidence": SimpleUploadedFile("画.html", b"<script>alert(1)</script>", content_type="text/html")},
    )  # fmt: skip
    evidence = RecordEvidence.objects.get()
    answer = student.get(f"/growth/evidence/{evidence.pk}/?inline=1")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["Content-Type"] == "application/octet-stream"
    assert "sandbox" in answer["Content-Security-Policy"] and answer["X-Content-Type-Options"] == "nosniff"
    assert _client(r, "nobody").get(f"/growth/evidence/{evidence.pk}/").status_code == 404
    assert _client(r, "parent").get(f"/growth/evidence/{evidence.pk}/").status_code == 200


def test_class_page_steps_over_http(term_region):
    r = term_region
    a1 = r.classes["A1"]
    head = _client(r, "teacher")
    head.post(f"/growth/classes/{a1.pk}/open/", {"select_limit": "2", "publicity_days": "5"})
    page = head.get(f"/growth/classes/{a1.pk}/")
    assert page.status_code == 200 and "发布公示" in page.content.decode()
    # the principal may not archive before publication: a clear message, nothing changes
    answer = _client(r, "principal").post(f"/growth/classes/{a1.pk}/step/archive/", follow=True)
    assert "流程不能跳过或倒退" in answer.content.decode()
    # before publication, a guardian of the class sees no class page
    assert _client(r, "parent").get(f"/growth/classes/{a1.pk}/").status_code == 404
    head.post(f"/growth/classes/{a1.pk}/step/publish/")
    page = _client(r, "parent").get(f"/growth/classes/{a1.pk}/")
    assert page.status_code == 200 and "正在公示" in page.content.decode()
    assert _client(r, "nobody").get(f"/growth/classes/{a1.pk}/").status_code == 404
    assert _client(r, "parent").get("/growth/").status_code == 200


def test_portrait_shows_fitness_to_family_and_teachers_not_to_classmates_guardians(term_region):
    r = term_region
    s1, s2 = r.students["s1"], r.students["s2"]
    term = Term.objects.get(is_current=True)
    session = fitness_session_create(
        actor=r.accounts["principal"], school_id=r.schools["A"].pk, term_id=term.pk, name="秋季体测", origin=WEB
    )
    data = "学籍号,性别,年级,身高,体重,肺活量,50米跑,坐位体前屈,一分钟跳绳\n"
    data += f"{s2.student_no},男,一年级,120,22,1300,10.6,11.0,87\n"
    assert fitness_results_import(
        actor=r.accounts["principal"], session_id=session.pk, data=data.encode(), name="a.csv", origin=WEB
    ).ok
    assert "体质健康测试" in _client(r, "teacher").get(f"/growth/pupils/{s2.pk}/").content.decode()
    assert portrait_get(actor=r.accounts["teacher"], student_id=s2.pk).fitness[0].level == "良好"
    # 陈妈妈 is s1's guardian, s2's classmate's: during a publicity she sees s2's page without the fitness results
    rec = services.record_create(
        actor=r.accounts["teacher"], student=s2, origin=WEB,
        data=services.RecordInput(dimension="c3", title="跳绳比赛", occurred_on="2026-10-09"),
    )  # fmt: skip
    review = services.review_open(actor=r.accounts["teacher"], school_class=r.classes["A1"], origin=WEB)
    services.selection_set(actor=r.accounts["teacher"], review=review, student=s2, record_ids=[rec.pk], origin=WEB)
    services.review_publish(actor=r.accounts["teacher"], review=review, origin=WEB)
    page = _client(r, "parent").get(f"/growth/pupils/{s2.pk}/").content.decode()
    assert "跳绳比赛" in page and "体质健康测试" not in page and s1.person.name not in page


def test_import_by_name_and_the_template(term_region):
    r = term_region
    head = _client(r, "teacher")
    url = f"/growth/classes/{r.classes['A1'].pk}/record/"
    template = head.get(f"{url}template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert _client(r, "parent").get(f"{url}template.xlsx").status_code == 404
    # the template's example rows name pupils of the class (no 学籍号: a 班主任 sees them masked); they import
    head.post(url, {"form": "import", "file": SimpleUploadedFile("模板.xlsx", template.content)})
    assert GrowthRecord.objects.filter(author_role="system").count() == 2
    unknown = _xlsx([["姓名", "维度", "标题", "日期"], ["不存在", "审美素养", "x", "2026-10-01"]])
    page = head.post(url, {"form": "import", "file": SimpleUploadedFile("a.xlsx", unknown)})
    assert "第2行 姓名：不存在 不是" in page.content.decode()
