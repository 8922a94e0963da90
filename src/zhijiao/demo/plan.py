"""What a demo region contains, per scale.

``district`` mirrors 武汉市东西湖区 as its plan (seeds/003) describes it: 34 primary, 12 junior,
7 nine-year, 3 senior high, 1 twelve-year and 1 vocational school, about 50k students and 4k staff.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_CITY = "4201"  # 武汉市
DEMO_COUNTY = "420112"  # 东西湖区


@dataclass(frozen=True)
class SchoolKind:
    key: str  # primary, junior, nine_year, senior, twelve_year, vocational
    school_type: str  # JY/T 1001 办学类型
    stages: tuple[str, ...]  # 学段 codes in order
    classes_per_grade: tuple[int, int]  # inclusive range
    students_per_teacher: float


KINDS = {
    "primary": SchoolKind("primary", "211", ("2",), (2, 5), 16.5),
    "junior": SchoolKind("junior", "311", ("3",), (4, 8), 12.0),
    "nine_year": SchoolKind("nine_year", "312", ("2", "3"), (2, 4), 14.0),
    "senior": SchoolKind("senior", "342", ("4",), (8, 12), 12.0),
    "twelve_year": SchoolKind("twelve_year", "345", ("2", "3", "4"), (2, 3), 13.0),
    "vocational": SchoolKind("vocational", "365", ("6",), (6, 9), 14.0),
}

DISTRICT_MIX = {"primary": 34, "junior": 12, "nine_year": 7, "senior": 3, "twelve_year": 1, "vocational": 1}
SMALL_MIX = {"primary": 2, "junior": 1, "nine_year": 1, "senior": 1}


@dataclass(frozen=True)
class RegionPlan:
    scale: str
    root: str  # division code the region administrator is granted on
    counties: tuple[tuple[str, dict[str, int]], ...]  # (county code, school mix)
    classes_factor: float = 1.0  # scales classes per grade (small demo keeps schools small)


def region_plan(scale: str) -> RegionPlan:
    if scale == "small":
        return RegionPlan(scale, DEMO_COUNTY, ((DEMO_COUNTY, SMALL_MIX),), classes_factor=0.6)
    if scale == "district":
        return RegionPlan(scale, DEMO_COUNTY, ((DEMO_COUNTY, DISTRICT_MIX),))
    if scale == "city":
        # 武汉市's 13 districts, each at roughly 东西湖区's size (about 1.5M students in all).
        from zhijiao.core.codes import divisions

        counties = sorted(c for c, d in divisions().items() if d.parent == DEMO_CITY)
        mix = {k: round(v * 2.2) for k, v in DISTRICT_MIX.items()}
        return RegionPlan(scale, DEMO_CITY, tuple((c, mix) for c in counties))
    raise ValueError(f"未知的演示规模：{scale}（可选 small、district、city）")


# Subjects taught per stage (JY/T 1001 中小学课程 codes) with lessons-per-week weight used to size staffing.
STAGE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "2": ("13", "14", "41", "15", "11", "22", "24", "25"),
    "3": ("13", "14", "41", "16", "17", "18", "21", "20", "12", "22"),
    "4": ("13", "14", "41", "16", "17", "18", "21", "20", "12", "22", "26"),
    "6": ("13", "14", "41", "26", "27", "22", "60"),
}
# Subjects that begin later in a stage: physics from 初二, chemistry in 初三.
SUBJECT_FROM_LEVEL = {("3", "16"): 2, ("3", "17"): 3}
CORE_SUBJECTS = ("13", "14")  # a class's head teacher usually teaches 语文 or 数学
