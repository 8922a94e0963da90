"""Score a city's fitness results (issue 16: ≈ 1.5 million pupils in under 60 s).

    uv run python benchmarks/fitness_score.py [--pupils 1500000] [--dir DIR] [--keep]

Writes a synthetic results CSV in the layout of a device export (Chinese headers, grades 一年级…六年级 and
高一…高三, sexes mixed, results drawn around each grade's 60–100 rows, times as seconds or 分'秒), then times, as
``zhijiao fitness score IN OUT`` does them: reading the file, checking and scoring every row, writing the result
CSV. 1 % of the rows carry a typing error so the rejection path is timed too. Prints one line per step and the
total; exits 1 if rows_in ≠ scored + rejected.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
os.environ.setdefault("ZHIJIAO_HOME", tempfile.mkdtemp(prefix="zh-fitness-bench-"))

from zhijiao.growth.fitness import GRADE_NAMES, standard_load
from zhijiao.growth.tabular import read_table, score_frame, write_table

ITEM_HEADERS = {
    "vital_capacity": "肺活量", "run_50m": "50米跑", "sit_reach": "坐位体前屈", "rope_1min": "一分钟跳绳",
    "sit_up": "一分钟仰卧起坐", "shuttle_50x8": "50米×8往返跑", "long_jump": "立定跳远", "pull_up": "引体向上",
    "run_800": "800米跑", "run_1000": "1000米跑",
}  # fmt: skip


def synthesise(n: int, path: Path, seed: int = 16) -> None:
    std = standard_load()
    rng = np.random.default_rng(seed)
    grades = np.array([1, 2, 3, 4, 5, 6, 10, 11, 12])
    grade = rng.choice(grades, n)
    sex = rng.integers(0, 2, n)
    cols: dict[str, object] = {
        "学籍号": [f"G{i:018d}" for i in range(n)],
        "性别": np.where(sex == 0, "男", "女"),
        "年级": np.array([GRADE_NAMES[g] for g in grades])[np.searchsorted(grades, grade)],
        "身高": np.round(rng.normal(100 + grade * 6, 8), 1),
        "体重": np.round(rng.normal(15 + grade * 4, 5).clip(12), 1),
    }
    for item, header in ITEM_HEADERS.items():
        lo = np.full(n, np.nan)
        hi = np.full(n, np.nan)
        for (it, g, s), table in std.tables.items():
            if it == item:
                here = (grade == g) & (sex == ("男", "女").index(s))
                lo[here] = table.rows[14][1]  # 60-point row
                hi[here] = table.rows[0][1]  # 100-point row
        value = lo + (hi - lo) * rng.uniform(-0.3, 1.2, n)
        if item not in {"sit_reach"}:
            value = np.clip(value, 0, None)
        decimals = 1 if item in {"run_50m", "sit_reach"} else 0
        text = np.where(np.isnan(value), "", np.round(value, decimals).astype(str))
        if item in {"run_800", "run_1000"}:  # half of the exports write 分'秒
            secs = np.nan_to_num(np.round(value)).astype(int)
            mmss = np.char.add(np.char.add((secs // 60).astype(str), "'"), np.char.zfill((secs % 60).astype(str), 2))
            text = np.where(
                np.isnan(value),
                "",
                np.where(rng.random(n) < 0.5, mmss, np.nan_to_num(np.round(value)).astype(int).astype(str)),
            )
        elif decimals == 0:
            text = np.where(np.isnan(value), "", np.nan_to_num(np.round(value)).astype(int).astype(str))
        cols[header] = text
    typo = rng.random(n) < 0.01
    cols["50米跑"] = np.where(typo, "九秒", cols["50米跑"])
    pl.DataFrame(cols).write_csv(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pupils", type=int, default=1_500_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="zh-fitness-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    src, dst = work / "results.csv", work / "scored.csv"
    t = time.perf_counter()
    synthesise(args.pupils, src)
    print(
        f"synthetic file: {args.pupils:,} rows, {src.stat().st_size / 1e6:.0f} MB, "
        f"{time.perf_counter() - t:.1f} s (not timed)"
    )
    std = standard_load()
    t0 = time.perf_counter()
    frame = read_table(src.read_bytes(), src.name)
    t1 = time.perf_counter()
    result = score_frame(std, frame)
    t2 = time.perf_counter()
    write_table(result.frame, dst)
    t3 = time.perf_counter()
    print(f"read      {t1 - t0:6.1f} s")
    print(f"check+score {t2 - t1:4.1f} s  ({result.scored:,} scored, {result.rejected:,} rejected)")
    print(f"write     {t3 - t2:6.1f} s")
    print(f"total     {t3 - t0:6.1f} s  for {result.rows_in:,} pupils ({result.rows_in / (t3 - t0):,.0f} rows/s)")
    levels = result.frame["等级"].value_counts().sort("等级")
    print("levels:", ", ".join(f"{r[0]} {r[1]:,}" for r in levels.iter_rows() if r[0]))
    if not args.keep and args.dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if result.rows_in == result.scored + result.rejected else 1


if __name__ == "__main__":
    sys.exit(main())
