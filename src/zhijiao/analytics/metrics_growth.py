"""Growth figures over the warehouse (issue 16 item 6; decision 0055-health-file): 体质优良率, 近视率 and 综合素质评价
完成率 for a node, and per child (the schools of a county, the divisions above, the classes of a school).

Only pupils still on the roll count (a health check or result of a pupil who has left is dropped).

* **体质优良率** = pupils whose latest 体质健康 result of the school year is 优秀 or 良好 ÷ pupils with a result
  (《国家学生体质健康标准（2014年修订）》 levels; growth scores them).
* **近视率** = pupils whose latest health check of the year is 筛查性近视 ÷ pupils whose check decides it
  (WS/T 663—2020; a check that cannot decide — an eye below 5.0 without refraction — counts in neither).
* **综合素质评价完成率** = pupils on the roll whose class's latest review of the year is audited or archived
  (审核 or 归档) ÷ pupils on the roll.

Sums, not rates, come back: the reader divides, so a county's rate pools its schools' pupils. Aggregates only: no
pupil appears. The expressions use the same portable Ibis subset as ``metrics.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir
from ibis import _

from zhijiao.analytics.metrics import Tables, child_key, in_node, node_kind, students
from zhijiao.core.student_status import STUDYING_CODES

GOOD_LEVELS = ("优秀", "良好")


def _child(rows: ir.Table, node: str) -> ir.Table:
    if node_kind(node) == "school":
        return rows.mutate(child=rows.class_id.cast("string").fill_null(""))
    return rows.mutate(child=child_key(rows, node))


def _on_roll(t: Tables, rows: ir.Table) -> ir.Table:
    """Rows of pupils still on the roll (在读/复学, anywhere): a pupil who left is no longer counted."""
    roll = t.students.filter(_.status.isin(STUDYING_CODES)).select(roll_id=_.student_id)
    return rows.semi_join(roll, rows.student_id == roll.roll_id)


def _fitness(t: Tables, node: str) -> ir.Table:
    rows = _on_roll(t, in_node(t.fitness_results, node))
    return rows.mutate(good=rows.level.isin(GOOD_LEVELS).cast("int64"))


def _health(t: Tables, node: str) -> ir.Table:
    rows = _on_roll(t, in_node(t.health_checks, node))
    return rows.mutate(
        decided=rows.myopia.notnull().cast("int64"),
        myopic=(rows.myopia == True).fill_null(False).cast("int64"),  # noqa: E712 (an Ibis comparison)
    )


def _roll(t: Tables, node: str) -> ir.Table:
    pupils = students(t, node)
    reviews = t.growth_reviews.select(rclass=_.class_id, done=_.done)
    joined = pupils.left_join(reviews, pupils.class_id == reviews.rclass)
    return joined.mutate(done=joined.done.fill_null(False).cast("int64"))


def growth_totals(t: Tables, node: str) -> ir.Table:
    """One row: fitness_tested, fitness_good, vision_decided, myopic, pupils, reviews_done."""
    fitness = _fitness(t, node).agg(fitness_tested=_.count(), fitness_good=_.good.sum())
    health = _health(t, node).agg(vision_checked=_.count(), vision_decided=_.decided.sum(), myopic=_.myopic.sum())
    roll = _roll(t, node).agg(pupils=_.count(), reviews_done=_.done.sum())
    return fitness.cross_join(health).cross_join(roll)


def _grouped(t: Tables, node: str, key: Callable[[ir.Table], ir.Table]) -> ir.Table:
    fitness = key(_fitness(t, node)).group_by("child").agg(fitness_tested=_.count(), fitness_good=_.good.sum())
    health = (
        key(_health(t, node))
        .group_by("child")
        .agg(vision_checked=_.count(), vision_decided=_.decided.sum(), myopic=_.myopic.sum())
    )
    roll = key(_roll(t, node)).group_by("child").agg(pupils=_.count(), reviews_done=_.done.sum())
    joined = roll.left_join(fitness, "child").drop("child_right").left_join(health, "child").drop("child_right")
    return joined.mutate(
        fitness_tested=_.fitness_tested.fill_null(0),
        fitness_good=_.fitness_good.fill_null(0),
        vision_checked=_.vision_checked.fill_null(0),
        vision_decided=_.vision_decided.fill_null(0),
        myopic=_.myopic.fill_null(0),
    ).order_by("child")


def growth_by_child(t: Tables, node: str) -> ir.Table:
    """The same sums per child of ``node`` (schools under a county, classes in a school, divisions above)."""
    return _grouped(t, node, lambda rows: _child(rows, node))


def growth_by_school(t: Tables, node: str) -> ir.Table:
    """The same sums per school under ``node`` (``child`` = 学校标识码): the plan indicators' school values."""
    return _grouped(t, node, lambda rows: rows.mutate(child=rows.school_code))


GROWTH_METRICS: dict[str, Callable[[Tables, str], ir.Table]] = {
    "growth_totals": growth_totals,
    "growth_by_child": growth_by_child,
    "growth_by_school": growth_by_school,
}


def rate(part: int | None, whole: int | None) -> float | None:
    """Percent to one decimal, half up; None without a denominator."""
    if not whole:
        return None
    return (int(part or 0) * 1000 + int(whole) // 2) // int(whole) / 10
