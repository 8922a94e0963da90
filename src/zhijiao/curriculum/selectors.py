"""Reads of the textbook taxonomy. It is reference data every staff member may read, so these take no actor;
the pages and API check who may open them (``curriculum.view`` / ``curriculum.manage``, see ``views``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound
from zhijiao.curriculum.loading import BookCount, counts_table
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume


# The upload form's cascade 学段 → 学科 → 版本 → 册 → 章节 → 知识点: each list holds only what fits the choice before.
def edition_list(*, stage: str = "", subject: str = "") -> QuerySet[TextbookEdition]:
    """Textbook editions for one 学段 and 学科 (none until both are chosen)."""
    if not stage or not subject:
        return TextbookEdition.objects.none()
    return TextbookEdition.objects.filter(stage=stage, subject=subject)


def volume_list(*, edition: int | None = None) -> QuerySet[TextbookVolume]:
    """The books (册) of one edition in order (none without an edition)."""
    qs = TextbookVolume.objects.select_related("edition")
    return qs.filter(edition_id=edition) if edition else qs.none()


def chapter_tree(*, volume: int | None = None) -> QuerySet[Chapter]:
    """Chapters and sections in book order (sections follow their chapter)."""
    qs = Chapter.objects.select_related("volume", "parent")
    return qs.filter(volume_id=volume) if volume else qs.none()


def knowledge_point_list(*, volume: int | None = None, chapter: int | None = None) -> QuerySet[KnowledgePoint]:
    """Knowledge points taught in one chapter (with its sections) or, without a chapter, in one book; none
    without either: points belong to a book's sections, so offering every subject's points helps nobody."""
    qs = KnowledgePoint.objects.select_related("chapter__parent").order_by("chapter__order", "code")
    if chapter:
        return qs.filter(Q(chapter_id=chapter) | Q(chapter__parent_id=chapter))
    if volume:
        return qs.filter(chapter__volume_id=volume)
    return qs.none()


# ----------------------------------------------------------------------------- the 课程体系 page
def edition_overview() -> QuerySet[TextbookEdition]:
    """Every edition with its books (in order) and how many books and knowledge points it has."""
    return (
        TextbookEdition.objects.annotate(
            book_count=Count("volumes", distinct=True),
            point_count=Count("volumes__chapters__knowledge_points", distinct=True),
        )
        .prefetch_related(Prefetch("volumes", queryset=TextbookVolume.objects.order_by("order")))
        .order_by("stage", "subject", "code")
    )


def edition_get(*, edition_id: int | None) -> TextbookEdition:
    edition = TextbookEdition.objects.filter(pk=edition_id).first() if edition_id else None
    if edition is None:
        raise NotFound()
    return edition


def volume_get(*, volume_id: int) -> TextbookVolume | None:
    return TextbookVolume.objects.select_related("edition").filter(pk=volume_id).first()


@dataclass
class TreeNode:
    """A chapter with its sections, and the knowledge points on each (points on the chapter itself too)."""

    chapter: Chapter
    points: list[KnowledgePoint] = field(default_factory=list)
    sections: list[TreeNode] = field(default_factory=list)


def volume_tree(*, volume: TextbookVolume) -> list[TreeNode]:
    """One book's chapter tree with its knowledge points, aliases and prerequisites, in three queries."""
    chapters = list(Chapter.objects.filter(volume=volume).order_by("order"))
    nodes = {c.pk: TreeNode(chapter=c) for c in chapters}
    points = (
        KnowledgePoint.objects.filter(chapter__volume=volume)
        .prefetch_related(Prefetch("prerequisites", queryset=KnowledgePoint.objects.order_by("code")))
        .order_by("code")
    )
    for p in points:
        if p.chapter_id in nodes:
            nodes[p.chapter_id].points.append(p)
    roots: list[TreeNode] = []
    for c in chapters:
        if c.parent_id is None or c.parent_id not in nodes:
            roots.append(nodes[c.pk])
        else:
            nodes[c.parent_id].sections.append(nodes[c.pk])
    return roots


# ----------------------------------------------------------------------------- counts
def edition_label(edition: TextbookEdition) -> str:
    """人教版 初中数学: the edition's name with its 学段 and 学科 (several editions share a name)."""
    return f"{edition.name} {code_name('stage', edition.stage)}{code_name('subject', edition.subject)}"


def taxonomy_stats() -> list[BookCount]:
    """Chapters, sections and knowledge points per book of every edition in the database (imports included)."""
    volumes = (
        TextbookVolume.objects.select_related("edition")
        .annotate(
            chapter_count=Count("chapters", filter=Q(chapters__parent__isnull=True), distinct=True),
            section_count=Count("chapters", filter=Q(chapters__parent__isnull=False), distinct=True),
            point_count=Count("chapters__knowledge_points", distinct=True),
        )
        .order_by("edition__stage", "edition__subject", "edition__code", "order")
    )
    return [
        BookCount(
            edition=edition_label(v.edition),
            book=v.name,
            chapters=v.chapter_count,  # type: ignore[attr-defined]
            sections=v.section_count,  # type: ignore[attr-defined]
            points=v.point_count,  # type: ignore[attr-defined]
        )
        for v in volumes
    ]


def taxonomy_stats_table(books: list[BookCount], *, per_book: bool = False) -> str:
    return counts_table(books, per_book=per_book)
