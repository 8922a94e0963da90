"""The scorer against the standard's own tables: every row boundary, BMI bands, bonus points, levels, one pupil."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from zhijiao.growth.fitness import (
    BMI_CLASSES,
    GRADE_NAMES,
    ROW_SCORES,
    SEXES,
    bmi_class,
    bmi_values,
    bonus_points,
    item_scores,
    level_for,
    score_columns,
    standard_load,
    tables_validate,
)

STD = standard_load()
DATA = resources.files("zhijiao.growth").joinpath("data/fitness")
DECIMAL_ITEMS = {"run_50m", "sit_reach"}  # measured to 0.1; the others to whole units


def _key(grade: int, sex: str) -> np.ndarray:
    return np.array([grade * 2 + SEXES.index(sex)])


def _cases(table):
    """(value, expected score) at each row's threshold and one measuring unit worse than it."""
    step = 0.1 if table.item in DECIMAL_ITEMS else 1.0
    lower = STD.better(table.item) == "lower"
    rows = [(s, t) for s, t in table.rows if t is not None]
    cases = []
    for i, (score, threshold) in enumerate(rows):
        cases.append((threshold, score))
        worse = round(threshold + step if lower else threshold - step, 1)
        below = 0
        for s2, t2 in rows[i + 1 :]:
            if (worse <= t2) if lower else (worse >= t2):
                below = s2
                break
        cases.append((worse, below))
    return cases


@pytest.mark.parametrize(
    "table",
    sorted(STD.tables.values(), key=lambda t: (t.grade, t.sex, t.item)),
    ids=lambda t: f"{t.item}-{t.grade}-{t.sex}",
)
def test_every_row_boundary(table):
    """At a row's threshold a result takes that row's score; one unit worse takes the next lower row (or 0)."""
    cases = _cases(table)
    values = np.array([v for v, _ in cases], dtype=np.float64)
    got = item_scores(STD, table.item, values, np.repeat(_key(table.grade, table.sex), len(values)))
    assert got.tolist() == [s for _, s in cases], f"{GRADE_NAMES[table.grade]}{table.sex} {table.item}"


def test_tables_cover_every_grade_and_list_their_source():
    for grade in range(1, 13):
        for sex in SEXES:
            assert STD.missing_tables(grade, sex) == [], (grade, sex)
    for table in STD.tables.values():
        assert table.source and table.status in {"已核对", "待核对", "存疑"}
        assert [s for s, _ in table.rows] == list(ROW_SCORES)


def test_junior_pull_up_blank_rows_and_the_blank_10_point_row():
    """初二: 10 → 80, 9 → 76 (the 78 row is blank), 0 → 10. 初一: no 10-point count, 0 → 20 (its lowest row)."""
    got = item_scores(STD, "pull_up", np.array([10.0, 9.0, 0.0]), np.repeat(_key(8, "男"), 3))
    assert got.tolist() == [80, 76, 10]
    got = item_scores(STD, "pull_up", np.array([1.0, 0.0, -1.0]), np.repeat(_key(7, "男"), 3))
    assert got.tolist() == [30, 20, 0]


def test_shipped_tables_pass_the_check_a_bureau_replacement_must_pass():
    raw = json.loads(DATA.joinpath("single_items.json").read_text(encoding="utf-8"))
    bands = json.loads(DATA.joinpath("bmi.json").read_text(encoding="utf-8"))
    assert tables_validate({"tables": raw["tables"], "bands": bands["bands"]}) == []


@pytest.mark.parametrize("sex", SEXES)
def test_junior_tables_get_harder_from_grade_to_grade(sex):
    """初一 → 初二 → 初三: the 100- and 60-point thresholds of each item never get easier."""
    for item in ("vital_capacity", "run_50m", "sit_reach", "long_jump", "pull_up", "sit_up", "run_1000", "run_800"):
        lower = STD.better(item) == "lower"
        for row in (0, ROW_SCORES.index(60)):
            cut = [t.rows[row][1] for g in (7, 8, 9) if (t := STD.tables.get((item, g, sex)))]
            assert cut == sorted(cut, reverse=lower), (item, sex, row, cut)


def test_junior_vital_capacity_sits_below_the_senior_table():
    """初三 100 < 高一 100 (the university 5040 would be far above: the widely copied mistake)."""
    assert STD.tables[("vital_capacity", 9, "男")].rows[0][1] < STD.tables[("vital_capacity", 10, "男")].rows[0][1]
    assert STD.tables[("vital_capacity", 8, "男")].rows[0] == (100, 3940.0)


def test_blank_pull_up_rows_are_never_reached():
    """高一 pull-ups: 12 → 80, 11 → 76 (the 78 row is blank), 10 → 72."""
    got = item_scores(STD, "pull_up", np.array([12.0, 11.0, 10.0, 1.0]), np.repeat(_key(10, "男"), 4))
    assert got.tolist() == [80, 76, 72, 0]


