"""Data quality (数据质量): how complete, valid and fresh each registry dataset is, per school.

Definitions (the quality page prints the same text):

* **完整性 completeness** — the share of (record × important field) cells that are filled. Only fields the
  registry stores count; e.g. for 学生基本信息 the cells are 民族, 身份证件号, 出生日期, 就读方式, 户口所在地,
  入学年月, 班级, "has a guardian" and "a guardian has a phone" for every student on the roll (状态 在读 or 复学).
* **有效性 validity** — the share of records that pass every check that runs in SQL (the same on SQLite and
  PostgreSQL): 性别 code 1 or 2; for 居民身份证 numbers: 17 digits + check character, digits 7–14 equal the
  出生日期, the 17th digit's parity agrees with 性别 (odd = 男); coded fields hold codes of their national
  table; 学籍号 and phone numbers are well formed; records point at their own school. When the intake has
  finished batches of the dataset's kind for the school, the share of rows it accepted over the last
  ``RECENT_BATCHES`` of them (1 − 拒收/读入) is averaged in: validity = (record share + batch share) / 2.
  (The GB 11643 check digit itself is verified on every write and by ``zhijiao check``, not here.)
* **及时性 timeliness** — 100 when the dataset was last updated (the newest ``updated_at`` of its records, or the
  newest finished import batch of its kind for the school, whichever is later) within its update cycle,
  falling linearly to 0 at three times the cycle. 班级 and 任课 records carry no timestamp: the current term's
  start counts as their confirmation, since they are set up for each term.
* **综合得分 score** = 0.4 × completeness + 0.4 × validity + 0.2 × timeliness.

A school without any record of a dataset scores 0 on completeness, on record validity and on timeliness, so
missing data ranks as the worst data. The whole-platform row pools the schools' counts (Σfilled / Σcells,
Σvalid / Σrecords) and weights timeliness by records; its batch share covers every finished batch of the
kind, including those not tied to one school.

Every dataset is measured with one grouped query over its records (``COUNT(...) FILTER``/``CASE WHEN`` per
school), never a loop over people: a district of 50,000 students is a few hundred milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Replace, Substr
from django.db.models.lookups import Exact, In
from django.utils import timezone

from zhijiao.core.codes import code_table
from zhijiao.core.import_facts import BatchFigures, import_facts
from zhijiao.core.student_status import studying_q
from zhijiao.org.models import School, SchoolClass, Term
from zhijiao.people.models import Guardianship, Staff, Student, TeachingAssignment

WEIGHTS = {"completeness": 0.4, "validity": 0.4, "timeliness": 0.2}
ZERO_AT_CYCLES = 3  # timeliness reaches 0 at three update cycles
RECENT_BATCHES = 5  # finished import batches per school that count towards validity
ID_CARD = "1"  # JY/T 1001 身份证件类型: 居民身份证
ODD = ["1", "3", "5", "7", "9"]
EVEN = ["0", "2", "4", "6", "8"]


@dataclass(frozen=True)
class Rule:
    label: str
    condition: Q


@dataclass(frozen=True)
class Measurement:
    """What a dataset's records look like: the records, the cells that should be filled, the checks."""

    records: Callable[[], QuerySet]
    school: str  # path from a record to its school's id
    fields: tuple[Rule, ...]
    checks: tuple[Rule, ...]
    stamps: tuple[str, ...] = ()  # timestamp paths; the newest is the dataset's last update
    term_confirms: bool = False  # no timestamps: the current term's start counts as the last confirmation


# ------------------------------------------------------------------ rule builders
def _codes(table: str) -> list[str]:
    return [c.code for c in code_table(table)]


def _filled(path: str) -> Q:
    return ~Q(**{path: ""})


def _filled_nullable(path: str) -> Q:
    return Q(**{f"{path}__isnull": False}) & ~Q(**{path: ""})


def _coded_or_blank(path: str, table: str) -> Q:
    return Q(**{path: ""}) | Q(**{f"{path}__in": _codes(table)})


def _mobile_or_blank(path: str) -> Q:
    return Q(**{path: ""}) | Q(**{f"{path}__regex": r"^1[0-9]{10}$"})


