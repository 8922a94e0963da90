"""写实记录: writing records (one pupil, or one activity for many pupils of a class), evidence files, the xlsx
import of awards and activities, and the version history every change leaves.

Who may write for whom is decided in :mod:`zhijiao.growth.who`; a record's dimension must belong to the pupil's
stage (compulsory or senior secondary: :func:`framework_of`). Writes are atomic and audited.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.student_status import studying_q
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.models import (
    DIMENSIONS,
    HOME_DIMENSIONS,
    AuthorRole,
    Framework,
    GraduationArchive,
    GrowthRecord,
    GrowthVersion,
    RecordEvidence,
    ReviewState,
    Selection,
)
from zhijiao.growth.who import Relation, class_relations, relations
from zhijiao.org.models import SchoolClass, Term
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student
from zhijiao.resources.storage import blob_store

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
SENIOR_STAGE = "4"  # code table 学段: 4 高中


def framework_of(school_class: SchoolClass | None) -> str:
    """普通高中 pupils are assessed on the senior-secondary dimensions, everyone else on the compulsory ones."""
    if school_class is not None and school_class.grade.stage == SENIOR_STAGE:
        return Framework.SENIOR
    return Framework.COMPULSORY


def dimensions_for(framework: str) -> list[tuple[str, str]]:
    return [(code, name) for code, (fw, name) in DIMENSIONS.items() if fw == framework]


def dimension_code(framework: str, text: str) -> str | None:
    """A dimension by its code or its Chinese name, within the framework (``None`` when it is not one of it)."""
    text = (text or "").strip()
    for code, name in dimensions_for(framework):
        if text in (code, name):
            return code
    return None


def version_write(*, entity: str, obj: Any, actor: Actor | None, data: dict[str, Any], note: str = "") -> None:
    GrowthVersion.objects.create(
        entity=entity,
        entity_id=obj.pk,
        version=obj.version,
        data=data,
        actor_id=getattr(actor, "pk", None),
        note=note[:200],
    )


def record_data(record: GrowthRecord) -> dict[str, Any]:
    return {
        "dimension": record.dimension,
        "title": record.title,
        "description": record.description,
        "occurred_on": record.occurred_on.isoformat(),
        "place": record.place,
        "hours": None if record.hours is None else str(record.hours),
        "vouched_by": record.vouched_by,
        "links": list(record.links),
        "status": record.status,
    }


def _target(record: GrowthRecord) -> Target:
    return Target(type="growth_record", id=str(record.pk), label=record.title[:60])


@dataclass
class RecordInput:
    """What a writer enters for a record (as typed: the service checks and converts it)."""

    dimension: str
    title: str
    occurred_on: str | dt.date
    description: str = ""
    place: str = ""
    hours: str | Decimal | None = None
    vouched_by: str = ""
    links: list[str] = field(default_factory=list)


@dataclass
class Clean:
    dimension: str
    title: str
    occurred_on: dt.date
    description: str
    place: str
    hours: Decimal | None
    vouched_by: str
    links: list[str]


def _problems(data: RecordInput, framework: str) -> tuple[Clean | None, list[tuple[str, str]]]:
    """(the cleaned input, [(字段, 说明)]): every problem, not only the first."""
    problems: list[tuple[str, str]] = []
    dim = dimension_code(framework, data.dimension)
    if dim is None:
        problems.append(("维度", GrowthError.GROWTH_DIMENSION_UNKNOWN.message))
    title = (data.title or "").strip()
    if not title:
        problems.append(("标题", GrowthError.GROWTH_NAME_REQUIRED.message))
    elif len(title) > 100:
        problems.append(("标题", f"{GrowthError.GROWTH_TOO_LONG.message}（最多 100 字）"))
    day = _date(data.occurred_on)
    if day is None:
        problems.append(("日期", GrowthError.GROWTH_DATE_INVALID.message))
    elif day > timezone.localdate():
        problems.append(("日期", GrowthError.GROWTH_DATE_FUTURE.message))
    hours = _hours(data.hours)
    if hours is False:
        problems.append(("时长", GrowthError.GROWTH_HOURS_INVALID.message))
    description = (data.description or "").strip()
    if len(description) > 2000:
        problems.append(("内容", f"{GrowthError.GROWTH_TOO_LONG.message}（最多 2000 字）"))
    place, vouched = (data.place or "").strip(), (data.vouched_by or "").strip()
    if len(place) > 100:
        problems.append(("地点", f"{GrowthError.GROWTH_TOO_LONG.message}（最多 100 字）"))
    if len(vouched) > 64:
        problems.append(("证明人", f"{GrowthError.GROWTH_TOO_LONG.message}（最多 64 字）"))
    links = [link.strip() for link in data.links if link and link.strip()]
    if any(not link.startswith(("http://", "https://")) or len(link) > 500 for link in links):
        problems.append(("链接", GrowthError.GROWTH_LINK_INVALID.message))
    if problems or dim is None or day is None or hours is False:
        return None, problems
    return Clean(dim, title, day, description, place, hours, vouched, links[:10]), []  # type: ignore[arg-type]


def _date(value: str | dt.date | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    for sep in ("年", "月"):
        text = text.replace(sep, "-")
    text = text.replace("日", "")
    try:
        y, m, d = (int(p) for p in text.split("-")[:3])
        return dt.date(y, m, d)
    except (ValueError, TypeError):
        return None


def _hours(value: str | Decimal | float | None) -> Decimal | bool | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        hours = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        return False
    return hours if Decimal(0) <= hours <= Decimal(1000) else False


class InputInvalid(ZhijiaoError):
    """Every problem of one input, as ``字段：说明`` joined by ``；`` (the first field is ``field``)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(GrowthError.GROWTH_INPUT_INVALID, field=problems[0][0])

    @property
    def message(self) -> str:
        return "；".join(f"{c}：{r}" for c, r in self.problems)