def test_senior_vital_capacity_is_the_secondary_table_not_the_university_one():
    table = STD.tables[("vital_capacity", 10, "男")]
    assert table.rows[0] == (100, 4540.0)  # 5040 is 大学一二年级's, the widely copied mistake


@pytest.mark.parametrize("band", list(STD.bmi.values()), ids=lambda b: f"bmi-{b.grade}-{b.sex}")
def test_bmi_band_boundaries(band):
    """低体重 ≤ a < 正常 ≤ b < 超重 ≤ c < 肥胖, at each boundary and 0.1 above it; scores 80/100/80/60."""
    a, b, c = band.underweight_max, band.normal_max, band.overweight_max
    values = np.array([a, round(a + 0.1, 1), b, round(b + 0.1, 1), c, round(c + 0.1, 1)])
    cls = bmi_class(STD, values, np.repeat(_key(band.grade, band.sex), len(values)))
    assert [BMI_CLASSES[i] for i in cls] == ["低体重", "正常", "正常", "超重", "超重", "肥胖"]
    assert [STD.bmi_scores[BMI_CLASSES[i]] for i in cls] == [80, 100, 100, 80, 80, 60]


def test_bmi_is_rounded_half_up_to_one_decimal():
    # 28 kg at 130 cm: 16.568… → 16.6; 25.6 kg at 160 cm: 10.0 exactly
    assert bmi_values(np.array([130.0, 160.0]), np.array([28.0, 25.6])).tolist() == [16.6, 10.0]


@pytest.mark.parametrize(
    ("item", "grade", "sex", "values", "expected"),
    [
        # 跳绳 (小学, up to 20): one point per 2 skips beyond the 100-point 109 (一年级男)
        ("rope_1min", 1, "男", [109, 110, 111, 112, 147, 148, 149, 400], [0, 0, 1, 1, 19, 19, 20, 20]),
        ("rope_1min", 6, "女", [166, 168, 206, 205], [0, 1, 20, 19]),
        # 引体向上 (男, up to 10): one point per pull-up beyond 16 (高一)
        ("pull_up", 10, "男", [16, 17, 25, 26, 40], [0, 1, 9, 10, 10]),
        # 仰卧起坐 (女): 2→1, 4→2, 6→3 … 13→10 beyond 53 (高一)
        ("sit_up", 10, "女", [54, 55, 56, 57, 58, 59, 65, 66], [0, 1, 1, 2, 2, 3, 9, 10]),
        # 1000米 (男): 4 s faster → 1 … 35 s faster → 10, beyond 3'30" (高一)
        ("run_1000", 10, "男", [210, 207, 206, 202, 176, 175, 150], [0, 0, 1, 2, 9, 10, 10]),
        # 800米 (女): 5 s → 1 … 50 s → 10, beyond 3'24" (高一)
        ("run_800", 10, "女", [204, 200, 199, 194, 155, 154], [0, 0, 1, 2, 9, 10]),
    ],
)
def test_bonus_points(item, grade, sex, values, expected):
    arr = np.array(values, dtype=np.float64)
    assert bonus_points(STD, item, arr, np.repeat(_key(grade, sex), len(arr))).tolist() == expected


def test_no_bonus_for_items_without_one():
    arr = np.array([5000.0])
    assert bonus_points(STD, "vital_capacity", arr, _key(10, "男")).tolist() == [0]
    assert bonus_points(STD, "pull_up", np.array([30.0]), _key(10, "女")).tolist() == [0]


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (120.0, "优秀"),
        (90.0, "优秀"),
        (89.9, "良好"),
        (80.0, "良好"),
        (79.9, "及格"),
        (60.0, "及格"),
        (59.9, "不及格"),
        (0.0, "不及格"),
    ],
)
def test_level_cut_offs(total, level):
    assert level_for(STD, total) == level


