"""The demo's term of homework and exams: answered from a known mastery, the truth kept, marks_changed sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from zhijiao.curriculum.loading import taxonomy_load
from zhijiao.curriculum.models import KnowledgePoint, TextbookVolume
from zhijiao.demo import homework_term
from zhijiao.learning.models import (
    Assignment,
    AssignmentOrigin,
    AssignmentStatus,
    DiagnosisFit,
    Mastery,
    Submission,
    SubmissionStatus,
)
from zhijiao.learning.signals import marks_changed
from zhijiao.learning.tests.conftest import approve, make_item, math_point

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def test_demo_term(region, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    settings.HOME = tmp_path
    if not TextbookVolume.objects.exists():  # a transactional test elsewhere flushed the migration's taxonomy
        taxonomy_load()
    teacher, principal = region.accounts["teacher"], region.accounts["principal"]
    point = math_point()
    for i in range(10):
        approve(make_item(teacher, stem=f"第{i}题 $x+{i}=0$", knowledge_points=[point]), principal)
    a1 = region.classes["A1"]
    monkeypatch.setattr(homework_term, "_classes", lambda: ([a1], a1))
    monkeypatch.setattr(homework_term, "_teacher", lambda klass, subject: teacher)
    sent: list[int] = []
    receiver = lambda sender, assignment_id, **kw: sent.append(assignment_id)  # noqa: E731
    marks_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            homework_term.demo_homework_term(seed=7, progress=lambda s: None, now=NOW)
    finally:
        marks_changed.disconnect(receiver)
    closed = Assignment.objects.filter(status=AssignmentStatus.CLOSED)
    assert closed.filter(subject="14", kind="homework").count() == 6
    assert closed.filter(subject="14", kind="exam", mode="paper").count() == 2
    assert closed.filter(subject="16").count() == 1
    assert sorted(sent) == sorted(closed.values_list("pk", flat=True))  # the diagnosis refits after each
    assert not Submission.objects.filter(assignment__in=closed).exclude(status=SubmissionStatus.MARKED).exists()
    open_now = Assignment.objects.filter(status=AssignmentStatus.PUBLISHED).exclude(origin=AssignmentOrigin.PUSH)
    assert open_now.count() == 2 and all(a.opens_at < NOW < a.due_at for a in open_now)
    assert not Submission.objects.filter(assignment__in=open_now).exclude(status=SubmissionStatus.ASSIGNED).exists()
    truth = json.loads((tmp_path / "learning" / "demo-truth.json").read_text(encoding="utf-8"))
    pupils = {str(s) for s in (region.students["s1"].pk, region.students["s2"].pk)}
    assert truth["subjects"]["14"]["points"] == [point.pk] and set(truth["subjects"]["14"]["students"]) == pupils
    # 物理 items carry the taxonomy's 初中物理 points: the quiz has a truth (and a diagnosis) per point
    physics = KnowledgePoint.objects.filter(pk__in=truth["subjects"]["16"]["points"])
    assert physics.count() >= 8 and set(physics.values_list("subject", flat=True)) == {"16"}
    assert set(truth["subjects"]["16"]["students"]) == pupils
    # the diagnosis is fitted in the build (no worker needed) and the demo pupil's class has an approved push
    assert Mastery.objects.filter(student=region.students["s1"], subject="16").exists()
    assert DiagnosisFit.objects.filter(assignment__in=closed, fitted_at__isnull=False).count() == closed.count()
    pushed = Assignment.objects.filter(origin=AssignmentOrigin.PUSH)
    assert pushed.exists() and {a.status for a in pushed} == {AssignmentStatus.PUBLISHED}
    assert Submission.objects.filter(assignment__in=pushed).exists()
    homework_term.demo_homework_term(seed=7, progress=lambda s: None, now=NOW)  # once
    assert Assignment.objects.count() == 11 + pushed.count()