def person_checks(p: str) -> tuple[Rule, ...]:
    """Checks on a person reached by prefix ``p`` ("person__", "guardian__"); ID checks apply to 居民身份证."""
    number = f"{p}id_number"
    not_id_card = ~Q(**{f"{p}id_type": ID_CARD}) | Q(**{f"{number}__isnull": True}) | Q(**{number: ""})
    well_formed = Q(**{f"{number}__regex": r"^[0-9]{17}[0-9X]$"})
    birth_digits = Substr(number, 7, 8)
    birth_iso = Replace(Cast(f"{p}birth_date", output_field=CharField()), Value("-"), Value(""))
    birth_ok = Q(**{f"{p}birth_date__isnull": True}) | Q(Exact(birth_digits, birth_iso))
    order_digit = Substr(number, 17, 1)
    sex_ok = (Q(**{f"{p}sex": "1"}) & Q(In(order_digit, ODD))) | (Q(**{f"{p}sex": "2"}) & Q(In(order_digit, EVEN)))
    return (
        Rule("性别代码为1或2", Q(**{f"{p}sex__in": ["1", "2"]})),
        Rule("身份证号为17位数字加校验位", not_id_card | well_formed),
        Rule("身份证号中的出生日期与出生日期一致", not_id_card | (well_formed & birth_ok)),
        Rule("身份证号第17位与性别一致", not_id_card | (well_formed & sex_ok)),
    )


def _current_term_assignments():
    return TeachingAssignment.objects.filter(school_class=OuterRef("pk"), term__is_current=True)


def measurements() -> dict[str, Measurement]:
    """The measurement of each dataset that has one, by dataset code."""
    return {
        "schools": Measurement(
            records=lambda: School.objects.filter(is_active=True),
            school="pk",
            fields=(
                Rule("举办者", _filled("sponsor")),
                Rule("学校地址", _filled("address")),
                Rule("联系电话", _filled("phone")),
                Rule("校长姓名", _filled("principal")),
                Rule("建校年份", Q(founded_year__isnull=False)),
            ),
            checks=(
                Rule("办学类型在代码表中", Q(school_type__in=_codes("school_type"))),
                Rule("举办者在代码表中", _coded_or_blank("sponsor", "sponsor")),
                Rule("学段不为空", _filled("stages")),
            ),
            stamps=("updated_at",),
        ),
        "classes": Measurement(
            records=lambda: SchoolClass.objects.filter(is_active=True),
            school="school_id",
            fields=(
                Rule("班级名称", _filled("name")),
                Rule("班主任", Q(head_teacher__isnull=False)),
            ),
            checks=(
                Rule("年级属于本校", Q(grade__school_id=F("school_id"))),
                Rule(
                    "班主任为本校在岗教职工",
                    Q(head_teacher__isnull=True)
                    | Q(head_teacher__school_id=F("school_id"), head_teacher__is_active=True),
                ),
                Rule("额定人数在1至80之间", Q(capacity__gte=1, capacity__lte=80)),
            ),
            term_confirms=True,
        ),
        "staff": Measurement(
            records=lambda: Staff.objects.filter(is_active=True, school__isnull=False),
            school="school_id",
            fields=(
                Rule("出生日期", Q(person__birth_date__isnull=False)),
                Rule("民族", _filled("person__ethnicity")),
                Rule("身份证件号", _filled_nullable("person__id_number")),
                Rule("手机号", _filled("person__phone")),
                Rule("政治面貌", _filled("political")),
                Rule("入职年月", Q(hired_on__isnull=False)),
            ),
            checks=(
                *person_checks("person__"),
                Rule("教职工类别在代码表中", Q(category__in=_codes("staff_category"))),
                Rule("民族在代码表中", _coded_or_blank("person__ethnicity", "ethnicity")),
                Rule("任教学科在代码表中", _coded_or_blank("subject", "subject")),
                Rule("手机号为11位", _mobile_or_blank("person__phone")),
            ),
            stamps=("updated_at", "person__updated_at"),
        ),
        "students": Measurement(
            records=lambda: Student.objects.filter(studying_q()),
            school="school_id",
            fields=(
                Rule("出生日期", Q(person__birth_date__isnull=False)),
                Rule("民族", _filled("person__ethnicity")),
                Rule("身份证件号", _filled_nullable("person__id_number")),
                Rule("班级", Q(school_class__isnull=False)),
                Rule("入学年月", Q(enrolled_on__isnull=False)),
                Rule("就读方式", _filled("study_mode")),
                Rule("户口所在地", _filled("hukou_place")),
                Rule("监护人", Q(Exists(Guardianship.objects.filter(student=OuterRef("pk"))))),
                Rule(
                    "监护人电话",
                    Q(Exists(Guardianship.objects.filter(student=OuterRef("pk")).exclude(guardian__phone=""))),
                ),
            ),
            checks=(
                *person_checks("person__"),
                Rule("学籍号格式正确", Q(student_no__regex=r"^[GJL][0-9]{17}[0-9X]$")),
                Rule("民族在代码表中", _coded_or_blank("person__ethnicity", "ethnicity")),
                Rule("就读方式在代码表中", _coded_or_blank("study_mode", "study_mode")),
                Rule("班级属于在籍学校", Q(school_class__isnull=True) | Q(school_class__school_id=F("school_id"))),
            ),
            stamps=("updated_at", "person__updated_at"),
        ),
        "guardians": Measurement(
            records=lambda: Guardianship.objects.filter(studying_q("student__")),
            school="student__school_id",
            fields=(
                Rule("手机号", _filled("guardian__phone")),
                Rule("身份证件号", _filled_nullable("guardian__id_number")),
                Rule("工作单位", _filled("guardian__employer")),
            ),
            checks=(
                *person_checks("guardian__"),
                Rule("关系在代码表中", Q(relation__in=_codes("family_relation"))),
                Rule("手机号为11位", _mobile_or_blank("guardian__phone")),
            ),
            stamps=("guardian__updated_at",),
        ),
        "assignments": Measurement(
            # The unit is the class: is its teaching for this term recorded, and does it hold together?
            records=lambda: SchoolClass.objects.filter(is_active=True),
            school="school_id",
            fields=(Rule("本学期任课安排", Q(Exists(_current_term_assignments()))),),
            checks=(
                Rule(
                    "任课教师为本校在岗教职工",
                    ~Q(
                        Exists(
                            _current_term_assignments().filter(
                                Q(staff__is_active=False) | ~Q(staff__school_id=OuterRef("school_id"))
                            )
                        )
                    ),
                ),
                Rule(
                    "任教学科在代码表中",
                    ~Q(Exists(_current_term_assignments().exclude(subject__in=_codes("subject")))),
                ),
            ),
            term_confirms=True,
        ),
    }


