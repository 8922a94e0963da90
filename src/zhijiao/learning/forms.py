"""The item editor's form: plain POST fields → :class:`ItemData`, and an item's version → the fields again.

Answers are typed the way teachers write them: choices ticked per option; 判断 对/错; 填空 one line per blank with
the accepted answers of a blank separated by ``|``; a rubric one line per criterion ``评分项 | 分值 | 说明``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import QueryDict

from zhijiao.core.codes import code_choices
from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.learning.models import Item, ItemVersion
from zhijiao.learning.validation import OPTION_KEYS, ItemData

OPTION_SLOTS = 6


def _ints(values: list[str]) -> list[int]:
    out = []
    for v in values:
        try:
            n = int(v)
        except ValueError:
            continue
        if 0 < n < 2**31:
            out.append(n)
    return out


def blanks_from_text(text: str) -> list[list[str]]:
    return [[a.strip() for a in line.split("|")] for line in text.splitlines() if line.strip()]


def blanks_to_text(answer: list) -> str:
    return "\n".join(" | ".join(str(a) for a in accepted) for accepted in answer)


def rubric_from_text(text: str) -> list[tuple[str, Decimal, str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        try:
            points = Decimal(parts[1]) if len(parts) > 1 else Decimal(0)
        except InvalidOperation:
            points = Decimal(0)
        rows.append((parts[0], points, parts[2] if len(parts) > 2 else ""))
    return rows


def rubric_to_text(version: ItemVersion) -> str:
    return "\n".join(
        " | ".join(x for x in (c.name, format(Decimal(c.points).normalize(), "f"), c.guide) if x)
        for c in version.criteria.all()
    )


def data_from_post(post: QueryDict) -> ItemData:
    kind = post.get("type", "")
    options = [post.get(f"option_{k}", "") for k in OPTION_KEYS[:OPTION_SLOTS]]
    if kind == "single":
        answer: list = [post.get("answer_single", "")] if post.get("answer_single") else []
    elif kind == "multiple":
        answer = post.getlist("answer_multiple")
    elif kind == "true_false":
        answer = [post.get("answer_tf", "")] if post.get("answer_tf") else []
    elif kind == "blank":
        answer = blanks_from_text(post.get("answer_blanks", ""))
    else:
        answer = []
    chapter_ids = _ints([post.get("chapter", "")])
    chapter = Chapter.objects.select_related("volume__edition").filter(pk__in=chapter_ids).first()
    points = list(KnowledgePoint.objects.filter(pk__in=_ints(post.getlist("knowledge_points"))))
    return ItemData(
        type=kind,
        stem=post.get("stem", ""),
        stage=post.get("stage", ""),
        subject=post.get("subject", ""),
        grade=post.get("grade", ""),
        options=options,
        answer=answer,
        reference_answer=post.get("reference_answer", ""),
        explanation=post.get("explanation", ""),
        points=post.get("points", ""),
        difficulty=post.get("difficulty", ""),
        partial=post.get("partial", "half"),
        chapter=chapter,
        knowledge_points=points,
        source=post.get("source", ""),
        sharing=post.get("sharing", "school"),
        rubric=rubric_from_text(post.get("rubric", "")),
        note=post.get("note", ""),
    )


def initial_from_item(item: Item, version: ItemVersion) -> dict:
    form = {
        "type": version.type,
        "stem": version.stem,
        "stage": item.stage,
        "subject": item.subject,
        "grade": item.grade,
        "reference_answer": version.reference_answer,
        "explanation": version.explanation,
        "points": format(Decimal(version.points).normalize(), "f"),
        "difficulty": str(version.difficulty),
        "partial": version.partial,
        "chapter": str(item.chapter_id or ""),
        "knowledge_points": [str(p.pk) for p in item.knowledge_points.all()],
        "source": item.source,
        "sharing": item.sharing,
        "rubric": rubric_to_text(version),
        "answer_single": version.answer[0] if version.type == "single" and version.answer else "",
        "answer_multiple": list(version.answer) if version.type == "multiple" else [],
        "answer_tf": version.answer[0] if version.type == "true_false" and version.answer else "",
        "answer_blanks": blanks_to_text(version.answer) if version.type == "blank" else "",
    }
    for i, option in enumerate(version.options):
        form[f"option_{OPTION_KEYS[i]}"] = option["text"]
    return form


def form_from_post(post: QueryDict) -> dict:
    form: dict[str, object] = dict(post.dict())
    form["knowledge_points"] = post.getlist("knowledge_points")
    form["answer_multiple"] = post.getlist("answer_multiple")
    return form


def taxonomy_choices(stage: str, subject: str) -> dict:
    """Chapters (grouped by book) and knowledge points (grouped by chapter) of a 学段 and 学科."""
    chapters = (
        Chapter.objects.filter(volume__edition__stage=stage, volume__edition__subject=subject)
        .select_related("volume__edition", "parent")
        .order_by("volume__edition__code", "volume__order", "order")
    )
    books: dict[str, list] = {}
    for c in chapters:
        books.setdefault(f"{c.volume.edition.name} {c.volume.name}", []).append(c)
    points = KnowledgePoint.objects.filter(stage=stage, subject=subject).select_related("chapter").order_by("code")
    groups: dict[str, list] = {}
    for p in points:
        groups.setdefault(p.chapter.label if p.chapter else "其他", []).append(p)
    return {
        "books": list(books.items()),
        "point_groups": list(groups.items()),
        "stages": code_choices("stage"),
        "subjects": code_choices("subject"),
        "grades": code_choices("grade"),
    }
