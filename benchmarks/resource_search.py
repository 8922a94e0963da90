"""Resource search at scale: index N generated resources, then query latency with facets, filters and sorts.

    uv run python benchmarks/resource_search.py [--n 1000000] [--dir PATH] [--keep] [--rounds 3]
    uv run python benchmarks/resource_search.py --n 1000000 --reuse /var/tmp/search-1m   # build once, then query

1. Streams ``n`` resources from the seeded corpus generator (``zhijiao.resources.search.corpus``) into a fresh
   tantivy index on disk (jieba words + character n-grams, one writer thread); reports time, index size on disk
   and the process's peak resident memory.
2. Runs the 63 relevance-evaluation queries as a teacher would (visibility filter of one school, top 20,
   facet counts over the filtered result), then the same queries with random filters (学段/学科/年级/类型/版本/
   册) and a random sort (relevance/newest/rating/value), ``--rounds`` times each, and an empty query with facets
   (the resource centre's first page), counted and then kept (the engine keeps no-word facet counts per index
   state and visibility); reports p50/p95/max wall time and the process's CPU time per query
   (all threads; less sensitive to other work on the machine), with the load average before and after.

Everything runs in one process on the machine's cores; latency is measured around the search as the API runs
it (``search.understand.search``: query understanding, the engine, the diversified first page; ``--plain``:
``backend.search`` alone).
``--reuse DIR`` keeps the index in DIR and skips indexing when it already holds ``--n`` documents.
``--workers N`` analyses documents (jieba, n-grams) in N processes while the main process writes the index.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from timing import percentile

from zhijiao.resources.search.analysis import Analyzer
from zhijiao.resources.search.backend import SORTS, SearchDoc
from zhijiao.resources.search.corpus import dictionary_terms, generate
from zhijiao.resources.search.evaluate import EVAL_VISIBILITY, QUERIES
from zhijiao.resources.search.tantivy_backend import DEFAULT_TERMS, PreparedDoc, TantivyBackend, prepare
from zhijiao.resources.search.understand import Lexicon, parse_seed
from zhijiao.resources.search.understand import search as understood_search

SEED = Path(__file__).resolve().parent.parent / "src" / "zhijiao" / "resources" / "search" / "data" / "search_terms.txt"


def lexicon() -> Lexicon:
    """The seed search dictionary with the generator's knowledge-point names (what a fresh region starts with)."""
    groups, popular = parse_seed(SEED.read_text(encoding="utf-8").splitlines())
    return Lexicon(groups=groups, vocabulary=dict.fromkeys(dictionary_terms(), "知识点"), popular=popular)


FILTER_CHOICES = {
    "stage": ["初中", "小学", "高中"],
    "subject": ["数学", "物理", "语文"],
    "grade": ["七年级", "八年级", "九年级"],
    "type": ["微课", "课件", "教案", "试题"],
    "edition": ["人教版", "北师大版"],
    "volume": ["上册", "下册"],
}


_worker_analyzer: Analyzer | None = None


def _init_worker() -> None:
    global _worker_analyzer
    _worker_analyzer = Analyzer([*DEFAULT_TERMS, *dictionary_terms(), *lexicon().terms()])


def _prepare_batch(docs: list[SearchDoc]) -> list[PreparedDoc]:
    assert _worker_analyzer is not None
    return [prepare(d, _worker_analyzer) for d in docs]


