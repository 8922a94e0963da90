"""Convert the national code tables and GB/T 2260 divisions in ../shared/reference into project data.

Run once when the reference changes; the outputs under src/zhijiao/core/data/ are committed, so the
project never reads ../shared at run time or in tests.

    uv run python scripts/build_reference_data.py ../shared/reference
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "zhijiao" / "core" / "data"

# project table key -> (source table, title override or None)
TABLES = {
    "sex": ("EDU_GB_RDXB", "人的性别 (GB/T 2261.1)"),
    "ethnicity": ("EDU_GB_ZGGMZMCDLMZMPXF", "民族 (GB/T 3304)"),
    "school_type": ("EDU_JY_BXLX", None),
    "student_status": ("EDU_JY_XSDQZT", None),
    "id_type": ("EDU_JY_SFZJLX", None),
    "staff_category": ("EDU_JY_JZGLB", None),
    "subject": ("EDU_JY_ZXXKC", None),
    "enrol_method": ("EDU_JY_RXFS", None),
    "study_mode": ("EDU_JY_JDFS", None),
    "student_source": ("EDU_JY_ZXXXSLY", None),
    "health": ("EDU_GB_JKZKYWSZ", None),
    "political": ("EDU_GB_ZZMM", None),
    "hmt_overseas": ("EDU_JY_GATQW", None),
    "hukou": ("EDU_GB_HKLB", None),
    "sponsor": ("EDU_JY_XXJYJGJBZ", None),
    "family_relation": ("EDU_GB_JTGX", None),
    "post_category": ("EDU_JY_GWLB", None),
}

# The source names two courses 信息技术: 26 (普通高中, a subject of its own) and 61 (小学、初中, part of 60
# 综合实践活动). Two equal names in one 学科 list cannot be told apart, so 61 carries its parent in the name.
NAME_OVERRIDES = {("subject", "61"): "信息技术（综合实践活动）"}
# 适用学校 (SYXX) of a course, as 学段 codes: which stages a subject is offered for.
SYXX_STAGES = {"小学": "2", "初中": "3", "普通高中": "4"}

# 学段 and 年级 as the national student-registry system (全国中小学生学籍信息管理系统) codes them.
STAGES = [("1", "学前"), ("2", "小学"), ("3", "初中"), ("4", "高中"), ("6", "中职")]
GRADES = (
    [(f"1{i}", f"{n}年级", "2") for i, n in enumerate("一二三四五六", start=1)]
    + [(f"2{i}", f"初{n}", "3") for i, n in enumerate("一二三", start=1)]
    + [(f"3{i}", f"高{n}", "4") for i, n in enumerate("一二三", start=1)]
    + [(f"6{i}", f"中职{n}年级", "6") for i, n in enumerate("一二三", start=1)]
)


def build_tables(reference: Path) -> dict[str, dict]:
    source = json.loads((reference / "codes" / "code_tables.json").read_text(encoding="utf-8"))
    out: dict[str, dict] = {}
    for key, (table, title) in TABLES.items():
        src = source[table]
        rows = []
        seen = set()
        for row in src["rows"]:
            name = row.get("MC") or row.get("MZMC")
            if not name or row["DM"] in seen:
                continue
            seen.add(row["DM"])
            entry = {"code": row["DM"], "name": NAME_OVERRIDES.get((key, row["DM"]), name)}
            if key == "subject" and row.get("SYXX"):
                entry["stages"] = [SYXX_STAGES[s] for s in row["SYXX"].split("、") if s in SYXX_STAGES]
            rows.append(entry)
        out[key] = {"title": title or src["title"].removesuffix("表"), "source": table, "rows": rows}
    # GB/T 2261.1 also defines 9 未说明的性别; the source table stops at 2.
    out["sex"]["rows"] = [
        {"code": "0", "name": "未知的性别"},
        {"code": "1", "name": "男"},
        {"code": "2", "name": "女"},
        {"code": "9", "name": "未说明的性别"},
    ]
    out["stage"] = {
        "title": "学段",
        "source": "学籍系统",
        "rows": [{"code": c, "name": n} for c, n in STAGES],
    }
    out["grade"] = {
        "title": "年级",
        "source": "学籍系统",
        "rows": [{"code": c, "name": n, "stage": s} for c, n, s in GRADES],
    }
    return out


def build_divisions(reference: Path) -> list[tuple[str, str, int, str]]:
    rows: list[tuple[str, str, int, str]] = []
    div = reference / "divisions"
    with (div / "provinces.csv").open(encoding="utf-8") as f:
        rows += [(r["code"], r["name"], 1, "") for r in csv.DictReader(f)]
    with (div / "cities.csv").open(encoding="utf-8") as f:
        rows += [(r["code"], r["name"], 2, r["provinceCode"]) for r in csv.DictReader(f)]
    with (div / "areas.csv").open(encoding="utf-8") as f:
        rows += [(r["code"], r["name"], 3, r["cityCode"]) for r in csv.DictReader(f)]
    return rows


def main() -> None:
    reference = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
    OUT.mkdir(parents=True, exist_ok=True)
    tables = build_tables(reference)
    (OUT / "code_tables.json").write_text(json.dumps(tables, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with (OUT / "divisions.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "level", "parent"])
        writer.writerows(build_divisions(reference))
    print(f"{len(tables)} code tables, divisions written to {OUT}")


if __name__ == "__main__":
    main()
