"""The graduation archive: freeze a pupil's growth records at graduation and export them.

``graduation_freeze`` builds the archive's content once (every active record by term and dimension, each archived
term's levels, 教师评语 and 自我陈述, fitness results), stores it with its SHA-256, and from then on the pupil's
records cannot change. The exports are made from that frozen content, so the PDF, the JSON and the xlsx always say
the same thing and say it the same way every time they are downloaded. The archive belongs to the pupil (not the
school): after a transfer within the region the new school reads and exports it.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.masking import mask_id_number, mask_student_no
from zhijiao.core.pdf import Line, document
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.models import (
    DIMENSIONS,
    FitnessResult,
    Framework,
    GraduationArchive,
    GrowthRecord,
    Level,
    RecordStatus,
    ReviewState,
    StatementKind,
    TermLevel,
    TermReview,
    TermStatement,
)
from zhijiao.growth.records import framework_of
from zhijiao.growth.who import Relation, relations
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student

FORMAT = "zhijiao.growth.archive/1"


def archive_content(student: Student) -> dict[str, Any]:
    """Everything the archive holds, as plain JSON values (dates as ISO strings)."""
    records = (
        GrowthRecord.objects.filter(student=student, status=RecordStatus.ACTIVE)
        .select_related("term__school_year", "school")
        .order_by("term__school_year__start_year", "term__number", "dimension", "occurred_on", "pk")
    )
    reviews = (
        TermReview.objects.filter(levels__student=student)
        .select_related("term__school_year", "school_class__school")
        .distinct()
        .order_by("term__school_year__start_year", "term__number")
    )
    terms = []
    for review in reviews:
        levels = dict(TermLevel.objects.filter(review=review, student=student).values_list("dimension", "level"))
        texts = dict(TermStatement.objects.filter(review=review, student=student).values_list("kind", "text"))
        terms.append(
            {
                "term": str(review.term),
                "school": review.school_class.school.name,
                "class": class_display_name(review.school_class),
                "state": review.get_state_display(),
                "levels": {DIMENSIONS[d][1]: levels[d] for d in sorted(levels)},
                "teacher_comment": texts.get(StatementKind.TEACHER_COMMENT, ""),
                "self_statement": texts.get(StatementKind.SELF, ""),
                "selected": sorted(
                    review.selections.filter(record__student=student).values_list("record_id", flat=True)
                ),
            }
        )
    fitness = [
        {
            "session": f"{r.session.term} {r.session.name}",
            "total": str(r.total_score),
            "level": r.level,
            "bmi_class": r.bmi_class,
        }
        for r in FitnessResult.objects.filter(student=student).select_related("session__term").order_by("session_id")
    ]
    person = student.person
    return {
        "format": FORMAT,
        "pupil": {
            "name": person.name,
            "student_no": mask_student_no(student.student_no),
            "id_number": mask_id_number(person.id_number or ""),
            "school": student.school.name,
            "class": class_display_name(student.school_class) if student.school_class else "",
            "framework": Framework(framework_of(student.school_class)).label,
        },
        "records": [
            {
                "id": r.pk,
                "term": str(r.term),
                "dimension": r.dimension_name,
                "title": r.title,
                "description": r.description,
                "date": r.occurred_on.isoformat(),
                "place": r.place,
                "hours": None if r.hours is None else str(r.hours),
                "vouched_by": r.vouched_by,
                "author_role": r.get_author_role_display(),
                "school": r.school.name,
                "links": list(r.links),
            }
            for r in records
        ],
        "terms": terms,
        "fitness": fitness,
    }


def graduation_freeze(*, actor: Actor, student: Student, origin: Origin) -> GraduationArchive:
    """Freeze the pupil's archive at graduation (学校管理员 of the pupil's school or a bureau above): every term
    the pupil was assessed in must be archived; afterwards the records are locked."""
    student = Student.objects.select_related("person", "school", "school_class__grade").get(pk=student.pk)
    found = relations(actor, student)
    if Relation.SCHOOL not in found:
        raise Forbidden("毕业档案由学校管理员封存") if found else NotFound()
    with transaction.atomic():
        if GraduationArchive.objects.select_for_update().filter(student=student).exists():
            raise ZhijiaoError(GrowthError.GROWTH_ALREADY_FROZEN)
        open_terms = TermReview.objects.filter(levels__student=student).exclude(state=ReviewState.ARCHIVED)
        if open_terms.exists() or not TermReview.objects.filter(levels__student=student).exists():
            raise ZhijiaoError(GrowthError.GROWTH_NOT_ARCHIVED)
        content = archive_content(student)
        content["frozen_at"] = timezone.localtime().isoformat(timespec="seconds")
        raw = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
        archive = GraduationArchive.objects.create(
            student=student,
            school=student.school,
            frozen_by_id=actor.pk,
            data=content,
            sha256=hashlib.sha256(raw).hexdigest(),
        )
        audit_record(
            actor=actor,
            action="growth.archive_freeze",
            origin=origin,
            target=Target(type="student", id=str(student.pk), label="毕业档案封存"),
        )
    return archive


def archive_get(*, actor: Actor, student_id: int) -> GraduationArchive:
    """The frozen archive, for the pupil, guardians, the 班主任 and the school (now the pupil's school)."""
    student = Student.objects.select_related("school", "school_class").filter(pk=student_id).first()
    if student is None or not relations(actor, student) & {
        Relation.SELF,
        Relation.GUARDIAN,
        Relation.HEAD,
        Relation.SCHOOL,
    }:
        raise NotFound()
    archive = GraduationArchive.objects.filter(student=student).first()
    if archive is None:
        raise NotFound()
    return archive


def archive_export(*, actor: Actor, archive: GraduationArchive, kind: str, origin: Origin) -> tuple[bytes, str, str]:
    """(bytes, file name, content type) of the archive as ``pdf``, ``json`` or ``xlsx``; every export audited."""
    data = archive.data
    name = f"成长档案-{data['pupil']['name']}-{archive.student_id}"
    if kind == "json":
        body = json.dumps({**data, "sha256": archive.sha256}, ensure_ascii=False, indent=2).encode()
        result = (body, f"{name}.json", "application/json")
    elif kind == "xlsx":
        result = (_xlsx(data), f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif kind == "pdf":
        result = (archive_pdf(data, archive.sha256), f"{name}.pdf", "application/pdf")
    else:
        raise NotFound()
    audit_record(
        actor=actor,
        action="growth.archive_export",
        origin=origin,
        target=Target(type="student", id=str(archive.student_id), label=f"毕业档案 {kind}"),
    )
    return result


def archive_pdf(data: dict[str, Any], sha256: str) -> bytes:
    pupil = data["pupil"]
    lines = [
        Line("学生综合素质评价档案", size=18, bold=True),
        Line(f"{pupil['school']}  {pupil['class']}", size=11, gap_before=4),
        Line(
            f"姓名：{pupil['name']}    学籍号：{pupil['student_no']}    评价体系：{pupil['framework']}",
            gap_before=6,
            rule=True,
        ),
    ]
    level_names = dict(Level.choices)
    for term in data["terms"]:
        lines.append(Line(f"{term['term']}（{term['class']}，{term['state']}）", size=13, bold=True, gap_before=12))
        if term["levels"]:
            lines.append(Line("等级：" + "；".join(f"{d} {level_names.get(v, v)}" for d, v in term["levels"].items())))
        if term["teacher_comment"]:
            lines.append(Line("教师评语：" + term["teacher_comment"], gap_before=3))
        if term["self_statement"]:
            lines.append(Line("自我陈述：" + term["self_statement"], gap_before=3))
        chosen = set(term["selected"])
        picked = [r for r in data["records"] if r["id"] in chosen]
        if picked:
            lines.append(Line("遴选的写实记录：", bold=True, gap_before=4))
            for r in picked:
                lines.append(_record_line(r, indent=12))
    lines.append(Line("全部写实记录", size=13, bold=True, gap_before=14, rule=True))
    for r in data["records"]:
        lines.append(_record_line(r, indent=0))
        if r["description"]:
            lines.append(Line(r["description"], size=9.5, indent=12))
    if data["fitness"]:
        lines.append(Line("体质健康测试", size=13, bold=True, gap_before=14, rule=True))
        for f in data["fitness"]:
            lines.append(Line(f"{f['session']}：学年总分 {f['total']}，{f['level']}，BMI {f['bmi_class']}"))
    lines.append(Line(f"封存时间：{data.get('frozen_at', '')[:19].replace('T', ' ')}", size=9, gap_before=16))
    lines.append(Line(f"校验码（SHA-256）：{sha256}", size=8))
    return document(lines, title=f"综合素质评价档案 {pupil['name']}", footer=f"{pupil['name']} 综合素质评价档案")


def _record_line(r: dict[str, Any], *, indent: float) -> Line:
    extra = "，".join(
        x
        for x in (
            r["place"],
            f"{r['hours']} 小时" if r["hours"] else "",
            f"证明人 {r['vouched_by']}" if r["vouched_by"] else "",
            r["author_role"],
        )
        if x
    )
    return Line(f"【{r['dimension']}】{r['date']} {r['title']}（{extra}）", indent=indent, gap_before=2)


def _xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "写实记录"
    header = ["学期", "维度", "日期", "标题", "内容", "地点", "时长（小时）", "证明人", "记录人", "学校"]
    sheet.append(header)
    for r in data["records"]:
        sheet.append(
            [r["term"], r["dimension"], r["date"], r["title"], r["description"], r["place"],
             float(r["hours"]) if r["hours"] else None, r["vouched_by"], r["author_role"], r["school"]]
        )  # fmt: skip
    terms = book.create_sheet("学期评价")
    dims = sorted({d for t in data["terms"] for d in t["levels"]})
    terms.append(["学期", "班级", "状态", *dims, "教师评语", "自我陈述"])
    for t in data["terms"]:
        terms.append(
            [t["term"], t["class"], t["state"], *[t["levels"].get(d, "") for d in dims], t["teacher_comment"],
             t["self_statement"]]
        )  # fmt: skip
    pupil = book.create_sheet("学生")
    for key, label in (("name", "姓名"), ("student_no", "学籍号"), ("school", "学校"), ("class", "班级"),
                       ("framework", "评价体系")):  # fmt: skip
        pupil.append([label, data["pupil"][key]])
    for ws in (sheet, terms):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
