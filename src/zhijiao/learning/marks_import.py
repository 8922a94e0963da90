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

import polars as pl
from django.db import transaction
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core import bulk
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

MAX_ROWS = 200_000  # rows of one file: a district's wide export (53,000 pupils) or a school's long one
MAX_MARKS = 2_000_000  # pupil × question scores of one file
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
    cells = _texts(rows)
    for i, r in enumerate(cells[:20]):
        keys = {header_key(c) for c in r}
        if keys & _NO:
            body = [(i + 2 + n, r2) for n, r2 in enumerate(cells[i + 1 :])]
            if len(body) > MAX_ROWS:
                raise ZhijiaoError(
                    LearningError.LEARNING_MARKS_FILE_INVALID,
                    detail=f"一次最多导入 {MAX_ROWS} 行（现在有 {len(body)} 行），请按学校或班级分成几个文件",
                )
            return r, body
    raise ZhijiaoError(LearningError.LEARNING_MARKS_FILE_INVALID, detail="没有找到“学籍号”列（应在前 20 行的表头中）")


def _texts(rows: list[list[Any]]) -> list[list[str]]:
    """Every cell as stripped text (``cell_text``); a number is converted once per distinct value (a district's
    1.3 million marks are a few dozen distinct scores)."""
    memo: dict[float | int, str] = {}
    out = []
    for r in rows:
        row = []
        for v in r:
            kind = type(v)
            if kind is str:
                row.append(v.strip())
            elif kind is float or kind is int:
                text = memo.get(v)
                if text is None:
                    text = (cell_text(v) or "").strip()
                    if v == v:  # not NaN
                        memo[v] = text
                row.append(text)
            else:
                row.append((cell_text(v) or "").strip())
        out.append(row)
    return out


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

    # the checks of a question and of a score text depend on nothing else: each distinct one is checked once
    question_memo: dict[str, Any] = {}
    score_memo: dict[tuple[int, str], Decimal | str] = {}

    def question(qtext: str) -> Any:
        if qtext not in question_memo:
            m = _WIDE.match(header_key(qtext))
            question_memo[qtext] = entries.get(int(m.group(1))) if m else None
        return question_memo[qtext]

    def score(entry: Any, stext: str) -> Decimal | str:
        """The score, or why it is rejected."""
        key = (entry.pk, stext)
        got = score_memo.get(key)
        if got is None:
            value = _number(stext)
            if value is None:
                got = f"“{stext[:10]}”不是数字"
            elif value < 0 or value > entry.points or value != value.quantize(Decimal("0.1")):
                got = f"得分应在 0 到 {entry.points.normalize():f} 之间（最多一位小数），现在是 {stext[:10]}"
            else:
                got = value
            score_memo[key] = got
        return got

    columns = [(i, header[i] or f"第{n}题", str(n)) for i, n in wide.items()]
    wide_rows = len(body) * len(columns)
    if wide_rows > MAX_MARKS:
        raise ZhijiaoError(
            LearningError.LEARNING_MARKS_FILE_INVALID,
            detail=f"一次最多导入 {MAX_MARKS} 个小题得分（现在有 {wide_rows} 个），请按学校或班级分成几个文件",
        )
    for row, r in body:
        if not any(r):
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
        pairs: list[tuple[str, str, str]]  # (field label, question text, score text)
        if layout == "long":
            pairs = [("题号", cell(r, cols["question"]), cell(r, cols["score"]))]
        else:
            n_cells = len(r)
            pairs = [(label, qtext, r[i]) for i, label, qtext in columns if i < n_cells and r[i]]
        for label, qtext, stext in pairs:
            entry = question(qtext)
            if entry is None:
                bad(row, label, f"试卷上没有第“{qtext[:10]}”题（本卷共 {len(entries)} 题）")
                continue
            value = score(entry, stext)
            if isinstance(value, str):
                bad(row, "得分" if layout == "long" else label, value)
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
    """Write the marks in bulk (``core.bulk``: COPY on PostgreSQL, executemany on SQLite; a district exam is 1.3
    million answers) and total every pupil's submission."""
    pupils = {s for s, _ in marks}
    subs = {
        s.student_id: s
        for s in Submission.objects.filter(assignment=a).only(
            "pk", "student_id", "status", "source", "score", "marked_at", "submitted_at"
        )
        if s.student_id in pupils
    }
    missing = [s for s in Student.objects.filter(pk__in=pupils - set(subs))] if len(subs) < len(pupils) else []
    if missing:  # a pupil who joined a class after the exam was set
        total = next(iter(subs.values())).max_score if subs else sum(e.points for e in a.paper.entries.all())
        for s in Submission.objects.bulk_create(
            Submission(assignment=a, student=s, school_class_id=s.school_class_id, max_score=total)  # type: ignore[misc]
            for s in missing
        ):
            subs[s.student_id] = s
    # every answer these submissions already have (none after a first import: one cheap query says so)
    existing: dict[tuple[int, int], int] = {}  # (submission, entry) → answer id
    scores: dict[int, dict[int, Decimal | None]] = {s.pk: {} for s in subs.values()}  # submission → entry → score
    if Answer.objects.filter(submission__assignment=a).exists():
        for pk, sub_id, entry_id, old in Answer.objects.filter(submission__assignment=a).values_list(
            "pk", "submission_id", "entry_id", "score"
        ):
            if sub_id in scores:
                existing[(sub_id, entry_id)] = pk
                scores[sub_id][entry_id] = old
    new_sub, new_entry, new_score, changed_id, changed_score = [], [], [], [], []
    for (student_id, entry_id), (value, _) in marks.items():
        sub_id = subs[student_id].pk
        answer_id = existing.get((sub_id, entry_id))
        if answer_id is None:
            new_sub.append(sub_id)
            new_entry.append(entry_id)
            new_score.append(value)
        else:
            changed_id.append(answer_id)
            changed_score.append(value)
        scores[sub_id][entry_id] = value
    when = pl.lit(now, dtype=pl.Datetime("us", "UTC"))
    table = Answer._meta.db_table
    bulk.insert(
        table,
        pl.DataFrame(
            {"submission_id": new_sub, "entry_id": new_entry, "score": [float(v) for v in new_score]},
            schema={"submission_id": pl.Int64, "entry_id": pl.Int64, "score": pl.Float64},
        ).with_columns(
            auto=pl.lit(False),
            criteria=pl.lit("{}"),
            comment=pl.lit(""),
            marked_by_id=pl.lit(actor.pk, dtype=pl.Int64),
            marked_at=when,
        ),
    )
    bulk.update(
        table,
        pl.DataFrame(
            {"id": changed_id, "score": [float(v) for v in changed_score]},
            schema={"id": pl.Int64, "score": pl.Float64},
        ).with_columns(auto=pl.lit(False), marked_by_id=pl.lit(actor.pk, dtype=pl.Int64), marked_at=when),
    )
    n_entries = a.paper.entries.count()
    for sub in subs.values():
        sub.source = SubmissionSource.IMPORT
        if sub.status == SubmissionStatus.ASSIGNED:
            sub.status = SubmissionStatus.SUBMITTED
            sub.submitted_at = now
        submission_settle(sub, list(scores[sub.pk].values()), n_entries, now)
    stamp = pl.Datetime("us", "UTC")
    bulk.update(
        Submission._meta.db_table,
        pl.DataFrame(
            {
                "id": [s.pk for s in subs.values()],
                "source": [s.source for s in subs.values()],
                "score": [None if s.score is None else float(s.score) for s in subs.values()],
                "status": [s.status for s in subs.values()],
                "marked_at": [s.marked_at for s in subs.values()],
                "submitted_at": [s.submitted_at for s in subs.values()],
            },
            schema={
                "id": pl.Int64,
                "source": pl.String,
                "score": pl.Float64,
                "status": pl.String,
                "marked_at": stamp,
                "submitted_at": stamp,
            },
        ),
    )


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
