"""Fitness results files: read a device export (.csv/.xlsx), check every row, score, write the result.

Columns are found by their Chinese names as school devices and the national upload template write them
(``COLUMN_ALIASES``; units in brackets and spaces are ignored). Times may be seconds (``215``) or minutes and
seconds (``3'35"``, ``3:35``, ``3分35秒``). Every row is accounted for: it is scored, or rejected with one Chinese
reason per field (``第N行 列：说明``, N the spreadsheet row with the header as row 1).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from zhijiao.core.errors import ZhijiaoError
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.fitness import (
    BMI_CLASSES,
    GRADE_NAMES,
    SEXES,
    FloatArray,
    Standard,
    bmi_values,
    score_columns,
)

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "student_no": ("学籍号", "学号", "学生编号", "教育id", "全国学籍号", "考号"),
    "row_id": ("行号", "编号", "序号", "id"),
    "name": ("姓名", "学生姓名"),
    "class": ("班级", "班级名称", "班级编号", "班号"),
    "school": ("学校", "学校名称", "学校代码", "学校标识码"),
    "sex": ("性别",),
    "grade": ("年级", "年级编号", "年级名称"),
    "height": ("身高",),
    "weight": ("体重",),
    "bmi": ("bmi", "体重指数", "体重指数bmi"),
    "vital_capacity": ("肺活量",),
    "run_50m": ("50米跑", "50米", "50m", "50m跑"),
    "sit_reach": ("坐位体前屈",),
    "rope_1min": ("1分钟跳绳", "一分钟跳绳", "跳绳"),
    "sit_up": ("1分钟仰卧起坐", "一分钟仰卧起坐", "仰卧起坐"),
    "shuttle_50x8": ("50米×8往返跑", "50米x8往返跑", "50米*8往返跑", "50×8往返跑", "50x8往返跑", "往返跑"),
    "long_jump": ("立定跳远",),
    "pull_up": ("引体向上",),
    "run_800": ("800米跑", "800米"),
    "run_1000": ("1000米跑", "1000米"),
}
TEST_ITEMS = (
    "vital_capacity", "run_50m", "sit_reach", "rope_1min", "sit_up", "shuttle_50x8", "long_jump", "pull_up",
    "run_800", "run_1000",
)  # fmt: skip
TIMED = {"run_50m", "shuttle_50x8", "run_800", "run_1000"}
# plausible results: outside these a value is a typing or device error, not a pupil's result
RANGES: dict[str, tuple[float, float]] = {
    "height": (80, 230),
    "weight": (10, 200),
    "bmi": (8, 60),
    "vital_capacity": (100, 10000),
    "run_50m": (5, 30),
    "sit_reach": (-40, 60),
    "rope_1min": (0, 400),
    "sit_up": (0, 120),
    "shuttle_50x8": (60, 600),
    "long_jump": (30, 400),
    "pull_up": (0, 100),
    "run_800": (120, 900),
    "run_1000": (120, 900),
}
LABELS = {
    "student_no": "学籍号", "row_id": "行号", "name": "姓名", "class": "班级", "sex": "性别", "grade": "年级",
    "height": "身高", "weight": "体重", "bmi": "BMI",
}  # fmt: skip
_GRADE_WORDS = {
    "一年级": 1, "二年级": 2, "三年级": 3, "四年级": 4, "五年级": 5, "六年级": 6, "七年级": 7, "八年级": 8,
    "九年级": 9, "初一": 7, "初二": 8, "初三": 9, "高一": 10, "高二": 11, "高三": 12,
}  # fmt: skip
# 年级编号 of the national student-health data system: 11–16 小学, 21–23 初中, 31–33 高中
_GRADE_CODES = {11: 1, 12: 2, 13: 3, 14: 4, 15: 5, 16: 6, 21: 7, 22: 8, 23: 9, 31: 10, 32: 11, 33: 12}
_SEX_WORDS = {"男": 0, "女": 1, "1": 0, "2": 1, "男生": 0, "女生": 1, "m": 0, "f": 1}
_TIME = r"^\s*(\d+)\s*[:'′’分]\s*(\d+(?:\.\d+)?)\s*(?:[\"″”]|秒|'')?\s*$"


def _norm(header: str) -> str:
    h = str(header).strip().lower().replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return re.sub(r"\(.*?\)$", "", h)  # 肺活量(毫升) -> 肺活量


def _label(std: Standard, code: str) -> str:
    return LABELS.get(code) or std.name(code)


@dataclass
class Problem:
    row: int  # spreadsheet row, header = 1
    column: str
    reason: str

    @property
    def text(self) -> str:
        return f"第{self.row}行 {self.column}：{self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason, "text": self.text}


@dataclass
class ScoreResult:
    rows_in: int
    scored: int
    rejected: int
    problems: list[Problem]
    frame: pl.DataFrame
    pending_tables: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        by_row: dict[int, list[dict[str, Any]]] = {}
        for p in self.problems:
            by_row.setdefault(p.row, []).append({"column": p.column, "reason": p.reason})
        return {
            "rows_in": self.rows_in,
            "scored": self.scored,
            "rejected": self.rejected,
            "rejected_rows": [{"row": r, "problems": ps} for r, ps in sorted(by_row.items())],
            "tables_pending": self.pending_tables,
        }


ROW = "__row__"  # the spreadsheet row each record came from (header = 1), kept through blank-row removal


def _drop_blank(frame: pl.DataFrame) -> pl.DataFrame:
    """Number the rows as the spreadsheet does, then drop the wholly empty ones (not pupils, not counted)."""
    frame = frame.with_columns(pl.Series(ROW, range(2, frame.height + 2), dtype=pl.Int64))
    if frame.width == 1:
        return frame
    filled = pl.any_horizontal(pl.col(c).fill_null("").str.strip_chars() != "" for c in frame.columns if c != ROW)
    return frame.filter(filled)


def read_table(data: bytes, name: str) -> pl.DataFrame:
    """All columns as text, headers as written, plus ROW; wholly empty rows left out."""
    return _drop_blank(_read(data, name))


def _read(data: bytes, name: str) -> pl.DataFrame:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ZhijiaoError(GrowthError.GROWTH_FILE_ENCODING)
        try:
            return pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True)
        except (pl.exceptions.PolarsError, ValueError):
            pass  # a hand-typed 3'55" leaves a stray quote: read again without quoting
        try:
            return pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True, quote_char=None)
        except (pl.exceptions.PolarsError, ValueError) as exc:
            raise ZhijiaoError(GrowthError.GROWTH_FILE_UNREADABLE, detail=str(exc)) from exc
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise ZhijiaoError(GrowthError.GROWTH_FILE_UNREADABLE, detail=str(exc)) from exc
        if not rows:
            return pl.DataFrame()
        header = [h or f"列{i + 1}" for i, h in enumerate(rows[0])]
        body = [r + [""] * (len(header) - len(r)) for r in rows[1:]]
        return pl.DataFrame(
            {h: [r[i] for r in body] for i, h in enumerate(header)}, schema=dict.fromkeys(header, pl.String)
        )
    raise ZhijiaoError(GrowthError.GROWTH_FILE_TYPE)


def map_columns(frame: pl.DataFrame) -> dict[str, str]:
    """canonical code -> the file's header, for the columns the file has."""
    lookup = {_norm(a): code for code, aliases in COLUMN_ALIASES.items() for a in aliases}
    found: dict[str, str] = {}
    for header in frame.columns:
        code = lookup.get(_norm(header))
        if code and code not in found:
            found[code] = header
    return found


