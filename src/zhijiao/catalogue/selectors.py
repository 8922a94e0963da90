"""Reads of the catalogue and of quality scores, always through the acting account's scope.

The catalogue is for the people who govern data: platform and region administrators, inspectors and school
administrators. Teachers, students and parents get 403. Scores are those of the schools the actor sees: a
school administrator sees their own school's, a region administrator their region's, pooled from the stored
per-school counts (see ``catalogue.quality``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from zhijiao.access.permissions import Perm, require
from zhijiao.access.scope import Scope, scope_for
from zhijiao.access.types import Actor
from zhijiao.catalogue import quality
from zhijiao.catalogue.models import DataItem, Dataset, QualityScore
from zhijiao.core.codes import Code, code_table, code_table_title
from zhijiao.core.errors import NotFound
from zhijiao.org.models import School


def _require_reader(actor) -> Scope:
    require(actor, Perm.READ_ANALYTICS)
    return scope_for(actor)


# ------------------------------------------------------------------ scores
@dataclass
class Quality:
    """A dataset's quality over a set of schools."""

    completeness: float
    validity: float
    timeliness: float
    score: float
    records: int = 0
    last_updated: datetime | None = None
    computed_at: datetime | None = None
    fields: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)

    @property
    def grade(self) -> str:
        """A colour for the score: green ≥ 90, orange ≥ 75, red below."""
        return score_grade(self.score)

    @property
    def field_rates(self) -> list[tuple[str, float]]:
        n = self.records
        return [(label, 100.0 * filled / n if n else 0.0) for label, filled in self.fields.items()]

    @property
    def check_rates(self) -> list[tuple[str, float]]:
        n = self.records
        return [(label, 100.0 * passed / n if n else 0.0) for label, passed in self.checks.items()]


def score_grade(value: float) -> str:
    return "green" if value >= 90 else "orange" if value >= 75 else "red"


def _latest_scores() -> QuerySet[QualityScore]:
    """The rows of each dataset's most recent scoring run."""
    newest = QualityScore.objects.filter(dataset=OuterRef("dataset")).order_by("-computed_at").values("computed_at")
    return QualityScore.objects.filter(computed_at=Subquery(newest[:1]))


def _as_quality(rows: list[QualityScore], *, whole_platform: bool) -> Quality | None:
    if not rows:
        return None
    if whole_platform and len(rows) == 1:
        r = rows[0]
        return Quality(
            r.completeness,
            r.validity,
            r.timeliness,
            r.score,
            records=r.records,
            last_updated=r.last_updated,
            computed_at=r.computed_at,
            fields=dict(r.detail.get("fields", {})),
            checks=dict(r.detail.get("checks", {})),
        )
    pooled = quality.pool(
        quality.Result(
            school_id=r.school_id,
            records=r.records,
            cells=r.cells,
            filled=r.filled,
            valid_records=r.valid_records,
            batch_rows=r.batch_rows,
            batch_rejected=r.batch_rejected,
            last_updated=r.last_updated,
            timeliness=r.timeliness,
            fields=r.detail.get("fields", {}),
            checks=r.detail.get("checks", {}),
        )
        for r in rows
    )
    return Quality(
        pooled.completeness,
        pooled.validity,
        pooled.timeliness,
        pooled.score,
        records=pooled.records,
        last_updated=pooled.last_updated,
        computed_at=max(r.computed_at for r in rows),
        fields=pooled.fields,
        checks=pooled.checks,
    )


def _scores_by_dataset(scope: Scope, datasets: list[Dataset] | None = None) -> dict[int, Quality]:
    """The actor's quality per dataset id: the stored whole-platform row for a platform administrator, the
    pooled rows of the visible schools for everyone else."""
    latest = _latest_scores()
    if datasets is not None:
        latest = latest.filter(dataset__in=datasets)
    whole = scope.is_platform_admin
    if whole:
        latest = latest.filter(school__isnull=True)
    else:
        latest = latest.filter(school__in=School.objects.filter(scope.schools_q()).values("pk"))
    grouped: dict[int, list[QualityScore]] = {}
    for row in latest.order_by("dataset_id", "school_id"):
        grouped.setdefault(row.dataset_id, []).append(row)
    result: dict[int, Quality] = {}
    for dataset_id, rows in grouped.items():
        q = _as_quality(rows, whole_platform=whole)
        if q is not None:
            result[dataset_id] = q
    return result


# ------------------------------------------------------------------ catalogue
@dataclass
class DatasetRow:
    dataset: Dataset
    items: int
    personal_items: int
    quality: Quality | None


