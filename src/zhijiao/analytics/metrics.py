"""Metric definitions: each is a function from warehouse tables and a node to an Ibis expression.

The expressions are built against :class:`Tables` and never executed here: DuckDB runs them over a snapshot's
Parquet files (``engine.py``), and the same functions compile for Spark and Trino (``metric_sql``), so a province
can run them on its own engine. Only the portable subset of Ibis is used: counts, sums, means, CASE, joins,
UNION ALL, approximate medians — no Mode, no exact quantiles, no window functions.

A **node** is ``""`` (everything), a division code prefix (``42``, ``4201``, ``420112``) or a 10-digit 学校标识码.

Definitions:

* **students** are records on the roll (学生当前状态 01 在读 or 05 复学, core.student_status); **staff** are
  active posts at schools (bureau posts are counted apart as ``bureau_staff``); **teachers** are staff of
  category 11 专任教师; **classes** and **schools** are the active ones.
* **student–staff ratio** = students / staff (学生数 : 教职工数). The national staffing norms (中央编办
  2014 城乡统一中小学教职工编制标准) are 小学 19 : 1, 初中 13.5 : 1, 高中 12.5 : 1. A school's **required
  staff** is Σ over its 学段 of students ÷ norm, so a 九年一贯制 or 完全中学 gets the pupil-weighted norm: 600
  小学 and 300 初中 pupils need 600/19 + 300/13.5 = 53.8 staff, an effective norm of 900/53.8 = 16.7 : 1. Pupils
  of 学段 without a norm here (学前, 中职) add nothing to the requirement. A school is **below norm** (缺编) when
  its staff are fewer than required.
* **大班额**: a class of 56 pupils or more (this count includes the 超大班额); **超大班额**: 66 or more — the rule
  lives in ``core/class_size.py`` and the org pages ask the same functions.
* **data quality** (数据质量) comes from the catalogue's latest scores, one per school × dataset (0–100, with its
  completeness, validity and timeliness). A node's **mean quality score** is the mean of its schools' dataset
  scores; a school's score is the mean of its datasets' scores, and a school is **low quality** below 60.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
from ibis import _

from zhijiao.analytics.warehouse import SCHEMAS
from zhijiao.core.class_size import (  # the one definition of 大班额
    CLASS_SIZE_BANDS,
    is_large_class,
    is_very_large_class,
)
from zhijiao.core.student_status import STUDYING_CODES

TEACHER = "11"  # JY/T 1001 教职工类别: 专任教师
STAFFING_NORMS = {"2": 19.0, "3": 13.5, "4": 12.5}  # 学段 -> students per staff member
LOW_QUALITY = 60.0  # a school's mean data-quality score below this is flagged
STUDENT_DIMENSIONS = {
    "stage": "学段",
    "grade": "年级",
    "sex": "性别",
    "ethnicity": "民族",
    "study_mode": "就读方式",
}


@dataclass(frozen=True)
class Tables:
    divisions: ir.Table
    schools: ir.Table
    classes: ir.Table
    students: ir.Table
    staff: ir.Table
    quality: ir.Table
    learning_statements: ir.Table
    # growth (decision 0055-health-file)
    health_checks: ir.Table
    fitness_results: ir.Table
    growth_reviews: ir.Table
    space_usage: ir.Table  # spaces (issue 18)


def unbound_tables(suffix: str = "") -> Tables:
    """The warehouse tables as bare names with their schemas: what metrics compile against for other engines.
    ``suffix`` names one snapshot's tables (``students_20261129``), as the DuckDB engine names them."""
    return Tables(
        **{name: ibis.table(schema, name=f"{name}_{suffix}" if suffix else name) for name, schema in SCHEMAS.items()}
    )


# ------------------------------------------------------------------------------------------ filters
def node_kind(node: str) -> str:
    """``platform``, ``division`` or ``school``; raises ValueError for anything else."""
    if node == "":
        return "platform"
    if node.isdigit() and len(node) in (2, 4, 6):
        return "division"
    if node.isdigit() and len(node) == 10:
        return "school"
    raise ValueError(node)