def author_role_for(actor: Actor, student: Student, *, dimension: str) -> str:
    """The role the account writes a record for this pupil in; Forbidden / NotFound when it may not."""
    found = relations(actor, student)
    if not found or found == {Relation.CLASSMATE_GUARDIAN}:
        raise NotFound()
    if Relation.HEAD in found:
        return AuthorRole.HEAD_TEACHER
    if Relation.TEACHER in found:
        return AuthorRole.TEACHER
    if Relation.SCHOOL in found:
        return AuthorRole.SCHOOL
    if Relation.SELF in found:
        return AuthorRole.STUDENT
    if Relation.GUARDIAN in found:
        if dimension not in HOME_DIMENSIONS:
            raise ZhijiaoError(GrowthError.GROWTH_DIMENSION_HOME, field="维度")
        return AuthorRole.GUARDIAN
    raise NotFound()


def frozen_guard(student_ids: Iterable[int]) -> None:
    if GraduationArchive.objects.filter(student_id__in=list(student_ids)).exists():
        raise ZhijiaoError(GrowthError.GROWTH_ARCHIVE_FROZEN)


def _current_term() -> Term:
    term = Term.objects.filter(is_current=True).first()
    if term is None:
        raise NotFound("当前学期")
    return term


def record_create(
    *, actor: Actor, student: Student, data: RecordInput, origin: Origin, term: Term | None = None
) -> GrowthRecord:
    """One record for one pupil, by the pupil, a guardian (home labour and practice), the 班主任, a teacher of the
    class or the school. Versioned and audited."""
    student = Student.objects.select_related("school", "school_class__grade").get(pk=student.pk)
    clean, problems = _problems(data, framework_of(student.school_class))
    if clean is None:
        raise InputInvalid(problems)
    role = author_role_for(actor, student, dimension=clean.dimension)
    frozen_guard([student.pk])
    with transaction.atomic():
        record = _new(student, clean, term or _current_term(), actor, role, activity="")
        record.save()
        version_write(entity="record", obj=record, actor=actor, data=record_data(record), note="新建")
        audit_record(actor=actor, action="growth.record_create", origin=origin, target=_target(record))
    return record


