"""Reads of the taxonomy: the upload form's cascade, one book's tree, the overview and the counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhijiao.curriculum import selectors
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookVolume


def _book(code: str = "8b") -> TextbookVolume:
    return TextbookVolume.objects.get(edition__code="pep", edition__subject="14", edition__stage="3", code=code)


def test_the_cascade_offers_only_what_fits_the_choice_before(db):
    assert not selectors.edition_list(stage="3").exists()  # no subject yet
    assert [e.name for e in selectors.edition_list(stage="3", subject="16")] == ["人教版"]
    assert not selectors.volume_list().exists() and not selectors.chapter_tree().exists()
    book = _book()
    assert [v.code for v in selectors.volume_list(edition=book.edition_id)] == ["7a", "7b", "8a", "8b", "9a", "9b"]
    chapters = list(selectors.chapter_tree(volume=book.pk))
    assert chapters[0].number == "16" and chapters[1].parent_id == chapters[0].pk
    chapter = Chapter.objects.get(volume=book, number="17")
    assert {p.code for p in selectors.knowledge_point_list(chapter=chapter.pk)} == {"M3-049", "M3-050"}
    assert selectors.knowledge_point_list(volume=book.pk).count() == 11
    assert not selectors.knowledge_point_list().exists()


def test_a_book_tree_nests_sections_and_points_in_three_queries(db):
    book = _book()
    with CaptureQueriesContext(connection) as queries:
        tree = selectors.volume_tree(volume=book)
        prerequisites = [r.code for n in tree for s in n.sections for p in s.points for r in p.prerequisites.all()]
    assert len(queries) == 3
    assert [n.chapter.number for n in tree] == ["16", "17", "18", "19", "20"]
    pythagoras = tree[1].sections[0]
    assert pythagoras.chapter.name == "勾股定理" and [p.code for p in pythagoras.points] == ["M3-049"]
    assert "M3-047" in prerequisites


def test_the_overview_and_the_counts_agree_with_the_database(db):
    editions = list(selectors.edition_overview())
    assert len(editions) == 6
    junior = next(e for e in editions if selectors.edition_label(e) == "人教版 初中数学")
    assert junior.book_count == 6  # type: ignore[attr-defined]
    assert junior.point_count == KnowledgePoint.objects.filter(chapter__volume__edition=junior).count()  # type: ignore[attr-defined]
    books = selectors.taxonomy_stats()
    assert len(books) == TextbookVolume.objects.count()
    row = next(b for b in books if b.edition == "人教版 初中数学" and b.book == "八年级下册")
    assert (row.chapters, row.sections, row.points) == (5, 13, 11)
    assert "| 人教版 初中数学 | 6 | 29 | 89 | 81 |" in selectors.taxonomy_stats_table(books)