def in_node(table: ir.Table, node: str) -> ir.Table:
    """Rows of ``table`` (which has ``division_code`` and ``school_code``) under ``node``."""
    kind = node_kind(node)
    if kind == "school":
        return table.filter(table.school_code == node)
    if kind == "division":
        # Schools hang off counties (6 digits): equality there, a prefix above it.
        return table.filter(table.division_code == node if len(node) == 6 else table.division_code.startswith(node))
    return table


def students(t: Tables, node: str) -> ir.Table:
    return in_node(t.students, node).filter(_.status.isin(STUDYING_CODES))


def school_staff(t: Tables, node: str) -> ir.Table:
    return in_node(t.staff, node).filter(_.is_active, _.school_id.notnull())


def classes(t: Tables, node: str) -> ir.Table:
    return in_node(t.classes, node).filter(_.is_active)


def schools(t: Tables, node: str) -> ir.Table:
    return in_node(t.schools, node).filter(_.is_active)


# ------------------------------------------------------------------------------------------ breakdowns
def schools_by_type(t: Tables, node: str) -> ir.Table:
    """Schools per 办学类型."""
    return schools(t, node).group_by("school_type").agg(schools=_.count()).order_by("school_type")


def students_by(dimension: str) -> Callable[[Tables, str], ir.Table]:
    """Students per value of one dimension (学段, 年级, 性别, 民族, 就读方式)."""
    if dimension not in STUDENT_DIMENSIONS:
        raise ValueError(dimension)

    def build(t: Tables, node: str) -> ir.Table:
        return students(t, node).group_by(dimension).agg(students=_.count()).order_by(dimension)

    build.__name__ = f"students_by_{dimension}"
    return build


def staff_by_category(t: Tables, node: str) -> ir.Table:
    """School staff per 教职工类别."""
    return school_staff(t, node).group_by("category").agg(staff=_.count()).order_by("category")


# ------------------------------------------------------------------------------------------ class sizes
def class_sizes(t: Tables, node: str) -> ir.Table:
    """Every active class with its number of pupils (在读) and whether it is 大班额 / 超大班额."""
    counts = students(t, node).filter(_.class_id.notnull()).group_by("class_id").agg(size=_.count())
    joined = classes(t, node).left_join(counts, "class_id")
    size = joined.size.fill_null(0)
    return joined.select(
        "class_id",
        "school_code",
        "division_code",
        "stage",
        "grade",
        "number",
        "capacity",
        size=size,
        large=is_large_class(size),
        very_large=is_very_large_class(size),
    ).order_by("school_code", "stage", "grade", "number")


def class_size_summary(t: Tables, node: str) -> ir.Table:
    """Per 学段: classes, pupils in them, mean and approximate median size, 大班额 and 超大班额 counts."""
    return (
        class_sizes(t, node)
        .group_by("stage")
        .agg(
            classes=_.count(),
            students=_.size.sum(),
            mean_size=_.size.mean(),
            median_size=_.size.approx_median(),
            max_size=_.size.max(),
            large=_.large.sum(),
            very_large=_.very_large.sum(),
        )
        .order_by("stage")
    )


def class_mix(t: Tables, node: str) -> ir.Table:
    """Pupils (在读) per 年级, class, sex and 就读方式: a grade's classes side by side (class_id null: no class)."""
    return (
        students(t, node)
        .group_by("grade", "class_id", "sex", "study_mode")
        .agg(students=_.count())
        .order_by("grade", "class_id", "sex", "study_mode")
    )


def class_size_bands(t: Tables, node: str) -> ir.Table:
    """Classes per size band (≤45, 46–55, 56–65, ≥66)."""
    sizes = class_sizes(t, node)
    branches = [
        ((sizes.size >= low) & (sizes.size <= high) if high is not None else sizes.size >= low, label)
        for low, high, label in CLASS_SIZE_BANDS
    ]
    order = [(label, index) for index, (_low, _high, label) in enumerate(CLASS_SIZE_BANDS)]
    banded = sizes.mutate(band=ibis.cases(*branches))
    return (
        banded.group_by("band")
        .agg(classes=_.count())
        .mutate(band_order=_.band.cases(*order, else_=99))
        .order_by("band_order")
        .drop("band_order")
    )