def dataset_list(*, actor: Actor) -> list[DatasetRow]:
    """The 数据资源目录: every dataset with its number of data items and the actor's quality score."""
    scope = _require_reader(actor)
    datasets = Dataset.objects.annotate(
        n_items=Count("items"), n_personal=Count("items", filter=Q(items__personal=True))
    ).order_by("order", "code")
    scores = _scores_by_dataset(scope)
    return [DatasetRow(d, d.n_items, d.n_personal, scores.get(d.pk)) for d in datasets]  # type: ignore[attr-defined]


@dataclass
class ItemRow:
    item: DataItem
    table_title: str = ""
    codes: tuple[Code, ...] = ()


@dataclass
class DatasetDetail:
    dataset: Dataset
    items: list[ItemRow]
    quality: Quality | None
    schools: list[SchoolQuality]


def dataset_get(*, actor: Actor, code: str) -> Dataset:
    _require_reader(actor)
    dataset = Dataset.objects.filter(code=code).first()
    if dataset is None:
        raise NotFound()
    return dataset


def dataset_detail(*, actor: Actor, code: str) -> DatasetDetail:
    """A dataset with its data items (and the codes of their code tables) and its quality by school."""
    scope = _require_reader(actor)
    dataset = dataset_get(actor=actor, code=code)
    items = [
        ItemRow(item, code_table_title(item.code_table), code_table(item.code_table))
        if item.code_table
        else ItemRow(item)
        for item in dataset.items.order_by("order", "id")
    ]
    return DatasetDetail(
        dataset=dataset,
        items=items,
        quality=_scores_by_dataset(scope, [dataset]).get(dataset.pk),
        schools=quality_by_school(actor=actor, dataset=dataset.code),
    )


# ------------------------------------------------------------------ quality pages
@dataclass
class QualityOverview:
    datasets: list[tuple[Dataset, Quality]]
    computed_at: datetime | None

    def _mean(self, attr: str) -> float:
        values = [getattr(q, attr) for _, q in self.datasets]
        return sum(values) / len(values) if values else 0.0

    @property
    def completeness(self) -> float:
        return self._mean("completeness")

    @property
    def validity(self) -> float:
        return self._mean("validity")

    @property
    def timeliness(self) -> float:
        return self._mean("timeliness")

    @property
    def score(self) -> float:
        return self._mean("score")

    @property
    def grade(self) -> str:
        return score_grade(self.score)


def quality_overview(*, actor: Actor) -> QualityOverview:
    """The latest quality of every dataset over the actor's schools; the region figures are their means."""
    scope = _require_reader(actor)
    scores = _scores_by_dataset(scope)
    datasets = [(d, scores[d.pk]) for d in Dataset.objects.order_by("order", "code") if d.pk in scores]
    computed = [q.computed_at for _, q in datasets if q.computed_at]
    return QualityOverview(datasets=datasets, computed_at=max(computed) if computed else None)


@dataclass
class SchoolQuality:
    school_id: int
    name: str
    code: str
    completeness: float
    validity: float
    timeliness: float
    score: float
    records: int
    datasets: int = 1

    @property
    def grade(self) -> str:
        return score_grade(self.score)


def quality_by_school(*, actor: Actor, dataset: str | None = None) -> list[SchoolQuality]:
    """Each visible school's latest quality, worst first: for one dataset, or averaged over all datasets."""
    scope = _require_reader(actor)
    rows = _latest_scores().filter(
        school__in=School.objects.filter(scope.schools_q()).values("pk"), school__isnull=False
    )
    if dataset:
        rows = rows.filter(dataset__code=dataset)
    per_school: dict[int, list[QualityScore]] = {}
    names: dict[int, tuple[str, str]] = {}
    for row in rows.select_related("school").only(
        "school_id",
        "school__name",
        "school__code",
        "completeness",
        "validity",
        "timeliness",
        "score",
        "records",
    ):
        assert row.school is not None  # filtered above
        per_school.setdefault(row.school.pk, []).append(row)
        names[row.school.pk] = (row.school.name, row.school.code)
    result = []
    for school_id, scores in per_school.items():
        n = len(scores)
        result.append(
            SchoolQuality(
                school_id=school_id,
                name=names[school_id][0],
                code=names[school_id][1],
                completeness=sum(s.completeness for s in scores) / n,
                validity=sum(s.validity for s in scores) / n,
                timeliness=sum(s.timeliness for s in scores) / n,
                score=sum(s.score for s in scores) / n,
                records=sum(s.records for s in scores),
                datasets=n,
            )
        )
    return sorted(result, key=lambda s: (s.score, s.code))
