"""Writes of the textbook taxonomy: the bulk import of a bureau's file (xlsx / csv, layout in ``tabular``).

:func:`taxonomy_import` checks every row first and writes nothing unless all are right; then it upserts
editions, books, chapters and knowledge points by their codes in one transaction, so importing the same file
again changes nothing and keeps the ids resources point at. Nothing is deleted: a chapter or point missing
from the file stays (resources may be tagged with it). :func:`taxonomy_export_rows` writes the same layout, so
an export imports back unchanged. The shipped editions are loaded by ``loading`` (a data migration).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from zhijiao.core.actor import Actor
from zhijiao.core.codes import code_choices_for_stage, code_lookup, code_name
from zhijiao.core.errors import ErrorCode, ZhijiaoError
from zhijiao.curriculum.errors import CurriculumError
from zhijiao.curriculum.hooks import TaxonomyImported, taxonomy_imported
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume
from zhijiao.curriculum.tabular import SheetRow, read_rows, split_list

TERMS = ("上", "下", "全")
# The grade table says 初一 … 初三; textbooks say 七年级 … 九年级.
GRADE_WORDS = {"七年级": "21", "八年级": "22", "九年级": "23"}
EditionKey = tuple[str, str, str]  # code, subject, stage
VolumeKey = tuple[EditionKey, str]
ChapterKey = tuple[VolumeKey, str]


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    message: str

    @property
    def text(self) -> str:
        return f"第{self.row}行 {self.field}：{self.message}" if self.row else f"{self.field}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.text}


@dataclass
class ImportResult:
    """Every row ends created, updated or unchanged (the row's chapter, point or book), or the file is rejected."""

    rows_in: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    editions: list[str] = field(default_factory=list)  # 人教版 初中数学 …
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows_in": self.rows_in,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "editions": self.editions,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class _Plan:
    """What the file describes, keyed by codes, with the row each item came from."""

    editions: dict[EditionKey, dict[str, Any]] = field(default_factory=dict)
    volumes: dict[VolumeKey, dict[str, Any]] = field(default_factory=dict)
    chapters: dict[ChapterKey, dict[str, Any]] = field(default_factory=dict)
    points: dict[str, dict[str, Any]] = field(default_factory=dict)
    row_items: list[tuple[int, str, Any]] = field(default_factory=list)  # (row, kind, key): what a row stands for
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)

    def fail(self, row: SheetRow, column: str, error: ErrorCode, detail: str = "") -> None:
        message = f"{error.message}（{detail}）" if detail else error.message
        self.errors.append(RowError(row=row.number, field=column, message=message))
        self.bad_rows.add(row.number)


LIMITS = {
    "版本代码": 32, "版本名称": 64, "出版社": 64, "册次代码": 16, "册次": 32, "章节编号": 16, "章节名称": 128,
    "上级章节": 16, "知识点代码": 32, "知识点": 64,
}  # fmt: skip