def _new(student: Student, clean: Clean, term: Term, actor: Actor | None, role: str, *, activity: str) -> GrowthRecord:
    return GrowthRecord(
        student=student,
        term=term,
        dimension=clean.dimension,
        title=clean.title,
        description=clean.description,
        occurred_on=clean.occurred_on,
        place=clean.place,
        hours=clean.hours,
        vouched_by=clean.vouched_by,
        links=clean.links,
        author_id=getattr(actor, "pk", None),
        author_role=role,
        school_id=student.school_id,
        school_class_id=student.school_class_id,
        activity=activity,
    )


def class_pupils(school_class: SchoolClass) -> list[Student]:
    """The pupils studying in the class now, by name."""
    return list(
        Student.objects.filter(studying_q(), school_class=school_class).select_related("person").order_by("student_no")
    )


def class_activity_record(
    *, actor: Actor, school_class: SchoolClass, student_ids: Sequence[int], data: RecordInput, origin: Origin
) -> list[GrowthRecord]:
    """One activity recorded for many pupils of a class at once (a 班主任 or a teacher of the class, or the
    school): one record per pupil, sharing an activity key; all or none. One audit event."""
    school_class = SchoolClass.objects.select_related("school", "grade").get(pk=school_class.pk)
    if not student_ids:
        raise ZhijiaoError(GrowthError.GROWTH_NO_PUPILS, field="学生")
    pupils = {s.pk: s for s in class_pupils(school_class)}
    stray = [i for i in student_ids if i not in pupils]
    if stray:
        raise ZhijiaoError(GrowthError.GROWTH_PUPIL_NOT_IN_CLASS, field="学生", detail=f"{len(stray)} 人")
    clean, problems = _problems(data, framework_of(school_class))
    if clean is None:
        raise InputInvalid(problems)
    first = pupils[student_ids[0]]
    role = author_role_for(actor, first, dimension=clean.dimension)
    if role not in (AuthorRole.HEAD_TEACHER, AuthorRole.TEACHER, AuthorRole.SCHOOL):
        raise Forbidden("只有班主任、任课教师或学校可以为全班记录")
    frozen_guard(student_ids)
    term = _current_term()
    activity = uuid.uuid4().hex
    with transaction.atomic():
        records = [_new(pupils[i], clean, term, actor, role, activity=activity) for i in dict.fromkeys(student_ids)]
        GrowthRecord.objects.bulk_create(records)
        records = list(GrowthRecord.objects.filter(activity=activity).order_by("pk"))
        GrowthVersion.objects.bulk_create(
            [
                GrowthVersion(
                    entity="record", entity_id=r.pk, version=1, data=record_data(r), actor_id=actor.pk, note="全班记录"
                )
                for r in records
            ]
        )
        audit_record(
            actor=actor,
            action="growth.record_class_create",
            origin=origin,
            target=Target(
                type="school_class", id=str(school_class.pk), label=f"{school_class.name}：{clean.title}"[:60]
            ),
        )
    return records


def record_locked(record: GrowthRecord) -> bool:
    """Selected into a review that has gone past 遴选: changed only through an objection's answer."""
    return Selection.objects.filter(record=record).exclude(review__state=ReviewState.SELECTING).exists()


def record_withdraw(*, actor: Actor, record: GrowthRecord, origin: Origin) -> GrowthRecord:
    """The author (or the 班主任 / school) withdraws a record before it is published."""
    record = GrowthRecord.objects.select_related("student__school", "student__school_class").get(pk=record.pk)
    found = relations(actor, record.student)
    if not (record.author_id == actor.pk or found & {Relation.HEAD, Relation.SCHOOL}):
        raise NotFound()
    frozen_guard([record.student_id])
    if record_locked(record):
        raise ZhijiaoError(GrowthError.GROWTH_RECORD_LOCKED)
    with transaction.atomic():
        record.status = "withdrawn"
        record.version += 1
        record.save(update_fields=["status", "version", "updated_at"])
        Selection.objects.filter(record=record).delete()
        version_write(entity="record", obj=record, actor=actor, data=record_data(record), note="撤销")
        audit_record(actor=actor, action="growth.record_withdraw", origin=origin, target=_target(record))
    return record


