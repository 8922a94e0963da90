"""Writes of the growth app: fitness test sessions and their results (scored on import, audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.fitness import GRADE_NAMES, Standard, standard_load
from zhijiao.growth.models import FitnessResult, FitnessSession
from zhijiao.growth.tabular import ROW, Problem, map_columns, read_table, score_frame
from zhijiao.org.models import School, Term
from zhijiao.people.models import Student


@dataclass
class ImportOutcome:
    rows_in: int
    imported: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"rows_in": self.rows_in, "imported": self.imported, "problems": [p.as_dict() for p in self.problems]}


def fitness_school(actor: Actor, school_id: int) -> School:
    """The school whose test rounds the account runs: its 学校管理员, a bureau above it, or a teacher of the school
    (the 体育教师 who runs the test and holds the device export); else NotFound."""
    school = School.objects.filter(pk=school_id).first()
    scope = scope_for(actor)
    if school is None or not (
        scope.manages_school(school_id=school.pk, division_code=school.division_id)
        or school.pk in scope.school_ids(Role.TEACHER, Role.HEAD_TEACHER)
    ):
        raise NotFound()
    return school


def fitness_session_create(*, actor: Actor, school_id: int, term_id: int, name: str, origin: Origin) -> FitnessSession:
    """Open a test round for a school (its 学校管理员, a bureau above it, a teacher of the school); audited."""
    school = fitness_school(actor, school_id)
    term = Term.objects.filter(pk=term_id).first()
    if term is None:
        raise NotFound()
    name = name.strip()
    if not name:
        raise ZhijiaoError(GrowthError.GROWTH_NAME_REQUIRED, field="名称")
    with transaction.atomic():
        session, _ = FitnessSession.objects.get_or_create(school=school, term=term, name=name)
        audit_record(actor=actor, action="growth.fitness_session_create", origin=origin, target=_target(session))
    return session


def _target(session: FitnessSession) -> Target:
    return Target(type="fitness_session", id=str(session.pk), label=session.name)


def fitness_results_import(
    *, actor: Actor, session_id: int, data: bytes, name: str, origin: Origin, standard: Standard | None = None
) -> ImportOutcome:
    """Score a results file and store it in a session: all rows or none.

    Every row must score (``growth.tabular``) and its 学籍号 must be a pupil of the session's school. A pupil already
    in the session is replaced (a re-import of a corrected file changes only what changed). Audited, one event per
    file.
    """
    session = FitnessSession.objects.select_related("school").filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    fitness_school(actor, session.school_id)
    std = standard or standard_load()
    frame = read_table(data, name)
    result = score_frame(std, frame)
    outcome = ImportOutcome(rows_in=result.rows_in, problems=list(result.problems))
    cols = map_columns(frame)
    if "student_no" not in cols:
        raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field="学籍号", detail="学籍号")
    out = result.frame
    header = cols["student_no"]
    pupils = {
        s.student_no: s
        for s in Student.objects.filter(school=session.school, student_no__in=out[header].drop_nulls().to_list())
    }
    rows = out.to_dicts()
    row_numbers = frame[ROW].to_list()
    for row, number in zip(rows, row_numbers, strict=True):
        if row["等级"] is not None and row[header] not in pupils:
            outcome.problems.append(Problem(number, "学籍号", f"{row[header]} 不是{session.school.name}的学生"))
    outcome.problems.sort(key=lambda p: p.row)
    if outcome.problems:
        return outcome
    # 身高 and 体重 as measured (the scorer keeps only BMI): for the pupil's page and the national upload
    body_cols = {k: cols[k] for k in ("height", "weight") if k in cols}
    bodies = frame.select(list(body_cols.values())).to_dicts() if body_cols else [{} for _ in rows]
    records = []
    for row, measured in zip(rows, bodies, strict=True):
        student = pupils[row[header]]
        body = {k: _number(measured.get(h)) for k, h in body_cols.items() if _number(measured.get(h)) is not None}
        measurements = {item: row[std.name(item)] for item in std.items if std.name(item) in row}
        scores = {
            item: row[f"{std.name(item)}得分"] for item in std.items if row.get(f"{std.name(item)}得分") is not None
        }
        scores["bmi"] = row["BMI得分"]
        records.append(
            FitnessResult(
                session=session,
                student=student,
                school_class_id=student.school_class_id,
                grade=_grade_of(row["年级名称"]),
                sex=_sex_of(student, row),
                measurements={
                    **{k: v for k, v in measurements.items() if v not in (None, "")},
                    **body,
                },
                scores=scores,
                bmi=row["BMI"],
                bmi_class=row["BMI等级"],
                standard_score=Decimal(str(row["标准分"])),
                bonus=row["附加分"],
                total_score=Decimal(str(row["学年总分"])),
                level=row["等级"],
            )
        )
    with transaction.atomic():
        FitnessResult.objects.filter(session=session, student__in=[r.student for r in records]).delete()
        FitnessResult.objects.bulk_create(records, batch_size=2000)
        audit_record(
            actor=actor, action="growth.fitness_results_import", origin=origin, target=_target(session),
            fields=("results",),
        )  # fmt: skip
    outcome.imported = len(records)
    return outcome


def _number(value: Any) -> float | None:
    try:
        return float(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _grade_of(name: str) -> int:
    return next(g for g, n in GRADE_NAMES.items() if n == name)


def _sex_of(student: Student, row: dict[str, Any]) -> str:
    # the file's 性别 was checked by the scorer; keep what it was scored as
    text = str(row.get("性别") or "").strip().lower()
    return "女" if text in {"女", "2", "女生", "f"} else "男"


# 综合素质评价: the writes live in topic modules (records, process, archive); they are the app's services.
from zhijiao.growth.archive import archive_export, graduation_freeze  # noqa: E402
from zhijiao.growth.process import (  # noqa: E402
    class_sheet_save,
    level_set,
    objection_answer,
    objection_raise,
    review_archive,
    review_audit,
    review_open,
    review_publish,
    reviews_archive_bulk,
    reviews_open_bulk,
    selection_set,
    statement_set,
)
from zhijiao.growth.records import (  # noqa: E402
    RecordInput,
    class_activity_record,
    evidence_add,
    record_create,
    record_withdraw,
    records_import,
)

__all__ = [
    "ImportOutcome",
    "RecordInput",
    "archive_export",
    "class_activity_record",
    "class_sheet_save",
    "evidence_add",
    "fitness_results_import",
    "fitness_school",
    "fitness_session_create",
    "graduation_freeze",
    "level_set",
    "objection_answer",
    "objection_raise",
    "record_create",
    "record_withdraw",
    "records_import",
    "review_archive",
    "review_audit",
    "review_open",
    "review_publish",
    "reviews_archive_bulk",
    "reviews_open_bulk",
    "selection_set",
    "statement_set",
]  # fmt: skip
