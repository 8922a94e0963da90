"""Spreadsheets for people: the import templates and a batch's error report.

The error report holds every quarantined row with the file's own headers, so a data clerk fixes the cells
(problem cells are filled red for errors and yellow for warnings, with a comment saying why) and imports the
report as it is: the two added columns, 行号 and 问题说明, are ignored by the importer.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.conf import settings
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from zhijiao.intake import xlsx
from zhijiao.intake.checks import MARK_SEPARATOR
from zhijiao.intake.masking import mask_expr, masked_headers
from zhijiao.intake.models import ImportBatch
from zhijiao.intake.reading import REPORT_ISSUES, REPORT_ROW, header_key
from zhijiao.intake.spec import SPECS, KindSpec

RED = PatternFill("solid", fgColor="FFC7CE")
YELLOW = PatternFill("solid", fgColor="FFEB9C")
HEAD = PatternFill("solid", fgColor="DDEBF7")
REQUIRED = PatternFill("solid", fgColor="F8CBAD")
BOLD = Font(bold=True)


def intake_dir(*parts: str) -> Path:
    path = Path(settings.HOME, "intake", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_path(batch: ImportBatch) -> Path:
    return intake_dir("reports") / f"batch-{batch.pk}-问题数据.xlsx"


def _field_headers(spec: KindSpec, headers: list[str]) -> dict[str, int]:
    """Spec header (as issues name it) → column index in the file's headers."""
    index = {header_key(h): i for i, h in enumerate(headers)}
    found: dict[str, int] = {}
    for f in spec.fields:
        for name in (f.header, *f.synonyms):
            if header_key(name) in index:
                found[f.header] = index[header_key(name)]
                break
    return found


def report_write(batch: ImportBatch, quarantined: pl.DataFrame, spec: KindSpec | None = None) -> Path | None:
    """Write the batch's quarantined rows (as returned by the pipeline) to the xlsx error report.

    Rejected rows first, then rows imported with warnings. Cells named by an issue are filled red (error) or
    yellow (warning) and carry a comment (批注) with the reasons; 问题说明 lists every reason. ID numbers,
    学籍号 and mobiles are masked except where an issue names the cell (see :mod:`zhijiao.intake.masking`).
    """
    spec = spec or SPECS[batch.kind]
    path = report_path(batch)
    if quarantined.height == 0:
        path.unlink(missing_ok=True)
        return None
    headers = [c for c in quarantined.columns if c not in INTERNAL]
    exploded = (
        quarantined.select("_row", "issues")
        .with_row_index("_line")
        .explode("issues")
        .unnest("issues")
        .filter(pl.col("field").is_not_null() & (pl.col("field") != ""))
        .with_columns(pl.col("field").str.split(MARK_SEPARATOR))
        .explode("field")
        .filter(pl.col("field").is_in(headers))
    )
    worst = exploded.group_by("_row", "field").agg(
        pl.when(pl.col("severity") == "error").then(xlsx.ERROR).otherwise(xlsx.WARNING).min().alias("style")
    )
    styles = quarantined.select("_row").join(
        worst.pivot(on="field", index="_row", values="style")
        if worst.height
        else pl.DataFrame(schema={"_row": pl.Int64}),
        on="_row",
        how="left",
    )
    masks = masked_headers(spec)
    shown = [
        pl.when(styles[h].is_not_null() if h in styles.columns else pl.lit(False))
        .then(pl.col(h).cast(pl.String))
        .otherwise(mask_expr(pl.col(h).cast(pl.String), masks[h]))
        .alias(h)
        if h in masks
        else pl.col(h)
        for h in headers
    ]
    body = quarantined.select(
        *shown,
        pl.col("_row").alias(REPORT_ROW),
        pl.concat_str(
            [
                pl.when(pl.col("rejected")).then(pl.lit("")).otherwise(pl.lit("（已导入，仅警告）")),
                pl.col("issues").list.eval(pl.element().struct.field("message")).list.join("；"),
            ]
        ).alias(REPORT_ISSUES),
    )
    style_frame = pl.DataFrame(
        {
            h: styles[h].cast(pl.Int8) if h in styles.columns else pl.Series([None] * body.height, dtype=pl.Int8)
            for h in headers
        }
        | {REPORT_ISSUES: pl.Series([xlsx.WRAP] * body.height, dtype=pl.Int8)}
    )
    position = {h: i for i, h in enumerate(headers)}
    comments = (
        exploded.group_by("_line", "field", maintain_order=True)
        .agg(pl.col("message").unique(maintain_order=True).str.join("\n"))
        .sort("_line")
        .head(xlsx.MAX_COMMENTS)
        .select(
            (pl.col("_line") + 2).alias("line"),
            pl.col("field").replace_strict(position, return_dtype=pl.Int64).alias("column"),
            pl.col("message").alias("text"),
        )
    )
    partial = path.with_name(path.name + ".part")  # a killed run leaves no half-written report under the name
    xlsx.write_sheet(
        partial,
        title="问题数据",
        headers=body.columns,
        frame=body,
        styles=style_frame,
        widths=[16.0] * len(headers) + [8.0, 70.0],
        comments=comments,
    )
    partial.replace(path)
    return path


INTERNAL = {"_row", "issues", "rejected", "raw", "issues_json"}


def template_write(kind: str, path: Path) -> Path:
    """The import template: headers (required ones marked), a sample row and a sheet explaining each column."""
    spec = SPECS[kind]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = spec.label
    sheet.append(spec.headers)
    sheet.append([f.example for f in spec.fields])
    for index, f in enumerate(spec.fields, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = BOLD, REQUIRED if f.required else HEAD
        if f.note or f.required:
            cell.comment = Comment(("必填。" if f.required else "") + f.note, "智教")
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(f.header) * 2 + 4)
        sheet.cell(row=2, column=index).number_format = "@"  # text: keeps ID numbers and leading zeros
        for line in range(3, 503):
            sheet.cell(row=line, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "填写要求", "也可识别的列名", "示例"])
    for cell in notes[1]:
        cell.font, cell.fill = BOLD, HEAD
    for f in spec.fields:
        notes.append([f.header, "必填" if f.required else "选填", _describe(f), "、".join(f.synonyms), f.example])
    for col, width in zip("ABCDE", (16, 10, 60, 40, 24), strict=True):
        notes.column_dimensions[col].width = width
    book.save(path)
    return path


def _describe(f) -> str:
    from zhijiao.core.codes import code_table

    text = {
        "date": "日期，如 2016-03-05、2016/3/5、2016年3月5日 或 20160305",
        "month": "年月，如 2024-09 或 2024年9月",
        "id_number": "18位居民身份证号（末位X大小写均可）；其他证件请同时填写身份证件类型",
        "student_no": "全国学籍号：G+身份证号，或 J/L+18位编号",
        "school_code": "10位学校标识码",
        "mobile": "11位手机号",
        "grade": "如 一年级、初二、七年级、高一，或入学年份 2024级",
        "class_no": "班号，如 2、2班、（2）班",
        "bool": "是 / 否",
    }.get(f.type.value, "")
    if f.table:
        names = [c.name for c in code_table(f.table)][:12]
        text = f"代码或名称，如：{'、'.join(names)}{'…' if len(code_table(f.table)) > 12 else ''}"
    return (text + ("。" + f.note if f.note else "")).strip("。")
