"""The streaming xlsx writer: a workbook openpyxl reads back exactly, produced in pieces."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from zhijiao.audit import xlsx


def test_rows_come_back_as_written_including_awkward_text():
    rows = [['a<b>&"c"', "  leading spaces", ""], ["=1+1", "控制\x01字符", "第三列"]]
    body = b"".join(xlsx.xlsx_stream(["甲", "乙", "丙"], iter(rows), sheet="表", widths=(10, 20, 30)))
    book = load_workbook(io.BytesIO(body))
    sheet = book["表"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["甲", "乙", "丙"],
        ['a<b>&"c"', "  leading spaces", None],
        ["=1+1", "控制字符", "第三列"],
    ]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.column_dimensions["C"].width == 30
    assert sheet["A3"].data_type == "s"  # text, never a formula


def test_output_streams_in_pieces_and_stops_at_the_sheet_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 1201)
    produced = 0

    def rows():
        nonlocal produced
        for i in range(5000):
            produced += 1
            yield [f"r{i}", "x" * 40]

    chunks = xlsx.xlsx_stream(["n", "v"], rows())
    first = next(chunks)
    assert first.startswith(b"PK") and produced == 0  # the package parts go out before any row is read
    pieces = [first, *chunks]
    assert len(pieces) > 3  # rows were flushed as they came, not in one piece at the end
    sheet = load_workbook(io.BytesIO(b"".join(pieces)), read_only=True).active
    values = [r[0] for r in sheet.iter_rows(values_only=True)]
    assert len(values) == 1201 and values[-1] == "r1199"
    assert produced <= 1201  # reading stopped at the limit


def test_column_names():
    assert [xlsx._column(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