def test_one_pupil_worked_by_hand():
    """三年级女生: 身高 130 cm, 体重 28 kg, 肺活量 1500 mL, 50米跑 10.1 s, 坐位体前屈 15.0 cm, 1分钟跳绳 150,
    1分钟仰卧起坐 33.

    BMI 28 / 1.30² = 16.57 → 16.6: 正常 (13.6–18.6) → 100
    肺活量 1500: rows 1600 (90) not reached, 1500 (85) reached → 85
    50米跑 10.1 s: 10.0 (80) not reached, 10.2 (78) reached → 78
    坐位体前屈 15.0: 16.6 (90) not reached, 14.9 (85) reached → 85
    跳绳 150: ≥ 139 → 100; 11 beyond 139 → 附加分 5 (10 needed for 5, 12 for 6)
    仰卧起坐 33: 34 (78) not reached, 32 (76) reached → 76
    Weights 三四年级: BMI 15%, 肺活量 15%, 50米 20%, 坐位体前屈 20%, 跳绳 20%, 仰卧起坐 10%:
      0.15×100 + 0.15×85 + 0.20×78 + 0.20×85 + 0.20×100 + 0.10×76
      = 15 + 12.75 + 15.6 + 17 + 20 + 7.6 = 87.95 → 标准分 88.0 (half up, one decimal)
    学年总分 = 88.0 + 5 = 93.0 → 优秀 (≥ 90.0)
    """
    grade, sex = np.array([3]), np.array([1])
    bmi = bmi_values(np.array([130.0]), np.array([28.0]))
    values = {
        k: np.array([v])
        for k, v in {"vital_capacity": 1500, "run_50m": 10.1, "sit_reach": 15.0, "rope_1min": 150, "sit_up": 33}.items()
    }
    s = score_columns(STD, grade=grade, sex=sex, values=values, bmi=bmi)
    assert bmi.tolist() == [16.6]
    assert {k: int(v[0]) for k, v in s.item_score.items() if s.item_weighted[k][0]} == {
        "bmi": 100, "vital_capacity": 85, "run_50m": 78, "sit_reach": 85, "rope_1min": 100, "sit_up": 76,
    }  # fmt: skip
    assert s.item_bonus["rope_1min"].tolist() == [5]
    assert s.standard_tenths.tolist() == [880]
    assert s.bonus_total.tolist() == [5]
    assert s.total_tenths.tolist() == [930]
    assert s.level.tolist() == ["优秀"]


def test_a_junior_boy_worked_by_hand():
    """初二男生: 身高 165 cm, 体重 55 kg, 肺活量 3300 mL, 50米跑 8.0 s, 坐位体前屈 10.0 cm, 立定跳远 215 cm,
    引体向上 9, 1000米跑 3'45" (225 s).

    BMI 55 / 1.65² = 20.20 → 20.2: 正常 (15.7–22.5) → 100
    肺活量 3300: 3450 (85) not reached, 3200 (80) reached → 80
    50米跑 8.0 s: 7.9 (80) not reached, 8.1 (78) reached → 78
    坐位体前屈 10.0: 10.3 (78) not reached, 9.0 (76) reached → 76
    立定跳远 215: 218 (85) not reached, 210 (80) reached → 80
    引体向上 9: 10 (80) not reached, the 78 row is blank, 9 (76) reached → 76
    1000米 225 s: ≤ 230 (3'50") → 100; 5 s faster than 230 → 附加分 1 (4 s needed for 1, 8 s for 2)
    Weights 初中: BMI 15%, 肺活量 15%, 50米 20%, 坐位体前屈 10%, 立定跳远 10%, 引体向上 10%, 1000米 20%:
      0.15×100 + 0.15×80 + 0.20×78 + 0.10×76 + 0.10×80 + 0.10×76 + 0.20×100
      = 15 + 12 + 15.6 + 7.6 + 8 + 7.6 + 20 = 85.8 → 标准分 85.8
    学年总分 = 85.8 + 1 = 86.8 → 良好 (80.0–89.9)
    """
    bmi = bmi_values(np.array([165.0]), np.array([55.0]))
    values = {
        k: np.array([v], dtype=np.float64)
        for k, v in {
            "vital_capacity": 3300, "run_50m": 8.0, "sit_reach": 10.0, "long_jump": 215, "pull_up": 9, "run_1000": 225,
        }.items()
    }  # fmt: skip
    s = score_columns(STD, grade=np.array([8]), sex=np.array([0]), values=values, bmi=bmi)
    assert bmi.tolist() == [20.2]
    assert {k: int(v[0]) for k, v in s.item_score.items() if s.item_weighted[k][0]} == {
        "bmi": 100, "vital_capacity": 80, "run_50m": 78, "sit_reach": 76, "long_jump": 80, "pull_up": 76,
        "run_1000": 100,
    }  # fmt: skip
    assert s.item_bonus["run_1000"].tolist() == [1] and s.item_bonus["pull_up"].tolist() == [0]
    assert s.standard_tenths.tolist() == [858]
    assert s.total_tenths.tolist() == [868]
    assert s.level.tolist() == ["良好"]


