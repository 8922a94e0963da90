"""健康档案: the rules and the writes (issue 16 item 4; decision 0055-health-file).

**筛查性近视** (WS/T 663—2020《中小学生屈光不正筛查规范》, 国卫通〔2020〕1号): a pupil aged 6 or over whose 裸眼远视力
is below 5.0 (五分记录) in an eye and whose 等效球镜 in that eye, by 非睫状肌麻痹下电脑验光, is −0.50 D or less.
A pupil who wears myopia-correcting glasses (or 角膜塑形镜) is counted as myopic. When an eye below 5.0 has no
refraction recorded the flag is left undecided (None) and the check counts as 视力不良 only: 近视率 is taken over the
checks whose flag is decided, never guessed from the chart alone. Vision may be typed 五分记录 (4.0 … 5.3) or 小数记录
(0.1 … 2.0), converted by L = 5 + lg V (GB/T 11533) and rounded to 0.1.

Who (``health_reader`` / ``health_class_get``): a pupil's file — the pupil, the guardians, the class's 班主任 and
teachers, the school's 学校管理员 and 心理教师; a class's entry and import — its 班主任 and teachers, the school's
学校管理员 and 心理教师. Bureaus and the platform read figures only (the warehouse). Psychological screenings: the
school's 心理教师 (``Scope.counsels_school``) writes and reads; the pupil's guardians read; nobody else — not the
班主任, not the 学校管理员, not a bureau, not the platform administrator — and every read is audited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Q

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.models import HealthCheck, PsychLevel, PsychScreening
from zhijiao.growth.tabular import ROW, Problem, _norm, read_table
from zhijiao.growth.who import Relation, relations
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Student

MYOPIA_VISION = Decimal("5.0")  # 裸眼远视力 below this …
MYOPIA_SE = Decimal("-0.50")  # … and 等效球镜 at or below this (D)
MYOPIA_MIN_AGE = 6
RULE = "WS/T 663—2020"

COLUMNS: dict[str, tuple[str, ...]] = {
    "student_no": ("学籍号", "学号", "全国学籍号"),
    "checked_on": ("检查日期", "日期", "体检日期"),
    "height_cm": ("身高",),
    "weight_kg": ("体重",),
    "vision_left": ("左眼视力", "左眼裸眼视力", "裸眼视力左", "左眼"),
    "vision_right": ("右眼视力", "右眼裸眼视力", "裸眼视力右", "右眼"),
    "se_left": ("左眼等效球镜", "左眼屈光", "等效球镜左"),
    "se_right": ("右眼等效球镜", "右眼屈光", "等效球镜右"),
    "glasses": ("戴镜", "是否戴镜", "戴近视眼镜"),
    "caries": ("龋齿", "龋齿数"),
    "note": ("其他筛查", "备注", "其他"),
}
LABELS = {k: v[0] for k, v in COLUMNS.items()}
# plausible values: outside these a value is a typing error
RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "height_cm": (Decimal("60"), Decimal("230")),
    "weight_kg": (Decimal("10"), Decimal("200")),
    "se_left": (Decimal("-25"), Decimal("15")),
    "se_right": (Decimal("-25"), Decimal("15")),
}
YES = {"是", "戴", "戴镜", "1", "y", "yes", "true", "√"}
NO = {"否", "不戴", "未戴", "0", "n", "no", "false", ""}


def vision_five(text: str) -> Decimal:
    """A 视力 as 五分记录: 4.0 … 5.3 as written, 0.1 … 2.0 (小数记录) converted (5 + lg V). ValueError otherwise."""
    value = Decimal(text)
    if Decimal("0.1") <= value <= Decimal("2.0"):
        value = Decimal(str(5 + math.log10(float(value))))
    value = value.quantize(Decimal("0.1"), ROUND_HALF_UP)
    if not Decimal("3.0") <= value <= Decimal("5.3"):
        raise ValueError(text)
    return value


def myopia(
    *,
    vision: tuple[Decimal | None, Decimal | None],
    se: tuple[Decimal | None, Decimal | None],
    glasses: bool,
    age: int | None,
) -> tuple[bool | None, bool | None]:
    """(筛查性近视, 视力不良) by WS/T 663—2020 (module docstring); None where it cannot be decided."""
    measured = [v for v in vision if v is not None]
    poor = None if not measured else any(v < MYOPIA_VISION for v in measured)
    if glasses:
        return True, poor
    if age is not None and age < MYOPIA_MIN_AGE:
        return None, poor
    if not measured:
        return None, None
    undecided = False
    for v, s in zip(vision, se, strict=True):
        if v is None or v >= MYOPIA_VISION:
            continue
        if s is None:
            undecided = True
        elif s <= MYOPIA_SE:
            return True, poor
    if undecided:
        return None, poor
    return False, poor


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# ------------------------------------------------------------------------------------------ who
def health_reader(actor: Actor, student: Student) -> set[Relation]:
    """The relations that open the pupil's health file (empty: NotFound). The platform administrator and bureaus are
    not among them: they read figures, not pupils."""
    found = relations(actor, student) & {Relation.SELF, Relation.GUARDIAN, Relation.HEAD, Relation.TEACHER}
    scope = scope_for(actor)
    if student.school_id in scope.school_ids(Role.SCHOOL_ADMIN) or scope.counsels_school(student.school_id):
        found.add(Relation.SCHOOL)
    return found


def psych_reader(actor: Actor, student: Student) -> bool:
    """The school's 心理教师, or a guardian of the pupil: nobody else reads psychological screenings."""
    return scope_for(actor).counsels_school(student.school_id) or Relation.GUARDIAN in relations(actor, student)


