"""The 课程体系 page: staff read it, a bureau imports and exports there, pupils and parents are turned away."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume
from zhijiao.curriculum.tabular import COLUMNS, write_csv
from zhijiao.testing import login_as


def _book(code: str = "8b") -> TextbookVolume:
    return TextbookVolume.objects.get(edition__code="pep", edition__subject="14", edition__stage="3", code=code)


@pytest.mark.parametrize("username", ["teacher", "head", "principal", "inspector", "bureau", "admin"])
def test_staff_read_the_chapter_tree_with_points_aliases_and_prerequisites(client, region, username):
    login_as(client, username)
    page = client.get(f"/curriculum/?volume={_book().pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "第17章 勾股定理" in html and "17.1" in html  # a chapter and its section
    assert "勾股定理" in html and "又称" in html and "先学 " in html
    assert "人教A版 高中数学" in html and "必修第一册" in html  # every edition's books in the side list
    assert ("导入与导出" in html) is (username in ("bureau", "admin"))


@pytest.mark.parametrize("username", ["student", "parent"])
def test_pupils_and_parents_may_not_open_it(client, region, username):
    login_as(client, username)
    assert client.get("/curriculum/").status_code == 403
    assert client.get(f"/curriculum/export/?edition={_book().edition_id}").status_code == 403


def test_the_page_opens_on_the_first_book_and_an_unknown_book_is_404(client, region):
    login_as(client, "teacher")
    first = client.get("/curriculum/")
    assert first.status_code == 200 and "一年级上册" in first.content.decode()
    assert client.get("/curriculum/?volume=999999").status_code == 404


def test_a_teacher_may_neither_import_nor_export(client, region):
    login_as(client, "teacher")
    assert client.get(f"/curriculum/export/?edition={_book().edition_id}").status_code == 403
    upload = SimpleUploadedFile("a.csv", write_csv([]), content_type="text/csv")
    assert client.post("/curriculum/import/", {"file": upload}).status_code == 403


def test_a_bureau_exports_an_edition_and_imports_its_own(client, region):
    login_as(client, "bureau")
    edition = _book().edition
    xlsx = client.get(f"/curriculum/export/?edition={edition.pk}")
    assert xlsx.status_code == 200 and 'filename="curriculum-pep-14.xlsx"' in xlsx["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["课程体系"]
    assert (
        sheet.max_row - 1
        == Chapter.objects.filter(volume__edition=edition).count()
        + KnowledgePoint.objects.filter(chapter__volume__edition=edition).count()
    )
    csv = client.get(f"/curriculum/export/?edition={edition.pk}&format=csv")
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith(b"\xef\xbb\xbf")
    book = ["hz", "杭州自编", "", "数学", "初中", "7a", "七年级上册", "七年级", "上"]
    rows = [[*book, "1", "数与式", ""], [*book, "1", "", "", "HZ-001", "整数", "自然数", "M3-001"]]
    data = write_csv([[*r, *[""] * (len(COLUMNS) - len(r))] for r in rows])
    done = client.post("/curriculum/import/", {"file": SimpleUploadedFile("hz.csv", data)})
    assert done.status_code == 200 and "已导入 杭州自编 初中数学：共 2 行，新增 2" in done.content.decode()
    assert TextbookEdition.objects.filter(code="hz").exists()
    bad = write_csv([[*book[:8], "秋", "1", "数与式", "", "", "", "", ""]])
    refused = client.post("/curriculum/import/", {"file": SimpleUploadedFile("bad.csv", bad)})
    assert refused.status_code == 400 and "第2行 学期：学期应填 上、下 或 全" in refused.content.decode()
    wrong = client.post("/curriculum/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert wrong.status_code == 400 and "只能导入 .xlsx 或 .csv 文件" in wrong.content.decode()


def test_the_menu_links_the_page_for_staff(client, region):
    login_as(client, "teacher")
    assert 'href="/curriculum/"' in client.get("/").content.decode()
    login_as(client, "parent")
    assert 'href="/curriculum/"' not in client.get("/").content.decode()


def test_the_api_gives_editions_and_a_book_tree_to_staff_only(client, region):
    login_as(client, "teacher")
    editions = client.get("/api/v1/curriculum/editions").json()
    physics = next(e for e in editions if e["subject_name"] == "物理")
    assert physics["stage_name"] == "初中" and physics["volumes"][0]["name"] == "八年级上册"
    tree = client.get(f"/api/v1/curriculum/volumes/{_book().pk}/tree").json()
    assert tree["edition"] == "人教版 初中数学" and tree["volume"]["name"] == "八年级下册"
    pythagoras = next(c for c in tree["chapters"] if c["name"] == "勾股定理")
    point = next(p for s in pythagoras["sections"] for p in s["points"] if p["code"] == "M3-049")
    assert set(point["prerequisites"]) >= {"M3-047"} and point["aliases"]
    assert client.get("/api/v1/curriculum/volumes/999999/tree").status_code == 404
    login_as(client, "parent")
    assert client.get("/api/v1/curriculum/editions").status_code == 403