# ------------------------------------------------------------------ results
@dataclass
class Result:
    """One dataset at one school (``school_id`` None: the whole platform), counts first, scores derived."""

    school_id: int | None
    records: int = 0
    cells: int = 0
    filled: int = 0
    valid_records: int = 0
    batch_rows: int = 0
    batch_rejected: int = 0
    last_updated: datetime | None = None
    timeliness: float = 0.0
    fields: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)
    batches: int = 0

    @property
    def completeness(self) -> float:
        return completeness(self.filled, self.cells)

    @property
    def validity(self) -> float:
        return validity(self.valid_records, self.records, self.batch_rows, self.batch_rejected)

    @property
    def score(self) -> float:
        return score(self.completeness, self.validity, self.timeliness)

    def detail(self) -> dict:
        return {"fields": self.fields, "checks": self.checks, "batches": self.batches}


def completeness(filled: int, cells: int) -> float:
    return 100.0 * filled / cells if cells else 0.0


def validity(valid_records: int, records: int, batch_rows: int = 0, batch_rejected: int = 0) -> float:
    shares = []
    if records:
        shares.append(valid_records / records)
    if batch_rows:
        shares.append(1 - batch_rejected / batch_rows)
    return 100.0 * sum(shares) / len(shares) if shares else 0.0


def timeliness(last_updated: datetime | None, *, now: datetime, cycle_days: int) -> float:
    """100 within one cycle of the last update, then linearly down to 0 at ZERO_AT_CYCLES cycles."""
    if last_updated is None:
        return 0.0
    age = (now - last_updated).total_seconds() / 86400
    if age <= cycle_days:
        return 100.0
    zero_at = ZERO_AT_CYCLES * cycle_days
    if age >= zero_at:
        return 0.0
    return 100.0 * (zero_at - age) / (zero_at - cycle_days)


