"""Personal numbers in the 问题数据 report: masked unless they are the problem, and restored on re-import.

The report goes to a school's data clerk and tends to travel (e-mail, USB sticks), so the ID numbers, 学籍号
(G + ID number) and mobile numbers of its rows are masked as everywhere else in the platform
(``4201**********1234``, ``139****1234``) — except in a cell an issue names: that cell is what the clerk must
correct and so stays whole.

A clerk re-imports the report after fixing it, masked cells and all. A masked cell is never written: on
re-import it is restored from the quarantine, found by the report's 行号 (the row in the file the report was
made from) among the recent batches of the same kind that the importer may see (the newest, and one with
the same 姓名, first), and accepted only when the quarantined row's values mask to exactly the row's masked
cells. A masked cell with no such original stays as it is and fails its format check with a clear reason,
so stars never reach the registry.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from zhijiao.core.masking import mask_id_number, mask_phone, mask_student_no
from zhijiao.intake import selectors
from zhijiao.intake.context import RunContext
from zhijiao.intake.models import BatchStatus, ImportBatch, QuarantineRow
from zhijiao.intake.reading import Table
from zhijiao.intake.spec import FieldType, KindSpec

# (head, tail) characters kept, as zhijiao.core.masking keeps them; the 学籍号 keeps its letter on top
KEEP = {FieldType.ID_NUMBER: (4, 4), FieldType.STUDENT_NO: (5, 4), FieldType.MOBILE: (3, 4)}
MASKS: dict[FieldType, Callable[[str | None], str]] = {
    FieldType.ID_NUMBER: mask_id_number,
    FieldType.STUDENT_NO: mask_student_no,
    FieldType.MOBILE: mask_phone,
}
RECENT_BATCHES = 50  # how far back a re-imported report's rows are looked for
NAME_HEADER = "姓名"


def masked_headers(spec: KindSpec) -> dict[str, FieldType]:
    """Template header → type, for the fields whose values the report masks."""
    return {f.header: f.type for f in spec.fields if f.type in KEEP}


def mask_expr(value: pl.Expr, kind: FieldType) -> pl.Expr:
    """The vectorised twin of zhijiao.core.masking for one column (a test proves they agree)."""
    head, tail = KEEP[kind]
    if kind == FieldType.STUDENT_NO:  # the letter, then the ID number masked like one
        return pl.concat_str([value.str.slice(0, 1), mask_expr(value.str.slice(1), FieldType.ID_NUMBER)])
    n = value.str.len_chars()
    short = n <= head + tail
    keep_head = pl.when(short).then(n // 4).otherwise(pl.lit(head))
    keep_tail = pl.when(short).then(n // 4).otherwise(pl.lit(tail))
    stars = pl.lit("").str.pad_end((n - keep_head - keep_tail).clip(0).cast(pl.Int64), "*")
    masked = pl.concat_str([value.str.slice(0, keep_head), stars, value.str.slice(n - keep_tail, keep_tail)])
    return pl.when(value.is_null() | (value == "")).then(value).otherwise(masked)


def masked_restore(ctx: RunContext, table: Table, spec: KindSpec) -> pl.DataFrame:
    """``table.frame`` with every masked cell of a re-imported report put back to the value it masks."""
    frame = table.frame
    kinds = {f.key: f.type for f in spec.fields if f.type in KEEP}
    columns = [(i, key) for i, key in table.mapping.items() if key in kinds and f"c{i}" in frame.columns]
    if "_report_row" not in frame.columns or not columns:
        return frame
    starred = [pl.col(f"c{i}").str.contains("*", literal=True).fill_null(False) for i, _ in columns]
    wanted = frame.filter(pl.any_horizontal(starred) & pl.col("_report_row").is_not_null())
    if wanted.height == 0:
        return frame
    visible = (
        selectors.batch_list(actor=ctx.actor, kind=ctx.batch.kind)
        if ctx.actor is not None
        else ImportBatch.objects.filter(kind=ctx.batch.kind)
    )
    recent = list(
        visible.filter(status=BatchStatus.DONE)
        .exclude(pk=ctx.batch.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)[:RECENT_BATCHES]
    )
    originals: dict[int, list[dict]] = {}
    rows = QuarantineRow.objects.filter(
        batch_id__in=recent, row_no__in=wanted["_report_row"].unique().to_list()
    ).order_by("-batch_id")
    for row_no, raw in rows.values_list("row_no", "raw").iterator():
        originals.setdefault(row_no, []).append(raw or {})
    name_col = next((f"c{i}" for i, key in table.mapping.items() if key == "name"), None)
    restored = []
    for line in wanted.iter_rows(named=True):
        candidates = originals.get(line["_report_row"], [])
        if name_col:  # the newest row of the same name first; a corrected name still finds its row
            name = line.get(name_col) or ""
            candidates = sorted(candidates, key=lambda raw: str(raw.get(NAME_HEADER) or "") != name)
        for raw in candidates:
            values: dict[str, str | None] = {}
            for i, key in columns:
                cell = line.get(f"c{i}")
                if not cell or "*" not in cell:
                    continue
                original = raw.get(table.raw_headers[i].strip(), raw.get(spec.field(key).header))
                original = None if original is None else str(original)
                if original is None or MASKS[kinds[key]](original) != cell:
                    break
                values[f"c{i}"] = original
            else:
                restored.append({"_row": line["_row"], **values})
                break
    if not restored:
        return frame
    schema = {"_row": pl.Int64} | {f"c{i}": pl.String for i, _ in columns}
    found = pl.DataFrame(restored, schema=schema).rename({f"c{i}": f"_orig_c{i}" for i, _ in columns})
    frame = frame.join(found, on="_row", how="left")
    return frame.with_columns(
        [pl.coalesce(f"_orig_c{i}", f"c{i}").alias(f"c{i}") for i, _ in columns]
        + [pl.coalesce(f"_orig_c{i}", key).alias(key) for i, key in columns]
    ).drop([f"_orig_c{i}" for i, _ in columns])
