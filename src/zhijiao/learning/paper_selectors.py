"""Reads of papers (组卷). Who sees what:

* papers are an item-bank tool: whoever has the item bank (``selectors.item_bank_allowed``) has the paper pages,
  pupils, parents, 督导 and the 三员 never (403);
* a paper is seen by its author and by the staff of its owning school (a bureau's paper: the staff of that
  bureau's division), the way colleagues share a 备课组's papers; nobody else, whatever the items' sharing;
* only its author changes it (``paper_services``);
* a paper is made only of approved versions the author may see (:func:`paper_candidates`, :func:`paper_item_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.learning import dedupe, selectors
from zhijiao.learning.assembly import Candidate
from zhijiao.learning.models import (
    DIFFICULTY_LABELS,
    SECTION_NUMERALS,
    SECTION_ORDER,
    Item,
    ItemType,
    Paper,
    PaperItem,
)


def _paper_q(actor: Actor | None) -> Q:
    if actor is None or not selectors.item_bank_allowed(actor):
        return Q(pk__in=[])
    q = Q(author_id=actor.pk)
    owner = selectors.item_owner(actor)
    if owner is not None:
        school, division = owner
        q |= Q(owner_school=school) if school is not None else Q(owner_school__isnull=True, owner_division=division)
    return q


def paper_list(*, actor: Actor | None) -> QuerySet[Paper]:
    return Paper.objects.filter(_paper_q(actor)).select_related("author", "owner_school")


def paper_get_for(*, actor: Actor | None, paper_id: int) -> Paper:
    """One paper the actor may see; missing and out of reach both raise NotFound."""
    paper = paper_list(actor=actor).filter(pk=paper_id).first()
    if paper is None:
        raise NotFound()
    return paper


@dataclass
class Section:
    title: str
    type: str
    entries: list[PaperItem] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        return sum((e.points for e in self.entries), Decimal(0))


@dataclass
class PaperView:
    sections: list[Section]
    total: Decimal
    count: int
    by_type: list[tuple[str, int, Decimal]]  # (题型, 题数, 分值)
    by_difficulty: list[tuple[str, int]]


def paper_view(paper: Paper) -> PaperView:
    """The paper's entries as numbered sections (一、单选题 …, one per type in the usual order), with the totals."""
    entries = list(
        PaperItem.objects.filter(paper=paper)
        .select_related("version", "item")
        .prefetch_related("item__knowledge_points", "item__images")
    )
    sections: list[Section] = []
    number = 0
    for kind in SECTION_ORDER:
        mine = [e for e in entries if e.version.type == kind]
        if not mine:
            continue
        title = f"{SECTION_NUMERALS[len(sections)]}、{ItemType(kind).label}"
        section = Section(title=title, type=kind, entries=mine)
        for e in mine:
            number += 1
            e.number = number  # type: ignore[attr-defined]
        sections.append(section)
    by_difficulty = [
        (label, sum(1 for e in entries if e.version.difficulty == d)) for d, label in DIFFICULTY_LABELS.items()
    ]
    return PaperView(
        sections=sections,
        total=sum((e.points for e in entries), Decimal(0)),
        count=len(entries),
        by_type=[(ItemType(s.type).label, len(s.entries), s.points) for s in sections],
        by_difficulty=[(label, n) for label, n in by_difficulty if n],
    )


def _approved_items(actor: Actor | None, paper: Paper | None = None, stage: str = "", subject: str = "") -> QuerySet:
    qs = selectors.item_visible_qs(actor).filter(approved_version__isnull=False)
    stage = paper.stage if paper is not None else stage
    subject = paper.subject if paper is not None else subject
    return qs.filter(stage=stage, subject=subject)


def paper_item_for(*, actor: Actor | None, paper: Paper, item_id: int) -> Item | None:
    """An item the actor may put on this paper: visible, approved, of the paper's 学段 and 学科."""
    return _approved_items(actor, paper).filter(pk=item_id).select_related("approved_version").first()


def paper_search(*, actor: Actor | None, paper: Paper, filters: selectors.ItemFilters) -> QuerySet[Item]:
    """The item bank search of the assembly page: approved items of the paper's 学段/学科 by the list's filters,
    read from their approved version."""
    qs = _approved_items(actor, paper)
    f = filters
    if f.grade:
        qs = qs.filter(grade=f.grade)
    if f.type:
        qs = qs.filter(approved_version__type=f.type)
    if f.difficulty:
        qs = qs.filter(approved_version__difficulty=f.difficulty)
    if f.point:
        qs = qs.filter(knowledge_points=f.point)
    if f.q:
        qs = qs.filter(stem_norm__contains=dedupe.normalise(f.q))
    return qs.select_related("approved_version").prefetch_related("knowledge_points").distinct()


def paper_candidates(*, actor: Actor | None, stage: str, subject: str, grade: str = "") -> list[Candidate]:
    """Every approved item the actor may see of a 学段/学科 (and 年级, when given), for ``assembly.assemble``."""
    qs = _approved_items(actor, stage=stage, subject=subject)
    if grade:
        qs = qs.filter(grade=grade)
    qs = qs.select_related("approved_version").prefetch_related("knowledge_points")
    out = []
    for item in qs:
        v = item.approved_version
        out.append(
            Candidate(
                item_id=item.pk,
                version_id=v.pk,
                type=v.type,
                difficulty=v.difficulty,
                points=float(v.points),
                points_ids=frozenset(p.pk for p in item.knowledge_points.all()),
            )
        )
    return out