def health_class_get(*, actor: Actor, class_id: int) -> SchoolClass:
    """A class whose health checks the account enters: its 班主任 and teachers, the school's 学校管理员 and 心理教师."""
    klass = SchoolClass.objects.select_related("school", "grade").filter(pk=class_id).first()
    if klass is None:
        raise NotFound()
    scope = scope_for(actor)
    if not (
        scope.leads_class(klass.pk)
        or klass.school_id in scope.school_ids(Role.SCHOOL_ADMIN)
        or scope.counsels_school(klass.school_id)
    ):
        raise NotFound()
    return klass


def health_student_get(*, actor: Actor, student_id: int) -> tuple[Student, set[Relation]]:
    student = Student.objects.select_related("person", "school", "school_class").filter(pk=student_id).first()
    if student is None:
        raise NotFound()
    found = health_reader(actor, student)
    if not found:
        raise NotFound()
    return student, found


# ------------------------------------------------------------------------------------------ writes
@dataclass
class HealthOutcome:
    rows_in: int
    saved: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"rows_in": self.rows_in, "saved": self.saved, "problems": [p.as_dict() for p in self.problems]}


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def _check_row(raw: dict[str, str], number: int, problems: list[Problem]) -> dict[str, Any]:
    """One row's values, typed and checked; every bad field appended to ``problems`` as ``第N行 列：说明``."""
    out: dict[str, Any] = {}

    def bad(key: str, reason: str) -> None:
        problems.append(Problem(number, LABELS[key], reason))

    text = (raw.get("checked_on") or "").strip().replace("/", "-").replace(".", "-")
    try:
        out["checked_on"] = date.fromisoformat(text)
    except ValueError:
        bad("checked_on", "日期无效，请写成 2026-09-15 这样的格式")
    for key in ("height_cm", "weight_kg", "se_left", "se_right"):
        text = (raw.get(key) or "").strip()
        if not text:
            out[key] = None
            continue
        try:
            value = _decimal(text)
        except ValueError:
            bad(key, f"“{text}”不是数字")
            continue
        low, high = RANGES[key]
        if not low <= value <= high:
            bad(key, f"{text} 超出合理范围（{low}～{high}）")
            continue
        out[key] = value.quantize(Decimal("0.01") if key.startswith("se") else Decimal("0.1"), ROUND_HALF_UP)
    for key in ("vision_left", "vision_right"):
        text = (raw.get(key) or "").strip()
        if not text:
            out[key] = None
            continue
        try:
            out[key] = vision_five(text)
        except (ValueError, InvalidOperation):
            bad(key, f"“{text}”不是有效视力（五分记录 4.0～5.3，或小数记录 0.1～2.0）")
    text = (raw.get("glasses") or "").strip().lower()
    if text in YES:
        out["glasses"] = True
    elif text in NO:
        out["glasses"] = False
    else:
        bad("glasses", f"“{text}”请填“是”或“否”")
    text = (raw.get("caries") or "").strip()
    if text:
        if text.isdigit() and int(text) <= 32:
            out["caries"] = int(text)
        else:
            bad("caries", f"“{text}”应为 0～32 的整数（颗）")
    else:
        out["caries"] = None
    note = (raw.get("note") or "").strip()
    if len(note) > 200:
        bad("note", "内容过长（最多 200 字）")
    out["note"] = note[:200]
    measured = [out.get(k) for k in ("height_cm", "weight_kg", "vision_left", "vision_right", "caries")]
    if all(v is None for v in measured) and not out.get("note"):
        bad("vision_left", "这一行没有任何检查结果")
    return out