# ------------------------------------------------------------------------------------------ staffing
def school_staffing(t: Tables, node: str) -> ir.Table:
    """Per school: students, staff, teachers, required staff by the norms, ratio, effective norm, gap, verdict."""
    # Count pupils per normed 学段, then divide once per 学段: summing 1/19 per pupil would drift in floating point
    # (and differently on each engine), and a school exactly at its norm could be flagged.
    per_stage = {f"stage_{code}": (_.stage == code).sum() for code in STAFFING_NORMS}
    pupils = students(t, node).group_by("school_id").agg(students=_.count(), **per_stage)
    # Counts are cast to double before dividing: Spark SQL reads a literal 19.0 as DECIMAL(3,1), and BIGINT / DECIMAL
    # is a decimal rounded to 6 places there, where DuckDB and Trino give a double.
    required = sum(
        (pupils[f"stage_{code}"].cast("float64") / norm for code, norm in STAFFING_NORMS.items()),
        start=ibis.literal(0.0, type="float64"),
    )
    normed = sum((pupils[f"stage_{code}"] for code in STAFFING_NORMS), start=ibis.literal(0))
    pupils = pupils.select("school_id", "students", normed_students=normed, required_staff=required)
    posts = school_staff(t, node).group_by("school_id").agg(staff=_.count(), teachers=(_.category == TEACHER).sum())
    joined = (
        schools(t, node)
        .select("school_id", "school_code", "name", "school_type", "division_code")
        .left_join(pupils, "school_id")
        .drop("school_id_right")
        .left_join(posts, "school_id")
        .drop("school_id_right")
    )
    filled = joined.mutate(
        students=_.students.fill_null(0),
        normed_students=_.normed_students.fill_null(0),
        required_staff=_.required_staff.fill_null(0.0),
        staff=_.staff.fill_null(0),
        teachers=_.teachers.fill_null(0),
    )
    return filled.mutate(
        ratio=_.students / _.staff.nullif(0),
        norm=_.normed_students / _.required_staff.nullif(0.0),
        staff_gap=_.staff - _.required_staff,
        below_norm=_.staff < _.required_staff,
    ).order_by("school_code")


# ------------------------------------------------------------------------------------------ data quality
def school_quality(t: Tables, node: str) -> ir.Table:
    """Per school with quality scores: its datasets, mean score and mean components, worst first."""
    return (
        in_node(t.quality, node)
        .group_by("school_code", "division_code")
        .agg(
            datasets=_.count(),
            score=_.score.mean(),
            completeness=_.completeness.mean(),
            validity=_.validity.mean(),
            timeliness=_.timeliness.mean(),
        )
        .mutate(low=_.score < LOW_QUALITY)
        .order_by("score", "school_code")
    )


def quality_summary(t: Tables, node: str) -> ir.Table:
    """One row: scores and schools scored, the mean score and mean components, schools below 60."""
    scores = in_node(t.quality, node).agg(
        scores=_.count(),
        quality_mean=_.score.mean(),
        completeness=_.completeness.mean(),
        validity=_.validity.mean(),
        timeliness=_.timeliness.mean(),
    )
    per_school = school_quality(t, node).agg(scored_schools=_.count(), schools_low_quality=_.low.sum())
    return scores.cross_join(per_school)


def quality_trend(history: Sequence[tuple[date, Tables]], node: str) -> ir.Table:
    """The mean quality score under ``node`` in each snapshot, oldest first (empty in snapshots without scores)."""
    parts = [
        in_node(t.quality, node)
        .agg(scores=_.count(), quality_mean=_.score.mean())
        .mutate(snapshot_date=ibis.literal(day, type="date"))
        for day, t in history
    ]
    if not parts:
        raise ValueError("trend needs at least one snapshot")
    return ibis.union(*parts).order_by("snapshot_date") if len(parts) > 1 else parts[0]


