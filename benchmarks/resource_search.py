"""Resource search at scale: index N generated resources, then query latency with facets, filters and sorts.

    uv run python benchmarks/resource_search.py [--n 1000000] [--dir PATH] [--keep] [--rounds 3]

1. Streams ``n`` resources from the seeded corpus generator (``zhijiao.resources.search.corpus``) into a fresh
   tantivy index on disk (jieba words + character n-grams, one writer thread); reports time, index size on disk
   and the process's peak resident memory.
2. Runs the 63 relevance-evaluation queries as a teacher would (visibility filter of one school, top 20,
   facet counts over the filtered result), then the same queries with random filters (学段/学科/年级/类型/版本/
   册) and a random sort (relevance/newest/rating/value), ``--rounds`` times each; reports p50/p95/max.

Everything runs in one process on the machine's cores; latency is measured around ``backend.search``.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from zhijiao.resources.search.backend import SORTS
from zhijiao.resources.search.corpus import dictionary_terms, generate
from zhijiao.resources.search.evaluate import EVAL_VISIBILITY, QUERIES
from zhijiao.resources.search.tantivy_backend import TantivyBackend

FILTER_CHOICES = {
    "stage": ["初中", "小学", "高中"],
    "subject": ["数学", "物理", "语文"],
    "grade": ["七年级", "八年级", "九年级"],
    "type": ["微课", "课件", "教案", "试题"],
    "edition": ["人教版", "北师大版"],
    "volume": ["上册", "下册"],
}


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="index directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the index directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--query-only", action="store_true", help="skip indexing: query the index already in --dir")
    args = parser.parse_args()
    path = args.dir or Path(tempfile.mkdtemp(prefix="zhijiao-search-"))
    try:
        backend = TantivyBackend(path, terms=dictionary_terms())
        t0 = time.perf_counter()
        done = 0
        docs = (r.doc for r in generate(0 if args.query_only else args.n))
        for i, doc in enumerate(docs, 1):
            backend.index([doc], replace=False)
            if i % 100_000 == 0:
                print(
                    f"  {i:>9,} indexed  {time.perf_counter() - t0:7.1f} s  peak RSS {_peak_rss_mib():.0f} MiB",
                    flush=True,
                )
            done = i
        backend.commit()
        seconds = max(time.perf_counter() - t0, 1e-9)
        size = _dir_size(path)
        print(
            f"indexed {done:,} resources in {seconds:.1f} s ({done / seconds:,.0f}/s); "
            f"index {size / 2**20:.0f} MiB on disk; peak RSS {_peak_rss_mib():.0f} MiB; docs {backend.num_docs():,}"
        )

        rng = random.Random(7)
        for q in QUERIES[:5]:  # warm the page cache and searcher
            backend.search(q.text, visibility=EVAL_VISIBILITY)
        plain: list[float] = []
        filtered: list[float] = []
        totals: list[int] = []
        for _ in range(args.rounds):
            for q in QUERIES:
                t = time.perf_counter()
                result = backend.search(q.text, visibility=EVAL_VISIBILITY, limit=20)
                plain.append((time.perf_counter() - t) * 1000)
                totals.append(result.total)
                keys = rng.sample(sorted(FILTER_CHOICES), rng.randint(1, 3))
                filters = {k: rng.choice(FILTER_CHOICES[k]) for k in keys}
                t = time.perf_counter()
                backend.search(q.text, visibility=EVAL_VISIBILITY, filters=filters, sort=rng.choice(SORTS), limit=20)
                filtered.append((time.perf_counter() - t) * 1000)
        for name, values in (("evaluation queries + facets", plain), ("random filters + sort + facets", filtered)):
            print(
                f"{name:32s} n={len(values):4d}  p50 {statistics.median(values):6.1f} ms  "
                f"p95 {_pct(values, 0.95):6.1f} ms  max {max(values):6.1f} ms"
            )
        print(f"hits per query: median {statistics.median(totals):,.0f}, max {max(totals):,}")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(path, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