def _numbers(col: pl.Series, timed: bool) -> tuple[FloatArray, np.ndarray]:
    """(values with NaN where empty, mask of cells that are not numbers)."""
    text = col.fill_null("").str.strip_chars()
    empty = (text == "").to_numpy()
    value = text.cast(pl.Float64, strict=False)
    arr = value.to_numpy().astype(np.float64)
    if timed:
        # only the cells that are not plain numbers go through the 分'秒 pattern
        odd = np.nonzero(np.isnan(arr) & ~empty)[0]
        if len(odd):
            sub = text.gather(odd)
            minutes = sub.str.extract(_TIME, 1).cast(pl.Float64, strict=False)
            seconds = sub.str.extract(_TIME, 2).cast(pl.Float64, strict=False)
            arr[odd] = (minutes * 60 + seconds).to_numpy().astype(np.float64)
    arr = np.where(np.isnan(arr), np.nan, arr)
    bad = np.isnan(arr) & ~empty
    return arr, bad


def score_frame(std: Standard, frame: pl.DataFrame) -> ScoreResult:
    """Check and score every row of a results table."""
    n = frame.height
    cols = map_columns(frame)
    problems: list[Problem] = []
    # a missing required column rejects every row
    for code in ("sex", "grade"):
        if code not in cols:
            raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field=_label(std, code), detail=_label(std, code))
    if "student_no" not in cols and "row_id" not in cols:
        raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field="学籍号", detail="学籍号 或 行号")
    rownum = frame[ROW].to_numpy() if ROW in frame.columns else np.arange(n) + 2
    bad_masks: list[tuple[np.ndarray, str, Any]] = []  # (mask, column label, reason or callable(i))

    def flag(mask: np.ndarray, column: str, reason: Any) -> None:
        if mask.any():
            bad_masks.append((mask, column, reason))

    ident_col = cols.get("student_no") or cols["row_id"]
    ident = frame[ident_col].fill_null("").str.strip_chars()
    flag((ident == "").to_numpy(), ident_col, "不能为空")

    sex_text = frame[cols["sex"]].fill_null("").str.strip_chars().str.to_lowercase()
    sex = sex_text.replace_strict(_SEX_WORDS, default=-1, return_dtype=pl.Int64).to_numpy()
    flag(sex < 0, "性别", "应填 男 或 女（或 1 男、2 女）")

    grade_text = frame[cols["grade"]].fill_null("").str.strip_chars()
    grade_num = grade_text.cast(pl.Int64, strict=False)
    by_word = grade_text.replace_strict(_GRADE_WORDS, default=None, return_dtype=pl.Int64).fill_null(0).to_numpy()
    by_code = grade_num.replace_strict(_GRADE_CODES, default=None, return_dtype=pl.Int64).fill_null(0).to_numpy()
    plain = grade_num.fill_null(0).to_numpy()
    plain = np.where((plain >= 1) & (plain <= 12), plain, 0)
    grade = np.where(by_word > 0, by_word, np.where(by_code > 0, by_code, plain))
    flag(grade == 0, "年级", "应为 一年级…六年级、初一…初三、高一…高三、1–12 或年级编号 11–16、21–23、31–33")

    values: dict[str, FloatArray] = {}
    for code in ("height", "weight", "bmi", *TEST_ITEMS):
        if code not in cols:
            continue
        arr, bad = _numbers(frame[cols[code]], code in TIMED)
        label = _label(std, code)
        hint = "应为秒数或 分'秒 格式（如 3'35）" if code in TIMED and code != "run_50m" else "不是数字"
        flag(bad, label, f"{hint}")
        lo, hi = RANGES[code]
        with np.errstate(invalid="ignore"):
            out = ~np.isnan(arr) & ((arr < lo) | (arr > hi))
        unit = std.items.get(code, {}).get("unit", {"height": "厘米", "weight": "千克"}.get(code, ""))
        flag(out, label, lambda i, a=arr, lo=lo, hi=hi, u=unit: f"{a[i]:g} 超出合理范围（{lo:g}–{hi:g} {u}）")
        values[code] = np.where(bad, np.nan, arr)

    if "bmi" in values:
        bmi = values["bmi"]
        if "height" in values and "weight" in values:
            bmi = np.where(np.isnan(bmi), bmi_values(values["height"], values["weight"]), bmi)
    elif "height" in values and "weight" in values:
        bmi = bmi_values(values["height"], values["weight"])
    else:
        bmi = np.full(n, np.nan)

    # per grade and sex: the items it is weighted on must have a table and a result
    key = grade * 2 + np.clip(sex, 0, 1)
    known = (grade > 0) & (sex >= 0)
    for g in range(1, 13):
        for s, sex_name in enumerate(SEXES):
            here = known & (key == g * 2 + s)
            if not here.any():
                continue
            missing_tables = std.missing_tables(g, sex_name)
            if missing_tables:
                names = "、".join(std.name(i) for i in missing_tables)
                flag(
                    here,
                    "年级",
                    f"{GRADE_NAMES[g]}{sex_name}生的评分表尚未载入（{names}），请由教育局载入官方评分表后再评分",
                )
                continue
            for item in std.weights[(g, sex_name)]:
                if item == "bmi":
                    flag(here & np.isnan(bmi), "身高/体重", "缺少身高、体重（或 BMI），无法计算体重指数")
                    continue
                result = values.get(item)
                col = std.name(item)
                if result is None:
                    flag(here, col, f"{GRADE_NAMES[g]}{sex_name}生须测此项，文件里没有这一列")
                else:
                    flag(
                        here & np.isnan(result) & ~_any_flagged(bad_masks, col, n),
                        col,
                        f"{GRADE_NAMES[g]}{sex_name}生须测此项，成绩为空",
                    )

    rejected = np.zeros(n, dtype=bool)
    for mask, column, reason in bad_masks:
        rejected |= mask
        for i in np.nonzero(mask)[0]:
            problems.append(Problem(int(rownum[i]), column, reason(i) if callable(reason) else reason))
    problems.sort(key=lambda p: p.row)
    ok = ~rejected
    idx = np.nonzero(ok)[0]
    scored = score_columns(
        std,
        grade=grade[idx],
        sex=sex[idx],
        values={k: v[idx] for k, v in values.items() if k in TEST_ITEMS},
        bmi=bmi[idx],
    )
    table = _output(std, frame, cols, idx, ok, scored, bmi, grade, problems, rownum)
    used = {
        (item, int(g), SEXES[int(s)])
        for g, s in set(zip(grade[idx].tolist(), sex[idx].tolist(), strict=True))
        for item in std.weights[(int(g), SEXES[int(s)])]
    }
    pending = sorted(
        f"{GRADE_NAMES[t.grade]}{t.sex}生 {std.name(t.item)}（{t.status}）"
        for key_, t in std.tables.items()
        if key_ in used and t.status != "已核对"
    )
    return ScoreResult(n, int(ok.sum()), int(rejected.sum()), problems, table, pending)


