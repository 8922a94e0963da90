"""Import a marking system's export (阅卷成绩) into a paper exam: 学籍号 × 题号 × 得分.

Two layouts, recognised by the header: long (one row per pupil × question: 学籍号, 题号, 得分; 姓名 optional) and
wide (one row per pupil: 学籍号, then 第1题 / 1 / T1 … columns). Files: xlsx/xls/ods through calamine and csv in
UTF-8, UTF-8 with BOM or GB18030, read the way the registry imports read them (``zhijiao.intake.reading``: title
rows above the header skipped, cells as text).

All or nothing per file: every row is checked (unknown 学籍号, pupil not in the assignment's classes, 题号 not on
the paper, score not a number or out of 0 … the question's points, a pupil × question given twice); if any row is
rejected nothing is written, and the error report is the whole file with 行号 and 问题说明 columns, so the fixed
report re-imports as it is. Counts: rows read = rows accepted + rows rejected (empty rows are counted as skipped).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.intake.reading import cell_text, decode_text, header_key  # the registry import's cell and text rules
from zhijiao.learning import homework_selectors as hs
from zhijiao.learning import paper_selectors
from zhijiao.learning.errors import LearningError
from zhijiao.learning.homework import submission_settle
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentMode,
    AssignmentStatus,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)
from zhijiao.learning.signals import send_marks_changed
from zhijiao.people.models import Student

MAX_ROWS = 100_000
REPORT_ROW = "行号"
REPORT_PROBLEM = "问题说明"
_NO = {"学籍号", "学号", "考号", "学生学籍号", "全国学籍号"}
_QUESTION = {"题号", "题目", "小题", "题目编号"}
_SCORE = {"得分", "分数", "成绩", "小题得分"}
_WIDE = re.compile(r"^(?:第)?(?:T|Q)?(\d{1,3})(?:题|小题)?$")


@dataclass
class Problem:
    row: int
    field: str
    reason: str


@dataclass
class MarksResult:
    rows_in: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0  # empty rows
    marks: int = 0  # pupil × question scores written
    pupils: int = 0
    layout: str = ""
    problems: list[Problem] = field(default_factory=list)
    report: str = ""  # the error report's CSV text (the whole file, 行号 and 问题说明 added); empty when none

    @property
    def ok(self) -> bool:
        return self.rejected == 0


def read_rows(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the body rows (spreadsheet row number, cells as text) of a csv or Excel file."""
    suffix = Path(name).suffix.lower()
    rows: list[list[Any]]
    if suffix == ".csv":
        try:
            text, _ = decode_text(data)
        except ZhijiaoError as exc:
            raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="文件编码无法识别") from exc
        rows = list(csv.reader(io.StringIO(text)))
    elif suffix in {".xlsx", ".xls", ".xlsm", ".ods"}:
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine's own error types for damaged or encrypted files
            raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="Excel 文件已损坏或加密") from exc
    else:
        raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="请上传 xlsx 或 csv 文件")
    cells = [[(cell_text(v) or "").strip() for v in r] for r in rows]
    for i, r in enumerate(cells[:20]):
        keys = {header_key(c) for c in r}
        if keys & _NO:
            body = [(i + 2 + n, r2) for n, r2 in enumerate(cells[i + 1 :])]
            if len(body) > MAX_ROWS:
                raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail=f"一次最多导入 {MAX_ROWS} 行")
            return r, body
    raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="没有找到“学籍号”列（应在前 20 行的表头中）")


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.translate({0xFF0E: ".", 0x3000: None}).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _layout(header: list[str]) -> tuple[str, dict[str, int], dict[int, int]]:
    """("long" | "wide", field → column, wide: column → question number)."""
    cols: dict[str, int] = {}
    wide: dict[int, int] = {}
    for i, h in enumerate(header):
        k = header_key(h)
        if k in _NO and "no" not in cols:
            cols["no"] = i
        elif k in _QUESTION:
            cols["question"] = i
        elif k in _SCORE:
            cols["score"] = i
        elif k in (REPORT_ROW, REPORT_PROBLEM):
            continue
        else:
            m = _WIDE.match(k)
            if m:
                wide[i] = int(m.group(1))
    if "question" in cols and "score" in cols:
        return "long", cols, {}
    if wide:
        return "wide", cols, wide
    raise ZhijiaoError(
        LearningError.LEARNING_MARKS_FILE_INVALID,
        detail="表头应有“学籍号、题号、得分”三列，或“学籍号”加“第1题、第2题…”各列",
    )


