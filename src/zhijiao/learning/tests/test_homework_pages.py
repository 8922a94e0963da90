"""Homework pages through the client: assigning, answering (autosave, submit), marking, import, push; who gets what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhijiao.learning.models import Answer, Assignment, Mastery, Submission, SubmissionStatus
from zhijiao.learning.tests.conftest import approve, make_item, math_point
from zhijiao.learning.tests.test_homework import RUBRIC, acc, paper  # noqa: F401  (fixtures)
from zhijiao.resources.tests.conftest import make_published
from zhijiao.testing import login_as


def client_as(name: str) -> Client:
    c = Client()
    login_as(c, name)
    return c


def publish_via_page(region, paper, **extra) -> Assignment:  # noqa: F811
    now = timezone.localtime()
    data = {
        "title": "第一单元作业",
        "paper": str(paper.pk),
        "kind": "homework",
        "mode": "online",
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "classes": [str(region.classes["A1"].pk)],
        **extra,
    }
    r = client_as("teacher").post("/learning/homework/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return Assignment.objects.get()


def test_teacher_pages_and_pupil_answering(region, paper):  # noqa: F811
    t = client_as("teacher")
    for url in ("/learning/homework/", "/learning/homework/new/", "/learning/homework/layered/",
                f"/learning/homework/layered/?class={region.classes['A1'].pk}", "/learning/homework/push/",
                f"/learning/homework/push/?class={region.classes['A1'].pk}"):  # fmt: skip
        r = t.get(url)
        assert r.status_code == 200, url
        assert "onclick" not in r.content.decode()
    a = publish_via_page(region, paper)
    assert Submission.objects.filter(assignment=a).count() == 2
    page = t.get(f"/learning/homework/{a.pk}/").content.decode()
    assert "各班进度" in page and "开始批改" in page

    pupil = client_as("student")
    listing = pupil.get("/learning/my/homework/").content.decode()
    assert "第一单元作业" in listing
    sub = Submission.objects.get(assignment=a, student=region.students["s1"])
    page = pupil.get(f"/learning/my/homework/{sub.pk}/").content.decode()
    assert "katex" in page and "$x^2-5x+6=0$" in page  # the formula, rendered by the vendored KaTeX
    e = {x.version.type: x.pk for x in a.paper.entries.select_related("version")}
    r = pupil.post(f"/learning/my/homework/{sub.pk}/save/", {f"q-{e['single']}": "A", f"q-{e['blank']}-b": ["2", ""]},
                   HTTP_ACCEPT="application/json")  # fmt: skip
    assert r.status_code == 200 and r.json()["ok"]
    page = pupil.get(f"/learning/my/homework/{sub.pk}/").content.decode()
    assert 'value="A" checked' in page  # saved as they go: a reload shows the answer
    r = pupil.post(
        f"/learning/my/homework/{sub.pk}/submit/", {f"q-{e['open']}": "x=±2", f"q-{e['multiple']}-m": ["A", "C"]}
    )
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED
    assert Answer.objects.get(submission=sub, entry_id=e["single"]).score == 3

    # 阅卷: keyboard page, save & next
    ans = Answer.objects.get(submission=sub, entry_id=e["open"])
    page = t.get(f"/learning/homework/{a.pk}/mark/{e['open']}/").content.decode()
    assert "思路" in page and "Enter" in page and "x=±2" in page
    assert region.students["s1"].student_no not in page  # 学籍号 masked
    r = t.post(f"/learning/homework/{a.pk}/mark/{e['open']}/", {"answer": ans.pk, "c-思路": "3", "c-计算": "2"})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.MARKED and sub.score == 3 + 4 + 0 + 2 + 5
    page = pupil.get(f"/learning/my/homework/{sub.pk}/").content.decode()
    assert "得分" in page and "<b>解析：</b>" not in page  # not released before the due date
    assert pupil.get("/learning/my/mistakes/").status_code == 200

    # who gets what
    other = Submission.objects.get(assignment=a, student=region.students["s2"])
    assert pupil.get(f"/learning/my/homework/{other.pk}/").status_code == 404
    assert pupil.get("/learning/homework/").status_code == 403
    assert client_as("parent").get("/learning/my/homework/").status_code == 403
    assert client_as("parent").get("/learning/homework/").status_code == 403
    assert client_as("head").get(f"/learning/homework/{a.pk}/").status_code == 404  # head teaches A2 only
    assert t.get("/learning/my/homework/").status_code == 403


def test_import_page_shows_errors_and_the_report_downloads(region, paper):  # noqa: F811
    a = publish_via_page(region, paper, kind="exam", mode="paper")
    listing = client_as("student").get("/learning/my/homework/").content.decode()
    assert "纸笔作答，老师导入成绩后显示得分" in listing and "待完成（0）" in listing
    t = client_as("teacher")
    s1 = region.students["s1"].student_no
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = f"学籍号,题号,得分\n{s1},1,3\n{s1},7,1\nG1,1,1\n".encode()
    r = t.post(f"/learning/homework/{a.pk}/import/", {"file": SimpleUploadedFile("成绩.csv", data)})
    page = r.content.decode()
    assert r.status_code == 200 and "没有导入任何成绩" in page and "试卷上没有第" in page
    link = page.split(f'href="/learning/homework/{a.pk}/import/')[1].split('"')[0]
    report = t.get(f"/learning/homework/{a.pk}/import/{link}")
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    assert "问题说明" in b"".join(report.streaming_content).decode("utf-8-sig")
    assert client_as("head").get(f"/learning/homework/{a.pk}/import/{link}").status_code == 404


def test_push_page_makes_a_draft_approved_with_one_click(region, acc):  # noqa: F811
    point = math_point()
    for i in range(2):
        approve(make_item(acc["teacher"], stem=f"练习{i}", knowledge_points=[point], difficulty=1), acc["principal"])
    Mastery.objects.create(student=region.students["s1"], knowledge_point=point, subject="14", estimate=0.3,
                           uncertainty=0.1, model="cdm", fitted_at=timezone.now())  # fmt: skip
    t = client_as("teacher")
    page = t.get(f"/learning/homework/push/?class={region.classes['A1'].pk}").content.decode()
    assert "基础层" in page and point.name in page
    r = t.post("/learning/homework/push/", {"class": region.classes["A1"].pk, "stage": "3", "subject": "14"})
    assert r.status_code == 302
    draft = Assignment.objects.get()
    page = t.get(f"/learning/homework/{draft.pk}/").content.decode()
    assert "一键批准并布置" in page
    r = t.post(f"/learning/homework/approve/{draft.layer_group}/")
    assert r.status_code == 302
    assert Submission.objects.filter(assignment=draft).count() == 1
    assert client_as("nobody").post(f"/learning/homework/approve/{draft.layer_group}/").status_code == 403


def test_a_pushed_practice_reaches_the_pupil_with_resources_for_the_weak_point(region, acc):  # noqa: F811
    """The loop as the pupil meets it: weak point → push draft → one click → my homework shows the practice and
    a resource for the point, on the list and on the assignment page; the resource opens."""
    point = math_point()
    for i in range(2):
        approve(make_item(acc["teacher"], stem=f"推送变式{i}：$x+{i}=2$", knowledge_points=[point], difficulty=1),
                acc["principal"])  # fmt: skip
    video = make_published(acc, title="微课：正数和负数（推送）", knowledge_points=[point])
    s1 = region.students["s1"]
    Mastery.objects.create(student=s1, knowledge_point=point, subject="14", estimate=0.25, uncertainty=0.1,
                           model="cdm", fitted_at=timezone.now())  # fmt: skip
    t = client_as("teacher")
    assert (
        t.post(
            "/learning/homework/push/", {"class": region.classes["A1"].pk, "stage": "3", "subject": "14"}
        ).status_code
        == 302
    )
    draft = Assignment.objects.get(origin="push")
    pupil = client_as("student")
    assert draft.title not in pupil.get("/learning/my/homework/").content.decode()  # a draft is not shown
    assert t.post(f"/learning/homework/approve/{draft.layer_group}/").status_code == 302
    listing = pupil.get("/learning/my/homework/").content.decode()
    assert draft.title in listing and "为你推送" in listing
    assert f'href="/resources/{video.pk}/"' in listing and video.title in listing
    sub = Submission.objects.get(assignment=draft, student=s1)
    page = pupil.get(f"/learning/my/homework/{sub.pk}/").content.decode()
    assert "推荐给你的学习资源" in page and f'href="/resources/{video.pk}/"' in page
    assert "推送变式0" in page and "推送变式1" in page  # the practice items
    assert pupil.get(f"/resources/{video.pk}/").status_code == 200
    # the weak point mastered: the resource is no longer pushed
    Mastery.objects.filter(student=s1, knowledge_point=point).update(estimate=0.9)
    assert f"/resources/{video.pk}/" not in pupil.get("/learning/my/homework/").content.decode()


@pytest.mark.parametrize("who", ["inspector", "bureau", "nobody"])
def test_no_homework_pages_for_others(region, who):
    c = client_as(who)
    assert c.get("/learning/homework/").status_code == 403
    assert c.get("/learning/my/homework/").status_code == 403