def _any_flagged(bad_masks: list[tuple[np.ndarray, str, Any]], column: str, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for m, c, _ in bad_masks:
        if c == column:
            mask |= m
    return mask


def _output(
    std: Standard,
    frame: pl.DataFrame,
    cols: dict[str, str],
    idx: np.ndarray,
    ok: np.ndarray,
    scored: Any,
    bmi: FloatArray,
    grade: np.ndarray,
    problems: list[Problem],
    rownum: np.ndarray,
) -> pl.DataFrame:
    """The input's identifying columns, then per item result and score, totals and level; a reason if rejected."""
    n = frame.height
    keep = [cols[c] for c in ("student_no", "row_id", "name", "school", "class", "sex", "grade") if c in cols]
    out = frame.select(keep)

    def full(arr: np.ndarray, dtype: Any, where: np.ndarray | None = None) -> pl.Series:
        """A column for all rows from values for the scored ones (null elsewhere, and where `where` is false)."""
        if dtype == pl.String:
            text = np.full(n, None, dtype=object)
            text[idx] = arr
            return pl.Series(text.tolist(), dtype=pl.String)
        col = np.full(n, np.nan)
        col[idx] = np.where(where, arr, np.nan) if where is not None else arr
        return pl.Series(col).fill_nan(None).cast(dtype)

    series: dict[str, pl.Series] = {}
    series["年级名称"] = full(
        np.array(["", *(GRADE_NAMES[g] for g in range(1, 13))], dtype=object)[grade[idx]], pl.String
    )
    series["BMI"] = full(np.round(bmi[idx], 1), pl.Float64)
    series["BMI等级"] = full(np.array(BMI_CLASSES, dtype=object)[scored.bmi_class], pl.String)
    series["BMI得分"] = full(scored.item_score["bmi"], pl.Int64)
    for item in std.items:
        if item == "bmi" or item not in scored.item_score:
            continue
        if item in cols:
            series[std.name(item)] = frame[cols[item]]
        weighted = scored.item_weighted[item]
        series[f"{std.name(item)}得分"] = full(scored.item_score[item], pl.Int64, weighted)
        if item in scored.item_bonus and scored.item_bonus[item].any():
            series[f"{std.name(item)}附加分"] = full(scored.item_bonus[item], pl.Int64, weighted)
    series["标准分"] = full(scored.standard_tenths / 10, pl.Float64)
    series["附加分"] = full(scored.bonus_total, pl.Int64)
    series["学年总分"] = full(scored.total_tenths / 10, pl.Float64)
    series["等级"] = full(scored.level.astype(object), pl.String)
    reasons = np.full(n, None, dtype=object)
    index_of = {int(r): i for i, r in enumerate(rownum.tolist())} if problems else {}
    for p in problems:
        i = index_of[p.row]
        reasons[i] = p.text if reasons[i] is None else f"{reasons[i]}；{p.column}：{p.reason}"
    series["未评分原因"] = pl.Series(reasons.tolist(), dtype=pl.String)
    return out.with_columns(**series)


def write_table(frame: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.write_csv(path, include_bom=True)  # Excel on Chinese Windows opens a BOM'd UTF-8 file correctly
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("体质健康评分")
        ws.append(frame.columns)
        for row in frame.iter_rows():
            ws.append(list(row))
        wb.save(path)
    else:
        raise ZhijiaoError(GrowthError.GROWTH_FILE_TYPE)


def score_file(std: Standard, data: bytes, name: str) -> ScoreResult:
    return score_frame(std, read_table(data, name))


def report_frame(result: ScoreResult, by: str) -> pl.DataFrame:
    """Rates over the scored rows, per value of one input column (年级, 班级, 学校 or 性别) and in total.

    优良率 = (优秀 + 良好) / 人数, 及格率 = (优秀 + 良好 + 及格) / 人数, 肥胖率 = BMI 肥胖 / 人数, in percent with one
    decimal; rejected rows are not counted (their number is in the result's ``rejected``).
    """
    frame = result.frame.filter(pl.col("等级").is_not_null())
    if by not in frame.columns:  # the file's own header for 年级/班级/学校/性别
        aliases = {_norm(a): code for code, names in COLUMN_ALIASES.items() for a in names}
        wanted = aliases.get(_norm(by))
        by = next((c for c in frame.columns if aliases.get(_norm(c)) == wanted and wanted), by)
    if by not in frame.columns:
        raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field=by, detail=by)
    if _norm(by) in {_norm(a) for a in COLUMN_ALIASES["grade"]}:
        by = "年级名称"  # 一年级, 1 and 11 are one grade
    level = pl.col("等级")

    def tenth(e: pl.Expr) -> pl.Expr:  # half up, like the scores (polars' round is half to even)
        return ((e * 10 + 0.5 + 1e-9).floor() / 10).round(1)  # round(1) only drops the division's float noise

    def rates() -> list[pl.Expr]:
        n = pl.len()
        return [
            n.alias("人数"),
            (level == "优秀").sum().alias("优秀"),
            (level == "良好").sum().alias("良好"),
            (level == "及格").sum().alias("及格"),
            (level == "不及格").sum().alias("不及格"),
            tenth(level.is_in(["优秀", "良好"]).sum() / n * 100).alias("优良率%"),
            tenth((level != "不及格").sum() / n * 100).alias("及格率%"),
            tenth((pl.col("BMI等级") == "肥胖").sum() / n * 100).alias("肥胖率%"),
            tenth(pl.col("学年总分").mean()).alias("平均学年总分"),
        ]

    per = frame.group_by(pl.col(by).cast(pl.String)).agg(rates())
    order = {name: g for g, name in GRADE_NAMES.items()}
    per = per.sort(pl.col(by).replace_strict(order, default=99, return_dtype=pl.Int64), by)
    total = frame.select(pl.lit("合计").alias(by), *rates())
    return pl.concat([per, total], how="vertical_relaxed") if frame.height else total