def score(completeness: float, validity: float, timeliness: float) -> float:
    return WEIGHTS["completeness"] * completeness + WEIGHTS["validity"] * validity + WEIGHTS["timeliness"] * timeliness


# ------------------------------------------------------------------ measuring
def measure(
    *, code: str, cycle_days: int, import_kind: str = "", now: datetime | None = None
) -> tuple[list[Result], Result]:
    """Measure one dataset: a Result per active school, and the whole-platform Result.

    At most five queries whatever the size of the region: the grouped aggregate over the records, the recent
    import batches (per school and overall), the active schools, and the current term where it is needed.
    """
    now = now or timezone.now()
    spec = measurements()[code]
    aggregates: dict = {"n": Count("pk")}
    for i, rule in enumerate(spec.fields):
        aggregates[f"f{i}"] = Count("pk", filter=rule.condition)
    for i, rule in enumerate(spec.checks):
        aggregates[f"c{i}"] = Count("pk", filter=rule.condition)
    all_checks = Q()
    for rule in spec.checks:
        all_checks &= rule.condition
    aggregates["ok"] = Count("pk", filter=all_checks)
    for i, stamp in enumerate(spec.stamps):
        aggregates[f"t{i}"] = Max(stamp)
    rows = {
        row["school_key"]: row
        for row in spec.records().values(school_key=F(spec.school)).annotate(**aggregates).order_by()
    }
    term_start = _current_term_start() if spec.term_confirms else None
    batches, region_batches = _recent_batches(import_kind)

    results: list[Result] = []
    for school_id in School.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True):
        row = rows.get(school_id) or {}
        n = row.get("n", 0)
        result = Result(
            school_id=school_id,
            records=n,
            cells=n * len(spec.fields),
            filled=sum(row.get(f"f{i}", 0) for i in range(len(spec.fields))),
            valid_records=row.get("ok", 0),
            fields={rule.label: row.get(f"f{i}", 0) for i, rule in enumerate(spec.fields)},
            checks={rule.label: row.get(f"c{i}", 0) for i, rule in enumerate(spec.checks)},
        )
        rows_in, rejected, finished, count = batches.get(school_id, (0, 0, None, 0))
        result.batch_rows, result.batch_rejected, result.batches = rows_in, rejected, count
        stamps = [row.get(f"t{i}") for i in range(len(spec.stamps))] if n else []
        if n and term_start is not None:
            stamps.append(term_start)
        result.last_updated = _latest([*stamps, finished])
        result.timeliness = timeliness(result.last_updated, now=now, cycle_days=cycle_days)
        results.append(result)

    region = pool(results)
    region.batch_rows, region.batch_rejected, region.batches = (
        region_batches[0],
        region_batches[1],
        region_batches[3],
    )
    region.last_updated = _latest([region.last_updated, region_batches[2]])
    return results, region


def pool(results: Iterable[Result]) -> Result:
    """Several schools' results as one: counts summed, timeliness weighted by records."""
    total = Result(school_id=None)
    weighted = 0.0
    for r in results:
        total.records += r.records
        total.cells += r.cells
        total.filled += r.filled
        total.valid_records += r.valid_records
        total.batch_rows += r.batch_rows
        total.batch_rejected += r.batch_rejected
        total.batches += r.batches
        weighted += r.timeliness * r.records
        total.last_updated = _latest([total.last_updated, r.last_updated])
        for label, n in r.fields.items():
            total.fields[label] = total.fields.get(label, 0) + n
        for label, n in r.checks.items():
            total.checks[label] = total.checks.get(label, 0) + n
    total.timeliness = weighted / total.records if total.records else 0.0
    return total


def _latest(stamps: Iterable[datetime | None]) -> datetime | None:
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


def _current_term_start() -> datetime | None:
    starts = Term.objects.filter(is_current=True).values_list("starts_on", flat=True).first()
    if starts is None:
        return None
    return timezone.make_aware(datetime.combine(starts, time.min))


def _recent_batches(kind: str) -> tuple[dict[int, BatchFigures], BatchFigures]:
    """Rows read and rejected over the last RECENT_BATCHES finished batches of ``kind``, per school and overall."""
    if not kind:
        return {}, (0, 0, None, 0)
    return import_facts().recent_figures(kind, RECENT_BATCHES)