# ------------------------------------------------------------------------------------------ comparison
def child_key(table: ir.Table, node: str) -> ir.StringValue:
    """The child of ``node`` each row falls in: the next division level down, or the school under a county."""
    length = {0: 2, 2: 4, 4: 6}.get(len(node))
    return table.division_code.substr(0, length) if length else table.school_code


def children(t: Tables, node: str) -> ir.Table:
    """The node's children side by side (provinces → cities → counties → schools) with the figures of ``totals``."""
    staffing = (
        school_staffing(t, node)
        .mutate(child=lambda r: child_key(r, node))
        .group_by("child")
        .agg(
            schools=_.count(),
            students=_.students.sum(),
            staff=_.staff.sum(),
            teachers=_.teachers.sum(),
            required_staff=_.required_staff.sum(),
            normed_students=_.normed_students.sum(),
            schools_below_norm=_.below_norm.sum(),
        )
    )
    sizes = (
        class_sizes(t, node)
        .mutate(child=lambda r: child_key(r, node))
        .group_by("child")
        .agg(
            classes=_.count(),
            students_in_classes=_.size.sum(),
            large_classes=_.large.sum(),
            very_large_classes=_.very_large.sum(),
        )
    )
    joined = staffing.left_join(sizes, "child").drop("child_right")
    return joined.mutate(
        classes=_.classes.fill_null(0),
        students_in_classes=_.students_in_classes.fill_null(0),
        large_classes=_.large_classes.fill_null(0),
        very_large_classes=_.very_large_classes.fill_null(0),
    ).order_by("child")


# ------------------------------------------------------------------------------------------ totals
def totals(t: Tables, node: str) -> ir.Table:
    """One row of the node's key figures (ratios are left to the reader: they divide these sums)."""
    staffing = school_staffing(t, node).agg(
        schools=_.count(),
        schools_below_norm=_.below_norm.sum(),
        required_staff=_.required_staff.sum(),
        normed_students=_.normed_students.sum(),
    )
    pupils = students(t, node).agg(students=_.count())
    posts = school_staff(t, node).agg(staff=_.count(), teachers=(_.category == TEACHER).sum())
    bureau = in_node(t.staff, node).filter(_.is_active, _.school_id.isnull()).agg(bureau_staff=_.count())
    sizes = class_sizes(t, node).agg(
        classes=_.count(),
        students_in_classes=_.size.sum(),
        large_classes=_.large.sum(),
        very_large_classes=_.very_large.sum(),
        median_class_size=_.size.approx_median(),
    )
    return staffing.cross_join(pupils).cross_join(posts).cross_join(bureau).cross_join(sizes)


def trend(history: Sequence[tuple[date, Tables]], node: str) -> ir.Table:
    """Schools, classes, students, staff and teachers under ``node`` in each snapshot, oldest first."""
    parts = []
    for day, t in history:
        pupils = students(t, node).agg(students=_.count())
        posts = school_staff(t, node).agg(staff=_.count(), teachers=(_.category == TEACHER).sum())
        counted = classes(t, node).agg(classes=_.count())
        places = schools(t, node).agg(schools=_.count())
        row = places.cross_join(counted).cross_join(pupils).cross_join(posts)
        parts.append(row.mutate(snapshot_date=ibis.literal(day, type="date")))
    if not parts:
        raise ValueError("trend needs at least one snapshot")
    return ibis.union(*parts).order_by("snapshot_date") if len(parts) > 1 else parts[0]


# ------------------------------------------------------------------------------------------ registry
# ------------------------------------------------------------------------------------------ learning activity
# The 学习活动 panel (docs/xapi.md "进入数据仓库"): the learning record store's statements of pupils on the roll,
# counted per day, per verb and per school or class. Aggregates only: no learner appears, not even by id.
def learning(t: Tables, node: str) -> ir.Table:
    """Statements of learners the registry places at a school under ``node``."""
    return in_node(t.learning_statements, node).filter(_.school_code != "")


