"""The 国家学生体质健康标准 (2014) as data, and a vectorised scorer over whole columns.

The standard lives in ``data/fitness/`` (``standard.json``: items, weights, bonus rules, levels;
``single_items.json``: one table per item, grade and sex; ``bmi.json``: BMI bands). Each table records its source,
what it was checked against and its doubts. A bureau can replace tables with ``zhijiao fitness tables load FILE``:
the file is validated and kept under ``$ZHIJIAO_HOME/fitness/``, where it overrides the shipped table of the same
item, grade and sex.

Scoring rule of the standard: a result takes the score of the highest row whose threshold it reaches (higher is
better, or lower for timed items); a result that does not reach a row takes the next lower row; below the 10-point
row (or the lowest row with a threshold) it scores 0. Blank rows (the pull-up tables have some) are never reached.
Scores are weighted in integer hundredths and the 标准分 rounded half up to one decimal, so no float noise decides
a level.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

SEXES = ("男", "女")
GRADES = tuple(range(1, 13))
N_KEYS = 13 * 2  # key = grade * 2 + sex index
ROW_SCORES = (100, 95, 90, 85, 80, 78, 76, 74, 72, 70, 68, 66, 64, 62, 60, 50, 40, 30, 20, 10)
GRADE_NAMES = {
    1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
    7: "初一", 8: "初二", 9: "初三", 10: "高一", 11: "高二", 12: "高三",
}  # fmt: skip

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ItemTable:
    """One single-item table: rows of (score, threshold); a None threshold is a blank row."""

    item: str
    grade: int
    sex: str
    rows: tuple[tuple[int, float | None], ...]
    status: str
    source: str
    checked: str = ""
    doubt: str = ""


@dataclass(frozen=True)
class BmiBand:
    grade: int
    sex: str
    underweight_max: float
    normal_max: float
    overweight_max: float
    status: str
    source: str


@dataclass
class Standard:
    """Everything the scorer needs, read from the data files (and a bureau's replacements)."""

    items: dict[str, dict[str, str]]
    weights: dict[tuple[int, str], dict[str, int]]
    tables: dict[tuple[str, int, str], ItemTable]
    bmi: dict[tuple[int, str], BmiBand]
    bmi_scores: dict[str, int]
    bonus: dict[tuple[str, int, str], tuple[tuple[int, float], ...]]
    levels: tuple[tuple[str, float], ...]
    replaced: list[str] = field(default_factory=list)

    def better(self, item: str) -> str:
        return self.items[item]["better"]

    def name(self, item: str) -> str:
        return self.items[item]["name"]

    def missing_tables(self, grade: int, sex: str) -> list[str]:
        """The items this grade and sex is weighted on that have no table (empty: the pupil can be scored)."""
        out = []
        for item in self.weights.get((grade, sex), {}):
            if item == "bmi":
                if (grade, sex) not in self.bmi:
                    out.append(item)
            elif (item, grade, sex) not in self.tables:
                out.append(item)
        return out

    def pending(self) -> list[ItemTable]:
        """Tables not checked against the official document (status other than 已核对)."""
        return [t for t in self.tables.values() if t.status != "已核对"]


def _data(name: str) -> Any:
    return json.loads(resources.files("zhijiao.growth").joinpath("data/fitness", name).read_text(encoding="utf-8"))


def _item_table(raw: dict[str, Any]) -> ItemTable:
    return ItemTable(
        item=raw["item"],
        grade=int(raw["grade"]),
        sex=raw["sex"],
        rows=tuple((int(s), None if t is None else float(t)) for s, t in raw["rows"]),
        status=raw.get("status", "待核对"),
        source=raw.get("source", ""),
        checked=raw.get("checked", ""),
        doubt=raw.get("doubt", ""),
    )


def _bmi_band(raw: dict[str, Any]) -> BmiBand:
    return BmiBand(
        grade=int(raw["grade"]),
        sex=raw["sex"],
        underweight_max=float(raw["underweight_max"]),
        normal_max=float(raw["normal_max"]),
        overweight_max=float(raw["overweight_max"]),
        status=raw.get("status", "待核对"),
        source=raw.get("source", ""),
    )


def tables_validate(payload: Any, *, items: dict[str, dict[str, str]] | None = None) -> list[str]:
    """Check a replacement-table file (the layout of single_items.json and/or bmi.json); Chinese problems."""
    items = items if items is not None else _data("standard.json")["items"]
    errors: list[str] = []
    if not isinstance(payload, dict) or not ({"tables", "bands"} & set(payload)):
        return ["文件应是 JSON 对象，含 tables（单项评分表）或 bands（BMI 分档）"]
    for n, raw in enumerate(payload.get("tables") or [], start=1):
        where = f"第{n}张表"
        if not isinstance(raw, dict):
            errors.append(f"{where}：应是对象")
            continue
        item, grade, sex = raw.get("item"), raw.get("grade"), raw.get("sex")
        if item not in items or item == "bmi":
            errors.append(f"{where} item：不认识的项目 {item!r}")
            continue
        if grade not in GRADES:
            errors.append(f"{where} grade：年级应为 1–12 的整数")
        if sex not in SEXES:
            errors.append(f"{where} sex：性别应为 男 或 女")
        if not raw.get("source"):
            errors.append(f"{where} source：请写明出处（文件、表号、页码）")
        rows = raw.get("rows")
        if not isinstance(rows, list) or len(rows) != len(ROW_SCORES):
            errors.append(f"{where} rows：应有 {len(ROW_SCORES)} 行（100 分到 10 分）")
            continue
        try:
            scores = [int(r[0]) for r in rows]
            thresholds = [None if r[1] is None else float(r[1]) for r in rows]
        except (TypeError, ValueError, IndexError):
            errors.append(f"{where} rows：每行应为 [分数, 阈值]，阈值为数字或 null")
            continue
        if tuple(scores) != ROW_SCORES:
            errors.append(f"{where} rows：分数应依次为 {'、'.join(map(str, ROW_SCORES))}")
        present = [t for t in thresholds if t is not None]
        if thresholds[0] is None:  # the lowest rows may be blank (初一 引体向上: no 10-point count)
            errors.append(f"{where} rows：100 分行不能为空")
        lower = items[str(item)]["better"] == "lower"
        ordered = all((a < b) if lower else (a > b) for a, b in pairwise(present))
        if not ordered:
            direction = "逐行增大（用时越短分越高）" if lower else "逐行减小"
            errors.append(f"{where} rows：阈值应从 100 分到 10 分{direction}")
    for n, raw in enumerate(payload.get("bands") or [], start=1):
        where = f"第{n}个 BMI 分档"
        try:
            a, b, c = (float(raw[k]) for k in ("underweight_max", "normal_max", "overweight_max"))
        except (TypeError, ValueError, KeyError):
            errors.append(f"{where}：应有 underweight_max、normal_max、overweight_max 三个数")
            continue
        if not a < b < c:
            errors.append(f"{where}：应 underweight_max < normal_max < overweight_max")
        if raw.get("grade") not in GRADES or raw.get("sex") not in SEXES:
            errors.append(f"{where}：年级应为 1–12，性别应为 男 或 女")
        if not raw.get("source"):
            errors.append(f"{where} source：请写明出处")
    return errors


def standard_load(override_dir: Path | None = None) -> Standard:
    """The shipped standard, with a bureau's replacement tables (``*.json`` in override_dir) on top."""
    std = _data("standard.json")
    weights: dict[tuple[int, str], dict[str, int]] = {}
    for band in std["bands"].values():
        for grade in band["grades"]:
            for sex, w in band["weights"].items():
                weights[(grade, sex)] = {k: int(v) for k, v in w.items()}
    tables = {(t.item, t.grade, t.sex): t for t in map(_item_table, _data("single_items.json")["tables"])}
    bmi_data = _data("bmi.json")
    bmi = {(b.grade, b.sex): b for b in map(_bmi_band, bmi_data["bands"])}
    bonus: dict[tuple[str, int, str], tuple[tuple[int, float], ...]] = {}
    for rule in std["bonus"]["rules"]:
        rows = tuple((int(p), float(x)) for p, x in rule["rows"])
        for grade in rule["grades"]:
            for sex in rule["sex"]:
                bonus[(rule["item"], grade, sex)] = rows
    replaced: list[str] = []
    if override_dir is not None and override_dir.is_dir():
        for path in sorted(override_dir.glob("*.json")):
            payload = json.loads(path.read_text(encoding="utf-8"))
            if tables_validate(payload, items=std["items"]):
                continue  # `tables load` refuses bad files; one edited by hand afterwards is ignored, not half-used
            for t in map(_item_table, payload.get("tables") or []):
                tables[(t.item, t.grade, t.sex)] = t
                replaced.append(f"{t.item}/{t.grade}/{t.sex}")
            for b in map(_bmi_band, payload.get("bands") or []):
                bmi[(b.grade, b.sex)] = b
                replaced.append(f"bmi/{b.grade}/{b.sex}")
    return Standard(
        items=std["items"],
        weights=weights,
        tables=tables,
        bmi=bmi,
        bmi_scores={k: int(v) for k, v in bmi_data["scores"].items()},
        bonus=bonus,
        levels=tuple((name, float(cut)) for name, cut in std["levels"]["rows"]),
        replaced=replaced,
    )


# --- scoring ------------------------------------------------------------------------------------------------


def _key(grade: IntArray, sex: IntArray) -> IntArray:
    return grade * 2 + sex


Groups = list[tuple[int, IntArray]]


def key_groups(key: IntArray) -> Groups:
    """(key, row positions) for each grade-and-sex key present: one stable sort, then slices."""
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(N_KEYS + 1))
    return [(k, order[bounds[k] : bounds[k + 1]]) for k in range(N_KEYS) if bounds[k + 1] > bounds[k]]