def test_a_junior_girl_worked_by_hand():
    """初三女生: 身高 160 cm, 体重 52 kg, 肺活量 2700 mL, 50米跑 8.8 s, 坐位体前屈 16.0 cm, 立定跳远 180 cm,
    1分钟仰卧起坐 56, 800米跑 4'02" (242 s).

    BMI 52 / 1.60² = 20.31 → 20.3: 正常 (15.9–22.6) → 100
    肺活量 2700: 2800 (85) not reached, 2650 (80) reached → 80
    50米跑 8.8 s: 8.7 (80) not reached, 8.9 (78) reached → 78
    坐位体前屈 16.0: 16.7 (80) not reached, 15.4 (78) reached → 78
    立定跳远 180: 183 (85) not reached, 176 (80) reached → 80
    仰卧起坐 56: ≥ 52 → 100; 4 beyond 52 → 附加分 2 (2 needed for 1, 4 for 2, 6 for 3)
    800米 242 s: 240 (4'00", 78) not reached, 245 (4'05", 76) reached → 76
    Weights 初中: BMI 15%, 肺活量 15%, 50米 20%, 坐位体前屈 10%, 立定跳远 10%, 仰卧起坐 10%, 800米 20%:
      0.15×100 + 0.15×80 + 0.20×78 + 0.10×78 + 0.10×80 + 0.10×100 + 0.20×76
      = 15 + 12 + 15.6 + 7.8 + 8 + 10 + 15.2 = 83.6 → 标准分 83.6
    学年总分 = 83.6 + 2 = 85.6 → 良好
    """
    bmi = bmi_values(np.array([160.0]), np.array([52.0]))
    values = {
        k: np.array([v], dtype=np.float64)
        for k, v in {
            "vital_capacity": 2700, "run_50m": 8.8, "sit_reach": 16.0, "long_jump": 180, "sit_up": 56, "run_800": 242,
        }.items()
    }  # fmt: skip
    s = score_columns(STD, grade=np.array([9]), sex=np.array([1]), values=values, bmi=bmi)
    assert bmi.tolist() == [20.3]
    assert {k: int(v[0]) for k, v in s.item_score.items() if s.item_weighted[k][0]} == {
        "bmi": 100, "vital_capacity": 80, "run_50m": 78, "sit_reach": 78, "long_jump": 80, "sit_up": 100,
        "run_800": 76,
    }  # fmt: skip
    assert s.item_bonus["sit_up"].tolist() == [2] and s.item_bonus["run_800"].tolist() == [0]
    assert s.standard_tenths.tolist() == [836]
    assert s.total_tenths.tolist() == [856]
    assert s.level.tolist() == ["良好"]


def test_level_comes_from_the_total_with_bonus():
    """一年级男, all items at 80 and BMI 100: 15 + 0.85×80 = 83.0 良好. The same with 149 skips: 跳绳 100
    (0.2×100 instead of 0.2×80: 87.0) plus 20 bonus (40 beyond 109) = 107.0 优秀."""
    values = {
        "vital_capacity": [1300, 1300],
        "run_50m": [10.6, 10.6],
        "sit_reach": [11.0, 11.0],
        "rope_1min": [87, 149],
    }
    arrays = {k: np.array(v, dtype=np.float64) for k, v in values.items()}
    s = score_columns(STD, grade=np.array([1, 1]), sex=np.array([0, 0]), values=arrays, bmi=np.array([15.0, 15.0]))
    assert s.standard_tenths.tolist() == [830, 870]
    assert s.bonus_total.tolist() == [0, 20]
    assert s.total_tenths.tolist() == [830, 1070]
    assert s.level.tolist() == ["良好", "优秀"]


def test_validate_rejects_bad_replacement_tables():
    good = {"item": "run_50m", "grade": 7, "sex": "男", "source": "教体艺〔2014〕5号 表x 第y页",
            "rows": [[s, 7.0 + i * 0.1] for i, s in enumerate(ROW_SCORES)]}  # fmt: skip
    assert tables_validate({"tables": [good]}) == []
    unordered = dict(good, rows=[[s, 7.0 - i * 0.1] for i, s in enumerate(ROW_SCORES)])
    no_source = dict(good, source="")
    short = dict(good, rows=good["rows"][:5])
    errors = tables_validate({"tables": [unordered, no_source, short, dict(good, item="swim")]})
    assert any("第1张表 rows：阈值应从 100 分到 10 分逐行增大" in e for e in errors)
    assert any("第2张表 source" in e for e in errors)
    assert any("第3张表 rows：应有 20 行" in e for e in errors)
    assert any("第4张表 item" in e for e in errors)
    assert tables_validate([1, 2]) != []
    # a blank lowest row is the official 初一 引体向上's; a blank 100-point row is never right
    blank_low = dict(good, rows=[*good["rows"][:-1], [10, None]])
    blank_top = dict(good, rows=[[100, None], *good["rows"][1:]])
    assert tables_validate({"tables": [blank_low]}) == []
    assert any("100 分行不能为空" in e for e in tables_validate({"tables": [blank_top]}))