@transaction.atomic
def marks_import(
    *, actor: Actor, assignment_id: int, name: str, data: bytes, origin: Origin, now: datetime | None = None
) -> MarksResult:
    now = now or timezone.now()
    a = hs.assignment_for_teacher(actor=actor, assignment_id=assignment_id)
    a = Assignment.objects.select_for_update().get(pk=a.pk)
    if a.mode != AssignmentMode.PAPER or a.status == AssignmentStatus.DRAFT:
        raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="只有已布置的纸笔考试/作业可以导入成绩")
    header, body = read_rows(name, data)
    layout, cols, wide = _layout(header)
    result = MarksResult(layout="按题一行" if layout == "long" else "每名学生一行")

    view = paper_selectors.paper_view(a.paper)
    entries = {e.number: e for s in view.sections for e in s.entries}  # type: ignore[attr-defined]
    class_ids = set(a.classes.values_list("pk", flat=True))
    led = set(hs._led(actor)) if a.created_by_id != actor.pk else class_ids
    nos = {r[cols["no"]].strip().upper() for _, r in body if cols["no"] < len(r) and r[cols["no"]].strip()}
    students = {s.student_no.upper(): s for s in Student.objects.filter(student_no__in=nos)}

    marks: dict[tuple[int, int], tuple[Decimal, int]] = {}  # (student, entry) → (score, row)
    row_problems: dict[int, list[str]] = {}

    def bad(row: int, fld: str, reason: str) -> None:
        result.problems.append(Problem(row, fld, reason))
        row_problems.setdefault(row, []).append(f"{fld}：{reason}")

    def cell(r: list[str], i: int) -> str:
        return r[i].strip() if i < len(r) else ""

    for row, r in body:
        if not any(c.strip() for c in r):
            result.skipped += 1
            continue
        result.rows_in += 1
        no = cell(r, cols["no"]).upper()
        student = students.get(no)
        if not no:
            bad(row, "学籍号", "为空")
        elif student is None:
            bad(row, "学籍号", f"“{no[:20]}”不是已登记的学籍号")
        elif student.school_class_id not in class_ids or student.school_class_id not in led:
            bad(row, "学籍号", "这名学生不在本次考试的班级中")
            student = None
        pairs: list[tuple[str, str, str]] = []  # (field label, question text, score text)
        if layout == "long":
            pairs.append(("题号", cell(r, cols["question"]), cell(r, cols["score"])))
        else:
            for i, n in wide.items():
                text = cell(r, i)
                if text:
                    pairs.append((header[i] or f"第{n}题", str(n), text))
        for label, qtext, stext in pairs:
            m = _WIDE.match(header_key(qtext))
            entry = entries.get(int(m.group(1))) if m else None
            if entry is None:
                bad(row, label, f"试卷上没有第“{qtext[:10]}”题（本卷共 {len(entries)} 题）")
                continue
            score_label = "得分" if layout == "long" else label
            value = _number(stext)
            if value is None:
                bad(row, score_label, f"“{stext[:10]}”不是数字")
                continue
            if value < 0 or value > entry.points or value != value.quantize(Decimal("0.1")):
                bad(
                    row,
                    score_label,
                    f"得分应在 0 到 {entry.points.normalize():f} 之间（最多一位小数），现在是 {stext[:10]}",
                )
                continue
            if student is None:
                continue
            key = (student.pk, entry.pk)
            if key in marks:
                bad(row, label, f"与第 {marks[key][1]} 行重复（同一学生同一题）")
                continue
            marks[key] = (value, row)
        if row in row_problems:
            result.rejected += 1
        else:
            result.accepted += 1

    if result.rejected or not marks:
        if not marks and not result.rejected:
            raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="文件中没有成绩")
        result.report = _report(header, body, row_problems)
        transaction.set_rollback(True)
        return result

    _write(a, marks, now, actor)
    result.marks = len(marks)
    result.pupils = len({s for s, _ in marks})
    send_marks_changed(a.pk)
    audit_record(actor=actor, action="homework.import", origin=origin, target=Target("assignment", str(a.pk)))
    return result


