"""Screenshots of the 学情 reports on the demo region:

* ``diag-class-heatmap.png``: the class report of a unit test and its re-test (heatmap, what moved, re-teach);
* ``diag-class-full.png``: the whole report (groups, item analysis, common wrong answers);
* ``diag-student.png``: one pupil's report;
* ``diag-why.png``: "为什么是这个数" for the pupil's weakest point;
* ``diag-index.png``: the 学情报告 entry (the teacher's classes).

The demo has no marked work yet, so the script first writes a unit test and its re-test for the class the
demo ``teacher`` teaches, with answers simulated from a known mastery (``diagnosis.simulate``), and runs the refit.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_diag.py [--out /work/shots/diag] [--port 8612]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def seed() -> tuple[int, int, int, int]:
    """(class id, pupil id, weakest point id, first test id) of the seeded work; idempotent per title."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    import django

    django.setup()
    import numpy as np

    from zhijiao.identity.models import Account
    from zhijiao.learning.diagnosis.simulate import answer
    from zhijiao.learning.models import (
        Assignment,
        Item,
        ItemStatus,
        ItemType,
        Mastery,
        Paper,
        PaperItem,
        Submission,
    )
    from zhijiao.learning.refit import refit_assignment
    from zhijiao.org.models import SchoolClass
    from zhijiao.people.models import Student, TeachingAssignment

    teacher = Account.objects.get(username="teacher")
    taught = TeachingAssignment.objects.filter(staff__person=teacher.person, term__is_current=True).first()
    klass = SchoolClass.objects.get(pk=taught.school_class_id)
    pupils = list(Student.objects.filter(school_class=klass).order_by("student_no"))
    items = [
        i
        for i in Item.objects.filter(status=ItemStatus.APPROVED, subject="14").prefetch_related("knowledge_points")
        if i.approved_version.type in (ItemType.SINGLE, ItemType.BLANK, ItemType.TRUE_FALSE)
        and i.knowledge_points.exists()
    ][:12]
    kps = sorted({k.pk for i in items for k in i.knowledge_points.all()})
    q = np.array([[1 if k in {p.pk for p in i.knowledge_points.all()} else 0 for k in kps] for i in items])
    rng = np.random.default_rng(14)
    ability = rng.standard_normal(len(pupils))
    latent = 0.7 * ability[:, None] + 0.7 * rng.standard_normal((len(pupils), len(kps)))
    truth = (latent > np.linspace(-0.6, 0.6, len(kps))[None, :]).astype(int)
    paper, _ = Paper.objects.get_or_create(
        title="第二单元测验",
        defaults=dict(
            stage="3", subject="14", author=teacher, owner_school=klass.school, owner_division=klass.school.division
        ),
    )
    if not paper.entries.exists():
        for n, item in enumerate(items):
            v = item.approved_version
            PaperItem.objects.create(paper=paper, item=item, version=v, order=n, points=v.points)
    entries = list(paper.entries.select_related("version").order_by("order"))
    slip, guess = np.full(len(items), 0.1), np.full(len(items), 0.2)
    base = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
    made = []
    for title, kind, day, learnt in (("第二单元测验", "exam", 0, 0.0), ("第二单元再测", "exam", 10, 0.45)):
        mastery = truth | (rng.random(truth.shape) < learnt)
        a, created = Assignment.objects.get_or_create(
            title=title,
            defaults=dict(
                kind=kind, paper=paper, stage="3", subject="14", school=klass.school, division=klass.school.division,
                opens_at=base + timedelta(days=day), status="published", created_by=teacher,
            ),
        )  # fmt: skip
        made.append(a)
        if not created:
            continue
        a.classes.set([klass])
        correct = answer(mastery, q, rng, slip=slip, guess=guess)
        for u, pupil in enumerate(pupils):
            total = Decimal(0)
            full = sum(e.points for e in entries)
            sub = Submission.objects.create(
                assignment=a, student=pupil, school_class=klass, status="marked", max_score=full
            )
            for i, e in enumerate(entries):
                v = e.version
                ok = bool(correct[u, i])
                if v.type == ItemType.SINGLE:
                    wrong = [o["key"] for o in v.options if o["key"] not in v.answer]
                    response = v.answer[0] if ok else wrong[int(rng.integers(len(wrong)))]
                elif v.type == ItemType.TRUE_FALSE:
                    response = v.answer[0] if ok else ("F" if v.answer[0] == "T" else "T")
                else:
                    response = [a[0] for a in v.answer] if ok else ["2" for _ in v.answer]
                score = e.points if ok else Decimal(0)
                total += score
                sub.answers.create(entry=e, response=response, score=score, auto=True)
            sub.score = total
            sub.save(update_fields=["score"])
    for a in made:
        refit_assignment(a.pk)
    pupil = pupils[3]
    weakest = Mastery.objects.filter(student=pupil).order_by("estimate").first()
    return klass.pk, pupil.pk, weakest.knowledge_point_id, made[0].pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/shots/diag")
    parser.add_argument("--port", type=int, default=8612)
    args = parser.parse_args()
    out = out_dir(args.out)
    class_id, pupil_id, point_id, first = seed()
    accounts = demo_accounts()
    password = accounts["teacher"].get("password") or os.environ["ZHIJIAO_DEMO_PASSWORD"]
    with demo_server(args.port, seconds=240) as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "teacher", password)
        shot(
            page,
            out / "diag-class-heatmap.png",
            url=f"{base}/learning/reports/class/{class_id}/?compare={first}",
            full=False,
        )
        shot(page, out / "diag-class-full.png", url=f"{base}/learning/reports/class/{class_id}/?compare={first}")
        shot(page, out / "diag-index.png", url=f"{base}/learning/reports/", full=False)
        shot(page, out / "diag-student.png", url=f"{base}/learning/reports/student/{pupil_id}/")
        shot(page, out / "diag-why.png", url=f"{base}/learning/reports/student/{pupil_id}/why/{point_id}/")
    print(f"saved to {out}")


if __name__ == "__main__":
    main()
