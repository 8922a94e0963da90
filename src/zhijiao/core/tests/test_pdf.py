"""The one PDF writer (core.pdf): Chinese text a reader can extract, flowing over pages, tables, placed drawing."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from zhijiao.core.pdf import BODY, MARGIN, PAGE_W, Line, Page, Table, document, pdf, segments, text_width, wrap

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _text(data: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _info(data: bytes, tmp_path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout


def _pages(data: bytes) -> int:
    found = re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", data)
    assert found is not None
    return int(found.group(1))


def test_widths_are_the_fonts_own():
    # Latin in Helvetica at its AFM widths (a 556, b 556; bold b 611), everything else a full em in STSong-Light
    assert text_width("ab", 10) == pytest.approx(11.12) and text_width("ab", 10, bold=True) == pytest.approx(11.67)
    assert text_width("智教", 10) == 20 and text_width(" ", 10) == pytest.approx(2.78)
    # full-width punctuation, symbols below the CJK blocks and control characters are full ems too
    assert text_width("（“×★", 10) == 40
    assert text_width("😀", 10) == pytest.approx(5.56)  # written as “?”


def test_a_latin_run_is_measured_narrower_than_as_many_chinese_characters():
    # the certificate's figures: no longer half an em each (“72. 0”), but Helvetica's digits and its narrow stop
    assert text_width("72.0", 20) == pytest.approx(20 * (3 * 0.556 + 0.278))
    assert text_width("72.0", 20) < text_width("七十二点", 20) == 80
    assert text_width("https://zhijiao.example.cn/", 12) < 0.5 * 12 * len("https://zhijiao.example.cn/")
    assert segments("验证码：2026-AB 😀") == [(False, "验证码："), (True, "2026-AB ?")]


def test_wrap_breaks_by_width_and_keeps_newlines():
    assert wrap("一二三四五", 10, 30) == ["一二三", "四五"]
    assert wrap("ab一二", 10, 22) == ["ab一", "二"]
    assert wrap("甲\n\n乙", 10, 100) == ["甲", "", "乙"]
    assert wrap("", 10, 100) == [""]
    assert wrap("一", 10, 5) == ["一"]  # a character wider than the line still goes on one


def test_wrap_keeps_latin_words_whole_and_no_line_starts_with_closing_punctuation():
    assert wrap("Tree planting 2025", 10, 50) == ["Tree", "planting", "2025"]  # the space at a break is not drawn
    assert wrap("种树 Tree planting", 10, 60) == ["种树 Tree", "planting"]
    assert wrap("a" * 20, 10, 50) == ["a" * 8, "a" * 8, "a" * 4]  # a word wider than the line: by character
    assert wrap("一二三，四", 10, 30) == ["一二", "三，四"]
    assert wrap("一二 trees。", 10, 50) == ["一二", "trees。"]
    assert all(text_width(line, 10) <= 50 for line in wrap("Tree planting, 2025 edition. 和同学们一起", 10, 50))


def test_document_is_a_valid_file_with_ucs2_text():
    data = document([Line("综合素质评价", size=18, bold=True)], title="档案")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert "综合素质评价".encode("utf-16-be").hex().upper().encode() in data
    assert b"/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H" in data and _pages(data) == 1
    assert b"/BaseFont /Helvetica /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 126 /Widths [278 278 355" in data
    # the cross-reference table points at each object
    xref = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    offsets = [int(x[:10]) for x in data[xref:].split(b"\n")[3:] if re.fullmatch(rb"\d{10} 00000 n ", x)]
    assert offsets and all(data[o:].startswith(b"%d 0 obj" % n) for n, o in enumerate(offsets, start=1))


@needs_poppler
def test_document_text_is_extractable_chinese_over_pages(tmp_path):
    paragraph = "和同学们一起种下了二十棵树苗，学习了植树的方法，体会到劳动的快乐。Tree planting 2025."
    blocks = [Line("学生综合素质评价档案", size=18, bold=True), Line("全部写实记录", size=13, bold=True, rule=True)]
    blocks += [Line(f"第{i}条：{paragraph}", indent=12) for i in range(60)]
    data = document(blocks, title="综合素质评价档案 张小明", footer="张小明 综合素质评价档案")
    pages = _pages(data)
    assert pages >= 3
    flat = re.sub(r"\s+", "", _text(data, tmp_path))  # lines wrap anywhere
    assert "学生综合素质评价档案" in flat and "第59条" in flat and "Treeplanting2025." in flat
    assert all(f"第{i}条：和同学们" in flat for i in range(60))
    for n in range(1, pages + 1):
        assert f"张小明综合素质评价档案第{n}页/共{pages}页" in flat
    assert "Title:           综合素质评价档案 张小明" in _info(data, tmp_path)
    # wrapped lines stay inside the margins
    assert all(text_width(chunk, BODY) <= PAGE_W - 2 * MARGIN - 12 for chunk in wrap(f"第1条：{paragraph}", BODY, 471))


@needs_poppler
def test_table_rows_wrap_and_the_header_repeats_on_a_new_page(tmp_path):
    content = "参加校园植树活动，种下树苗二十棵，" * 3
    rows = [[f"学生{i:03d}", "八年级（3）班", content, f"{i % 5} 小时"] for i in range(80)]
    table = Table(rows, header=["姓名", "班级", "内容", "时长"], widths=[1, 1.2, 4, 1])
    data = document([Line("写实记录汇总", size=13, bold=True), table], title="汇总")
    pages = _pages(data)
    assert pages >= 3
    text = _text(data, tmp_path, layout=True)
    assert "学生000" in text and "学生079" in text and "种下树苗二十棵" in text
    assert text.count("姓名") == pages  # the header on every page the table runs over


@needs_poppler
def test_page_places_text_and_shapes(tmp_path):
    page = Page()
    page.rect(24, 24, PAGE_W - 24, 818, colour=(180, 83, 9), width=3)
    page.circle(420, 580, 55, colour=(185, 28, 28), width=3)
    page.line(96, 300, 500, 300, colour=(226, 232, 240))
    assert page.text(PAGE_W / 2, 120, "继续教育学时证明", size=34, colour=(185, 28, 28), align="centre") == 34 * 8
    page.text(PAGE_W - MARGIN, 160, "2026 年度", align="right")
    page.text(72, 700, "验证码：2026-ABCD1234-EFGH", bold=True)
    data = pdf([page], title="证明")
    text = _text(data, tmp_path)
    assert "继续教育学时证明" in text and "2026 年度" in text and "验证码：2026-ABCD1234-EFGH" in text
    assert b" re S Q" in data and data.count(b" c ") >= 3  # the box and the circle's curves
    # centred: the title's left edge is half its width left of the centre
    assert f"{PAGE_W / 2 - 34 * 4:g} {842 - 120:g} Td".encode() in data


@needs_poppler
def test_centred_mixed_text_is_centred(tmp_path):
    page = Page()
    width = page.text(PAGE_W / 2, 200, "72.0 学时", size=40, colour=(185, 28, 28), align="centre")
    page.text(PAGE_W - MARGIN, 300, "共 12 页 Page 3", size=12, align="right", bold=True)
    assert width == pytest.approx(40 * (3 * 0.556 + 0.278 + 0.278 + 2))
    data = pdf([page], title="居中")
    # the Latin run in Helvetica, the Chinese in STSong-Light, in one text object from the centred left edge
    ops = f"BT {PAGE_W / 2 - width / 2:.2f} 642 Td /F2 40 Tf 0 Tr <37322E3020> Tj /F1 40 Tf 0 Tr <5B6665F6> Tj ET"
    assert ops.encode() in data
    # what poppler lays out (its own widths for the fonts as the file gives them) is centred on the page and ends at
    # the right margin
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    box = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<'
    words = [(float(x0), float(x1), word) for x0, x1, word in re.findall(box, html)]
    assert [w for *_, w in words] == ["72.0", "学时", "共", "12", "页", "Page", "3"]
    left, right = words[0][0], words[1][1]
    assert right - left == pytest.approx(width, abs=0.5) and (left + right) / 2 == pytest.approx(PAGE_W / 2, abs=0.5)
    assert words[-1][1] == pytest.approx(PAGE_W - MARGIN, abs=0.5)