def _check_row(plan: _Plan, row: SheetRow) -> tuple[EditionKey, VolumeKey] | None:
    """The row's edition and book, checked against the code tables and the rows before it."""
    for column in ("版本代码", "版本名称", "学科", "学段", "册次代码", "册次", "年级", "学期"):
        if not row.get(column):
            plan.fail(row, column, CurriculumError.CURRICULUM_REQUIRED)
    for column, limit in LIMITS.items():
        if len(row.get(column)) > limit:
            plan.fail(row, column, CurriculumError.CURRICULUM_TOO_LONG, f"最多 {limit} 个字")
    subject = code_lookup("subject", row.get("学科"))
    stage = code_lookup("stage", row.get("学段"))
    grade = code_lookup("grade", GRADE_WORDS.get(row.get("年级"), row.get("年级")))
    for column, entry in (("学科", subject), ("学段", stage), ("年级", grade)):
        if row.get(column) and entry is None:
            plan.fail(row, column, CurriculumError.CURRICULUM_CODE_UNKNOWN, row.get(column))
    if stage and grade and grade.code not in dict(code_choices_for_stage("grade", stage.code)):
        plan.fail(row, "年级", CurriculumError.CURRICULUM_GRADE_STAGE, f"{grade.name}不属于{stage.name}")
    if row.get("学期") and row.get("学期") not in TERMS:
        plan.fail(row, "学期", CurriculumError.CURRICULUM_TERM)
    if row.number in plan.bad_rows or subject is None or stage is None or grade is None:
        return None
    edition_key: EditionKey = (row.get("版本代码"), subject.code, stage.code)
    edition = {"name": row.get("版本名称"), "publisher": row.get("出版社")}
    known = plan.editions.setdefault(edition_key, {**edition, "row": row.number})
    if {k: known[k] for k in edition} != edition:
        plan.fail(row, "版本名称", CurriculumError.CURRICULUM_EDITION_CONFLICT, f"与第{known['row']}行不同")
    volume_key: VolumeKey = (edition_key, row.get("册次代码"))
    volume = {"name": row.get("册次"), "grade": grade.code, "term": row.get("学期")}
    order = sum(1 for key in plan.volumes if key[0] == edition_key) + 1
    seen = plan.volumes.setdefault(volume_key, {**volume, "order": order, "row": row.number, "chapters": 0})
    if {k: seen[k] for k in volume} != volume:
        plan.fail(row, "册次", CurriculumError.CURRICULUM_VOLUME_CONFLICT, f"与第{seen['row']}行不同")
    return (edition_key, volume_key) if row.number not in plan.bad_rows else None


def _check_chapter(plan: _Plan, row: SheetRow, volume_key: VolumeKey) -> None:
    number, name, parent = row.get("章节编号"), row.get("章节名称"), row.get("上级章节")
    if not name:
        plan.fail(row, "章节名称", CurriculumError.CURRICULUM_REQUIRED)
        return
    key: ChapterKey = (volume_key, number)
    if parent and (volume_key, parent) not in plan.chapters:
        plan.fail(row, "上级章节", CurriculumError.CURRICULUM_PARENT_UNKNOWN, parent)
        return
    if key in plan.chapters:
        if plan.chapters[key]["name"] != name or plan.chapters[key]["parent"] != parent:
            plan.fail(row, "章节编号", CurriculumError.CURRICULUM_CHAPTER_DUPLICATE, number)
        else:
            plan.row_items.append((row.number, "chapter", key))
        return
    plan.volumes[volume_key]["chapters"] += 1
    order = plan.volumes[volume_key]["chapters"]
    plan.chapters[key] = {"name": name, "parent": parent, "order": order, "row": row.number}
    plan.row_items.append((row.number, "chapter", key))


def _check_point(plan: _Plan, row: SheetRow, volume_key: VolumeKey) -> None:
    code, name, number = row.get("知识点代码"), row.get("知识点"), row.get("章节编号")
    if not name:
        plan.fail(row, "知识点", CurriculumError.CURRICULUM_REQUIRED)
    if not number:
        plan.fail(row, "章节编号", CurriculumError.CURRICULUM_REQUIRED)
    elif (volume_key, number) not in plan.chapters:
        plan.fail(row, "章节编号", CurriculumError.CURRICULUM_POINT_CHAPTER, number)
    if row.number in plan.bad_rows:
        return
    point = {
        "name": name,
        "aliases": split_list(row.get("别名")),
        "requires": split_list(row.get("先修知识点")),
        "chapter": (volume_key, number),
    }
    known = plan.points.setdefault(code, {**point, "row": row.number})
    if {k: known[k] for k in point} != point:
        plan.fail(row, "知识点代码", CurriculumError.CURRICULUM_POINT_DUPLICATE, f"{code} 与第{known['row']}行不同")
        return
    plan.row_items.append((row.number, "point", code))


