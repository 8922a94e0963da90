"""The resource value score (资源价值评定, plan 001: 类型与等级评定、用户评价、资源有效使用率).

For every published resource::

    value = round(100 × (0.3·G + 0.4·R + 0.3·U), 1)          (0–100)

G — grade (类型与等级): ``LEVEL_GRADE[level] × TYPE_WEIGHT[type]``; 精品 1.0, 优秀 0.8, 合格 0.6, 未评定 0.5.
    Type weights reflect how much ready-to-teach work a resource carries: complete teaching units
    (网络课程/微课/课件) 1.0; ready-to-use documents (试卷/教案/学案) 0.9; single pieces (试题/案例) 0.8;
    raw materials a teacher still has to build a lesson from (文本/图片/音频/视频/动画素材, 文献资料) 0.7.
R — rating (用户评价): the Bayesian average ``(C·m + Σscores) / (C + n)`` with ``C = 5`` and ``m`` the mean of
    all ratings on published resources (3.5 while there are fewer than 20), mapped from 1–5 to 0–1 as
    ``(avg − 1) / 4``. A resource with two 5-star ratings does not outrank one with forty 4.6s.
U — effective use (有效使用率): for 视频素材/音频素材/微课 the share of plays watched to at least 80 %; for
    every other type the share of signed-in visitors (viewed or downloaded) who downloaded it. Both are
    smoothed toward the population rate ``p`` of their family (media / documents, 0.5 while there are fewer
    than 20 trials) with a prior weight ``K = 10``: ``(K·p + effective) / (K + trials)``.

Stored per resource: ``rating_avg`` / ``rating_count`` (the raw mean and count), ``favourite_count``,
``view_count`` / ``download_count`` / ``play_count``, ``effective_use_rate`` (the raw, unsmoothed rate;
null with no trials), ``value_score`` and ``value_computed_at``.

:func:`value_recompute` is bulk: a fixed number of SQL aggregates (GROUP BY resource) over all published
resources, the arithmetic in Polars, and one set-based ``UPDATE … FROM`` of the rows whose figures changed; its
query count does not depend on how many resources there are. ``docs/decisions/0012-resource-value.md`` argues the
choices.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from zhijiao.resources.models import (
    Favourite,
    Rating,
    Resource,
    ResourceLevel,
    ResourceStatus,
    ResourceType,
    UsageEvent,
    UsageKind,
)

WEIGHT_GRADE, WEIGHT_RATING, WEIGHT_USE = 0.3, 0.4, 0.3

LEVEL_GRADE: dict[str, float] = {
    ResourceLevel.EXCELLENT: 1.0,
    ResourceLevel.GOOD: 0.8,
    ResourceLevel.PASS: 0.6,
    ResourceLevel.UNRATED: 0.5,
}
TYPE_WEIGHT: dict[str, float] = {
    ResourceType.ONLINE_COURSE: 1.0,
    ResourceType.MICRO_LESSON: 1.0,
    ResourceType.COURSEWARE: 1.0,
    ResourceType.PAPER: 0.9,
    ResourceType.LESSON_PLAN: 0.9,
    ResourceType.LEARNING_PLAN: 0.9,
    ResourceType.ITEM: 0.8,
    ResourceType.CASE: 0.8,
    ResourceType.TEXT: 0.7,
    ResourceType.IMAGE: 0.7,
    ResourceType.AUDIO: 0.7,
    ResourceType.VIDEO: 0.7,
    ResourceType.ANIMATION: 0.7,
    ResourceType.LITERATURE: 0.7,
}
# Types whose use is measured by how far people watch or listen (plays), not by downloads.
MEDIA_TYPES = frozenset({ResourceType.VIDEO, ResourceType.AUDIO, ResourceType.MICRO_LESSON})

RATING_PRIOR_WEIGHT = 5  # C
RATING_PRIOR_DEFAULT = 3.5  # m while ratings are few
USE_PRIOR_WEIGHT = 10  # K
USE_PRIOR_DEFAULT = 0.5  # p while trials are few
POPULATION_MIN = 20  # ratings / trials needed before the population mean replaces the default prior
EFFECTIVE_PROGRESS = 0.8  # a play counts as effective once watched this far


def grade(*, level: str, type: str) -> float:
    """G: level grade × type weight (0–1)."""
    return LEVEL_GRADE.get(level, LEVEL_GRADE[ResourceLevel.UNRATED]) * TYPE_WEIGHT.get(type, 0.7)


def bayes_rating(*, total: float, count: int, prior: float = RATING_PRIOR_DEFAULT) -> float:
    """The Bayesian average of ``count`` scores summing to ``total`` (1–5)."""
    return (RATING_PRIOR_WEIGHT * prior + total) / (RATING_PRIOR_WEIGHT + count)


def smoothed_rate(*, effective: int, trials: int, prior: float = USE_PRIOR_DEFAULT) -> float:
    """U: an effective-use rate pulled toward ``prior`` with the weight of ``USE_PRIOR_WEIGHT`` trials."""
    return (USE_PRIOR_WEIGHT * prior + effective) / (USE_PRIOR_WEIGHT + trials)


def value_of(*, g: float, r: float, u: float) -> float:
    """The score from its three parts, each 0–1 (``r`` already mapped from 1–5)."""
    return round(100 * (WEIGHT_GRADE * g + WEIGHT_RATING * r + WEIGHT_USE * u), 1)


def value_initial(*, level: str, type: str) -> float:
    """The score of a resource just published (no ratings, no use yet): its grade with the default priors.
    The value job replaces it with the population priors on its next run."""
    return value_of(g=grade(level=level, type=type), r=(RATING_PRIOR_DEFAULT - 1) / 4, u=USE_PRIOR_DEFAULT)


FIELDS = [
    "rating_avg",
    "rating_count",
    "favourite_count",
    "view_count",
    "download_count",
    "play_count",
    "effective_use_rate",
    "value_score",
]


def _frame(rows: Iterable[tuple], schema: dict[str, type[pl.DataType] | pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def _usage_frame() -> pl.DataFrame:
    """Per published resource: views, downloads, plays, effective plays, signed-in visitors and downloaders."""
    rows = (
        UsageEvent.objects.filter(resource__status=ResourceStatus.PUBLISHED)
        .values("resource_id")
        .annotate(
            views=Count("id", filter=Q(kind=UsageKind.VIEW)),
            downloads=Count("id", filter=Q(kind=UsageKind.DOWNLOAD)),
            plays=Count("id", filter=Q(kind=UsageKind.PLAY)),
            plays_effective=Count("id", filter=Q(kind=UsageKind.PLAY, progress__gte=EFFECTIVE_PROGRESS)),
            visitors=Count("account", distinct=True, filter=Q(kind__in=[UsageKind.VIEW, UsageKind.DOWNLOAD])),
            downloaders=Count("account", distinct=True, filter=Q(kind=UsageKind.DOWNLOAD)),
        )
        .order_by()
        .values_list("resource_id", "views", "downloads", "plays", "plays_effective", "visitors", "downloaders")
    )
    return _frame(
        rows,
        {
            "resource_id": pl.Int64,
            "views": pl.Int64,
            "downloads": pl.Int64,
            "plays": pl.Int64,
            "plays_effective": pl.Int64,
            "visitors": pl.Int64,
            "downloaders": pl.Int64,
        },
    )


def _rating_frame() -> pl.DataFrame:
    rows = (
        Rating.objects.filter(resource__status=ResourceStatus.PUBLISHED)
        .values("resource_id")
        .annotate(n=Count("id"), total=Sum("score"))
        .order_by()
        .values_list("resource_id", "n", "total")
    )
    return _frame(rows, {"resource_id": pl.Int64, "n": pl.Int64, "total": pl.Int64})


def _favourite_frame() -> pl.DataFrame:
    rows = (
        Favourite.objects.filter(resource__status=ResourceStatus.PUBLISHED)
        .values("resource_id")
        .annotate(favourites=Count("id"))
        .order_by()
        .values_list("resource_id", "favourites")
    )
    return _frame(rows, {"resource_id": pl.Int64, "favourites": pl.Int64})


def value_frame(ids: Iterable[int] | None = None) -> pl.DataFrame:
    """The computed figures (the ``FIELDS``) and the current stored ones (``old_<field>``) per published
    resource, ``ids`` only when given. Population priors always come from every published resource."""
    qs = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    resources = _frame(
        qs.order_by("pk").values_list("pk", "type", "level", *FIELDS),
        {
            "resource_id": pl.Int64,
            "type": pl.String,
            "level": pl.String,
            **{f"old_{f}": pl.Float64 for f in FIELDS},
        },
    )
    usage, ratings, favourites = _usage_frame(), _rating_frame(), _favourite_frame()

    n_all, total_all = int(ratings["n"].sum() or 0), int(ratings["total"].sum() or 0)
    m = total_all / n_all if n_all >= POPULATION_MIN else RATING_PRIOR_DEFAULT

    media = pl.col("type").is_in(sorted(MEDIA_TYPES))
    trials = pl.when(media).then(pl.col("plays")).otherwise(pl.col("visitors"))
    # A download without a recorded view (API client) still counts the downloader as a visitor.
    effective = pl.when(media).then(pl.col("plays_effective")).otherwise(pl.col("downloaders"))
    everything = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED).values_list("pk", "type").order_by()
        if ids is not None
        else None
    )
    population = (
        _frame(everything, {"resource_id": pl.Int64, "type": pl.String})
        if everything is not None
        else resources.select("resource_id", "type")
    )
    pop = (
        population.join(usage, on="resource_id", how="inner")
        .with_columns(media=media, trials=trials, effective=effective)
        .group_by("media")
        .agg(pl.col("trials").sum(), pl.col("effective").sum())
    )
    priors = {True: USE_PRIOR_DEFAULT, False: USE_PRIOR_DEFAULT}
    for row in pop.iter_rows(named=True):
        if row["trials"] >= POPULATION_MIN:
            priors[row["media"]] = row["effective"] / row["trials"]

    level_grade = pl.col("level").replace_strict(
        {str(k): v for k, v in LEVEL_GRADE.items()}, default=LEVEL_GRADE[""], return_dtype=pl.Float64
    )
    type_weight = pl.col("type").replace_strict(
        {str(k): v for k, v in TYPE_WEIGHT.items()}, default=0.7, return_dtype=pl.Float64
    )
    prior_p = pl.when(media).then(pl.lit(priors[True])).otherwise(pl.lit(priors[False]))
    df = (
        resources.join(usage, on="resource_id", how="left")
        .join(ratings, on="resource_id", how="left")
        .join(favourites, on="resource_id", how="left")
        .fill_null(strategy="zero")
        .with_columns(trials=trials.cast(pl.Int64), effective=effective.cast(pl.Int64))
        .with_columns(
            g=level_grade * type_weight,
            r=((RATING_PRIOR_WEIGHT * m + pl.col("total")) / (RATING_PRIOR_WEIGHT + pl.col("n")) - 1) / 4,
            u=(USE_PRIOR_WEIGHT * prior_p + pl.col("effective")) / (USE_PRIOR_WEIGHT + pl.col("trials")),
        )
        .with_columns(
            rating_avg=pl.when(pl.col("n") > 0).then((pl.col("total") / pl.col("n")).round(4)).otherwise(0.0),
            rating_count=pl.col("n"),
            favourite_count=pl.col("favourites"),
            view_count=pl.col("views"),
            download_count=pl.col("downloads"),
            play_count=pl.col("plays"),
            effective_use_rate=pl.when(pl.col("trials") > 0)
            .then((pl.col("effective") / pl.col("trials")).clip(0, 1).round(4))
            .otherwise(None),
            value_score=(
                100 * (WEIGHT_GRADE * pl.col("g") + WEIGHT_RATING * pl.col("r") + WEIGHT_USE * pl.col("u"))
            ).round(1),
        )
    )
    # fill_null above zeroed the stored rate too; read it back as stored (null stays null).
    return df.with_columns(old_effective_use_rate=resources["old_effective_use_rate"])


def _changed(df: pl.DataFrame) -> pl.DataFrame:
    differs = pl.lit(False)
    for f in FIELDS:
        new, old = pl.col(f).cast(pl.Float64), pl.col(f"old_{f}")
        differs = differs | ((new - old).abs() > 1e-6).fill_null(new.is_null() != old.is_null())
    return df.filter(differs)


_STAGE = "zj_value_stage"


def _write(rows: list[tuple]) -> None:
    """Store the new figures of these rows (``resource_id, *FIELDS``) with one set-based UPDATE: the rows go
    into a temporary table in one ``executemany`` and ``UPDATE … FROM`` joins it (PostgreSQL, SQLite ≥ 3.33).
    ``bulk_update``'s CASE per row and field, in parameter-limited batches, took 20 s for 5,000 rows on SQLite."""
    table, stage = connection.ops.quote_name(Resource._meta.db_table), connection.ops.quote_name(_STAGE)
    columns = ", ".join(f"{f} {'bigint' if f.endswith('_count') else 'double precision'}" for f in FIELDS)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {stage}")
        cur.execute(f"CREATE TEMPORARY TABLE {stage} (id bigint PRIMARY KEY, {columns})")
        marks = ", ".join(["%s"] * (len(FIELDS) + 1))
        cur.executemany(f"INSERT INTO {stage} VALUES ({marks})", rows)  # noqa: S608  (names are ours)
        assignments = ", ".join(f"{f} = {stage}.{f}" for f in FIELDS)
        cur.execute(f"UPDATE {table} SET {assignments} FROM {stage} WHERE {table}.id = {stage}.id")  # noqa: S608
        cur.execute(f"DROP TABLE {stage}")


def value_recompute_changed(*, ids: Iterable[int] | None = None) -> list[int]:
    """Recompute and store; returns the ids whose figures changed (to refresh them in the search index)."""
    wanted = None if ids is None else sorted({int(i) for i in ids})
    df = value_frame(wanted)
    rows = list(_changed(df).select("resource_id", *FIELDS).iter_rows())
    now = timezone.now()
    with transaction.atomic():
        if rows:
            _write(rows)
        done = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
        (done if wanted is None else done.filter(pk__in=wanted)).update(value_computed_at=now)
    return [row[0] for row in rows]


def value_recompute(*, ids: Iterable[int] | None = None) -> int:
    """Recompute the denormalised rating/count fields and ``value_score`` of the given (or all) published
    resources in bulk; returns how many changed. Idempotent: a second run changes nothing."""
    return len(value_recompute_changed(ids=ids))
