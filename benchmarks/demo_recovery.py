"""Recovery on the demo's own term: true mastery (``demo-truth.json``) against the diagnosis, per knowledge point.

    export ZHIJIAO_HOME=/tmp/zj-demo && uv run zhijiao demo --setup-only   # builds the term and fits it
    uv run python benchmarks/demo_recovery.py [--home DIR] [--refit]

``demo.homework_term`` answers a term of 初中数学 (six homework, a mid-term and a final on paper) and a 物理 quiz from
a KNOWN 0/1 mastery per pupil × knowledge point, saved in ``$ZHIJIAO_HOME/learning/demo-truth.json``. For each exam
(数学期中考试, 数学期末模拟考试, 物理单元小测) this reads the estimate that exam's refit wrote (``MasteryChange.after``
of that assignment) and, for the term, the estimate pages show now (``Mastery``), and prints one JSON object: per
knowledge point on the paper, the items on it, the pupils, how many truly master it, the correlation between true
mastery and the estimate (point-biserial r; null where every pupil has the same truth or the same estimate), the
AUC (how often a master is estimated above a non-master) and the mean estimate of masters and non-masters; and the
points on an exam's paper that its refit did not estimate (none since the CDM fits blocks of ``refit.MAX_POINTS``).
``--refit`` fits every marked assignment again first, oldest first (a demo built before the build fitted them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

EXAMS = ("数学期中考试", "数学期末模拟考试", "物理单元小测")


def _auc(truth: np.ndarray, est: np.ndarray) -> float | None:
    pos, neg = est[truth == 1], est[truth == 0]
    if not len(pos) or not len(neg):
        return None
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return round(float(wins / (len(pos) * len(neg))), 3)


def _row(name: str, code: str, items: int, truth: np.ndarray, est: np.ndarray) -> dict:
    r = None
    if truth.std() > 0 and est.std() > 0:
        r = round(float(np.corrcoef(truth, est)[0, 1]), 3)
    return {
        "point": f"{code} {name}",
        "items": items,
        "pupils": len(truth),
        "masters": int(truth.sum()),
        "r": r,
        "auc": _auc(truth, est),
        "mean_master": round(float(est[truth == 1].mean()), 3) if truth.sum() else None,
        "mean_non_master": round(float(est[truth == 0].mean()), 3) if (truth == 0).sum() else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--home", help="ZHIJIAO_HOME of the demo (default: the environment's)")
    ap.add_argument("--refit", action="store_true", help="fit every marked assignment again first")
    args = ap.parse_args()
    if args.home:
        os.environ["ZHIJIAO_HOME"] = args.home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    import django

    django.setup()
    from django.conf import settings

    from zhijiao.curriculum.models import KnowledgePoint
    from zhijiao.learning.models import Assignment, AssignmentStatus, Mastery, MasteryChange, PaperItem
    from zhijiao.learning.refit import refit_assignment

    path = Path(settings.HOME, "learning", "demo-truth.json")
    if not path.exists():
        sys.exit(f"{path} 不存在：先运行 zhijiao demo --setup-only")
    truth = json.loads(path.read_text(encoding="utf-8"))
    if args.refit:
        for a in Assignment.objects.filter(status=AssignmentStatus.CLOSED).order_by("due_at", "pk"):
            refit_assignment(a.pk)
    names = dict(KnowledgePoint.objects.values_list("pk", "name"))
    codes = dict(KnowledgePoint.objects.values_list("pk", "code"))
    out: dict = {"home": str(settings.HOME), "seed": truth["seed"], "exams": {}, "term": {}}

    def table(subject: str, estimates: dict[tuple[int, int], float], on_paper: dict[int, int]) -> list[dict]:
        data = truth["subjects"][subject]
        pupils = [int(s) for s in data["students"]]
        rows = []
        for col, kp in enumerate(data["points"]):
            if kp not in on_paper:
                continue
            have = [s for s in pupils if (s, kp) in estimates]
            if not have:
                continue
            t = np.array([data["students"][str(s)][col] for s in have], dtype=float)
            e = np.array([estimates[(s, kp)] for s in have], dtype=float)
            rows.append(_row(names[kp], codes[kp], on_paper[kp], t, e))
        return rows

    def paper_points(assignments) -> dict[int, int]:
        """Knowledge point → the questions on it in these assignments' papers."""
        counts: dict[int, int] = {}
        entries = PaperItem.objects.filter(paper_id__in=[a.paper_id for a in assignments])
        for entry in entries.prefetch_related("item__knowledge_points"):
            for p in entry.item.knowledge_points.all():
                counts[p.pk] = counts.get(p.pk, 0) + 1
        return counts

    for title in EXAMS:
        a = Assignment.objects.filter(title=title, status=AssignmentStatus.CLOSED).first()
        if a is None or a.subject not in truth["subjects"]:
            continue
        est = {
            (s, kp): after
            for s, kp, after in MasteryChange.objects.filter(assignment=a).values_list(
                "student_id", "knowledge_point_id", "after"
            )
        }
        on_paper = paper_points([a])
        rows = table(a.subject, est, on_paper)
        fitted = {kp for _, kp in est}
        unfitted = [f"{codes[kp]} {names[kp]}" for kp in sorted(on_paper, key=codes.get) if kp not in fitted]
        out["exams"][title] = {"items": a.paper.entries.count(), "points": rows, "not_estimated": unfitted,
                               **_summary(rows)}  # fmt: skip
    for subject, label in (("14", "数学"), ("16", "物理")):
        if subject not in truth["subjects"]:
            continue
        done = Assignment.objects.filter(subject=subject, status=AssignmentStatus.CLOSED)
        est = {
            (s, kp): v
            for s, kp, v in Mastery.objects.filter(subject=subject).values_list(
                "student_id", "knowledge_point_id", "estimate"
            )
        }
        rows = table(subject, est, paper_points(done))
        out["term"][label] = {"assignments": done.count(), "points": rows, **_summary(rows)}
    print(json.dumps(out, ensure_ascii=False, indent=1))


def _summary(rows: list[dict]) -> dict:
    rs = [r["r"] for r in rows if r["r"] is not None]
    return {"median_r": round(float(np.median(rs)), 3) if rs else None, "points_measured": len(rs)}


if __name__ == "__main__":
    main()
