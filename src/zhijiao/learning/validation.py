"""What an item must hold to be saved: one definition for the editor form, the xlsx import and the QTI import.

:func:`item_problems` returns every problem as ``(field label, Chinese reason)``, so a form shows them all at once
and an import reports each row's fields; services refuse to save while any is left.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from zhijiao.core.codes import code_choices
from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.learning.models import ItemSharing, ItemType, MultiplePartial
from zhijiao.learning.scoring import true_false_value

STEM_MAX = 5000
OPTION_KEYS = "ABCDEFGH"


@dataclass
class ItemData:
    """An item as a teacher (or a file) states it; codes per the project's code tables."""

    type: str
    stem: str
    stage: str
    subject: str
    grade: str = ""
    options: list[str] = field(default_factory=list)  # texts in order; keys A, B, C … by position
    # 单选/多选 keys ["A"]; 判断 ["T"]/["F"]; 填空 one list of accepted answers per blank
    answer: list = field(default_factory=list)
    reference_answer: str = ""
    explanation: str = ""
    points: Decimal | str | float = Decimal(5)
    difficulty: int | str = 3
    partial: str = MultiplePartial.HALF
    chapter: Chapter | None = None
    knowledge_points: Sequence[KnowledgePoint] = field(default_factory=list)
    source: str = ""
    sharing: str = ItemSharing.SCHOOL
    rubric: list[tuple[str, Decimal, str]] = field(default_factory=list)  # (criterion, points, guide)
    note: str = ""
    external_id: str = ""


def _codes(table: str) -> set[str]:
    return {code for code, _ in code_choices(table)}


def _dollars_paired(text: str) -> bool:
    """Every formula opened with ``$`` or ``$$`` is closed (``\\$`` is a literal dollar)."""
    return len(re.findall(r"(?<!\\)\$", text)) % 2 == 0


def _decimal(value: object) -> Decimal | None:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def item_problems(data: ItemData) -> list[tuple[str, str]]:
    """Every problem with ``data`` (empty: it may be saved). Normalises ``points``/``difficulty`` in place."""
    problems: list[tuple[str, str]] = []

    def bad(label: str, reason: str) -> None:
        problems.append((label, reason))

    if data.type not in ItemType.values:
        bad("题型", "请选择单选题、多选题、判断题、填空题、解答题或作文")
    stem = data.stem.strip()
    if not stem:
        bad("题干", "不能为空")
    elif len(stem) > STEM_MAX:
        bad("题干", f"不能超过 {STEM_MAX} 个字")
    elif not _dollars_paired(stem):
        bad("题干", "公式的 $ 符号没有成对，请检查每个公式的开头和结尾")
    if not _dollars_paired(data.explanation):
        bad("解析", "公式的 $ 符号没有成对")
    if data.stage not in _codes("stage"):
        bad("学段", f"没有“{data.stage}”这个学段" if data.stage.strip() else "请选择学段")
    if data.subject not in _codes("subject"):
        bad("学科", f"没有“{data.subject}”这个学科" if data.subject.strip() else "请选择学科")
    if data.grade and data.grade not in _codes("grade"):
        bad("年级", "没有这个年级")
    points = _decimal(data.points)
    if points is None or points <= 0 or points > 200 or points != points.quantize(Decimal("0.1")):
        bad("分值", "应为 0.1 到 200 之间的数，最多一位小数")
    else:
        data.points = points
    try:
        data.difficulty = int(str(data.difficulty).strip())
    except ValueError:
        data.difficulty = 0
    if not 1 <= int(data.difficulty) <= 5:
        bad("难度", "应为 1（容易）到 5（困难）")
    if data.sharing not in ItemSharing.values:
        bad("共享范围", f"没有“{data.sharing}”，应为本校、本区、本市或公开")
    _answer_problems(data, bad)
    for point in data.knowledge_points:
        if point.subject != data.subject or point.stage != data.stage:
            bad("知识点", f"“{point.name}”不属于所选学段和学科")
    if data.chapter is not None:
        edition = data.chapter.volume.edition
        if edition.subject != data.subject or edition.stage != data.stage:
            bad("章节", "不属于所选学段和学科的教材")
    return problems


def _answer_problems(data: ItemData, bad) -> None:
    kind = data.type
    options = [o.strip() for o in data.options]
    if kind in (ItemType.SINGLE, ItemType.MULTIPLE):
        while options and not options[-1]:
            options.pop()
        data.options = options
        if len(options) < 2 or len(options) > len(OPTION_KEYS):
            bad("选项", f"选择题应有 2 到 {len(OPTION_KEYS)} 个选项")
        elif any(not o for o in options):
            bad("选项", "选项内容不能为空")
        keys = OPTION_KEYS[: len(options)]
        answer = sorted({str(a).strip().upper() for a in data.answer if str(a).strip()})
        data.answer = answer
        if not answer:
            bad("答案", "请选出正确选项")
        elif any(a not in keys for a in answer):
            bad("答案", f"只能填选项的字母 {'、'.join(keys)}")
        elif kind == ItemType.SINGLE and len(answer) != 1:
            bad("答案", "单选题只能有一个正确选项")
        elif kind == ItemType.MULTIPLE and len(answer) < 2:
            bad("答案", "多选题至少有两个正确选项（只有一个时请选单选题）")
        if kind == ItemType.MULTIPLE and data.partial not in MultiplePartial.values:
            bad("少选计分", "请选择少选的计分方式")
    elif kind == ItemType.TRUE_FALSE:
        value = true_false_value(data.answer[0]) if data.answer else None
        if value is None:
            bad("答案", "判断题的答案应为“对”或“错”")
        data.answer = [value] if value else []
        data.options = []
    elif kind == ItemType.BLANK:
        blanks = [[str(a).strip() for a in accepted if str(a).strip()] for accepted in data.answer]
        data.answer = blanks
        data.options = []
        if not blanks:
            bad("答案", "填空题至少有一个空的答案")
        for i, accepted in enumerate(blanks, start=1):
            if not accepted:
                bad("答案", f"第 {i} 个空没有答案")
    elif kind in (ItemType.OPEN, ItemType.ESSAY):
        data.options, data.answer = [], []
        if data.rubric:
            total = Decimal(0)
            for name, pts, _guide in data.rubric:
                p = _decimal(pts)
                if not name.strip() or p is None or p <= 0:
                    bad("评分标准", "每一项都要有名称和大于 0 的分值")
                    return
                total += p
            if isinstance(data.points, Decimal) and total != data.points:
                bad("评分标准", f"各项分值之和（{total:g}）应等于本题分值（{data.points:g}）")