def _check_points_against_platform(plan: _Plan, rows: dict[int, SheetRow]) -> None:
    """Point codes are unique in the platform; prerequisites exist (in the file or already) and form no cycle."""
    existing = {
        p.code: p
        for p in KnowledgePoint.objects.filter(code__in=list(plan.points)).select_related("chapter__volume__edition")
    }
    for code, point in plan.points.items():
        other = existing.get(code)
        edition_key = point["chapter"][0][0]
        if other is not None and other.chapter is not None:
            e = other.chapter.volume.edition
            if (e.code, e.subject, e.stage) != edition_key:
                where = f"{e.name} {code_name('stage', e.stage)}{code_name('subject', e.subject)}“{other.name}”"
                plan.fail(rows[point["row"]], "知识点代码", CurriculumError.CURRICULUM_POINT_TAKEN, where)
    needed = {c for p in plan.points.values() for c in p["requires"]} - set(plan.points)
    found = set(KnowledgePoint.objects.filter(code__in=needed).values_list("code", flat=True))
    for point in plan.points.values():
        for missing in [c for c in point["requires"] if c not in plan.points and c not in found]:
            plan.fail(rows[point["row"]], "先修知识点", CurriculumError.CURRICULUM_PREREQUISITE_UNKNOWN, missing)
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(code: str) -> bool:
        state[code] = 1
        for needed_code in plan.points[code]["requires"]:
            if needed_code not in plan.points:
                continue  # already in the platform, checked when it was imported
            if state.get(needed_code) == 1 or (needed_code not in state and visit(needed_code)):
                return True
        state[code] = 2
        return False

    for code in plan.points:
        if code not in state and visit(code):
            plan.fail(rows[plan.points[code]["row"]], "先修知识点", CurriculumError.CURRICULUM_PREREQUISITE_CYCLE, code)
            break


def taxonomy_check(rows: list[SheetRow]) -> _Plan:
    """Every row checked; the plan holds what the file describes and every problem found (row and column)."""
    plan = _Plan()
    point_rows: list[tuple[SheetRow, VolumeKey]] = []
    for row in rows:
        keys = _check_row(plan, row)
        if keys is None:
            continue
        _, volume_key = keys
        if row.get("知识点代码"):
            point_rows.append((row, volume_key))  # after every chapter: a point may come before its section
        elif row.get("章节编号"):
            _check_chapter(plan, row, volume_key)
        elif row.get("章节名称") or row.get("知识点"):
            plan.fail(row, "章节编号", CurriculumError.CURRICULUM_REQUIRED)
        else:
            plan.row_items.append((row.number, "volume", volume_key))
    for row, volume_key in point_rows:
        _check_point(plan, row, volume_key)
    plan.errors.sort(key=lambda e: e.row)
    if not plan.errors:
        _check_points_against_platform(plan, {r.number: r for r in rows})
    return plan


