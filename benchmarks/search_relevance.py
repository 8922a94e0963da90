"""Resource search relevance on the hand-written evaluation set (issue 19): nDCG@10, MRR, recall@10, zero results.

    ZHIJIAO_HOME=DIR uv run python benchmarks/search_relevance.py [--mix demo|N] [--home DIR] [--pool FILE] [--json]

1. Reads ``resources.jsonl`` (≥300 resources written by hand: title, description, keywords, type, stage, grade, volume,
   subject, edition, knowledge points) and ``queries.jsonl`` (``{"id","text","patterns":[...],"judgements":{id: 0–3}}``,
   unlisted = 0) from ``--data``.
2. Indexes them into a fresh tantivy index together with the distractors a real library holds:
   ``--mix demo`` (the default): the published resources of the demo library that ``zhijiao demo`` builds
   (``zhijiao.demo.resources`` with ``demo.resource_titles``), read from the demo home ``--home`` (default
   ``$ZHIJIAO_HOME``; migrated first, and prepared there with ``demo_prepare`` when it has no library), each as
   ``resources.indexing`` indexes it, under its ``DEMO-`` 编号, and the region's knowledge-point and chapter names
   join the dictionary;
   ``--mix N``: N resources of the seeded generator (``zhijiao.resources.search.corpus.generate``); ``--mix 0``:
   the set alone. Stage, subject and grade names go through the project's code tables (``zhijiao.core.codes``:
   初二 → 八年级) the way ``resources.indexing`` labels a resource; every resource is public.
3. Runs every query as a teacher who may see everything, through the same path as the API (query understanding with
   the seed dictionary, knowledge-point and chapter names from the set and the generator's taxonomy, the engine, the
   first-page diversification) and prints nDCG@10, MRR (first hit judged ≥ 2), recall@10 (hits judged ≥ 1) and the
   zero-result rate, overall and per pattern (``--json``: the same as JSON, with per-query figures).

Three nDCG@10 figures: **pooled** (the headline with ``--mix demo``): the ranked list as the teacher sees it, the
mixed-in demo resources graded by ``demo_pool_judgements.tsv`` (judged by hand, see the set's README), unjudged
ones 0, the ideal list from both sets of judgements; **condensed**: the set's own resources only, mixed-in ones
skipped; **strict**: the ranked list with every mixed-in resource counted 0. ``--pool FILE`` writes the demo
resources found in any query's top 10 that have no judgement yet, one per (query, resource), sorted by query and
编号 (not by rank), for judging.

Run against another checkout's engine with ``PYTHONPATH=/path/to/old/src``: without ``search.understand`` the plain
``backend.search(text)`` is used (the "before" figure).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from zhijiao.core.codes import code_lookup, code_name
from zhijiao.resources.search.backend import SHARING_PUBLIC, STATUS_PUBLISHED, SearchDoc, Visibility
from zhijiao.resources.search.corpus import MATH_CHAPTERS, dictionary_terms, generate
from zhijiao.resources.search.tantivy_backend import TantivyBackend

try:
    from zhijiao.resources.search import understand
except ImportError:  # an engine from before query understanding
    understand = None  # type: ignore[assignment]

DATA = Path(__file__).resolve().parent / "data" / "search_eval"
SEED = Path(__file__).resolve().parent.parent / "src" / "zhijiao" / "resources" / "search" / "data" / "search_terms.txt"
EVERYONE = Visibility(everything=True)
# Hits read per query: enough that the condensed list (the set's resources only) has its ten.
POOL = 300


def _label(table: str, value: str) -> str:
    """A Chinese name as the index holds it: through the code table (初二 → 八年级), else as written."""
    entry = code_lookup(table, value) if value else None
    return code_name(table, entry.code) if entry else value


# resources.models.ResourceType (code → label), as resources.indexing labels a resource
TYPE_LABELS = {
    "text": "文本素材", "image": "图片素材", "audio": "音频素材", "video": "视频素材", "animation": "动画素材",
    "item": "试题", "paper": "试卷", "courseware": "课件", "case": "案例", "literature": "文献资料",
    "online_course": "网络课程", "micro_lesson": "微课", "lesson_plan": "教案", "learning_plan": "学案",
}  # fmt: skip


def _list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    if isinstance(value, str):
        return [v for v in value.replace("，", ",").replace("；", ",").replace(";", ",").split(",") if v.strip()]
    return []


def eval_docs(path: Path) -> list[SearchDoc]:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        kps = _list(r.get("knowledge_points"))
        docs.append(
            SearchDoc(
                id=str(r["id"]),
                title=str(r.get("title", "")),
                description=str(r.get("description", "")),
                keywords=_list(r.get("keywords")),
                kp_ids=kps,
                kp_names=kps,
                type=TYPE_LABELS.get(str(r.get("type", "")), str(r.get("type", ""))),
                stage=_label("stage", str(r.get("stage", ""))),
                subject=_label("subject", str(r.get("subject", ""))),
                grade=_label("grade", str(r.get("grade", ""))),
                edition=str(r.get("edition", "")),
                volume=str(r.get("volume", "")),
                sharing=SHARING_PUBLIC,
                owner_division_code="440305",
                owner_school_code="4403050001",
            )
        )
    return docs


def demo_library(home: Path) -> tuple[list[SearchDoc], dict[str, str]]:
    """The published demo library in ``home`` (built there first when missing) as the index sees it, under its
    ``DEMO-`` 编号, every resource public; and the region's knowledge-point (with aliases) and chapter names."""
    os.environ["ZHIJIAO_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from zhijiao.curriculum.models import Chapter, KnowledgePoint
    from zhijiao.demo.resources import MARK
    from zhijiao.demo.setup import demo_prepare
    from zhijiao.resources.indexing import resource_doc
    from zhijiao.resources.models import Resource, ResourceStatus

    call_command("migrate", interactive=False, verbosity=0)  # a fresh home, or one from before the last migration
    if not Resource.objects.filter(external_id__startswith=MARK).exists():
        demo_prepare(progress=lambda line: print(line, file=sys.stderr))
    qs = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED, external_id__startswith=MARK)
        .select_related("edition", "volume", "chapter__parent__parent", "owner_school")
        .prefetch_related("knowledge_points")
        .order_by("external_id")
    )
    docs = [dataclasses.replace(resource_doc(r), id=r.external_id, sharing=SHARING_PUBLIC) for r in qs.iterator(1000)]
    names: dict[str, str] = {}
    for name, aliases in KnowledgePoint.objects.values_list("name", "aliases"):
        names[name] = "知识点"
        names.update({a: "知识点" for a in aliases or () if isinstance(a, str) and a not in names})
    for name in Chapter.objects.values_list("name", flat=True):
        names.setdefault(name, "章节")
    return docs, names


