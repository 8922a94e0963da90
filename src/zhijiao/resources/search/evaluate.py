# ruff: noqa: E501  (the textbook and query tables read best one chapter or group per line)
"""Relevance evaluation: graded judgements over the generated corpus, nDCG@10 and zero-result rate.

Judgements come from the generator's true metadata (:class:`.corpus.GenResource`), by these rules,
and only over resources the searching teacher may see (published and in scope):

- short term (圆, 函数): 3 if the term is in the resource's primary knowledge point (name or alias);
  2 if it is in another linked knowledge point, its chapter or section name, or a non-math topic; else 0.
- knowledge point / chapter topic (勾股定理): 3 if it is the primary knowledge point (or an alias of it),
  or the chapter name of a chapter-level query; 2 if it is a secondary linked point, the section name or
  the resource's chapter; 1 if the resource is in the same section; else 0.
- constraints named in the query (版本, 年级, 册, 类型, 学科): a topically relevant resource that misses
  one is capped at 1. Without a topic (七年级 数学 教案): 3 if all constraints hold, 1 if all but the
  type hold, else 0.

Run ``python -m zhijiao.resources.search.evaluate [N]`` for the full report.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from dataclasses import dataclass, field

from .backend import SHARING_CITY, SHARING_DISTRICT, SHARING_PUBLIC, SHARING_SCHOOL, STATUS_PUBLISHED, Visibility
from .backend import city_code_of as _city
from .corpus import GenResource, dictionary_terms, generate
from .tantivy_backend import TantivyBackend

EVAL_VISIBILITY = Visibility.teacher("4403050001", "440305")


@dataclass(frozen=True, slots=True)
class EvalQuery:
    text: str
    kind: str  # term | point | textbook | type_point | grade_subject
    term: str = ""
    topic: str = ""
    constraints: dict[str, str] = field(default_factory=dict)


def _q(kind: str, text: str, topic: str = "", **constraints: str) -> EvalQuery:
    if kind == "term":
        return EvalQuery(text=text, kind=kind, term=text)
    return EvalQuery(text=text, kind=kind, topic=topic, constraints=constraints)


QUERIES: list[EvalQuery] = [
    *[_q("term", t) for t in ["圆", "函数", "方程", "角", "根", "概率", "分式", "相似", "勾股", "平移", "数轴", "方差", "切线"]],
    *[
        _q("point", text, topic)
        for text, topic in [
            ("勾股定理", "勾股定理"), ("一元二次方程 根的判别式", "根的判别式"), ("垂径定理", "垂径定理"),
            ("平方差公式", "平方差公式"), ("完全平方公式", "完全平方公式"), ("因式分解", "因式分解"),
            ("反比例函数", "反比例函数"), ("二元一次方程组", "二元一次方程组"), ("平行线的判定", "平行线的判定"),
            ("科学记数法", "科学记数法"), ("韦达定理", "根与系数的关系"), ("三视图", "三视图"),
            ("毕达哥拉斯定理", "勾股定理"), ("配方法", "配方法"), ("扇形面积", "扇形面积"), ("角平分线的性质", "角平分线的性质"),
        ]
    ],
    *[
        _q("textbook", text, topic, edition=ed, grade=g, volume=v)
        for text, topic, ed, g, v in [
            ("人教版 八年级 下册 勾股定理", "勾股定理", "人教版", "八年级", "下册"),
            ("人教版 九年级 上册 二次函数", "二次函数", "人教版", "九年级", "上册"),
            ("人教版 七年级 上册 有理数", "有理数", "人教版", "七年级", "上册"),
            ("人教版七年级上册 一元一次方程", "一元一次方程", "人教版", "七年级", "上册"),
            ("北师大版 九年级 上册 一元二次方程", "一元二次方程", "北师大版", "九年级", "上册"),
            ("人教版 八年级 上册 全等三角形", "全等三角形", "人教版", "八年级", "上册"),
            ("人教版 九年级 下册 相似", "相似", "人教版", "九年级", "下册"),
            ("人教版 八年级 下册 平行四边形", "平行四边形", "人教版", "八年级", "下册"),
            ("北师大版 八年级 下册 一次函数", "一次函数", "北师大版", "八年级", "下册"),
            ("人教版 七年级 下册 实数", "实数", "人教版", "七年级", "下册"),
            ("人教版 九年级 上册 圆", "圆", "人教版", "九年级", "上册"),
            ("华东师大版 八年级 上册 分式", "分式", "华东师大版", "八年级", "上册"),
        ]
    ],
    *[
        _q("type_point", f"{topic} {rtype}", topic, type=rtype)
        for topic, rtype in [
            ("二次函数", "微课"), ("勾股定理", "课件"), ("一元二次方程", "教案"), ("垂径定理", "微课"),
            ("因式分解", "试题"), ("平行四边形", "课件"), ("一次函数", "学案"), ("有理数", "试卷"),
            ("反比例函数", "微课"), ("概率", "课件"), ("二元一次方程组", "教案"), ("三角形的内角和", "微课"),
        ]
    ],
    *[
        _q("grade_subject", text, **c)
        for text, c in [
            ("七年级 数学 教案", {"grade": "七年级", "subject": "数学", "type": "教案"}),
            ("八年级 数学 微课", {"grade": "八年级", "subject": "数学", "type": "微课"}),
            ("九年级 数学 试卷", {"grade": "九年级", "subject": "数学", "type": "试卷"}),
            ("八年级 物理 课件", {"grade": "八年级", "subject": "物理", "type": "课件"}),
            ("九年级 化学 教案", {"grade": "九年级", "subject": "化学", "type": "教案"}),
            ("七年级 语文 课件", {"grade": "七年级", "subject": "语文", "type": "课件"}),
            ("七年级 英语 微课", {"grade": "七年级", "subject": "英语", "type": "微课"}),
            ("六年级 数学 课件", {"grade": "六年级", "subject": "数学", "type": "课件"}),
            ("高一 数学 教案", {"grade": "高一", "subject": "数学", "type": "教案"}),
            ("七年级 生物 微课", {"grade": "七年级", "subject": "生物", "type": "微课"}),
        ]
    ],
]  # fmt: skip


def visible(res: GenResource, vis: Visibility = EVAL_VISIBILITY) -> bool:
    d = res.doc
    if d.status != STATUS_PUBLISHED:
        return False
    return (
        d.sharing == SHARING_PUBLIC
        or (d.sharing == SHARING_CITY and _city(d.owner_division_code) in vis.city_codes)
        or (d.sharing == SHARING_DISTRICT and d.owner_division_code in vis.district_codes)
        or (d.sharing == SHARING_SCHOOL and d.owner_school_code in vis.school_codes)
    )


def _topic_grade(res: GenResource, q: EvalQuery) -> int:
    kp = res.primary_kp
    if q.kind == "term":
        if kp is None:
            return 2 if q.term in res.topic else 0
        if any(q.term in n for n in (kp.name, *kp.aliases)):
            return 3
        others = [n for k in res.kps for n in (k.name, *k.aliases)] + [kp.chapter, kp.section]
        return 2 if any(q.term in n for n in others) else 0
    if kp is None:
        return 3 if q.topic == res.topic else 0
    if q.topic == kp.name or q.topic in kp.aliases:
        return 3
    if q.topic == kp.chapter and q.kind in {"textbook", "type_point"}:
        return 3
    if q.topic in {k.name for k in res.kps} or q.topic in {kp.section, kp.chapter}:
        return 2
    return 0


def judge(res: GenResource, q: EvalQuery) -> int:
    d = res.doc
    values = {"edition": d.edition, "grade": d.grade, "volume": d.volume, "type": d.type, "subject": d.subject}
    missed = {k for k, v in q.constraints.items() if values[k] != v}
    if q.kind == "grade_subject":
        return 3 if not missed else 1 if missed == {"type"} else 0
    grade = _topic_grade(res, q)
    return min(grade, 1) if missed and grade else grade


def ndcg_at(ranked_grades: list[int], all_grades: list[int], k: int = 10) -> float:
    def dcg(grades: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:k]))

    ideal = dcg(sorted(all_grades, reverse=True))
    return dcg(ranked_grades) / ideal if ideal else 1.0


@dataclass(slots=True)
class EvalReport:
    ndcg10: float
    zero_result_rate: float
    by_kind: dict[str, float]
    per_query: list[tuple[str, float, int]]  # (query, nDCG@10, total hits)


def evaluate(backend: TantivyBackend, corpus: list[GenResource], queries: list[EvalQuery] = QUERIES) -> EvalReport:
    seen = [r for r in corpus if visible(r)]
    by_id = {r.doc.id: r for r in seen}
    per_query: list[tuple[str, float, int]] = []
    kinds: dict[str, list[float]] = {}
    zero = 0
    for q in queries:
        judged = {r.doc.id: judge(r, q) for r in seen}
        result = backend.search(q.text, visibility=EVAL_VISIBILITY, limit=10, facets=False)
        ranked = [judged.get(h.id, 0) if h.id in by_id else 0 for h in result.hits]
        score = ndcg_at(ranked, [g for g in judged.values() if g])
        per_query.append((q.text, score, result.total))
        kinds.setdefault(q.kind, []).append(score)
        zero += result.total == 0
    mean = sum(s for _, s, _ in per_query) / len(per_query)
    return EvalReport(
        ndcg10=mean,
        zero_result_rate=zero / len(queries),
        by_kind={k: sum(v) / len(v) for k, v in kinds.items()},
        per_query=per_query,
    )


def build(n: int, path: str, seed: int = 2026) -> tuple[TantivyBackend, list[GenResource]]:
    corpus = list(generate(n, seed))
    backend = TantivyBackend(path, terms=dictionary_terms())
    backend.index((r.doc for r in corpus), replace=False)
    backend.commit()
    return backend, corpus


class WordsOnly(TantivyBackend):
    """Ablation: jieba words only, no character n-grams."""

    gram_fields = ()


class GramsOnly(TantivyBackend):
    """Ablation: character n-grams only, no jieba words."""

    word_fields = ()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 20000
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        backend, corpus = build(n, tmp)
        print(f"indexed {n} resources in {time.perf_counter() - t0:.1f} s")
        report = evaluate(backend, corpus)
        for variant in (WordsOnly, GramsOnly):
            ablated = evaluate(variant(tmp, terms=dictionary_terms()), corpus)
            print(
                f"ablation {variant.__name__:9s}: nDCG@10 {ablated.ndcg10:.3f}, "
                f"zero-result rate {ablated.zero_result_rate:.1%}, "
                + ", ".join(f"{k} {v:.3f}" for k, v in ablated.by_kind.items())
            )
    for text, score, total in report.per_query:
        print(f"  {score:5.3f}  {total:7d}  {text}")
    for kind, score in report.by_kind.items():
        print(f"nDCG@10 {kind:14s} {score:.3f}")
    print(
        f"queries {len(report.per_query)}  nDCG@10 {report.ndcg10:.3f}  zero-result rate {report.zero_result_rate:.1%}"
    )


if __name__ == "__main__":
    main()
