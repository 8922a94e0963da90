"""Every shipped edition loads: books, chapters and sections as the files say, points on real sections, no cycles."""

from __future__ import annotations

from collections import Counter

from zhijiao.core.codes import code_name, code_table
from zhijiao.curriculum.loading import (
    TAXONOMY_FILES,
    taxonomy_counts,
    taxonomy_counts_table,
    taxonomy_data,
    taxonomy_load,
)
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume

# (edition, stage, subject) → books, chapters (章/单元), sections (节/课), knowledge points
EXPECTED = {
    ("pep", "2", "14"): (12, 106, 129, 125),
    ("pep", "3", "14"): (6, 29, 89, 81),
    ("pep-a", "4", "14"): (5, 18, 73, 75),
    ("bu", "3", "13"): (6, 36, 143, 0),
    ("pep", "3", "16"): (3, 22, 85, 53),
    ("pep", "3", "41"): (5, 58, 110, 0),
}


def test_every_edition_loads_its_books_chapters_sections_and_points(db):
    assert len(TAXONOMY_FILES) == len(EXPECTED)
    for (code, stage, subject), (books, chapters, sections, points) in EXPECTED.items():
        edition = TextbookEdition.objects.get(code=code, stage=stage, subject=subject)
        in_edition = Chapter.objects.filter(volume__edition=edition)
        assert edition.volumes.count() == books, edition
        assert in_edition.filter(parent__isnull=True).count() == chapters, edition
        assert in_edition.filter(parent__isnull=False).count() == sections, edition
        assert KnowledgePoint.objects.filter(chapter__volume__edition=edition).count() == points, edition
    assert KnowledgePoint.objects.filter(chapter__isnull=True).count() == 0


def test_counts_per_book_match_the_database(db):
    rows = taxonomy_counts()
    assert len(rows) == TextbookVolume.objects.count() == sum(v[0] for v in EXPECTED.values())
    for volume in TextbookVolume.objects.select_related("edition"):
        e = volume.edition
        name = f"{e.name} {code_name('stage', e.stage)}{code_name('subject', e.subject)}"
        row = next(r for r in rows if r.edition == name and r.book == volume.name)
        chapters = volume.chapters.all()
        assert row.chapters == chapters.filter(parent__isnull=True).count(), (name, volume.name)
        assert row.sections == chapters.filter(parent__isnull=False).count(), (name, volume.name)
        assert row.points == KnowledgePoint.objects.filter(chapter__volume=volume).count(), (name, volume.name)
    assert "| 人教A版 高中数学 | 5 | 18 | 73 | 75 |" in taxonomy_counts_table()
    assert "| 人教版 小学数学 | 六年级上册 | 9 | 6 | 12 |" in taxonomy_counts_table(per_book=True)


def test_grades_and_stages_come_from_the_code_tables(db):
    grades = {c.code for c in code_table("grade")}
    stages = {c.code for c in code_table("stage")}
    subjects = {c.code for c in code_table("subject")}
    for volume in TextbookVolume.objects.select_related("edition"):
        assert volume.grade in grades and volume.term in {"上", "下", "全"}, volume
        assert volume.edition.stage in stages and volume.edition.subject in subjects
        assert volume.grade[0] == {"2": "1", "3": "2", "4": "3"}[volume.edition.stage], volume
    # 人教A版: 必修 in 高一, 选择性必修 in 高二 (see the decision record)
    senior = dict(TextbookVolume.objects.filter(edition__code="pep-a").values_list("name", "grade"))
    assert senior == {
        "必修第一册": "31",
        "必修第二册": "31",
        "选择性必修第一册": "32",
        "选择性必修第二册": "32",
        "选择性必修第三册": "32",
    }


def test_every_point_names_an_existing_section_unambiguously():
    codes: list[str] = []
    for name in TAXONOMY_FILES:
        data = taxonomy_data(name)
        plain: Counter[str] = Counter()
        qualified: set[str] = set()
        for v in data["volumes"]:
            for c in v["chapters"]:
                numbers = [c["no"], *(f"{c['no']}.{n}" for n in range(1, len(c["sections"]) + 1))]
                plain.update(numbers)
                qualified.update(f"{v['code']}:{n}" for n in numbers)
        for p in data.get("knowledge_points", []):
            ref = p["section"]
            assert ref in qualified or plain[ref] == 1, (name, p["code"], ref)
            codes.append(p["code"])
    assert len(codes) == len(set(codes)), "knowledge-point codes must be unique across files"


def test_point_names_are_unique_and_prerequisites_acyclic_across_files(db):
    names = Counter(KnowledgePoint.objects.values_list("name", flat=True))
    assert [n for n, c in names.items() if c > 1] == []
    edges = {p.pk: set(p.prerequisites.values_list("pk", flat=True)) for p in KnowledgePoint.objects.all()}
    done: set[int] = set()

    def visit(node: int, path: frozenset[int]) -> None:
        assert node not in path, "cycle in prerequisites"
        if node in done:
            return
        for nxt in edges[node]:
            visit(nxt, path | {node})
        done.add(node)

    for node in edges:
        visit(node, frozenset())
    # 高中 points build on 初中 ones in another file
    function = KnowledgePoint.objects.get(code="M4-009")
    assert function.name == "函数的概念及其表示"
    assert "M3-053" in function.prerequisites.values_list("code", flat=True)
    # 小学: the same chapter number in two books resolves by the book code
    assert KnowledgePoint.objects.get(name="圆的面积").chapter.volume.name == "六年级上册"
    assert KnowledgePoint.objects.get(name="20以内的进位加法").chapter.volume.name == "一年级上册"


def test_unit_titles_label_themselves(db):
    unit = Chapter.objects.get(volume__edition__code="bu", volume__code="7a", number="1")
    assert unit.label == "第一单元"
    assert [s.name for s in unit.sections.order_by("order")][:2] == ["春", "济南的冬天"]
    english = Chapter.objects.get(volume__edition__subject="41", volume__code="7a", number="1")
    assert english.label == "Unit 1 My name's Gina."
    physics = Chapter.objects.get(volume__edition__subject="16", number="17")
    assert physics.label == "第17章 欧姆定律" and physics.volume.term == "全"


def test_loading_twice_keeps_ids_and_counts(db):
    before = dict(Chapter.objects.values_list("pk", "number"))
    first = taxonomy_load()
    assert first == {"editions": 6, "volumes": 37, "chapters": 269 + 629, "points": 281 + 53}
    assert dict(Chapter.objects.values_list("pk", "number")) == before
    assert KnowledgePoint.objects.count() == 281 + 53