def _upsert(model: type[Model], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, str]:
    """``created``, ``updated`` or ``unchanged``, comparing before writing so a re-import writes nothing."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    return obj, "updated"


def _write(plan: _Plan) -> dict[tuple[str, Any], str]:
    outcome: dict[tuple[str, Any], str] = {}
    editions = {}
    for key, e in plan.editions.items():
        code, subject, stage = key
        editions[key], _ = _upsert(
            TextbookEdition,
            {"code": code, "subject": subject, "stage": stage},
            {"name": e["name"], "publisher": e["publisher"]},
        )
    volumes = {}
    for vkey, v in plan.volumes.items():
        volumes[vkey], outcome[("volume", vkey)] = _upsert(
            TextbookVolume,
            {"edition": editions[vkey[0]], "code": vkey[1]},
            {"name": v["name"], "grade": v["grade"], "term": v["term"], "order": v["order"]},
        )
    chapters: dict[ChapterKey, Chapter] = {}
    for ckey, c in plan.chapters.items():  # file order: a parent comes before its sections
        vkey = ckey[0]
        parent = chapters[(vkey, c["parent"])] if c["parent"] else None
        chapters[ckey], outcome[("chapter", ckey)] = _upsert(
            Chapter,
            {"volume": volumes[vkey], "number": ckey[1]},
            {"name": c["name"], "parent": parent, "order": c["order"]},
        )
    points: dict[str, KnowledgePoint] = {}
    for code, p in plan.points.items():
        edition_key = p["chapter"][0][0]
        points[code], outcome[("point", code)] = _upsert(
            KnowledgePoint,
            {"code": code},
            {
                "name": p["name"],
                "aliases": p["aliases"],
                "subject": edition_key[1],
                "stage": edition_key[2],
                "chapter": chapters[p["chapter"]],
            },
        )
    required = {c for p in plan.points.values() for c in p["requires"]} - set(points)
    others = {k.code: k for k in KnowledgePoint.objects.filter(code__in=required)}
    for code, p in plan.points.items():
        wanted = {(points.get(c) or others[c]).pk for c in p["requires"]}
        point = points[code]
        if set(point.prerequisites.values_list("pk", flat=True)) != wanted:
            point.prerequisites.set(wanted)
            if outcome[("point", code)] == "unchanged":
                outcome[("point", code)] = "updated"
    return outcome


def taxonomy_import(
    *, data: bytes, name: str, actor: Actor | None = None, channel: str = "cli", request: Any = None
) -> ImportResult:
    """Import a taxonomy file (``name`` ends in .xlsx or .csv). All rows or none: with any problem the result
    lists every one (row and column) and nothing is written. The caller checks who may import
    (``curriculum.manage``); every import, made or refused for its rows, is told to the listeners of
    ``hooks`` (the audit log) with ``actor``, ``channel`` and the web ``request``."""
    rows = read_rows(data, name=name)
    plan = taxonomy_check(rows)
    result = ImportResult(rows_in=len(rows))
    if plan.errors:
        result.errors = plan.errors
        result.rejected = len(plan.bad_rows)
        taxonomy_imported(_event(result, actor=actor, channel=channel, name=name, request=request))
        return result
    with transaction.atomic():
        outcome = _write(plan)
        for _, kind, key in plan.row_items:
            status = outcome[(kind, key)]
            setattr(result, status, getattr(result, status) + 1)
        result.editions = [
            f"{e['name']} {code_name('stage', key[2])}{code_name('subject', key[1])}"
            for key, e in plan.editions.items()
        ]
        taxonomy_imported(_event(result, actor=actor, channel=channel, name=name, request=request))
    return result


def _event(result: ImportResult, *, actor: Actor | None, channel: str, name: str, request: Any) -> TaxonomyImported:
    return TaxonomyImported(
        actor=actor,
        channel=channel,
        name=name,
        ok=result.ok,
        rows_in=result.rows_in,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        editions=tuple(result.editions),
        request=request,
    )


def editions_matching(*, code: str, subject: str = "", stage: str = "") -> QuerySet[TextbookEdition]:
    """Editions with this code, narrowed by subject and 学段 (names or codes) when given."""
    qs = TextbookEdition.objects.filter(code=code)
    for column, table, value in (("subject", "subject", subject), ("stage", "stage", stage)):
        if value:
            entry = code_lookup(table, value)
            qs = qs.filter(**{column: entry.code if entry else value})
    if not qs.exists():
        raise ZhijiaoError(CurriculumError.CURRICULUM_EDITION_NOT_FOUND, field="版本代码", detail=code, status=404)
    return qs.order_by("stage", "subject")


def taxonomy_export_rows(editions: Iterable[TextbookEdition]) -> list[list[str]]:
    """The editions in the import layout: per book its chapters in order, each followed by its points."""
    rows: list[list[str]] = []
    for e in editions:
        head = [e.code, e.name, e.publisher, code_name("subject", e.subject), code_name("stage", e.stage)]
        for v in e.volumes.order_by("order"):
            book = [*head, v.code, v.name, code_name("grade", v.grade), v.term]
            chapters = list(v.chapters.select_related("parent").order_by("order"))
            if not chapters:
                rows.append([*book, *[""] * 7])
            points: dict[int, list[KnowledgePoint]] = {}
            in_book = KnowledgePoint.objects.filter(chapter__volume=v).prefetch_related("prerequisites")
            for p in in_book.order_by("code"):
                points.setdefault(p.chapter_id or 0, []).append(p)
            for c in chapters:
                parent = c.parent.number if c.parent else ""
                rows.append([*book, c.number, c.name, parent, "", "", "", ""])
                for p in points.get(c.pk, []):
                    requires = "、".join(sorted(r.code for r in p.prerequisites.all()))
                    rows.append([*book, c.number, "", "", p.code, p.name, "、".join(p.aliases), requires])
    return rows