def _store(*, actor: Actor, pupils: list[tuple[Student, dict[str, Any]]], origin: Origin, label: str) -> int:
    rows = []
    for student, values in pupils:
        myopic, poor = myopia(
            vision=(values["vision_left"], values["vision_right"]),
            se=(values["se_left"], values["se_right"]),
            glasses=values["glasses"],
            age=age_on(student.person.birth_date, values["checked_on"]),
        )
        rows.append(
            HealthCheck(
                student=student,
                school_id=student.school_id,
                school_class_id=student.school_class_id,
                myopia=myopic,
                poor_vision=poor,
                author_id=actor_account_id(actor),
                **values,
            )
        )
    with transaction.atomic():
        for row in rows:  # a re-entered day replaces that day's check
            HealthCheck.objects.filter(student=row.student, checked_on=row.checked_on).delete()
        HealthCheck.objects.bulk_create(rows, batch_size=1000)
        audit_record(
            actor=actor,
            action="growth.health_save",
            origin=origin,
            target=Target(type="health_class", id=label, label=f"{len(rows)} 名学生"),
            fields=("health",),
        )
    return len(rows)


def health_class_save(*, actor: Actor, class_id: int, rows: dict[int, dict[str, str]], origin: Origin) -> HealthOutcome:
    """逐班录入: ``rows`` maps a pupil of the class to the form's texts. Rows left wholly blank are skipped (not
    examined today); any bad field stores nothing (the problems name the pupil and field)."""
    klass = health_class_get(actor=actor, class_id=class_id)
    pupils = {s.pk: s for s in Student.objects.filter(school_class=klass).select_related("person")}
    outcome = HealthOutcome(rows_in=0)
    checked: list[tuple[Student, dict[str, Any]]] = []
    for number, (student_id, raw) in enumerate(sorted(rows.items()), start=1):
        if not any((v or "").strip() for k, v in raw.items() if k not in ("checked_on", "glasses")):
            continue
        student = pupils.get(student_id)
        if student is None:
            raise ZhijiaoError(GrowthError.GROWTH_PUPIL_NOT_IN_CLASS, detail=str(student_id))
        outcome.rows_in += 1
        before = len(outcome.problems)
        values = _check_row(raw, number, outcome.problems)
        for p in outcome.problems[before:]:
            p.column = f"{student.person.name} {p.column}"
        checked.append((student, values))
    if outcome.problems or not checked:
        return outcome
    outcome.saved = _store(actor=actor, pupils=checked, origin=origin, label=str(klass.pk))
    return outcome


def health_import(*, actor: Actor, class_id: int, data: bytes, name: str, origin: Origin) -> HealthOutcome:
    """Import a class's checks from .xlsx/.csv (columns ``COLUMNS``): every row is saved or named with its problems
    (``第N行 列：说明``); one bad row stores nothing."""
    klass = health_class_get(actor=actor, class_id=class_id)
    frame = read_table(data, name)
    headers = {_norm(h): h for h in frame.columns if h != ROW}
    found: dict[str, str] = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if _norm(alias) in headers:
                found[key] = headers[_norm(alias)]
                break
    for key in ("student_no", "checked_on"):
        if key not in found:
            raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field=LABELS[key], detail=LABELS[key])
    frame = frame.select([pl.col(h).alias(k) for k, h in found.items()] + [pl.col(ROW)])
    pupils = {s.student_no: s for s in Student.objects.filter(school_class=klass).select_related("person")}
    outcome = HealthOutcome(rows_in=frame.height)
    checked: list[tuple[Student, dict[str, Any]]] = []
    seen: dict[tuple[int, date], int] = {}
    for raw in frame.to_dicts():
        number = raw.pop(ROW)
        raw = {k: "" if v is None else str(v) for k, v in raw.items()}
        values = _check_row(raw, number, outcome.problems)
        student = pupils.get(raw["student_no"].strip())
        if student is None:
            outcome.problems.append(Problem(number, "学籍号", f"“{raw['student_no']}”不是本班学生"))
            continue
        day_key = (student.pk, values.get("checked_on") or date.min)
        if day_key in seen:
            outcome.problems.append(Problem(number, "学籍号", f"与第{seen[day_key]}行是同一学生同一天的检查"))
            continue
        seen[day_key] = number
        checked.append((student, values))
    outcome.problems.sort(key=lambda p: p.row)
    if outcome.problems:
        return outcome
    outcome.saved = _store(actor=actor, pupils=checked, origin=origin, label=str(klass.pk))
    return outcome


