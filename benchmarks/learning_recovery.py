"""Recovery of a KNOWN true mastery from a simulated district mid-term, and the time to diagnose it.

    uv run python benchmarks/learning_recovery.py [--students 53000] [--items 25] [--skills 8] [--calibrate 3000]

A district exam is simulated (``zhijiao.learning.diagnosis.simulate``: 25 items, 8 knowledge points, 1–3 points
per item, 150 classes with a class effect, a general ability, slip 0.05–0.2 and guess 0.1–0.3, logistic answers;
the last five items are worth 4–12 points and score partially). The default diagnosis model (``hybrid``) is
calibrated on a random sample of ``--calibrate`` students (all of them with ``--calibrate 0``) and every student
is then scored with the calibrated items (``HybridDina.score``, chunked), item statistics are computed for the
whole exam and the answers behind one student's figures are explained. Prints one JSON object: timings (wall
seconds) and, per knowledge point, the correlation between true 0/1 mastery and the estimated P(mastered).
"""

from __future__ import annotations

import argparse
import json
import os
import time

# as ``zhijiao learning`` does: one BLAS thread (spinning threads made the fits 5-10 times slower on 2 busy cores)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from zhijiao.learning.diagnosis import cdm, explain, itemstats, simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=53_000)
    ap.add_argument("--items", type=int, default=25)
    ap.add_argument("--skills", type=int, default=8)
    ap.add_argument("--classes", type=int, default=150)
    ap.add_argument("--calibrate", type=int, default=3000, help="students to fit the items on (0 = all)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    points = np.ones(a.items, dtype=int)
    points[-5:] = [4, 6, 8, 10, 12][: min(5, a.items)]
    t0 = time.perf_counter()
    exam = simulate.simulate_exam(a.students, a.items, a.skills, n_groups=a.classes, points=points, seed=a.seed)
    data = exam.responses()
    t_sim = time.perf_counter() - t0

    t0, cpu0 = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(a.seed + 1)
    if a.calibrate and a.calibrate < a.students:
        sample = np.sort(rng.choice(a.students, size=a.calibrate, replace=False))
        index = np.full(a.students, -1)
        index[sample] = np.arange(sample.size)
        keep = index[data.user] >= 0
        calib = cdm.Responses(index[data.user[keep]], data.item[keep], data.score[keep], sample.size, a.items)
    else:
        calib = data
    model = cdm.HybridDina().fit(calib, exam.q)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    mastery, sd = model.score(data)
    t_score = time.perf_counter() - t0
    cpu_diagnosis = time.process_time() - cpu0

    t0 = time.perf_counter()
    stats = itemstats.item_statistics(exam.scores, exam.points)
    t_items = time.perf_counter() - t0
    t0 = time.perf_counter()
    explained = explain.explain_mastery(model, data, 0)
    t_explain = time.perf_counter() - t0

    rows = simulate.recovery(exam.mastery, mastery)
    print(
        json.dumps(
            {
                "students": a.students,
                "items": a.items,
                "skills": a.skills,
                "calibration_students": calib.n_users,
                "latent_classes": int(model.post.shape[1]),
                "seconds": {
                    "simulate": round(t_sim, 2),
                    "calibrate": round(t_fit, 2),
                    "score_all": round(t_score, 2),
                    "diagnosis_total": round(t_fit + t_score, 2),
                    "diagnosis_cpu": round(cpu_diagnosis, 2),
                    "item_statistics": round(t_items, 3),
                    "explain_one_student": round(t_explain, 4),
                },
                "recovery": [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in rows],
                "mean_corr": round(float(np.mean([r["corr"] for r in rows])), 3),
                "mean_sd": round(float(sd.mean()), 3),
                "alpha": round(stats.alpha, 3),
                "explained_points": len(explained),
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
