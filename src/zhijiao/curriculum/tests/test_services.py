"""The bulk import and export of a taxonomy: round trip, idempotence, all-or-nothing, errors by row and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume
from zhijiao.curriculum.services import editions_matching, taxonomy_export_rows, taxonomy_import
from zhijiao.curriculum.tabular import COLUMNS, write_csv, write_xlsx

BOOK = ["hz", "杭州自编", "杭州出版社", "数学", "初中", "7a", "七年级上册", "七年级", "上"]


def _csv(*rows: list[str]) -> bytes:
    return write_csv([[*r, *[""] * (len(COLUMNS) - len(r))] for r in rows])


def _bureau_edition() -> bytes:
    return _csv(
        [*BOOK, "1", "数与式"],
        [*BOOK, "1.1", "整数的认识", "1"],
        [*BOOK, "1.1", "", "", "HZ-001", "整数", "自然数、整数集", "M3-001"],
        [*BOOK, "1.2", "分数的认识", "1"],
        [*BOOK, "1.2", "", "", "HZ-002", "分数", "", "HZ-001"],
    )


def _snapshot(edition: TextbookEdition) -> list:
    points = KnowledgePoint.objects.filter(chapter__volume__edition=edition).order_by("code")
    return [
        list(Chapter.objects.filter(volume__edition=edition).values_list("pk", "number", "name", "parent_id", "order")),
        [
            (p.pk, p.code, p.name, p.aliases, p.chapter_id, sorted(p.prerequisites.values_list("code", flat=True)))
            for p in points
        ],
    ]


def test_a_bureau_adds_its_own_edition_and_reimporting_changes_nothing(db):
    result = taxonomy_import(data=_bureau_edition(), name="hz.csv")
    assert result.ok, result.errors
    assert (result.rows_in, result.created, result.updated, result.unchanged, result.rejected) == (5, 5, 0, 0, 0)
    assert result.editions == ["杭州自编 初中数学"]
    edition = TextbookEdition.objects.get(code="hz", subject="14", stage="3")
    volume = TextbookVolume.objects.get(edition=edition, code="7a")
    assert (volume.name, volume.grade, volume.term) == ("七年级上册", "21", "上")
    section = Chapter.objects.get(volume=volume, number="1.2")
    assert section.parent.number == "1" and section.label == "1.2 分数的认识"
    integer = KnowledgePoint.objects.get(code="HZ-001")
    assert integer.aliases == ["自然数", "整数集"] and (integer.subject, integer.stage) == ("14", "3")
    assert list(integer.prerequisites.values_list("code", flat=True)) == ["M3-001"]  # a shipped point
    assert list(KnowledgePoint.objects.get(code="HZ-002").prerequisites.values_list("code", flat=True)) == ["HZ-001"]
    before = _snapshot(edition)
    again = taxonomy_import(data=_bureau_edition(), name="hz.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert _snapshot(edition) == before


def test_a_changed_name_is_an_update_keeping_the_id(db):
    taxonomy_import(data=_bureau_edition(), name="hz.csv")
    section = Chapter.objects.get(volume__edition__code="hz", number="1.1")
    changed = _bureau_edition().decode("utf-8-sig").replace("整数的认识", "整数").encode()
    result = taxonomy_import(data=changed, name="hz.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    assert Chapter.objects.get(pk=section.pk).name == "整数"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_export_then_import_round_trip_of_a_shipped_edition(db, kind):
    editions = editions_matching(code="pep-a")
    rows = taxonomy_export_rows(editions)
    data = write_xlsx(rows) if kind == "xlsx" else write_csv(rows)
    edition = editions.get()
    before = _snapshot(edition)
    result = taxonomy_import(data=data, name=f"pep-a.{kind}")
    assert result.ok and result.rows_in == len(rows) == result.unchanged
    assert _snapshot(edition) == before
    # into an empty platform (the chapter tree and points rebuilt from the file alone, prerequisites on 初中 kept)
    KnowledgePoint.objects.filter(chapter__volume__edition=edition).delete()
    TextbookVolume.objects.filter(edition=edition).delete()
    rebuilt = taxonomy_import(data=data, name=f"pep-a.{kind}")
    assert rebuilt.created == len(rows)
    assert taxonomy_export_rows(editions_matching(code="pep-a")) == rows


def test_the_xlsx_export_keeps_numbers_as_text_and_explains_the_columns(db):
    data = write_xlsx(taxonomy_export_rows(editions_matching(code="pep", subject="数学", stage="初中")))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["课程体系", "填写说明"]
    sheet = book["课程体系"]
    assert tuple(c.value for c in sheet[1]) == COLUMNS
    assert sheet["J3"].value == "1.1" and sheet["J3"].data_type == "s"
    assert book["填写说明"]["A2"].value == "版本代码"


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(db):
    data = _csv(
        [*BOOK, "1", "数与式"],
        ["hz", "杭州自编", "杭州出版社", "数学", "初中", "7a", "七年级上册", "一年级", "上", "2", "方程"],
        [*BOOK, "1.1", "整数", "9"],
        ["hz", "杭州自编", "杭州出版社", "数学", "初中", "7a", "七年级上册", "七年级", "秋", "3", "函数"],
        [*BOOK, "1", "", "", "HZ-001", "整数", "", "NOPE-1"],
        [*BOOK, "5", "", "", "HZ-002", "分数"],
        [*BOOK, "1", "", "", "M3-049", "勾股定理"],
        ["", "杭州自编", "", "语数", "初中", "7a", "七年级上册", "七年级", "上", "4", "统计"],
    )
    result = taxonomy_import(data=data, name="hz.csv")
    assert not result.ok and result.rejected == 5 and result.created == 0
    texts = [e.text for e in result.errors]
    assert "第3行 年级：年级与学段不一致（一年级不属于初中）" in texts
    assert "第4行 上级章节：上级章节应是本册中写在前面的章节编号（9）" in texts
    assert "第5行 学期：学期应填 上、下 或 全" in texts
    assert "第7行 章节编号：知识点所在的章节编号在本册中找不到（5）" in texts
    assert "第9行 版本代码：不能为空" in texts and "第9行 学科：不是有效的取值（语数）" in texts
    assert not TextbookEdition.objects.filter(code="hz").exists()
    # once the rows themselves are right, the platform checks: an unknown prerequisite, a code another edition uses
    fixed = _csv(
        [*BOOK, "1", "数与式"],
        [*BOOK, "1", "", "", "HZ-001", "整数", "", "NOPE-1"],
        [*BOOK, "1", "", "", "M3-049", "勾股定理"],
    )
    result = taxonomy_import(data=fixed, name="hz.csv")
    texts = [e.text for e in result.errors]
    assert "第3行 先修知识点：先修知识点的代码在文件和平台中都找不到（NOPE-1）" in texts
    assert any(t.startswith("第4行 知识点代码：知识点代码已被其他教材版本使用（人教版 初中数学") for t in texts)
    assert not TextbookEdition.objects.filter(code="hz").exists()


def test_a_prerequisite_cycle_and_conflicting_rows_are_refused(db):
    data = _csv(
        [*BOOK, "1", "数与式"],
        [*BOOK, "1", "", "", "HZ-001", "整数", "", "HZ-002"],
        [*BOOK, "1", "", "", "HZ-002", "分数", "", "HZ-001"],
    )
    assert [e.field for e in taxonomy_import(data=data, name="a.csv").errors] == ["先修知识点"]
    renamed = ["hz", "杭州版", *BOOK[2:]]
    data = _csv([*BOOK, "1", "数与式"], [*renamed, "2", "方程"], [*BOOK, "1", "数与代数"])
    texts = [e.text for e in taxonomy_import(data=data, name="a.csv").errors]
    assert texts == [
        "第3行 版本名称：同一版本的各行应一致（与第2行不同）",
        "第4行 章节编号：同一册里章节编号重复，名称却不同（1）",
    ]


def test_unusable_files_are_refused_with_a_plain_message(db):
    with pytest.raises(ZhijiaoError, match=r"只能导入 \.xlsx 或 \.csv 文件"):
        taxonomy_import(data=b"x", name="a.pdf")
    with pytest.raises(ZhijiaoError, match="文件无法读取"):
        taxonomy_import(data=b"not a zip", name="a.xlsx")
    with pytest.raises(ZhijiaoError, match="缺少这一列"):
        taxonomy_import(data="版本代码,版本名称\nhz,杭州\n".encode(), name="a.csv")
    with pytest.raises(ZhijiaoError, match="没有数据行"):
        taxonomy_import(data=write_csv([]), name="a.csv")
    gbk = _bureau_edition().decode("utf-8-sig").encode("gb18030")  # saved by Excel on a Chinese Windows
    assert taxonomy_import(data=gbk, name="hz.csv").ok


def test_points_may_come_before_their_section_and_rows_in_any_book_order(db):
    data = _csv(
        [*BOOK, "1.1", "", "", "HZ-001", "整数"],
        [*BOOK, "1", "数与式"],
        [*BOOK, "1.1", "整数的认识", "1"],
    )
    result = taxonomy_import(data=data, name="hz.csv")
    assert result.ok and result.created == 3
    assert KnowledgePoint.objects.get(code="HZ-001").chapter.name == "整数的认识"
