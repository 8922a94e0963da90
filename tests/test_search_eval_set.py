"""The hand-written search evaluation set (issue 19) is well formed: sizes, fields, patterns, judgements."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "search_eval"
TYPES = {
    "text", "image", "audio", "video", "animation", "item", "paper", "courseware", "case", "literature",
    "online_course", "micro_lesson", "lesson_plan", "learning_plan",
}  # fmt: skip
PATTERNS = {
    "short", "phrase", "typo", "variant", "synonym", "shorthand", "compound", "formula", "english", "type", "multi",
}  # fmt: skip


def _lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_resources_are_well_formed():
    resources = _lines("resources.jsonl")
    assert len(resources) >= 300
    assert len({r["id"] for r in resources}) == len(resources)
    for r in resources:
        assert set(r) == {
            "id", "title", "description", "keywords", "type", "stage", "grade", "volume", "subject", "edition",
            "knowledge_points",
        }  # fmt: skip
        assert r["title"] and r["type"] in TYPES and r["stage"] in {"小学", "初中", "高中"}
        assert isinstance(r["knowledge_points"], list)
    assert len({r["subject"] for r in resources}) >= 9


def test_queries_cover_every_pattern_with_graded_judgements():
    ids = {r["id"] for r in _lines("resources.jsonl")}
    queries = _lines("queries.jsonl")
    assert len(queries) >= 100 and len({q["id"] for q in queries}) == len(queries)
    patterns = Counter(p for q in queries for p in q["patterns"])
    assert all(patterns[p] >= 8 for p in PATTERNS), patterns
    for q in queries:
        assert q["text"] and set(q["patterns"]) <= PATTERNS | {"none"}
        assert set(q["judgements"]) <= ids
        assert set(q["judgements"].values()) <= {1, 2, 3}
        assert ("none" in q["patterns"]) == (not q["judgements"])
