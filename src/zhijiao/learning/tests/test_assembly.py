"""Automatic assembly from a 双向细目表: the pure algorithm (no database)."""

from __future__ import annotations

from zhijiao.learning.assembly import Candidate, Target, assemble


def pool() -> list[Candidate]:
    out = []
    n = 0
    for kind, count in (("single", 12), ("blank", 6), ("open", 3)):
        for i in range(count):
            n += 1
            out.append(Candidate(n, 100 + n, kind, 1 + i % 5, 3.0, frozenset({10 if i % 2 else 20})))
    return out


def test_targets_are_met_without_duplicates():
    targets = [
        Target("single", 2, point_id=10, point_name="一元二次方程", difficulty=2),  # exactly two exist
        Target("single", 4),  # any point, any difficulty: must not take the first row's items
        Target("blank", 2, points=4),
        Target("open", 1, difficulty=1, points=10),
    ]
    result = assemble(targets, pool(), seed=7)
    assert result.complete and result.shortfalls == []
    ids = [p.candidate.item_id for p in result.picks]
    assert len(ids) == len(set(ids)) == 9
    for index, target in enumerate(targets):
        mine = [p for p in result.picks if p.target == index]
        assert len(mine) == target.count and all(target.accepts(p.candidate) for p in mine)
    assert result.total == 3 * 6 + 4 * 2 + 10


def test_same_seed_same_paper_other_seed_other_paper():
    targets = [Target("single", 4)]
    a = assemble(targets, pool(), seed=1)
    assert [p.candidate.item_id for p in a.picks] == [
        p.candidate.item_id for p in assemble(targets, pool(), seed=1).picks
    ]
    assert [p.candidate.item_id for p in assemble(targets, list(reversed(pool())), seed=1).picks] == [
        p.candidate.item_id for p in a.picks
    ]
    others = {tuple(p.candidate.item_id for p in assemble(targets, pool(), seed=s).picks) for s in range(2, 12)}
    assert len(others) > 1


def test_shortfalls_are_reported_in_chinese():
    targets = [
        Target("single", 5, point_id=10, point_name="一元二次方程", difficulty=3),
        Target("essay", 1),
    ]
    result = assemble(targets, pool(), seed=3)
    # single items with point 10 and difficulty 3: i odd and i % 5 == 2 → i in {7}: one item
    assert result.shortfalls == ["知识点 一元二次方程 中等难度 单选题 缺4题", "不限知识点 不限难度 作文 缺1题"]
    assert len(result.picks) == 1 and not result.complete


def test_scarce_rows_are_served_first():
    """A broad row first in the table must not take the only item a narrow row can use."""
    cands = [Candidate(1, 1, "single", 3, 3.0, frozenset({5})), Candidate(2, 2, "single", 3, 3.0, frozenset())]
    targets = [Target("single", 1), Target("single", 1, point_id=5, point_name="勾股定理")]
    for seed in range(20):
        result = assemble(targets, cands, seed=seed)
        assert result.complete
        assert next(p for p in result.picks if p.target == 1).candidate.item_id == 1
