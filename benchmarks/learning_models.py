"""The diagnosis models of ``zhijiao.learning`` on public data: one JSON line per data set × model.

    uv run python benchmarks/learning_models.py [--datasets ../shared/datasets] [--only frcsub,statics,assist2015]

- FrcSub (``frcsub/split``): cognitive diagnosis, models hybrid (default), dina, irt;
- Statics 2011 (``statics2011``, Gervet et al.'s split): knowledge tracing, models lr (default), bkt;
- ASSIST2015 (``assist2015``, pyKT's split): knowledge tracing in pyKT's format and protocol — fit on all five folds
  of ``train_valid.csv`` (fold 0 picks the prior strength), test sequences cut into pieces of 200 (pieces under 3
  answers dropped), each piece predicted from its own earlier answers, its first answer not scored, AUC over all
  scored answers; also ``--full-history`` (no cut, each student's first answer not scored) for comparison.

Each line is what ``zhijiao learning evaluate`` prints with ``--json``, plus the data set's name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# as ``zhijiao learning`` does: one BLAS thread (spinning threads made the fits 5-10 times slower on 2 busy cores)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from zhijiao.learning.diagnosis.evaluate import evaluate_cdm, evaluate_kt


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
        for model in ("lr", "bkt"):
            runs.append(("statics2011", evaluate_kt(d / "train.tsv", d / "test.tsv", model)))
            print(json.dumps({"dataset": runs[-1][0], **runs[-1][1]}), flush=True)
    if "assist2015" in only:
        d = root / "assist2015"
        for model, chunk, name in (
            ("lr", 200, "assist2015"),
            ("bkt", 200, "assist2015"),
            ("lr", None, "assist2015 --full-history"),
        ):
            runs.append((name, evaluate_kt(d / "train_valid.csv", d / "test.csv", model, "pykt", chunk)))
            print(json.dumps({"dataset": runs[-1][0], **runs[-1][1]}), flush=True)
    if not runs:
        sys.exit("nothing to run: --only takes frcsub, statics, assist2015")


if __name__ == "__main__":
    main()
