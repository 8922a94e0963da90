"""The diagnosis models of ``zhijiao.learning`` on public data: one JSON line per data set × model.

    uv run python benchmarks/learning_models.py [--datasets ../shared/datasets] [--only frcsub,statics,assist2015]

- FrcSub (``frcsub/split``): cognitive diagnosis, models hybrid (default), dina, irt;
- Statics 2011 (``statics2011``, Gervet et al.'s split): knowledge tracing, models lr (default), lrgru, bkt;
- ASSIST2015 (``assist2015``, pyKT's split): knowledge tracing in pyKT's format and protocol — fit on all five folds
  of ``train_valid.csv`` (fold 0 picks the prior strength and the ensemble's weights), test sequences cut into
  pieces of 200 (pieces under 3 answers dropped), each piece predicted from its own earlier answers, its first
  answer not scored, AUC over all scored answers; also ``--full-history`` (no cut, each student's first answer not
  scored) for comparison;
- ``assist2015-resplit`` (with ``--only assist2015-resplit``): other splits of the same data — fold k of
  ``train_valid.csv`` (k = 1, 2) as the test students, the other four folds as training (fold 0 still the
  validation fold), same protocol: do the figures hold on students the choices never saw?

Each line is what ``zhijiao learning evaluate`` prints with ``--json``, plus the data set's name and the fit's CPU
seconds (``fit_cpu_seconds``; the wall time on the shared machine also counts other processes).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

# as ``zhijiao learning`` does: one BLAS thread (spinning threads made the fits 5-10 times slower on 2 busy cores)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from zhijiao.learning.diagnosis.evaluate import evaluate_cdm, evaluate_kt


def _resplit(src: Path, fold: int, out: Path) -> tuple[Path, Path]:
    """train_valid.csv → (training file without ``fold``, that fold as a test file with fold -1)."""
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    train, test = out / f"train_{fold}.csv", out / f"test_{fold}.csv"
    for path, keep in ((train, lambda r: int(r["fold"]) != fold), (test, lambda r: int(r["fold"]) == fold)):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fields)
            w.writeheader()
            for r in rows:
                if keep(r):
                    w.writerow({**r, "fold": r["fold"] if path == train else -1})
    return train, test


def _kt(name: str, train: Path, test: Path, model: str, fmt: str = "tsv", chunk: int | None = 200) -> None:
    timings: dict[str, float] = {}
    result = evaluate_kt(train, test, model, fmt, chunk, timings=timings)
    print(json.dumps({"dataset": name, **result, **timings}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", default="../shared/datasets", help="folder with frcsub/, statics2011/, assist2015/")
    ap.add_argument("--only", default="frcsub,statics,assist2015", help="comma-separated data sets")
    a = ap.parse_args()
    root = Path(a.datasets)
    only = set(a.only.split(","))
    runs: list[tuple[str, dict[str, object]]] = []
    if "frcsub" in only:
        d = root / "frcsub" / "split"
        for model in ("hybrid", "dina", "irt"):
            runs.append(("frcsub", evaluate_cdm(d / "train.csv", d / "test.csv", d / "q.txt", model)))
            print(json.dumps({"dataset": runs[-1][0], **runs[-1][1]}), flush=True)
    if "statics" in only:
        d = root / "statics2011"
        for model in ("lr", "lrgru", "bkt"):
            _kt("statics2011", d / "train.tsv", d / "test.tsv", model)
            runs.append(("statics2011", {}))
    if "assist2015" in only:
        d = root / "assist2015"
        for model, chunk, name in (
            ("lr", 200, "assist2015"),
            ("lrgru", 200, "assist2015"),
            ("bkt", 200, "assist2015"),
            ("lr", None, "assist2015 --full-history"),
        ):
            _kt(name, d / "train_valid.csv", d / "test.csv", model, "pykt", chunk)
            runs.append((name, {}))
    if "assist2015-resplit" in only:
        with tempfile.TemporaryDirectory() as tmp:
            for fold in (1, 2):
                train, test = _resplit(root / "assist2015" / "train_valid.csv", fold, Path(tmp))
                for model in ("lr", "lrgru"):
                    _kt(f"assist2015 fold {fold} as test", train, test, model, "pykt", 200)
                    runs.append(("resplit", {}))
    if not runs:
        sys.exit("nothing to run: --only takes frcsub, statics, assist2015")


if __name__ == "__main__":
    main()
