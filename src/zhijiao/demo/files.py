"""Sample import files as schools send them: realistic rows, optionally with realistic dirt.

``zhijiao generate KIND --rows N --out FILE [--dirty RATE] [--seed S]`` writes them. Rows refer to the registry
when it has data (so a file imports against the demo region) and to a synthetic universe otherwise. Every dirty
row carries exactly one defect, and :func:`generate_rows` says which, so tests and benchmarks know the truth.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from random import Random

from django.db.utils import DatabaseError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from zhijiao.core.codes import code_name
from zhijiao.core.synth import Synth
from zhijiao.core.validators import id_check_digit
from zhijiao.demo.plan import DEMO_COUNTY, KINDS, STAGE_SUBJECTS
from zhijiao.org.grades import STAGE_YEARS, grade_label
from zhijiao.org.models import School, SchoolClass
from zhijiao.org.selectors import current_school_year, school_year_start_for
from zhijiao.people.models import Staff, Student

HEADERS: dict[str, list[str]] = {
    "schools": [
        "学校标识码",
        "学校名称",
        "办学类型",
        "举办者",
        "所在地区划代码",
        "学校地址",
        "联系电话",
        "校长姓名",
        "建校年份",
    ],
    "classes": ["学校标识码", "年级", "班号", "班级名称", "班主任工号", "额定人数"],
    "staff": [
        "学校标识码",
        "工号",
        "姓名",
        "性别",
        "出生日期",
        "民族",
        "身份证件类型",
        "身份证件号",
        "政治面貌",
        "教职工类别",
        "岗位",
        "任教学科",
        "手机号",
        "入职年月",
    ],
    "students": [
        "学校标识码",
        "学籍号",
        "姓名",
        "性别",
        "出生日期",
        "民族",
        "身份证件类型",
        "身份证件号",
        "年级",
        "班号",
        "入学年月",
        "就读方式",
        "健康状况",
        "户口性质",
        "家庭住址",
        "联系电话",
    ],
    "guardians": [
        "学生学籍号",
        "学生姓名",
        "监护人姓名",
        "关系",
        "是否法定监护人",
        "身份证件类型",
        "身份证件号",
        "手机号",
        "工作单位",
    ],
    "assignments": ["学校标识码", "工号", "教师姓名", "年级", "班号", "任教学科", "学年", "学期"],
}
ENTRY_AGE = {"2": 6, "3": 12, "4": 15, "6": 15}
EMPLOYERS = (
    "东西湖区人民医院",
    "武汉临空港经济技术开发区管委会",
    "个体经营",
    "武汉某物流有限公司",
    "某汽车零部件公司",
    "自由职业",
    "某食品有限公司",
    "东西湖区某街道办事处",
    "某建筑工程公司",
    "务农",
)


@dataclass
class UClass:
    stage: str
    entry_year: int
    number: int
    capacity: int = 45


@dataclass
class USchool:
    code: str
    name: str
    school_type: str
    county: str
    stages: list[str]
    classes: list[UClass] = field(default_factory=list)
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # staff_no, name, subject


@dataclass
class Universe:
    year: int
    schools: list[USchool]
    students: list[tuple[str, str]]  # 学籍号, 姓名 of registered students (for guardian files)


# ---------------------------------------------------------------------------------------------- universe
def universe_from_registry(year: int, sample: int = 5000) -> Universe | None:
    """The registry's schools, classes and teachers, or None when it is empty (or not migrated yet)."""
    try:
        if not School.objects.exists():
            return None
    except DatabaseError:
        return None
    schools = {s.pk: USchool(s.code, s.name, s.school_type, s.division_id, s.stage_codes) for s in School.objects.all()}
    for c in SchoolClass.objects.filter(is_active=True).select_related("grade"):
        schools[c.school_id].classes.append(UClass(c.grade.stage, c.grade.entry_year, c.number, c.capacity))
    for school_id, staff_no, name, subject in Staff.objects.filter(school__isnull=False, category="11").values_list(
        "school_id", "staff_no", "person__name", "subject"
    ):
        schools[school_id].staff.append((staff_no, name, subject))
    students = list(
        Student.objects.filter(status="01").order_by("pk").values_list("student_no", "person__name")[:sample]
    )
    return Universe(year, list(schools.values()), students)