def evidence_add(
    *, actor: Actor, record: GrowthRecord, name: str, chunks: Iterable[bytes], origin: Origin
) -> RecordEvidence:
    """Attach a file (stored by content, like every user file; shown inline only when on the safe list)."""
    record = GrowthRecord.objects.select_related("student__school", "student__school_class").get(pk=record.pk)
    found = relations(actor, record.student)
    if not (record.author_id == actor.pk or found & {Relation.HEAD, Relation.SCHOOL, Relation.SELF}):
        raise NotFound()
    frozen_guard([record.student_id])
    if record_locked(record):
        raise ZhijiaoError(GrowthError.GROWTH_RECORD_LOCKED)
    name = (name or "材料").replace("/", "_").replace("\\", "_").strip()[:200] or "材料"
    stored = blob_store(chunks, max_bytes=MAX_EVIDENCE_BYTES)
    if stored.size > MAX_EVIDENCE_BYTES:
        raise ZhijiaoError(GrowthError.GROWTH_FILE_TOO_BIG, field="佐证材料")
    with transaction.atomic():
        evidence = RecordEvidence.objects.create(
            record=record, name=name, sha256=stored.sha256, size=stored.size, uploaded_by_id=actor.pk
        )
        audit_record(actor=actor, action="growth.evidence_add", origin=origin, target=_target(record))
    return evidence


# ------------------------------------------------------------------------------------------ import from xlsx

IMPORT_COLUMNS = ["学籍号", "姓名", "维度", "标题", "日期", "地点", "时长", "证明人", "内容"]
REQUIRED_COLUMNS = ["维度", "标题", "日期"]  # and 学籍号 or 姓名 (a 班主任 sees 学籍号 masked)


@dataclass
class RecordImport:
    rows_in: int = 0
    created: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # 第N行 列：说明

    @property
    def rejected(self) -> int:
        return len({p.split(" ", 1)[0] for p in self.problems if p.startswith("第")})

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_in": self.rows_in, "created": self.created, "unchanged": self.unchanged,
            "rejected": self.rejected, "problems": self.problems,
        }  # fmt: skip


