from __future__ import annotations

from zhijiao.curriculum.loading import taxonomy_ensure, taxonomy_load
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookVolume

JUNIOR_MATH = {"volume__edition__code": "pep", "volume__edition__subject": "14", "volume__edition__stage": "3"}
VOLUMES = ["七年级上册", "七年级下册", "八年级上册", "八年级下册", "九年级上册", "九年级下册"]


def test_pep_math_volumes_and_chapters_are_loaded(db):
    volumes = list(
        TextbookVolume.objects.filter(edition__code="pep", edition__subject="14", edition__stage="3").order_by("order")
    )
    assert [v.name for v in volumes] == VOLUMES
    assert [v.grade for v in volumes] == ["21", "21", "22", "22", "23", "23"]
    top = Chapter.objects.filter(**JUNIOR_MATH, parent__isnull=True)
    assert top.count() == 29
    assert set(top.values_list("name", flat=True)) >= {"有理数", "勾股定理", "圆", "锐角三角函数", "投影与视图"}
    circle = Chapter.objects.get(**JUNIOR_MATH, volume__code="9a", number="24")
    assert circle.label == "第24章 圆"
    assert [s.name for s in circle.sections.order_by("order")] == [
        "圆的有关性质",
        "点和圆、直线和圆的位置关系",
        "正多边形和圆",
        "弧长和扇形面积",
    ]
    assert Chapter.objects.get(**JUNIOR_MATH, volume__code="7a", number="1.3").name == "有理数的加减法"


def test_knowledge_points_have_aliases_and_sections(db):
    point = KnowledgePoint.objects.get(name="勾股定理")
    assert "勾股数" in point.aliases
    assert point.chapter.number == "17.1"
    assert KnowledgePoint.objects.filter(chapter__isnull=True).count() == 0
    assert KnowledgePoint.objects.count() >= 80


def test_prerequisites_are_acyclic_and_point_backwards(db):
    edges = {p.pk: set(p.prerequisites.values_list("pk", flat=True)) for p in KnowledgePoint.objects.all()}
    assert sum(len(v) for v in edges.values()) > 60
    done: set[int] = set()
    visiting: set[int] = set()

    def visit(node: int) -> None:
        assert node not in visiting, "cycle in prerequisites"
        if node in done:
            return
        visiting.add(node)
        for nxt in edges[node]:
            visit(nxt)
        visiting.discard(node)
        done.add(node)

    for node in edges:
        visit(node)
    pythagoras = KnowledgePoint.objects.get(name="勾股定理")
    assert set(pythagoras.prerequisites.values_list("name", flat=True)) == {"二次根式", "三角形内角和"}


def test_loading_again_keeps_ids(db):
    before = dict(Chapter.objects.values_list("number", "pk").filter(**JUNIOR_MATH, volume__code="8b"))
    counts = taxonomy_load()
    assert counts["volumes"] == TextbookVolume.objects.count() and counts["points"] == KnowledgePoint.objects.count()
    assert dict(Chapter.objects.values_list("number", "pk").filter(**JUNIOR_MATH, volume__code="8b")) == before


def test_ensure_reloads_after_the_tables_were_emptied(db):
    assert taxonomy_ensure() is False
    KnowledgePoint.objects.all().delete()
    TextbookVolume.objects.all().delete()
    assert Chapter.objects.count() == 0
    assert taxonomy_ensure() is True
    assert Chapter.objects.filter(**JUNIOR_MATH, parent__isnull=True).count() == 29
    assert KnowledgePoint.objects.get(name="勾股定理").chapter.number == "17.1"