def synthetic_universe(year: int, synth: Synth) -> Universe:
    """A deterministic stand-in district (东西湖区 codes) for machines without a registry."""
    rng = synth.rng
    schools: list[USchool] = []
    for key, count in (("primary", 5), ("junior", 2), ("nine_year", 1), ("senior", 1)):
        kind = KINDS[key]
        for name in synth.school_names("东西湖区", key, count):
            school = USchool(f"3420112{len(schools) + 901:03d}", name, kind.school_type, DEMO_COUNTY, list(kind.stages))
            for stage in kind.stages:
                for level in range(1, STAGE_YEARS[stage] + 1):
                    for number in range(1, rng.randint(3, 5) + 1):
                        school.classes.append(UClass(stage, year - level + 1, number, 45 if stage == "2" else 50))
            for index in range(len(school.classes) * 2):
                stage = school.stages[index % len(school.stages)]
                subjects = STAGE_SUBJECTS[stage]
                school.staff.append(
                    (
                        f"T{index + 1:04d}",
                        synth.name(synth.sex(), rng.randint(1970, 1998)),
                        subjects[index % len(subjects)],
                    )
                )
            schools.append(school)
    return Universe(year, schools, [])


# ---------------------------------------------------------------------------------------------- clean rows
class RowMaker:
    def __init__(self, universe: Universe, synth: Synth) -> None:
        self.u = universe
        self.synth = synth
        self.rng = synth.rng
        self.classes = [(s, c) for s in universe.schools for c in s.classes]
        self.teaching = [s for s in universe.schools if s.staff and s.classes]

    def _pick_class(self) -> tuple[USchool, UClass]:
        return self.classes[self.rng.randrange(len(self.classes))]

    def _grade(self, c: UClass) -> str:
        return grade_label(c.stage, c.entry_year, self.u.year)

    def _person(self, birth_year_range: tuple[int, int], county: str) -> tuple[str, str, date, str]:
        synth = self.synth
        sex = synth.sex()
        born = synth.birth_date(self.rng.randint(*birth_year_range))
        number = synth.id_number(region=synth.birth_region(county), birth_date=born, sex=sex)
        return synth.name(sex, born.year), sex, born, number

    def schools(self, index: int) -> dict[str, object]:
        synth, rng = self.synth, self.rng
        key = rng.choice(("primary", "primary", "primary", "junior", "nine_year", "senior"))
        kind = KINDS[key]
        name = synth.school_names("东西湖区", key, 40)[index % 40].replace("东西湖区", f"东西湖区新建{index + 1}号", 1)
        return {
            "学校标识码": f"3420112{500 + index:03d}" if index < 500 else f"34201{index:05d}",
            "学校名称": name,
            "办学类型": code_name("school_type", kind.school_type),
            "举办者": "县级教育部门",
            "所在地区划代码": DEMO_COUNTY,
            "学校地址": synth.address(DEMO_COUNTY),
            "联系电话": f"027-8{rng.randint(1000000, 9999999)}",
            "校长姓名": synth.name(synth.sex(), 1975),
            "建校年份": rng.randint(1960, 2024),
        }

    def classes_row(self, index: int) -> dict[str, object]:
        school = self.u.schools[index % len(self.u.schools)]
        stage = school.stages[(index // len(self.u.schools)) % len(school.stages)]
        level = 1 + index % STAGE_YEARS[stage]
        entry = self.u.year - level + 1
        taken = max((c.number for c in school.classes if c.stage == stage and c.entry_year == entry), default=0)
        number = taken + 1 + index // (len(self.u.schools) * STAGE_YEARS[stage])
        head = school.staff[index % len(school.staff)][0] if school.staff else ""
        return {
            "学校标识码": school.code,
            "年级": grade_label(stage, entry, self.u.year),
            "班号": number,
            "班级名称": f"{grade_label(stage, entry, self.u.year)}（{number}）班",
            "班主任工号": head,
            "额定人数": 45 if stage == "2" else 50,
        }

    def staff(self, index: int) -> dict[str, object]:
        school = self.u.schools[index % len(self.u.schools)]
        name, sex, born, number = self._person((1968, 2001), school.county)
        subjects = STAGE_SUBJECTS[school.stages[index % len(school.stages)]]
        subject = subjects[self.rng.randrange(len(subjects))]
        hired = min(self.u.year, born.year + self.rng.randint(22, 26))
        return {
            "学校标识码": school.code,
            "工号": f"X{index + 1:05d}",
            "姓名": name,
            "性别": code_name("sex", sex),
            "出生日期": born.isoformat(),
            "民族": code_name("ethnicity", self.synth.ethnicity()),
            "身份证件类型": "居民身份证",
            "身份证件号": number,
            "政治面貌": self.rng.choice(("中国共产党党员", "群众", "群众", "中国共产主义青年团团员")),
            "教职工类别": "专任教师",
            "岗位": f"{code_name('subject', subject).split('（')[0]}教师",
            "任教学科": code_name("subject", subject),
            "手机号": self.synth.mobile(),
            "入职年月": f"{hired}-09",
        }

    def students(self, index: int) -> dict[str, object]:
        school, c = self._pick_class()
        age = ENTRY_AGE[c.stage]
        born = self.synth.birth_date_between(date(c.entry_year - age - 1, 9, 1), date(c.entry_year - age, 8, 31))
        sex = self.synth.sex()
        number = self.synth.id_number(region=self.synth.birth_region(school.county), birth_date=born, sex=sex)
        return {
            "学校标识码": school.code,
            "学籍号": f"G{number}",
            "姓名": self.synth.name(sex, born.year),
            "性别": code_name("sex", sex),
            "出生日期": born.isoformat(),
            "民族": code_name("ethnicity", self.synth.ethnicity()),
            "身份证件类型": "居民身份证",
            "身份证件号": number,
            "年级": self._grade(c),
            "班号": c.number,
            "入学年月": f"{c.entry_year}-09",
            "就读方式": "走读" if c.stage in ("2", "3") else self.rng.choice(("走读", "住校")),
            "健康状况": "健康或良好",
            "户口性质": self.rng.choice(("非农业家庭户口", "农业家庭户口")),
            "家庭住址": self.synth.address(school.county),
            "联系电话": self.synth.mobile(),
        }

    def guardians(self, index: int, students: list[tuple[str, str]]) -> dict[str, object]:
        student_no, student_name = students[index // 2 % len(students)]
        mother = index % 2 == 1
        child_year = int(student_no[7:11]) if student_no.startswith("G") else 2015
        born = self.synth.birth_date(child_year - self.rng.randint(25, 40))
        sex = "2" if mother else "1"
        number = self.synth.id_number(region=self.synth.birth_region(DEMO_COUNTY), birth_date=born, sex=sex)
        name = self.synth.name(sex, born.year) if mother else student_name[0] + self.synth.given_name("1", born.year)
        return {
            "学生学籍号": student_no,
            "学生姓名": student_name,
            "监护人姓名": name,
            "关系": "母亲" if mother else "父亲",
            "是否法定监护人": "是",
            "身份证件类型": "居民身份证",
            "身份证件号": number,
            "手机号": self.synth.mobile(),
            "工作单位": EMPLOYERS[self.rng.randrange(len(EMPLOYERS))],
        }

    def assignments(self, index: int) -> dict[str, object]:
        school = self.teaching[index % len(self.teaching)]
        staff_no, name, subject = school.staff[(index // len(self.teaching)) % len(school.staff)]
        c = school.classes[self.rng.randrange(len(school.classes))]
        subject = subject or STAGE_SUBJECTS[c.stage][0]
        return {
            "学校标识码": school.code,
            "工号": staff_no,
            "教师姓名": name,
            "年级": self._grade(c),
            "班号": c.number,
            "任教学科": code_name("subject", subject),
            "学年": f"{self.u.year}-{self.u.year + 1}",
            "学期": "第一学期",
        }


# ---------------------------------------------------------------------------------------------- dirt
Row = dict[str, object]
Defect = Callable[[Row, Random, list[Row]], bool]


def _id_field(row: Row) -> str | None:
    return "身份证件号" if row.get("身份证件号") else None


def _bad_check_digit(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field:
        return False
    number = str(row[field])
    row[field] = number[:17] + ("0" if number[17] != "0" else "1")
    if "学籍号" in row and str(row["学籍号"]).startswith("G"):
        row["学籍号"] = "G" + str(row[field])
    return True


def _impossible_date(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field:
        return False
    number = str(row[field])
    first17 = number[:10] + "0230" + number[14:17]
    row[field] = first17 + id_check_digit(first17)
    if "出生日期" in row:
        row["出生日期"] = f"{number[6:10]}-02-30"
    return True


def _fullwidth_id(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field:
        return False
    row[field] = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in str(row[field]))
    return True


def _lowercase_x(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field or not str(row[field]).endswith("X"):
        return False
    row[field] = str(row[field])[:-1] + "x"
    return True


def _spaces(row: Row, rng: Random, done: list[Row]) -> bool:
    key = (
        "姓名" if "姓名" in row else "监护人姓名" if "监护人姓名" in row else "学校名称" if "学校名称" in row else None
    )
    if key is None:
        key = next(iter(row))
    row[key] = f" {row[key]}\u3000"
    return True


def _date_format(row: Row, rng: Random, done: list[Row]) -> bool:
    if "出生日期" not in row:
        return False
    y, m, d = (int(p) for p in str(row["出生日期"]).split("-"))
    style = rng.randrange(4)
    if style == 0:
        row["出生日期"] = f"{y}/{m}/{d}"
    elif style == 1:
        row["出生日期"] = f"{y}.{m:02d}.{d:02d}"
    elif style == 2:
        row["出生日期"] = f"{y}{m:02d}{d:02d}"
    else:
        row["出生日期"] = (date(y, m, d) - date(1899, 12, 30)).days  # an Excel serial date
    return True


def _sex_word(row: Row, rng: Random, done: list[Row]) -> bool:
    if "性别" not in row:
        return False
    row["性别"] = {"男": rng.choice(("M", "男性", "1")), "女": rng.choice(("F", "女性", "2"))}.get(
        str(row["性别"]), "M"
    )
    return True


def _ethnic_short(row: Row, rng: Random, done: list[Row]) -> bool:
    if "民族" not in row:
        return False
    row["民族"] = str(row["民族"]).removesuffix("族") or "汉"
    return True


def _mobile_format(row: Row, rng: Random, done: list[Row]) -> bool:
    key = "手机号" if "手机号" in row else "联系电话" if row.get("联系电话", "").__str__().startswith("1") else None
    if key is None:
        return False
    number = str(row[key])
    row[key] = rng.choice((f"+86 {number}", f"{number[:3]}-{number[3:7]}-{number[7:]}"))
    return True


def _short_mobile(row: Row, rng: Random, done: list[Row]) -> bool:
    key = "手机号" if "手机号" in row else None
    if key is None:
        return False
    row[key] = str(row[key])[:10]
    return True


def _missing_required(row: Row, rng: Random, done: list[Row]) -> bool:
    for key in ("姓名", "监护人姓名", "身份证件号", "学校名称", "工号"):
        if row.get(key):
            row[key] = ""
            return True
    return False


def _duplicate(row: Row, rng: Random, done: list[Row]) -> bool:
    if not done:
        return False
    row.clear()
    row.update(done[rng.randrange(len(done))])
    return True


def _unknown_school(row: Row, rng: Random, done: list[Row]) -> bool:
    if "学校标识码" not in row or "学校名称" in row:
        return False
    row["学校标识码"] = "9999999999"
    return True


def _unknown_class(row: Row, rng: Random, done: list[Row]) -> bool:
    if "班号" not in row or "班级名称" in row:
        return False
    row["班号"] = 99
    return True


DEFECTS: dict[str, Defect] = {
    "ID校验码错误": _bad_check_digit,
    "不存在的日期": _impossible_date,
    "全角数字": _fullwidth_id,
    "小写x": _lowercase_x,
    "多余空格": _spaces,
    "日期格式不一": _date_format,
    "性别写法不一": _sex_word,
    "民族简写": _ethnic_short,
    "手机号格式": _mobile_format,
    "手机号位数不对": _short_mobile,
    "必填项为空": _missing_required,
    "重复行": _duplicate,
    "学校标识码不存在": _unknown_school,
    "班号不存在": _unknown_class,
}


# ---------------------------------------------------------------------------------------------- generation
@dataclass
class Generated:
    rows: list[Row]
    defects: list[str | None]  # per row: the defect's label, or None for a clean row


def generate_rows(
    kind: str, rows: int, *, dirty: float = 0.0, seed: int = 42, year: int | None = None, use_registry: bool = True
) -> Generated:
    """Rows of one kind of import file, with ``dirty`` of them carrying exactly one defect each."""
    if kind not in HEADERS:
        raise ValueError(f"未知的文件类型：{kind}（可选 {'、'.join(HEADERS)}）")
    if not 0 <= dirty <= 1:
        raise ValueError("--dirty 应在 0 到 1 之间")
    synth = Synth(seed)
    year = year or _current_year()
    universe = (universe_from_registry(year) if use_registry else None) or synthetic_universe(year, synth)
    maker = RowMaker(universe, synth)
    students = universe.students
    if kind == "guardians" and not students:
        twin = RowMaker(universe, Synth(seed))
        students = [
            (str(r["学籍号"]), str(r["姓名"])) for r in (twin.students(i) for i in range(max(1, rows // 2 + 1)))
        ]
    make: Callable[[int], Row] = {
        "schools": maker.schools,
        "classes": maker.classes_row,
        "staff": maker.staff,
        "students": maker.students,
        "guardians": lambda i: maker.guardians(i, students),
        "assignments": maker.assignments,
    }[kind]
    dirt_rng = Random(seed * 7919 + 1)
    labels = list(DEFECTS)
    out: list[Row] = []
    defects: list[str | None] = []
    for index in range(rows):
        row = make(index)
        label = None
        if dirty and dirt_rng.random() < dirty:
            for label in dirt_rng.sample(labels, len(labels)):
                if DEFECTS[label](row, dirt_rng, out):
                    break
            else:
                label = None
        out.append(row)
        defects.append(label)
    return Generated(out, defects)


def _current_year() -> int:
    try:
        return current_school_year()
    except DatabaseError:  # not migrated yet: the calendar decides
        return school_year_start_for(timezone.localdate())


def write_file(path: Path, kind: str, rows: list[Row]) -> None:
    """xlsx (write-only, bold header) or csv (UTF-8 with BOM, as Excel writes it), by the file's extension."""
    header = HEADERS[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows([row.get(h, "") for h in header] for row in rows)
        return
    if path.suffix.lower() != ".xlsx":
        raise ValueError("输出文件应为 .xlsx 或 .csv")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=kind)
    bold = Font(bold=True)
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([row.get(h, "") for h in header])
    book.save(path)