def psych_screening_add(
    *,
    actor: Actor,
    student_id: int,
    screened_on: date,
    instrument: str,
    score: Decimal | None,
    level: str,
    note: str,
    origin: Origin,
) -> PsychScreening:
    """The school's 心理教师 records a screening result (nobody else may: NotFound); audited."""
    student = Student.objects.filter(pk=student_id).first()
    if student is None or not scope_for(actor).counsels_school(student.school_id):
        raise NotFound()
    instrument = instrument.strip()
    if not instrument:
        raise ZhijiaoError(GrowthError.GROWTH_NAME_REQUIRED, field="量表")
    if level not in PsychLevel.values:
        raise ZhijiaoError(GrowthError.GROWTH_INPUT_INVALID, field="结论")
    if len(note) > 300 or len(instrument) > 60:
        raise ZhijiaoError(GrowthError.GROWTH_TOO_LONG, field="心理教师意见")
    with transaction.atomic():
        row = PsychScreening.objects.create(
            student=student,
            school_id=student.school_id,
            screened_on=screened_on,
            instrument=instrument,
            score=score,
            level=level,
            note=note.strip(),
            author_id=actor_account_id(actor),
        )
        audit_record(
            actor=actor,
            action="growth.psych_add",
            origin=origin,
            target=Target(type="psych_student", id=str(student.pk), label=instrument),
        )
    return row


def psych_screenings(*, actor: Actor, student_id: int, origin: Origin) -> tuple[Student, list[PsychScreening]]:
    """A pupil's psychological screenings, newest first, for the school's 心理教师 and the pupil's guardians only
    (anyone else: NotFound). Every read is written to the audit log, with who read it."""
    student = Student.objects.select_related("person", "school", "school_class").filter(pk=student_id).first()
    if student is None or not psych_reader(actor, student):
        raise NotFound()
    rows = list(PsychScreening.objects.filter(student=student).order_by("-screened_on", "-pk"))
    audit_record(
        actor=actor,
        action="growth.psych_read",
        origin=origin,
        target=Target(type="psych_student", id=str(student.pk), label=f"{len(rows)} 条"),
    )
    return student, rows


# Psychology in figures: a school's counts per 结论 are shown to its 心理教师 only when at least this many pupils
# were screened, so that a count never points at a pupil.
PSYCH_MIN_GROUP = 10


def psych_school_summary(*, actor: Actor, school_id: int) -> dict[str, int] | None:
    """The school's latest screening per pupil, counted per 结论 (None below ``PSYCH_MIN_GROUP`` pupils); its
    心理教师 only."""
    if not scope_for(actor).counsels_school(school_id):
        raise NotFound()
    latest: dict[int, str] = {}
    for sid, level in (
        PsychScreening.objects.filter(school_id=school_id)
        .order_by("student_id", "screened_on", "pk")
        .values_list("student_id", "level")
    ):
        latest[sid] = level
    if len(latest) < PSYCH_MIN_GROUP:
        return None
    return {label: sum(1 for v in latest.values() if v == value) for value, label in PsychLevel.choices}


# ------------------------------------------------------------------------------------------ reads
def health_pupil_file(*, actor: Actor, student_id: int) -> tuple[Student, set[Relation], list[HealthCheck], bool]:
    """The pupil's checks, newest first, and whether the account may open the psychology page."""
    student, found = health_student_get(actor=actor, student_id=student_id)
    checks = list(HealthCheck.objects.filter(student=student).order_by("-checked_on"))
    return student, found, checks, psych_reader(actor, student)


def health_class_rows(*, actor: Actor, class_id: int) -> tuple[SchoolClass, list[tuple[Student, HealthCheck | None]]]:
    """The class's pupils with each one's latest check (no psychology: lists never carry it)."""
    klass = health_class_get(actor=actor, class_id=class_id)
    pupils = list(Student.objects.filter(school_class=klass).select_related("person").order_by("student_no"))
    latest: dict[int, HealthCheck] = {}
    for check in HealthCheck.objects.filter(student__in=pupils).order_by("checked_on", "pk"):
        latest[check.student_id] = check
    return klass, [(s, latest.get(s.pk)) for s in pupils]


def health_classes(*, actor: Actor) -> list[SchoolClass]:
    """The classes whose checks the account enters (the 健康档案 entry list)."""
    scope = scope_for(actor)
    schools = set(scope.school_ids(Role.SCHOOL_ADMIN)) | set(scope.school_ids(Role.PSYCH_TEACHER))
    ids = set(scope.led_class_ids())
    qs = SchoolClass.objects.filter(is_active=True).select_related("school", "grade")
    return list(qs.filter(Q(pk__in=ids) | Q(school_id__in=schools)))
