"""Bulk resource package import with publishing: wall time and how many times the search index is written.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python benchmarks/resource_package_import.py [--rows 400] [--seed 7]

A generated package (``manifest.csv`` and ``--rows`` small Markdown files: 人教版初中数学 lesson plans spread over
the six books, each with its chapter and a knowledge point) is imported by the demo's region administrator
with ``--publish`` on the demo region, so every row is created, reviewed along the path and published. Jobs run
in the importing process (``ZHIJIAO_JOBS_IMMEDIATE``), as with no separate worker: the time includes indexing
the published resources into the demo's search index (tantivy, thousands of documents already in it).
``index calls`` counts calls of ``indexing.index_resources`` — each ends with one index commit.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
import zipfile
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
os.environ["ZHIJIAO_JOBS_IMMEDIATE"] = "1"

HEADER = "编号,标题,简介,关键词,类型,学段,学科,年级,版本,册,章节,知识点,共享范围,授权方式,文件,作者账号"


def build_package(rows: int, seed: int, author: str, run: str) -> io.BytesIO:
    from zhijiao.curriculum.models import Chapter

    rng = random.Random(seed)
    sections = list(
        Chapter.objects.filter(parent__isnull=False, knowledge_points__isnull=False)
        .select_related("volume")
        .prefetch_related("knowledge_points")
        .distinct()
    )
    lines: list[list[str]] = []
    files: dict[str, bytes] = {}
    kinds = ["教案", "学案", "课件", "试题", "微课"]
    for i in range(rows):
        s = rng.choice(sections)
        point = rng.choice(list(s.knowledge_points.all()))
        name = f"{s.number} {s.name}"
        path = f"files/{run}-{i:04d}.md"
        kind = kinds[i % len(kinds)]
        lines.append(
            [f"{run}-{i:04d}", f"{name} {kind}（第{i + 1}份）", f"{s.volume.name}{name}的课堂材料", point.name, kind,
             "初中", "数学", "", "人教版", s.volume.name, s.number, point.code, "本区", "", path, author]
        )  # fmt: skip
        files[path] = f"# {name}\n\n第 {i + 1} 份材料：{point.name}。{rng.random()}\n".encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        text = io.StringIO()
        csv.writer(text).writerows([HEADER.split(","), *lines])
        zf.writestr("manifest.csv", text.getvalue().encode("utf-8-sig"))
        for name, data in files.items():
            zf.writestr(name, data)
    buf.seek(0)
    return buf


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from zhijiao.audit.services import Origin
    from zhijiao.identity.models import Account
    from zhijiao.resources import indexing
    from zhijiao.resources.package import package_import

    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))
    bureau = next(a for a in accounts if a["role"] == "region_admin")
    teacher = next(a for a in accounts if a["role"] == "teacher")
    run = f"B{int(time.time())}"
    package = build_package(args.rows, args.seed, teacher["username"], run)

    calls: dict[str, float] = {"n": 0, "ids": 0, "s": 0.0}
    real = indexing.index_resources

    def counted(ids):
        ids = list(ids)
        calls["n"] += 1
        calls["ids"] += len(ids)
        t = time.perf_counter()
        try:
            return real(ids)
        finally:
            calls["s"] += time.perf_counter() - t

    from zhijiao.resources import tasks

    tasks.index_resources = counted  # the task calls it through its module global
    indexing.search_backend()  # open the index (and load the dictionary) before the clock starts
    actor = Account.objects.get(username=bureau["username"])
    start = time.perf_counter()
    result = package_import(actor=actor, source=package, origin=Origin(ip="127.0.0.1"), publish=True)
    wall = time.perf_counter() - start
    print(json.dumps(result.counts, ensure_ascii=False))
    if not result.ok:
        print(json.dumps(result.errors[:5], ensure_ascii=False), file=sys.stderr)
        raise SystemExit(1)
    print(
        f"rows {args.rows}  wall {wall:.1f} s  ({args.rows / wall:.1f} rows/s)  "
        f"index calls {calls['n']:.0f} ({calls['s']:.1f} s)  resources indexed {calls['ids']:.0f}"
    )


if __name__ == "__main__":
    main()