def _rows_of(data: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ZhijiaoError(GrowthError.GROWTH_FILE_UNREADABLE) from exc
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def records_import(*, actor: Actor, school_class: SchoolClass, data: bytes, name: str, origin: Origin) -> RecordImport:
    """Awards and activities from an .xlsx (one row per pupil and record) into the class's pupils' records, written
    as 系统导入. Every row ends created, unchanged (the same record is already there) or rejected with
    ``第N行 列：说明``; a file with any rejected row writes nothing."""
    if not name.lower().endswith(".xlsx"):
        raise ZhijiaoError(GrowthError.GROWTH_FILE_TYPE)
    school_class = SchoolClass.objects.select_related("school", "grade").get(pk=school_class.pk)
    if not class_relations(actor, school_class) & {Relation.HEAD, Relation.SCHOOL}:
        raise NotFound()
    rows = [r for r in _rows_of(data) if any(c not in (None, "") for c in r)]
    if not rows:
        raise ZhijiaoError(GrowthError.GROWTH_FILE_UNREADABLE, detail="文件是空的")
    header = [str(c or "").strip() for c in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if "学籍号" not in header and "姓名" not in header:
        missing.insert(0, "学籍号或姓名")
    if missing:
        raise ZhijiaoError(GrowthError.GROWTH_COLUMN_MISSING, field="、".join(missing))
    col = {c: header.index(c) for c in IMPORT_COLUMNS if c in header}
    label = class_display_name(school_class)
    pupils = {s.student_no: s for s in class_pupils(school_class)}
    by_name: dict[str, list[Student]] = {}
    for s in pupils.values():
        by_name.setdefault(s.person.name, []).append(s)
    framework = framework_of(school_class)
    term = _current_term()
    outcome = RecordImport(rows_in=len(rows) - 1)
    new: list[GrowthRecord] = []
    seen: set[tuple[Any, ...]] = set()
    existing = set(
        GrowthRecord.objects.filter(student__in=pupils.values(), term=term).values_list(
            "student_id", "dimension", "title", "occurred_on"
        )
    )
    for number, row in enumerate(rows[1:], start=2):

        def cell(column: str, row: list[Any] = row) -> Any:
            i = col.get(column)
            value = row[i] if i is not None and i < len(row) else None
            return "" if value is None else value

        row_problems: list[tuple[str, str]] = []
        student_no = str(cell("学籍号")).strip()
        name = str(cell("姓名")).strip()
        student = pupils.get(student_no)
        if not student_no:
            named = by_name.get(name, [])
            if not name:
                row_problems.append(("学籍号", "学籍号和姓名不能都为空"))
            elif len(named) > 1:
                row_problems.append(("姓名", f"班内有 {len(named)} 名学生叫{name}，请填写学籍号"))
            elif not named:
                row_problems.append(("姓名", f"{name} 不是{label}的在读学生"))
            else:
                student = named[0]
        elif student is None:
            row_problems.append(("学籍号", f"{student_no} 不是{label}的在读学生"))
        elif col.get("姓名") is not None and str(cell("姓名")).strip() not in ("", student.person.name):
            row_problems.append(("姓名", f"与学籍号 {student_no} 的学生姓名不一致"))
        clean, problems = _problems(
            RecordInput(
                dimension=str(cell("维度")),
                title=str(cell("标题")),
                occurred_on=cell("日期"),
                description=str(cell("内容")),
                place=str(cell("地点")),
                hours=cell("时长") if cell("时长") != "" else None,
                vouched_by=str(cell("证明人")),
            ),
            framework,
        )
        row_problems += problems
        if row_problems:
            outcome.problems += [f"第{number}行 {c}：{r}" for c, r in row_problems]
            continue
        assert clean is not None and student is not None
        key = (student.pk, clean.dimension, clean.title, clean.occurred_on)
        if key in existing or key in seen:
            outcome.unchanged += 1
            continue
        seen.add(key)
        new.append(_new(student, clean, term, actor, AuthorRole.SYSTEM, activity=f"import:{number}"))
    if outcome.problems:
        return outcome
    batch = uuid.uuid4().hex[:12]
    with transaction.atomic():
        for r in new:
            r.activity = f"import-{batch}"
        GrowthRecord.objects.bulk_create(new, batch_size=1000)
        created = list(GrowthRecord.objects.filter(activity=f"import-{batch}"))
        GrowthVersion.objects.bulk_create(
            [
                GrowthVersion(entity="record", entity_id=r.pk, version=1, data=record_data(r), actor_id=actor.pk,
                              note=f"导入 {name}"[:200])
                for r in created
            ]
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="growth.records_import",
            origin=origin,
            target=Target(type="school_class", id=str(school_class.pk), label=f"{school_class.name}：{name}"[:60]),
        )
    outcome.created = len(created)
    return outcome


def import_template(school_class: SchoolClass) -> bytes:
    """An .xlsx with the import's columns and two example rows (the class's first pupils by name)."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "获奖与活动"
    sheet.append(IMPORT_COLUMNS)
    names = [p.person.name for p in class_pupils(school_class)[:2]] or ["（学生姓名）"]
    examples = [
        ("审美素养", "区中小学生书法比赛优秀奖", "区青少年活动中心", "", "区教育局"),
        ("劳动与社会实践", "社区敬老院志愿服务", "金银湖社区敬老院", 2, "社区志愿者服务站"),
    ]
    for name, (dim, title, place, hours, vouch) in zip(names * 2, examples, strict=False):
        sheet.append(["", name, dim, title, timezone.localdate().isoformat(), place, hours, vouch, ""])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", (22, 10, 14, 30, 12, 20, 10, 18, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