def _prepared(docs: Iterable[SearchDoc], pool: multiprocessing.pool.Pool) -> Iterator[PreparedDoc]:
    batches = iter(lambda: list(itertools.islice(docs, 500)), [])
    for batch in pool.imap(_prepare_batch, batches):
        yield from batch


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="index directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the index directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="analysis processes (1: in the writing process)")
    parser.add_argument("--query-only", action="store_true", help="skip indexing: query the index already in --dir")
    parser.add_argument(
        "--reuse", type=Path, default=None, metavar="DIR", help="index in DIR, kept; skip indexing if it has --n docs"
    )
    parser.add_argument(
        "--plain", action="store_true", help="query the engine directly (no query understanding, no diversified page)"
    )
    args = parser.parse_args()
    if args.reuse is not None:
        args.dir, args.keep = args.reuse, True
    path = args.dir or Path(tempfile.mkdtemp(prefix="zhijiao-search-"))
    lex = lexicon()
    try:
        backend = TantivyBackend(path, terms=[*dictionary_terms(), *lex.terms()])
        if args.reuse is not None and not args.query_only:
            if backend.num_docs() == args.n:
                args.query_only = True
                print(f"reusing the index in {path} ({args.n:,} documents)")
            elif backend.num_docs():
                del backend
                shutil.rmtree(path)
                backend = TantivyBackend(path, terms=[*dictionary_terms(), *lex.terms()])
        t0, c0 = time.perf_counter(), time.process_time()
        done = 0
        docs: Iterable[SearchDoc | PreparedDoc] = (r.doc for r in generate(0 if args.query_only else args.n))
        pool = None
        if args.workers > 1 and not args.query_only:
            pool = multiprocessing.get_context("spawn").Pool(args.workers, initializer=_init_worker)
            docs = _prepared((r.doc for r in generate(args.n)), pool)
        for i, doc in enumerate(docs, 1):
            backend.index([doc], replace=False)
            if i % 100_000 == 0:
                print(
                    f"  {i:>9,} indexed  {time.perf_counter() - t0:7.1f} s  peak RSS {_peak_rss_mib():.0f} MiB",
                    flush=True,
                )
            done = i
        if pool is not None:
            pool.close()
            pool.join()
        backend.commit()
        index_cpu = time.process_time() - c0 + sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
        seconds = max(time.perf_counter() - t0, 1e-9)
        size = _dir_size(path)
        print(
            f"indexed {done:,} resources in {seconds:.1f} s ({done / seconds:,.0f}/s, "
            f"CPU {index_cpu:.0f} s, load average {os.getloadavg()[0]:.2f}); "
            f"index {size / 2**20:.0f} MiB on disk; peak RSS {_peak_rss_mib():.0f} MiB; docs {backend.num_docs():,}"
        )

        rng = random.Random(7)
        for q in QUERIES[:5]:  # warm the page cache and searcher
            backend.search(q.text, visibility=EVAL_VISIBILITY)
        names = (
            "evaluation queries + facets",
            "random filters + sort + facets",
            "empty query + facets counted",
            "empty query + facets kept",
        )
        series: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in names}
        totals: list[int] = []

        def timed(name: str, text: str, **kw: object) -> int:
            wall, cpu = series[name]
            t, c = time.perf_counter(), time.process_time()
            if args.plain:
                result = backend.search(text, visibility=EVAL_VISIBILITY, limit=20, **kw)  # type: ignore[arg-type]
            else:  # as the API and the pages search: understanding, the engine, the diversified first page
                result = understood_search(
                    backend,
                    lex,
                    backend.analyzer,
                    text,
                    visibility=EVAL_VISIBILITY,
                    limit=20,
                    **kw,  # type: ignore[arg-type]
                ).result
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            return result.total

        load_before = os.getloadavg()
        for _ in range(args.rounds):
            for i, q in enumerate(QUERIES):
                totals.append(timed("evaluation queries + facets", q.text))
                keys = rng.sample(sorted(FILTER_CHOICES), rng.randint(1, 3))
                filters = {k: rng.choice(FILTER_CHOICES[k]) for k in keys}
                timed("random filters + sort + facets", q.text, filters=filters, sort=rng.choice(SORTS))
                if i % 3 == 0:
                    backend.facet_cache_clear()  # the first visitor after a commit counts ...
                    timed("empty query + facets counted", "", sort=rng.choice(SORTS))
                    timed("empty query + facets kept", "", sort=rng.choice(SORTS))  # ... the next ones do not
        load_after = os.getloadavg()
        for name, (wall, cpu) in series.items():
            print(
                f"{name:32s} n={len(wall):4d}  p50 {statistics.median(wall):6.1f} ms  "
                f"p95 {percentile(wall, 0.95):6.1f} ms  max {max(wall):6.1f} ms   "
                f"CPU p50 {statistics.median(cpu):6.1f} ms  p95 {percentile(cpu, 0.95):6.1f} ms"
            )
        print(f"hits per query: median {statistics.median(totals):,.0f}, max {max(totals):,}")
        print(
            "load average (1/5/15 min) before "
            + " ".join(f"{x:.2f}" for x in load_before)
            + ", after "
            + " ".join(f"{x:.2f}" for x in load_after)
        )
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(path, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
