"""Sample import files as schools send them: realistic rows, optionally with realistic dirt.

``zhijiao generate KIND --rows N --out FILE [--dirty RATE] [--seed S] [--title [TEXT]] [--encoding gb18030]``
writes them. Columns are the importer's template (``SPECS[kind].headers``), so the two cannot drift. Rows refer to
the registry when it has data (so a file imports against the demo region) and to a synthetic universe otherwise.
Every dirty row carries exactly one defect, and :func:`iter_rows` / :func:`generate_rows` say which, so tests and
benchmarks know the truth. Rows stream: a million-row CSV never sits in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from random import Random

import xlsxwriter
from django.db.utils import DatabaseError
from django.utils import timezone

from zhijiao.core.codes import code_name, divisions
from zhijiao.core.student_status import studying_q
from zhijiao.core.synth import Synth
from zhijiao.demo.dirt import DEFECTS, Row
from zhijiao.demo.plan import DEMO_COUNTY, KINDS, STAGE_SUBJECTS
from zhijiao.demo.student_rows import StudentRows
from zhijiao.demo.universe import UClass, Universe, USchool
from zhijiao.intake.spec import SPECS
from zhijiao.org.grades import STAGE_YEARS, grade_label
from zhijiao.org.models import School, SchoolClass
from zhijiao.org.selectors import current_school_year, school_year_start_for
from zhijiao.people.models import Staff, Student

__all__ = ["DEFECTS", "HEADERS", "Generated", "Row", "default_title", "generate_rows", "iter_rows", "write_file"]

HEADERS: dict[str, list[str]] = {kind: spec.headers for kind, spec in SPECS.items()}
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
        Student.objects.filter(studying_q()).order_by("pk").values_list("student_no", "person__name")[:sample]
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
        self.teaching = [s for s in universe.schools if s.staff and s.classes]
        self.students = StudentRows(universe, synth).row

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


# ---------------------------------------------------------------------------------------------- generation
DUPLICATE_POOL = 4096  # earlier rows a 重复行 defect copies from: a uniform sample, so memory stays flat


@dataclass
class Generated:
    rows: list[Row]
    defects: list[str | None]  # per row: the defect's label, or None for a clean row


@dataclass
class Stream:
    """Rows as they are made; ``defects`` counts the dirty rows yielded so far."""

    universe: Universe
    rows: Iterator[tuple[Row, str | None]]
    defects: int = 0

    def __iter__(self) -> Iterator[Row]:
        for row, label in self.rows:
            if label:
                self.defects += 1
            yield row


def iter_rows(
    kind: str, rows: int, *, dirty: float = 0.0, seed: int = 42, year: int | None = None, use_registry: bool = True
) -> Stream:
    """Rows of one kind of import file, made lazily, with ``dirty`` of them carrying exactly one defect each."""
    if kind not in HEADERS:
        raise ValueError(f"未知的文件类型：{kind}（可选 {'、'.join(HEADERS)}）")
    if not 0 <= dirty <= 1:
        raise ValueError("--dirty 应在 0 到 1 之间")
    synth = Synth(seed)
    year = year or _current_year()
    universe = (universe_from_registry(year) if use_registry else None) or synthetic_universe(year, synth)
    return Stream(universe, _rows(kind, rows, dirty, seed, universe, synth))


def _rows(
    kind: str, rows: int, dirty: float, seed: int, universe: Universe, synth: Synth
) -> Iterator[tuple[Row, str | None]]:
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
    draw = dirt_rng.random
    labels = list(DEFECTS)
    pool: list[Row] = []
    for index in range(rows):
        row = make(index)
        label = None
        if dirty and draw() < dirty:
            for label in dirt_rng.sample(labels, len(labels)):
                if DEFECTS[label](row, dirt_rng, pool):
                    break
            else:
                label = None
        if len(pool) < DUPLICATE_POOL:
            pool.append(row)
        elif draw() * (index + 1) < DUPLICATE_POOL:  # reservoir sampling over every row so far
            pool[int(draw() * DUPLICATE_POOL)] = row
        yield row, label


def generate_rows(
    kind: str, rows: int, *, dirty: float = 0.0, seed: int = 42, year: int | None = None, use_registry: bool = True
) -> Generated:
    """All rows in a list (for tests and small files); see :func:`iter_rows` for the streaming form."""
    stream = iter_rows(kind, rows, dirty=dirty, seed=seed, year=year, use_registry=use_registry)
    out: list[Row] = []
    defects: list[str | None] = []
    for row, label in stream.rows:
        out.append(row)
        defects.append(label)
    return Generated(out, defects)


def _current_year() -> int:
    try:
        return current_school_year()
    except DatabaseError:  # not migrated yet: the calendar decides
        return school_year_start_for(timezone.localdate())


def default_title(kind: str, universe: Universe) -> str:
    """A title row as bureaus' templates have it: 东西湖区学生信息登记表（2026年秋季）."""
    table = divisions()
    counties = sorted({s.county for s in universe.schools})
    cities = {c[:4] for c in counties}
    place = ""
    if len(counties) == 1 and counties[0] in table:
        place = table[counties[0]].name
    elif len(cities) == 1 and counties[0][:4] in table:
        place = table[counties[0][:4]].name
    return f"{place}{SPECS[kind].label}信息登记表（{universe.year}年秋季）"


def write_file(
    path: Path, kind: str, rows: Iterable[Row], *, title: str | None = None, encoding: str = "utf-8-sig"
) -> None:
    """xlsx (bold header) or csv (UTF-8 with BOM as Excel writes it, or ``gb18030`` as older Excel on Chinese
    Windows does), by the file's extension; ``title`` adds a title row above the header (merged across it in
    xlsx), as bureaus' templates have. Rows are written as they come.
    """
    header = HEADERS[kind]
    cells = itemgetter(*header)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError("输出文件应为 .xlsx 或 .csv")
    if suffix == ".xlsx" and encoding != "utf-8-sig":
        raise ValueError("只有 csv 文件可以指定编码")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            if title:
                writer.writerow([title] + [""] * (len(header) - 1))
            writer.writerow(header)
            writer.writerows(map(cells, rows))
        return
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(kind)
    first = 0
    if title:
        sheet.merge_range(0, 0, 0, len(header) - 1, title, book.add_format({"bold": True, "font_size": 14}))
        first = 1
    sheet.write_row(first, 0, header, book.add_format({"bold": True}))
    for number, row in enumerate(rows, start=first + 1):
        sheet.write_row(number, 0, cells(row))
    book.close()
