"""Bulk import (xlsx, QTI 3.0 packages) and export (QTI 3.0) of items.

Every row (an xlsx line, a package's item) ends as one of ``imported``, ``duplicate`` (nearly the same stem as an
item the teacher may see or of their school, or as an earlier row of the same file: not imported, the match named)
or ``rejected`` (every problem named by field, in Chinese). Rows are independent, as in the intake pipeline: good
rows are imported, bad rows reported, all in one transaction with one audit record, so a failure half way leaves
nothing behind. The three counts always sum to the rows read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.db import transaction

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.codes import code_choices
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.identity.models import Account
from zhijiao.learning import dedupe, qti, selectors
from zhijiao.learning.errors import LearningError
from zhijiao.learning.forms import rubric_from_text
from zhijiao.learning.models import Item, ItemType, ItemVersion, MultiplePartial
from zhijiao.learning.services import item_create
from zhijiao.learning.validation import ItemData, item_problems

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MAX_ROWS = 2000
COLUMNS = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "答案",
    "解析",
    "分值",
    "难度",
    "学段",
    "学科",
    "年级",
    "知识点",
    "来源",
    "共享范围",
    "少选计分",
    "参考答案",
    "评分标准",
]
HELP = {
    "题型": "单选题、多选题、判断题、填空题、解答题、作文",
    "题干": "公式写在 $ 与 $ 之间；填空处写 ____",
    "答案": "单选 B；多选 ACD；判断 对/错；填空每个空用 ；隔开，同一空的多种写法用 | 隔开",
    "难度": "1 容易 … 5 困难",
    "知识点": "知识点名称或代码，多个用 、隔开",
    "共享范围": "本校、本区、本市、公开",
    "少选计分": "全部选对才得分、少选得一半分、按选对的个数给分（多选题）",
    "评分标准": "解答题/作文：每项一行，评分项 | 分值 | 说明",
}


@dataclass
class RowResult:
    row: int  # the xlsx line number, or the package item's position (1-based)
    label: str  # the first characters of the stem, or the file inside the package
    outcome: str  # imported / duplicate / rejected
    problems: list[tuple[str, str]] = field(default_factory=list)
    item_id: int | None = None
    duplicate_of: int | None = None

    @property
    def outcome_label(self) -> str:
        return {"imported": "已导入", "duplicate": "重复，未导入", "rejected": "有错误，未导入"}[self.outcome]


@dataclass
class ImportResult:
    rows: list[RowResult]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows_in": len(self.rows),
            "imported": self.count("imported"),
            "duplicate": self.count("duplicate"),
            "rejected": self.count("rejected"),
        }


def _by_label(table: str, value: str) -> str:
    value = value.strip()
    for code, name in code_choices(table):
        if value in (code, name):
            return code
    return value


TYPE_WORDS = {label: value for value, label in ItemType.choices} | {
    label[:-1]: value for value, label in ItemType.choices if label.endswith("题")
}
SHARING_WORDS = {"本校": "school", "本区": "district", "本市": "city", "公开": "public"}
PARTIAL_WORDS = {label: value for value, label in MultiplePartial.choices}


def _points(text: str, stage: str, subject: str, problems: list[tuple[str, str]]) -> list[KnowledgePoint]:
    names = [n.strip() for n in text.replace(",", "、").replace("，", "、").split("、") if n.strip()]
    found = []
    for name in names:
        point = (
            KnowledgePoint.objects.filter(code=name).first()
            or KnowledgePoint.objects.filter(name=name, stage=stage, subject=subject).first()
        )
        if point is None:
            problems.append(("知识点", f"没有找到“{name}”"))
        else:
            found.append(point)
    return found


def data_from_row(row: dict[str, str]) -> tuple[ItemData, list[tuple[str, str]]]:
    """One xlsx row → item data, with the problems only the file can have (unknown names)."""
    problems: list[tuple[str, str]] = []
    kind = TYPE_WORDS.get(row.get("题型", "").strip(), row.get("题型", "").strip())
    answer_text = row.get("答案", "").strip()
    if kind in ("single", "multiple"):
        answer: list = [c for c in answer_text.upper().replace("，", "").replace(",", "").replace(" ", "")]
    elif kind == "true_false":
        answer = [answer_text] if answer_text else []
    elif kind == "blank":
        answer = [[a.strip() for a in b.split("|")] for b in answer_text.replace(";", "；").split("；") if b.strip()]
    else:
        answer = []
    stage = _by_label("stage", row.get("学段", ""))
    subject = _by_label("subject", row.get("学科", ""))
    sharing_text = row.get("共享范围", "").strip() or "本校"
    partial_text = row.get("少选计分", "").strip()
    data = ItemData(
        type=kind,
        stem=row.get("题干", ""),
        stage=stage,
        subject=subject,
        grade=_by_label("grade", row.get("年级", "")) if row.get("年级", "").strip() else "",
        options=[row.get(f"选项{k}", "") for k in "ABCDEF"],
        answer=answer,
        reference_answer=row.get("参考答案", ""),
        explanation=row.get("解析", ""),
        points=row.get("分值", "").strip() or "",
        difficulty=row.get("难度", "").strip() or "3",
        partial=PARTIAL_WORDS.get(partial_text, partial_text or MultiplePartial.HALF),
        knowledge_points=_points(row.get("知识点", ""), stage, subject, problems),
        source=row.get("来源", ""),
        sharing=SHARING_WORDS.get(sharing_text, sharing_text),
        rubric=rubric_from_text(row.get("评分标准", "")),
    )
    return data, problems


def read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail="不是有效的 xlsx 文件") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail="表格是空的")
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in ("题型", "题干", "答案", "学段", "学科") if c not in names]
    if missing:
        raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail=f"第 1 行缺少列：{'、'.join(missing)}")
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        cells = {}
        for name, value in zip(names, values, strict=False):
            if name:
                cells[name] = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        out.append((number, cells))
        if len(out) > MAX_ROWS:
            raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail=f"一次最多导入 {MAX_ROWS} 道题")
    return out


Row = tuple[int, str, ItemData | None, list[tuple[str, str]]]  # number, label, data (None: unreadable), problems


def _run(actor: Account, rows: list[Row], origin: Origin, kind: str) -> ImportResult:
    """Shared by both formats: check, find duplicates (existing items and earlier rows), create the rest."""
    if selectors.item_owner(actor) is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NO_OWNER, status=403)
    results: list[RowResult] = []
    indexes: dict[tuple[str, str], dedupe.DuplicateIndex] = {}  # per 学段 × 学科: the bank, then the file's rows
    with transaction.atomic():
        for number, label, data, problems in rows:
            if data is None:
                results.append(RowResult(number, label, "rejected", problems))
                continue
            problems = problems + item_problems(data)
            if problems:
                results.append(RowResult(number, label, "rejected", problems))
                continue
            area = (data.stage, data.subject)
            if area not in indexes:
                candidates = selectors.item_duplicate_candidates(actor=actor, stage=data.stage, subject=data.subject)
                indexes[area] = dedupe.DuplicateIndex(candidates)
            norm = dedupe.normalise(data.stem)
            match = indexes[area].find(norm)
            if match:
                duplicate = RowResult(number, label, "duplicate", [("题干", "与已有试题几乎相同")])
                duplicate.duplicate_of = match[0].key
                results.append(duplicate)
                continue
            saved = item_create(actor=actor, data=data, origin=origin, audit=False, duplicates=False)
            indexes[area].add(saved.item.pk, norm)
            results.append(RowResult(number, label, "imported", item_id=saved.item.pk))
        result = ImportResult(results)
        s = result.summary
        audit_record(
            actor=actor,
            action="item.import",
            origin=origin,
            target=Target(
                "item_batch",
                kind,
                f"{kind} 共 {s['rows_in']} 行，导入 {s['imported']}，重复 {s['duplicate']}，错误 {s['rejected']}",
            ),
        )
    return result


def items_import_xlsx(*, actor: Account, data: bytes, origin: Origin) -> ImportResult:
    rows: list[Row] = []
    for number, cells in read_xlsx(data):
        item_data, problems = data_from_row(cells)
        rows.append((number, cells.get("题干", "")[:50], item_data, problems))
    return _run(actor, rows, origin, "xlsx")


def items_import_qti(
    *, actor: Account, data: bytes, origin: Origin, stage: str, subject: str, grade: str = "", sharing: str = "school"
) -> ImportResult:
    """A QTI 3.0 package; 学段/学科 (QTI does not carry them) are the importer's choice for every item."""
    try:
        items = qti.read_package(data)
    except qti.QtiError as exc:
        raise ZhijiaoError(LearningError.LEARNING_IMPORT_UNUSABLE, detail=str(exc)) from None
    rows: list[Row] = []
    for number, q in enumerate(items, start=1):
        if q.problem:
            rows.append((number, q.href, None, [("文件", q.problem)]))
            continue
        problems: list[tuple[str, str]] = []
        points = _points("、".join(q.knowledge_points), stage, subject, problems)
        item_data = ItemData(
            type=q.type,
            stem=q.stem,
            stage=stage,
            subject=subject,
            grade=grade,
            options=q.options,
            answer=q.answer,
            reference_answer=q.reference_answer,
            explanation=q.explanation,
            points=q.points,
            difficulty=q.difficulty or 3,
            partial=q.partial or MultiplePartial.HALF,
            knowledge_points=points,
            sharing=sharing,
            external_id=q.identifier,
        )
        rows.append((number, q.href, item_data, problems))
    return _run(actor, rows, origin, "QTI")