def item_scores(std: Standard, item: str, value: FloatArray, key: IntArray, groups: Groups | None = None) -> IntArray:
    """Each value's score on its own grade and sex's table (0 where no row is reached or there is no table)."""
    lower = std.better(item) == "lower"
    out = np.zeros(len(value), dtype=np.int64)
    for k, rows in groups if groups is not None else key_groups(key):
        table = std.tables.get((item, k // 2, SEXES[k % 2]))
        if table is None:
            continue
        present = [(s, t) for s, t in table.rows if t is not None]
        v = value[rows]
        if lower:  # thresholds ascend from the 100-point row: the first threshold ≥ v is the row reached
            thresholds = np.array([t for _, t in present])
            scores = np.array([s for s, _ in present] + [0], dtype=np.int64)
            at = np.searchsorted(thresholds, v, side="left")  # NaN sorts last: 0 points
        else:  # ascending from the 10-point row: the last threshold ≤ v is the row reached
            thresholds = np.array([t for _, t in reversed(present)])
            scores = np.array([0] + [s for s, _ in reversed(present)], dtype=np.int64)
            at = np.searchsorted(thresholds, v, side="right")
            at[np.isnan(v)] = 0
        out[rows] = scores[at]
    return out


def bonus_points(std: Standard, item: str, value: FloatArray, key: IntArray, groups: Groups | None = None) -> IntArray:
    """附加分 for the part of a result beyond the item's 100-point threshold (0 where the item has no bonus)."""
    lower = std.better(item) == "lower"
    out = np.zeros(len(value), dtype=np.int64)
    for k, rows in groups if groups is not None else key_groups(key):
        grade, sex = k // 2, SEXES[k % 2]
        steps = std.bonus.get((item, grade, sex))
        table = std.tables.get((item, grade, sex))
        if not steps or table is None or table.rows[0][1] is None:
            continue
        top = table.rows[0][1]
        v = value[rows]
        # 3'25" is exactly 5 s under 3'30", but 8.5 - 8.3 is not exactly 0.2 in floats: round the excess
        beyond = np.round((top - v) if lower else (v - top), 6)
        need = np.array([x for _, x in sorted(steps, key=lambda r: r[1])])
        points = np.array([0] + [p for p, _ in sorted(steps, key=lambda r: r[1])], dtype=np.int64)
        at = np.searchsorted(need, beyond, side="right")
        at[np.isnan(beyond)] = 0
        out[rows] = points[at]
    return out


def bmi_values(height_cm: FloatArray, weight_kg: FloatArray) -> FloatArray:
    """BMI = kg / m², rounded half up to one decimal as the bands are written."""
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = weight_kg / (height_cm / 100.0) ** 2
        return np.floor(raw * 10 + 0.5 + 1e-9) / 10


BMI_CLASSES = ("正常", "低体重", "超重", "肥胖")


def bmi_class(std: Standard, bmi: FloatArray, key: IntArray) -> IntArray:
    """0 正常, 1 低体重, 2 超重, 3 肥胖 (index into BMI_CLASSES)."""
    a = np.full(N_KEYS, np.nan)
    b = np.full(N_KEYS, np.nan)
    c = np.full(N_KEYS, np.nan)
    for (grade, sex), band in std.bmi.items():
        k = grade * 2 + SEXES.index(sex)
        a[k], b[k], c[k] = band.underweight_max, band.normal_max, band.overweight_max
    with np.errstate(invalid="ignore"):
        cls = np.where(bmi <= a[key], 1, np.where(bmi <= b[key], 0, np.where(bmi <= c[key], 2, 3)))
    return cls.astype(np.int64)


@dataclass
class Scored:
    """Column arrays for the rows scored: per item score and bonus, 标准分, 附加分, 学年总分 (tenths), level."""

    item_score: dict[str, IntArray]
    item_bonus: dict[str, IntArray]
    item_weighted: dict[str, npt.NDArray[np.bool_]]
    bmi: FloatArray
    bmi_class: IntArray
    standard_tenths: IntArray
    bonus_total: IntArray
    total_tenths: IntArray
    level: npt.NDArray[np.str_]


def score_columns(
    std: Standard, *, grade: IntArray, sex: IntArray, values: dict[str, FloatArray], bmi: FloatArray
) -> Scored:
    """Score rows already checked (each has a table for every item its grade and sex is weighted on)."""
    key = _key(grade, sex)
    n = len(key)
    groups = key_groups(key)
    weight = {item: np.zeros(N_KEYS, dtype=np.int64) for item in std.items}
    for (g, sex_name), pcts in std.weights.items():
        for item, pct in pcts.items():
            weight[item][g * 2 + SEXES.index(sex_name)] = pct
    cls = bmi_class(std, bmi, key)
    bmi_points = np.array([std.bmi_scores[c] for c in BMI_CLASSES], dtype=np.int64)[cls]
    hundredths = weight["bmi"][key] * bmi_points
    scores: dict[str, IntArray] = {"bmi": bmi_points}
    bonuses: dict[str, IntArray] = {}
    weighted: dict[str, npt.NDArray[np.bool_]] = {"bmi": np.ones(n, dtype=bool)}
    bonus_total = np.zeros(n, dtype=np.int64)
    for item in std.items:
        if item == "bmi" or item not in values:
            continue
        w = weight[item][key]
        weighted[item] = w > 0
        points = np.where(w > 0, item_scores(std, item, values[item], key, groups), 0)
        scores[item] = points
        hundredths = hundredths + w * points
        b = np.where(w > 0, bonus_points(std, item, values[item], key, groups), 0)
        bonuses[item] = b
        bonus_total = bonus_total + b
    standard_tenths = (hundredths + 5) // 10  # half up: 1 unit = 0.01 point
    total_tenths = standard_tenths + bonus_total * 10
    level = np.full(n, std.levels[-1][0], dtype=object)
    for name, cut in reversed(std.levels[:-1]):
        level = np.where(total_tenths >= round(cut * 10), name, level)
    return Scored(scores, bonuses, weighted, bmi, cls, standard_tenths, bonus_total, total_tenths, level.astype(str))


def level_for(std: Standard, total: float) -> str:
    """The level of one 学年总分 (for tests and single lookups)."""
    for name, cut in std.levels:
        if round(total * 10) >= round(cut * 10):
            return name
    return std.levels[-1][0]