def learning_totals(t: Tables, node: str) -> ir.Table:
    return learning(t, node).aggregate(
        statements=_.count(),
        learners=_.learner_id.nunique(),
        seconds=_.duration_s.sum(),
        days=_.day.nunique(),
    )


def learning_daily(t: Tables, node: str) -> ir.Table:
    """Active learners (distinct accounts with a statement that day) and statements per day."""
    return (
        learning(t, node)
        .group_by("day")
        .agg(learners=_.learner_id.nunique(), statements=_.count(), seconds=_.duration_s.sum())
        .order_by("day")
    )


def learning_verbs(t: Tables, node: str) -> ir.Table:
    return (
        learning(t, node)
        .group_by("verb_id", "verb")
        .agg(statements=_.count(), learners=_.learner_id.nunique())
        .order_by(ibis.desc("statements"), "verb_id")
    )


def learning_by_child(t: Tables, node: str) -> ir.Table:
    """Per school below a division (``child`` = the next division level or the school), per class in a school."""
    rows = learning(t, node)
    if node_kind(node) == "school":
        rows = rows.mutate(child=_.class_id.cast("string").fill_null(""))
    else:
        rows = rows.mutate(child=lambda r: child_key(r, node))
    return (
        rows.group_by("child")
        .agg(
            statements=_.count(),
            learners=_.learner_id.nunique(),
            seconds=_.duration_s.sum(),
            completed=(_.completion == True).sum(),  # noqa: E712 (an Ibis comparison, nulls not counted)
        )
        .order_by(ibis.desc("statements"), "child")
    )


LEARNING_METRICS: dict[str, Callable[[Tables, str], ir.Table]] = {
    "learning_totals": learning_totals,
    "learning_daily": learning_daily,
    "learning_verbs": learning_verbs,
    "learning_by_child": learning_by_child,
}


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    build: Callable[[Tables, str], ir.Table]


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("totals", "关键指标", totals),
        Metric("schools_by_type", "学校（按办学类型）", schools_by_type),
        *(
            Metric(f"students_by_{d}", f"在校生（按{label}）", students_by(d))
            for d, label in STUDENT_DIMENSIONS.items()
        ),
        Metric("staff_by_category", "教职工（按类别）", staff_by_category),
        Metric("school_staffing", "各校生师比与编制标准", school_staffing),
        Metric("class_sizes", "班额（逐班）", class_sizes),
        Metric("class_size_summary", "班额（按学段）", class_size_summary),
        Metric("class_size_bands", "班额分布", class_size_bands),
        Metric("class_mix", "各班学生构成（按年级、性别、就读方式）", class_mix),
        Metric("children", "下级区域或学校对比", children),
        Metric("school_quality", "各校数据质量（由低到高）", school_quality),
        Metric("quality_summary", "数据质量", quality_summary),
    )
}
TREND_TITLE = "学校、班级、学生与教职工变化趋势"

DIALECTS = ("duckdb", "pyspark", "trino")


def _pyspark_options() -> None:
    """Ibis reads ``options.pyspark`` while compiling for Spark; the option group is registered by the PySpark
    backend, which needs pyspark installed. Compiling must not need it, so register the defaults."""
    if getattr(ibis.options, "pyspark", None) is None:

        class PySparkOptions(ibis.config.Config):
            treat_nan_as_null: bool = False

        ibis.options.pyspark = PySparkOptions()


def metric_sql(expr: ir.Table, dialect: str) -> str:
    """``expr`` as SQL for ``dialect`` (duckdb, pyspark, trino), over tables named as in the warehouse."""
    if dialect not in DIALECTS:
        raise ValueError(dialect)
    if dialect == "pyspark":
        _pyspark_options()
    return str(ibis.to_sql(expr, dialect=dialect))
