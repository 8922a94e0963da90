"""Build the demo region through the registry's bulk write services (the path imports and tests take, never
per-row ORM saves): a district in well under a minute.

Everything is drawn from one seeded :class:`~zhijiao.core.synth.Synth`, so a seed always gives the same region.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from zhijiao.core.class_size import is_large_class
from zhijiao.core.codes import code_lookup, code_name, division_path
from zhijiao.core.events import registry_changes_collected
from zhijiao.core.student_status import StudentStatus
from zhijiao.core.synth import Synth
from zhijiao.demo.plan import (
    CORE_SUBJECTS,
    KINDS,
    STAGE_SUBJECTS,
    SUBJECT_FROM_LEVEL,
    RegionPlan,
    SchoolKind,
)
from zhijiao.org.grades import STAGE_YEARS
from zhijiao.org.models import Bureau, Division, School, SchoolClass, Term
from zhijiao.org.services import class_heads_set, classes_create, schools_create
from zhijiao.people.models import Person, Staff
from zhijiao.people.services import (
    guardianships_add,
    persons_create,
    staff_create_many,
    students_enroll,
    teaching_assign_many,
)

# Age at entry to the first year of each stage (children born Sep..Aug before entry).
ENTRY_AGE = {"2": 6, "3": 12, "4": 15, "6": 15}
POLICY_SIZE = {"2": 45, "3": 50, "4": 50, "6": 50}
OVERSIZED_SHARE = 0.06
# classes one teacher takes for a subject
CLASSES_PER_TEACHER = {"13": 2, "14": 2, "41": 3}
DEFAULT_CLASSES_PER_TEACHER = 4


def _relation(name: str) -> str:
    entry = code_lookup("family_relation", name)
    assert entry is not None, name
    return entry.code


FATHER, MOTHER, GRANDFATHER, GRANDMOTHER = (_relation(n) for n in ("父亲", "母亲", "祖父", "祖母"))


@dataclass
class Family:
    surname: str
    guardians: list[tuple[Person, str, bool]]  # person, relation code, primary contact
    first_born: int  # birth year of the first child
    children: int = 1


@dataclass
class BuildStats:
    schools: int = 0
    classes: int = 0
    students: int = 0
    staff: int = 0
    guardians: int = 0
    assignments: int = 0
    oversized_classes: int = 0
    county_codes: list[str] = field(default_factory=list)


class RegionBuilder:
    def __init__(
        self,
        *,
        plan: RegionPlan,
        seed: int,
        start_year: int,
        term: Term,
        progress: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.plan = plan
        self.synth = Synth(seed)
        self.rng = self.synth.rng
        self.year = start_year
        self.term = term
        self.progress = progress
        self.stats = BuildStats()
        self.families: list[Family] = []

    # ------------------------------------------------------------------ region
    def build(self) -> BuildStats:
        # The demo setup runs the consumers itself, inline, once the region is built (snapshot, accounts,
        # quality scores), so the region's "registry changed" events are not queued for a worker as well.
        with registry_changes_collected(source="demo", publish=False):
            return self._build()

    def _build(self) -> BuildStats:
        root = Division.objects.get(pk=self.plan.root)
        if root.level < 3:
            with transaction.atomic():
                self._bureau_staff(self._bureau(root), self.plan.counties[0][0])
        for county_code, mix in self.plan.counties:
            with transaction.atomic():
                self._county(Division.objects.get(pk=county_code), mix)
            self.stats.county_codes.append(county_code)
            self.progress(
                f"  {Division.objects.get(pk=county_code).name}：累计 {self.stats.schools} 所学校，"
                f"{self.stats.students} 名学生"
            )
        return self.stats

    def _bureau(self, division: Division) -> Bureau:
        names = [d.name for d in division_path(division.code)]
        name = "".join(n for n in names[-2:] if n != "市辖区") + "教育局"
        bureau, _ = Bureau.objects.get_or_create(
            division=division, defaults={"code": f"B{division.code}", "name": name}
        )
        return bureau

    def _county(self, county: Division, mix: dict[str, int]) -> None:
        bureau = self._bureau(county)
        self.families = []  # siblings live in the same county
        serial = School.objects.filter(division=county).count()
        for key, count in mix.items():
            kind = KINDS[key]
            names = self.synth.school_names(county.name, key, count)
            for name in names:
                serial += 1
                self._school(county, kind, name, serial)
        self._bureau_staff(bureau, county.code)

    # ------------------------------------------------------------------ one school
    def _school(self, county: Division, kind: SchoolKind, name: str, serial: int) -> None:
        rng, synth = self.rng, self.synth
        (school,) = schools_create(
            [
                {
                    "code": f"3{county.code[:4]}{int(county.code[4:]):02d}{serial:03d}",
                    "name": name,
                    "school_type": kind.school_type,
                    "sponsor": "831",
                    "division": county,
                    "stages": list(kind.stages),
                    "address": synth.address(county.code),
                    "phone": f"027-8{rng.randint(1000000, 9999999)}",
                    "founded_year": rng.randint(1950, 2018),
                }
            ],
            source="demo",
        )
        self.stats.schools += 1
        low, high = kind.classes_per_grade
        per_grade = max(1, round(rng.randint(low, high) * self.plan.classes_factor))

        # grades and classes
        rows = []
        for stage in kind.stages:
            for level in range(1, STAGE_YEARS[stage] + 1):
                entry = self.year - level + 1
                n = max(1, per_grade + rng.choice((-1, 0, 0, 0, 1)))
                rows += [
                    {
                        "school": school,
                        "stage": stage,
                        "entry_year": entry,
                        "number": number,
                        "capacity": POLICY_SIZE[stage],
                    }
                    for number in range(1, n + 1)
                ]
        classes = classes_create(rows, source="demo")
        self.stats.classes += len(classes)

        staff_by_subject, principal_staff = self._school_staff(school, classes)
        self._assign_teachers(classes, staff_by_subject)
        for school_class in classes:
            self._fill_class(school, school_class)
        if principal_staff:
            school.principal = principal_staff.person.name
            school.save(update_fields=["principal"])

    def _class_size(self, stage: str) -> int:
        if self.rng.random() < OVERSIZED_SHARE:
            return self.rng.randint(56, 68)
        return max(25, min(POLICY_SIZE[stage], round(self.rng.gauss(POLICY_SIZE[stage] - 4, 3))))

    # ------------------------------------------------------------------ staff
    def _school_staff(self, school: School, classes: list[SchoolClass]) -> tuple[dict[str, list[Staff]], Staff | None]:
        rng, synth = self.rng, self.synth
        need: dict[str, int] = {}
        for c in classes:
            for subject in self._subjects_for(c):
                need[subject] = need.get(subject, 0) + 1
        posts: list[tuple[str, str, str]] = [
            ("13", "校长", ""),
            ("13", "副校长", ""),
            ("13", "教务主任", ""),
            ("13", "德育主任", ""),
            ("13", "总务主任", ""),
        ]
        for subject, n in need.items():
            per = CLASSES_PER_TEACHER.get(subject, DEFAULT_CLASSES_PER_TEACHER)
            posts += [("11", f"{synth_subject_name(subject)}教师", subject)] * math.ceil(n / per)
        teachers = sum(1 for p in posts if p[0] == "11")
        posts += [("12", "教辅人员", "")] * max(1, teachers // 12) + [("14", "工勤人员", "")] * max(1, teachers // 15)

        persons, rows = [], []
        for index, (category, post, subject) in enumerate(posts, start=1):
            sex = "2" if rng.random() < (0.72 if category == "11" else 0.45) else "1"
            birth_year = rng.randint(1968, 2001)
            born = synth.birth_date(birth_year)
            person = self._adult(sex=sex, born=born, county=school.division_id)
            hired_year = min(self.year, birth_year + rng.randint(22, 26))
            persons.append(person)
            rows.append(
                {
                    "school": school,
                    "staff_no": f"{hired_year}{index:04d}",
                    "category": category,
                    "post": post,
                    "subject": subject,
                    "political": rng.choice(("01", "01", "13", "13", "13", "03")),
                    "hired_on": date(hired_year, 9, 1),
                }
            )
        _persons_save(persons)
        members = staff_create_many(
            [{**row, "person": person} for row, person in zip(rows, persons, strict=True)], source="demo"
        )
        self.stats.staff += len(members)
        by_subject: dict[str, list[Staff]] = {}
        for member in members:
            if member.subject:
                by_subject.setdefault(member.subject, []).append(member)
        return by_subject, members[0]

    def _bureau_staff(self, bureau: Bureau, county: str) -> None:
        """Officials of a bureau; ``county`` is where they live (the bureau's own county, or the city's first)."""
        synth = self.synth
        persons, rows = [], []
        for index, post in enumerate(
            (
                "局长",
                "副局长",
                "基础教育科科长",
                "督导室主任",
                "信息中心主任",
                "数据管理员",
                "数据管理员",
                "督学",
            ),
            start=1,
        ):
            sex = synth.sex()
            birth_year = self.rng.randint(1968, 1992)
            born = synth.birth_date(birth_year)
            persons.append(self._adult(sex=sex, born=born, county=county))
            rows.append({"bureau": bureau, "staff_no": f"J{index:03d}", "category": "13", "post": post})
        _persons_save(persons)
        staff_create_many([{**row, "person": person} for row, person in zip(rows, persons, strict=True)], source="demo")
        self.stats.staff += len(rows)

    def _subjects_for(self, school_class: SchoolClass) -> list[str]:
        stage = school_class.grade.stage
        level = self.year - school_class.grade.entry_year + 1
        return [s for s in STAGE_SUBJECTS[stage] if level >= SUBJECT_FROM_LEVEL.get((stage, s), 1)]

    def _assign_teachers(self, classes: list[SchoolClass], by_subject: dict[str, list[Staff]]) -> None:
        assignments: list[dict] = []
        taught: dict[tuple[str, int], Staff] = {}
        for subject, teachers in by_subject.items():
            per = CLASSES_PER_TEACHER.get(subject, DEFAULT_CLASSES_PER_TEACHER)
            wanting = [c for c in classes if subject in self._subjects_for(c)]
            for index, school_class in enumerate(wanting):
                teacher = teachers[min(index // per, len(teachers) - 1)]
                taught[(subject, school_class.pk)] = teacher
                assignments.append(
                    {"staff": teacher, "school_class": school_class, "subject": subject, "term": self.term}
                )
        teaching_assign_many(assignments, source="demo")
        self.stats.assignments += len(assignments)
        heads: set[int] = set()
        for school_class in classes:
            for subject in CORE_SUBJECTS:
                candidate = taught.get((subject, school_class.pk))
                if candidate is not None and candidate.pk not in heads:
                    school_class.head_teacher = candidate
                    heads.add(candidate.pk)
                    break
        class_heads_set(classes, source="demo")

    # ------------------------------------------------------------------ students and guardians
    def _fill_class(self, school: School, school_class: SchoolClass) -> None:
        rng, synth = self.rng, self.synth
        stage = school_class.grade.stage
        entry = school_class.grade.entry_year
        size = self._class_size(stage)
        if is_large_class(size):
            self.stats.oversized_classes += 1
        birth_start = date(entry - ENTRY_AGE[stage] - 1, 9, 1)
        birth_end = date(entry - ENTRY_AGE[stage], 8, 31)
        county = school.division_id

        persons: list[Person] = []
        students: list[dict] = []
        links: list[tuple[int, Family]] = []
        new_guardians: list[Person] = []
        for _ in range(size):
            sex = "1" if rng.random() < 0.515 else "2"
            born = synth.birth_date_between(birth_start, birth_end)
            family = self._family_for(born.year, county, new_guardians)
            id_number = synth.id_number(region=synth.birth_region(county), birth_date=born, sex=sex)
            persons.append(
                Person(
                    name=synth.child_name(sex, born.year, family.surname),
                    sex=sex,
                    birth_date=born,
                    ethnicity=synth.ethnicity(),
                    id_number=id_number,
                    address=family.guardians[0][0].address,
                )
            )
            status = StudentStatus.SUSPENDED if rng.random() < 0.002 else StudentStatus.IN_SCHOOL
            students.append(
                {
                    "student_no": f"G{id_number}",
                    "school_class": school_class,
                    "on": date(entry, 9, 1),
                    "status": status.value,
                    "enrol_method": "01",
                    "study_mode": "2" if stage in ("4", "6") and rng.random() < 0.6 else "1",
                    "source": "1",
                    "health": "1" if rng.random() < 0.97 else "2",
                    "hukou": rng.choice(("1", "1", "2")),
                }
            )
            links.append((len(students) - 1, family))
        _persons_save(new_guardians)
        _persons_save(persons)
        enrolled = students_enroll(
            [{**row, "person": person} for row, person in zip(students, persons, strict=True)], source="demo"
        )
        guardianships_add(
            [
                {
                    "guardian": person,
                    "student": enrolled[i],
                    "relation": relation,
                    "legal": relation in (FATHER, MOTHER) or len(family.guardians) == 1,
                    "primary": primary,
                }
                for i, family in links
                for person, relation, primary in family.guardians
            ],
            source="demo",
        )
        self.stats.students += len(students)
        self.stats.guardians += len(new_guardians)

    def _adult(self, *, sex: str, born: date, county: str, address: str = "", name: str = "") -> Person:
        """An adult with a valid ID number, a mobile and a home address in (or born near) ``county``."""
        synth = self.synth
        return Person(
            name=name or synth.name(sex, born.year),
            sex=sex,
            birth_date=born,
            ethnicity=synth.ethnicity(),
            phone=synth.mobile(),
            address=address or synth.address(county),
            id_number=synth.id_number(region=synth.birth_region(county), birth_date=born, sex=sex),
        )

    def _family_for(self, child_birth_year: int, county: str, new: list[Person]) -> Family:
        """A family for a new pupil: about one in ten pupils is a younger sibling of an earlier one."""
        rng, synth = self.rng, self.synth
        if self.families and rng.random() < 0.1:
            family = self.families[rng.randrange(len(self.families))]
            # Siblings are born at least two years apart (twins are rare enough to leave out).
            if family.children < 2 and abs(family.first_born - child_birth_year) >= 2:
                family.children += 1
                return family
        parent_year = child_birth_year - rng.randint(24, 38)
        address = synth.address(county)
        father_born = synth.birth_date(parent_year - rng.randint(0, 4))
        mother_born = synth.birth_date(parent_year)
        surname = synth.surname()
        father = self._adult(
            sex="1",
            born=father_born,
            county=county,
            address=address,
            name=surname + synth.given_name("1", father_born.year),
        )
        mother = self._adult(sex="2", born=mother_born, county=county, address=address)
        roll = rng.random()
        if roll < 0.85:
            guardians = (
                [(mother, MOTHER, True), (father, FATHER, False)]
                if rng.random() < 0.6
                else [(father, FATHER, True), (mother, MOTHER, False)]
            )
        elif roll < 0.95:
            guardians = [(mother, MOTHER, True)]
        else:
            # Left-behind children (留守儿童) live with grandparents while the parents work elsewhere.
            grand_born = synth.birth_date(parent_year - rng.randint(24, 32))
            grandmother = self._adult(sex="2", born=grand_born, county=county, address=address)
            guardians = [(grandmother, GRANDMOTHER, True), (father, FATHER, False)]
        for person, _, _ in guardians:
            new.append(person)
        family = Family(surname=surname, guardians=guardians, first_born=child_birth_year)
        self.families.append(family)
        return family


PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "phone", "address", "id_number")


def _persons_save(persons: list[Person]) -> None:
    """Register the drawn people through the registry's write service; each drawn ``Person`` gets its new key
    (families keep the same objects for later siblings)."""
    saved = persons_create([{f: getattr(p, f) for f in PERSON_FIELDS} for p in persons], source="demo")
    for person, stored in zip(persons, saved, strict=True):
        person.pk = stored.pk
        person._state.adding = False


def synth_subject_name(code: str) -> str:
    return code_name("subject", code).split("（")[0]