def _write(a: Assignment, marks: dict[tuple[int, int], tuple[Decimal, int]], now: datetime, actor: Actor) -> None:
    pupils = {s for s, _ in marks}
    subs = {s.student_id: s for s in Submission.objects.filter(assignment=a, student_id__in=pupils)}
    missing = [s for s in Student.objects.filter(pk__in=pupils - set(subs))]
    if missing:  # a pupil who joined a class after the exam was set
        total = next(iter(subs.values())).max_score if subs else sum(e.points for e in a.paper.entries.all())
        for s in Submission.objects.bulk_create(
            Submission(assignment=a, student=s, school_class_id=s.school_class_id, max_score=total)  # type: ignore[misc]
            for s in missing
        ):
            subs[s.student_id] = s
    existing = {
        (x.submission.student_id, x.entry_id): x
        for x in Answer.objects.filter(submission__in=subs.values()).select_related("submission")
    }
    new, changed = [], []
    for (student_id, entry_id), (value, _) in marks.items():
        ans = existing.get((student_id, entry_id))
        if ans is None:
            new.append(Answer(submission=subs[student_id], entry_id=entry_id, score=value, marked_at=now,
                              marked_by=actor))  # type: ignore[misc]  # fmt: skip
        else:
            ans.score, ans.marked_at, ans.auto, ans.marked_by = value, now, False, actor  # type: ignore[assignment]
            changed.append(ans)
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(changed, ["score", "marked_at", "auto", "marked_by"])
    # every answer of these submissions is in hand (the ones read above, updated, and the new ones): total them here
    # instead of asking the database twice per pupil
    scores: dict[int, list[Decimal | None]] = {s.pk: [] for s in subs.values()}
    for ans in [*existing.values(), *new]:
        scores[ans.submission.pk].append(ans.score)
    n_entries = a.paper.entries.count()
    for sub in subs.values():
        sub.source = SubmissionSource.IMPORT
        if sub.status == SubmissionStatus.ASSIGNED:
            sub.status = SubmissionStatus.SUBMITTED
            sub.submitted_at = now
        submission_settle(sub, scores[sub.pk], n_entries, now)
    Submission.objects.bulk_update(subs.values(), ["source", "score", "status", "marked_at", "submitted_at"])


def _report(header: list[str], body: list[tuple[int, list[str]]], problems: dict[int, list[str]]) -> str:
    """The whole file again, 行号 and 问题说明 in front (problems only on the rejected rows): fix and re-import."""
    out = io.StringIO()
    w = csv.writer(out)
    keep = [i for i, h in enumerate(header) if header_key(h) not in (REPORT_ROW, REPORT_PROBLEM)]
    w.writerow([REPORT_ROW, REPORT_PROBLEM, *[header[i] for i in keep]])
    for row, r in body:
        if not any(c.strip() for c in r):
            continue
        cells = [r[i] if i < len(r) else "" for i in keep]
        w.writerow([row, "；".join(problems.get(row, [])), *[_safe(c) for c in cells]])
    return "\ufeff" + out.getvalue()


def _safe(text: str) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") and _number(text) is None else text