def qti_item(item: Item, v: ItemVersion, points: Decimal | None = None) -> qti.QtiItem:
    """One version as a QTI item (``points``: what it is worth where it is exported, else its own)."""
    return qti.QtiItem(
        identifier=f"item-{item.pk}-v{v.number}",
        type=v.type,
        stem=v.stem,
        options=[o["text"] for o in v.options],
        answer=list(v.answer),
        points=f"{v.points:g}" if points is None else f"{float(points):g}",
        explanation=v.explanation,
        reference_answer=v.reference_answer,
        difficulty=str(v.difficulty),
        knowledge_points=[p.code for p in item.knowledge_points.all()],
        partial=v.partial,
    )


def items_export_qti(*, actor: Actor, items: list[Item], origin: Origin) -> bytes:
    """The versions the actor sees of these items, as a QTI 3.0 package."""
    out = []
    for item in items:
        v = selectors.item_shown_version(actor=actor, item=item)
        if v is None:
            continue
        out.append(qti_item(item, v))
    audit_record(
        actor=actor, action="item.export", origin=origin, target=Target("item_batch", "QTI", f"导出 {len(out)} 道题")
    )
    return qti.write_package(out)


def template_xlsx() -> bytes:
    """The import template: the columns, a help row, and three example rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = cast("Worksheet", wb.active)
    ws.title = "试题"
    ws.append(COLUMNS)
    examples = [
        [
            "单选题",
            "方程 $x^2-5x+6=0$ 的两根之和是（  ）",
            "$5$",
            "$-5$",
            "$6$",
            "$-6$",
            "",
            "",
            "A",
            "由根与系数的关系，$x_1+x_2=5$。",
            "3",
            "2",
            "初中",
            "数学",
            "初三",
            "",
            "自编",
            "本校",
            "",
            "",
            "",
        ],
        [
            "填空题",
            "$\\frac{1}{2}+\\frac{1}{4}=$____",
            "",
            "",
            "",
            "",
            "",
            "",
            "3/4|0.75",
            "",
            "2",
            "1",
            "初中",
            "数学",
            "初一",
            "",
            "",
            "本校",
            "",
            "",
            "",
        ],
        [
            "解答题",
            "解方程 $2x+3=7$。",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "4",
            "2",
            "初中",
            "数学",
            "初一",
            "",
            "",
            "本校",
            "",
            "$x=2$",
            "移项 | 2 | 正确移项\n求解 | 2 | 结果正确",
        ],
    ]
    for row in examples:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, name in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if name in ("题干", "解析") else 14
    notes = cast("Worksheet", wb.create_sheet("填写说明"))
    notes.append(["列", "说明"])
    for name in COLUMNS:
        notes.append([name, HELP.get(name, "")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