def pool_judgements(path: Path) -> dict[str, dict[str, int]]:
    """``demo_pool_judgements.tsv``: query id → {DEMO- 编号: grade 0–3}."""
    out: dict[str, dict[str, int]] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            out.setdefault(row["query"], {})[row["resource"]] = int(row["grade"])
    return out


def ndcg_at(ranked: list[int], judged: list[int], k: int = 10) -> float:
    def dcg(grades: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(judged, reverse=True))
    return dcg(ranked) / ideal if ideal else 1.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--mix", default="demo", help="demo: the demo library; N: N generated resources (0: the set alone)")
    ap.add_argument("--home", type=Path, default=None, help="the demo home (default $ZHIJIAO_HOME)")
    ap.add_argument("--pool", type=Path, default=None, help="write the unjudged demo hits of the top 10s here")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", type=int, default=0, help="print the top N of every query below nDCG 0.7")
    args = ap.parse_args()

    docs = eval_docs(args.data / "resources.jsonl")
    queries = [
        json.loads(x) for x in (args.data / "queries.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    names: dict[str, str] = {}
    for d in docs:
        names.update(dict.fromkeys(d.kp_names, "知识点"))
    pooled_grades: dict[str, dict[str, int]] = {}
    if args.mix == "demo":
        home = args.home or Path(os.environ.get("ZHIJIAO_HOME", "var"))
        mixed, region_names = demo_library(home.resolve())
        for name, kind in region_names.items():
            names.setdefault(name, kind)
        pooled_grades = pool_judgements(args.data / "demo_pool_judgements.tsv")
    else:
        mixed = [g.doc for g in generate(int(args.mix), 2026)] if int(args.mix) else []
        mixed = [dataclasses.replace(d, sharing=SHARING_PUBLIC, status=STATUS_PUBLISHED) for d in mixed]
        names.update({t: "知识点" for t in dictionary_terms()})
        for _g, _v, _n, chapter, sections in MATH_CHAPTERS:
            names.setdefault(chapter, "章节")
            for _no, section, _kps in sections:
                names.setdefault(section, "章节")
    mixed_by_id = {d.id: d for d in mixed}

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        lexicon = None
        extra: list[str] = []
        if understand is not None:
            groups, popular = understand.parse_seed(SEED.read_text(encoding="utf-8").splitlines())
            lexicon = understand.Lexicon(groups=groups, vocabulary=names, popular=popular)
            extra = lexicon.terms()
        backend = TantivyBackend(tmp, terms=[*names, *extra])
        backend.index([*docs, *mixed], replace=False)
        backend.commit()
        index_s = time.perf_counter() - t0

        rows = []
        unjudged: list[tuple[str, str]] = []
        latencies = []
        set_ids = {d.id for d in docs}
        for q in queries:
            t1 = time.perf_counter()
            if lexicon is not None:
                answer = understand.search(
                    backend, lexicon, backend.analyzer, q["text"], visibility=EVERYONE, limit=POOL, facets=False
                )
                result, used = answer.result, answer.query_used
            else:
                result = backend.search(q["text"], visibility=EVERYONE, limit=POOL, facets=False)
            used = q["text"]
            latencies.append((time.perf_counter() - t1) * 1000)
            judged = {str(k): int(v) for k, v in q.get("judgements", {}).items()}
            ranked = [judged.get(h.id, 0) for h in result.hits[:10]]
            # Pooled: the demo resources judged by hand for this query join the set's judgements.
            extra = pooled_grades.get(q["id"], {})
            graded = {**judged, **extra}
            ranked_pooled = [graded.get(h.id, 0) for h in result.hits[:10]]
            for h in result.hits[:10]:
                if h.id in mixed_by_id and h.id not in extra:
                    unjudged.append((q["id"], h.id))
            # Condensed list: the mixed-in resources carry no judgement (a generated 勾股定理 课件 may well be
            # relevant): skip them and rank the set's own resources (unlisted ones = 0) among themselves.
            own = [judged.get(h.id, 0) for h in result.hits if h.id in set_ids][:10]
            good = 2 if any(g >= 2 for g in judged.values()) else 1
            rr = next((1 / (i + 1) for i, g in enumerate(own) if g >= good), 0.0)
            relevant = {k for k, g in judged.items() if g >= 1}
            top_own = [h.id for h in result.hits if h.id in set_ids][:10]
            recall = len(relevant & set(top_own)) / len(relevant) if relevant else 1.0
            rows.append(
                {
                    "id": q.get("id"),
                    "text": q["text"],
                    "used": used,
                    "patterns": q.get("patterns") or ["(none)"],
                    "ndcg10": ndcg_at(own, [g for g in judged.values() if g]),
                    "ndcg10_pooled": ndcg_at(ranked_pooled, [g for g in graded.values() if g]),
                    "unjudged10": sum(1 for h in result.hits[:10] if h.id in mixed_by_id and h.id not in extra),
                    "ndcg10_strict": ndcg_at(ranked, [g for g in judged.values() if g]),
                    "mrr": rr,
                    "recall10": recall,
                    "zero": result.total == 0,
                    "top": [(i, judged.get(i, 0)) for i in top_own],
                    "top10": [(h.id, graded.get(h.id, 0), h.title) for h in result.hits[:10]],
                }
            )

    def summary(rs: list[dict]) -> dict[str, float]:
        return {
            "queries": len(rs),
            "ndcg10": statistics.fmean(r["ndcg10"] for r in rs),
            "ndcg10_pooled": statistics.fmean(r["ndcg10_pooled"] for r in rs),
            "unjudged10": sum(r["unjudged10"] for r in rs),
            "ndcg10_strict": statistics.fmean(r["ndcg10_strict"] for r in rs),
            "mrr": statistics.fmean(r["mrr"] for r in rs),
            "recall10": statistics.fmean(r["recall10"] for r in rs),
            "zero_rate": sum(r["zero"] for r in rs) / len(rs),
        }

    if args.pool is not None:
        queries_by_id = {q["id"]: q for q in queries}
        with args.pool.open("w", encoding="utf-8") as f:
            f.write("query\ttext\tpatterns\tresource\ttype\tstage\tsubject\tgrade\tvolume\ttitle\tdescription\n")
            for qid, rid in sorted(set(unjudged)):
                d = mixed_by_id[rid]
                q = queries_by_id[qid]
                cells = [
                    qid, q["text"], ",".join(q.get("patterns", [])), rid, d.type, d.stage, d.subject, d.grade,
                    d.volume, d.title, d.description,
                ]  # fmt: skip
                f.write("\t".join(" ".join(str(c).split()) for c in cells) + "\n")
        print(f"{len(set(unjudged))} unjudged (query, demo resource) pairs written to {args.pool}", file=sys.stderr)

    patterns = sorted({p for r in rows for p in r["patterns"]})
    report = {
        "engine": "understand" if lexicon is not None else "plain",
        "resources": len(docs),
        "mixed": len(mixed),
        "index_s": round(index_s, 1),
        "query_ms_p50": statistics.median(latencies),
        "overall": summary(rows),
        "by_pattern": {p: summary([r for r in rows if p in r["patterns"]]) for p in patterns},
        "per_query": rows,
    }
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return
    print(
        f"engine: {report['engine']}; {len(docs)} hand-written resources + {len(mixed)} "
        f"{'demo library' if args.mix == 'demo' else 'generated'}, indexed in {index_s:.1f} s; {len(rows)} queries, "
        f"median {report['query_ms_p50']:.1f} ms"
    )
    print(
        "pooled: ranked list, demo hits graded by demo_pool_judgements.tsv (unjudged = 0); condensed: the set's "
        "resources only (MRR, R@10 too); strict: mixed-in resources count as 0; unjudged: mixed-in top-10 hits "
        "without a pooled judgement"
    )
    print(
        f"{'pattern':24s} {'n':>4s} {'pooled':>7s} {'nDCG@10':>8s} {'MRR':>6s} {'R@10':>6s} {'zero':>6s} "
        f"{'strict':>7s} {'unjudged':>8s}"
    )
    for name, s in [("ALL", report["overall"]), *report["by_pattern"].items()]:
        print(
            f"{name:24s} {s['queries']:4d} {s['ndcg10_pooled']:7.3f} {s['ndcg10']:8.3f} {s['mrr']:6.3f} "
            f"{s['recall10']:6.3f} {s['zero_rate']:6.1%} {s['ndcg10_strict']:7.3f} {s['unjudged10']:8d}"
        )
    if args.show:
        for r in rows:
            if r["ndcg10"] < 0.7:
                print(f"  {r['ndcg10']:.3f} {r['text']} → {r['used']}  {r['top'][: args.show]}")


if __name__ == "__main__":
    main()
