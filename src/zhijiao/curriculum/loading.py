"""The textbook taxonomy shipped as data: editions, volumes (册), chapters and sections, knowledge points.

Each ``data/*.json`` file is one edition of one subject, authored from the textbook's table of contents.
:func:`taxonomy_load` upserts it by code, so running it again after the file grows adds what is new and
keeps the ids resources point at. The data migration runs it with the historical models.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources as package_files
from typing import Any

from django.apps import apps as live_apps

from zhijiao.core.codes import code_name
from zhijiao.curriculum.models import TextbookVolume

TAXONOMY_FILES = (
    "pep_math_1_6.json",  # 人教版 小学数学
    "pep_math_7_9.json",  # 人教版 初中数学
    "pep_a_math_10_12.json",  # 人教A版 高中数学 (2019)
    "bu_chinese_7_9.json",  # 统编版 初中语文
    "pep_physics_8_9.json",  # 人教版 初中物理
    "pep_english_7_9.json",  # 人教版 (Go for it!) 初中英语
)


def taxonomy_data(name: str) -> dict[str, Any]:
    text = package_files.files("zhijiao.curriculum").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return json.loads(text)


def taxonomy_load(apps: Any = None) -> dict[str, int]:
    """Load every shipped taxonomy file; returns counts. ``apps`` is a migration's app registry (or None).

    Two passes: every file's books, chapters and points first, then the prerequisites, so a point may need
    a point of another file whatever the order of :data:`TAXONOMY_FILES`. A point's ``section`` is a chapter
    or section number (``17.1``), qualified by the volume code (``1a:3.2``) where the edition numbers its
    chapters again in each book.
    """
    if apps is None:
        apps = live_apps
    Edition = apps.get_model("curriculum", "TextbookEdition")
    Volume = apps.get_model("curriculum", "TextbookVolume")
    Chapter = apps.get_model("curriculum", "Chapter")
    Point = apps.get_model("curriculum", "KnowledgePoint")
    counts = {"editions": 0, "volumes": 0, "chapters": 0, "points": 0}
    points: dict[str, Any] = {}
    requires: dict[str, list[str]] = {}
    for name in TAXONOMY_FILES:
        data = taxonomy_data(name)
        e = data["edition"]
        edition, _ = Edition.objects.update_or_create(
            code=e["code"],
            subject=e["subject"],
            stage=e["stage"],
            defaults={"name": e["name"], "publisher": e.get("publisher", "")},
        )
        counts["editions"] += 1
        numbered: dict[str, Any] = {}
        for v_order, v in enumerate(data["volumes"], start=1):
            volume, _ = Volume.objects.update_or_create(
                edition=edition,
                code=v["code"],
                defaults={"name": v["name"], "grade": v["grade"], "term": v["term"], "order": v_order},
            )
            counts["volumes"] += 1
            order = 0
            for c in v["chapters"]:
                order += 1
                chapter, _ = Chapter.objects.update_or_create(
                    volume=volume, number=c["no"], defaults={"name": c["name"], "parent": None, "order": order}
                )
                numbered.setdefault(c["no"], chapter)
                numbered[f"{v['code']}:{c['no']}"] = chapter
                counts["chapters"] += 1
                for s_no, s_name in enumerate(c.get("sections", []), start=1):
                    order += 1
                    number = f"{c['no']}.{s_no}"
                    section, _ = Chapter.objects.update_or_create(
                        volume=volume, number=number, defaults={"name": s_name, "parent": chapter, "order": order}
                    )
                    numbered.setdefault(number, section)
                    numbered[f"{v['code']}:{number}"] = section
                    counts["chapters"] += 1
        for p in data.get("knowledge_points", []):
            point, _ = Point.objects.update_or_create(
                code=p["code"],
                defaults={
                    "name": p["name"],
                    "aliases": p["aliases"],
                    "subject": e["subject"],
                    "stage": e["stage"],
                    "chapter": numbered.get(p["section"]),
                },
            )
            points[p["code"]] = point
            requires[p["code"]] = p["requires"]
            counts["points"] += 1
    for code, needed in requires.items():
        points[code].prerequisites.set([points[c] for c in needed])
    return counts


def taxonomy_ensure() -> bool:
    """Load the taxonomy if it is missing (after ``flush``, which empties what the data migration loaded)."""
    if TextbookVolume.objects.exists():
        return False
    taxonomy_load()
    return True


@dataclass(frozen=True, slots=True)
class BookCount:
    """How much of one book (册) the shipped files describe."""

    edition: str  # 人教版 小学数学
    book: str  # 一年级上册
    chapters: int
    sections: int
    points: int

    def as_dict(self) -> dict[str, str | int]:
        return asdict(self)


def taxonomy_counts() -> list[BookCount]:
    """Chapters, sections and knowledge points per edition and book, read from the shipped files (no database)."""
    rows: list[BookCount] = []
    for name in TAXONOMY_FILES:
        data = taxonomy_data(name)
        e = data["edition"]
        label = f"{e['name']} {code_name('stage', e['stage'])}{code_name('subject', e['subject'])}"
        owner: dict[str, str] = {}  # a section or chapter reference → the volume code it lies in
        for v in data["volumes"]:
            for c in v["chapters"]:
                for number in (c["no"], *(f"{c['no']}.{n}" for n in range(1, len(c.get("sections", [])) + 1))):
                    owner.setdefault(number, v["code"])
                    owner[f"{v['code']}:{number}"] = v["code"]
        points: dict[str, int] = {}
        for p in data.get("knowledge_points", []):
            volume = owner.get(p["section"], "")
            points[volume] = points.get(volume, 0) + 1
        for v in data["volumes"]:
            rows.append(
                BookCount(
                    edition=label,
                    book=v["name"],
                    chapters=len(v["chapters"]),
                    sections=sum(len(c.get("sections", [])) for c in v["chapters"]),
                    points=points.get(v["code"], 0),
                )
            )
    return rows


def taxonomy_counts_table(*, per_book: bool = False) -> str:
    """The shipped files' counts as a Markdown table: one line per edition, or per book with ``per_book``."""
    return counts_table(taxonomy_counts(), per_book=per_book)


def counts_table(rows: list[BookCount], *, per_book: bool = False) -> str:
    """Counts as a Markdown table: one line per edition, or per book with ``per_book`` (for the docs)."""
    if per_book:
        lines = ["| 教材 | 册 | 章/单元 | 节/课 | 知识点 |", "|---|---|---|---|---|"]
        lines += [f"| {r.edition} | {r.book} | {r.chapters} | {r.sections} | {r.points} |" for r in rows]
        return "\n".join(lines)
    editions: dict[str, list[BookCount]] = {}
    for row in rows:
        editions.setdefault(row.edition, []).append(row)
    lines = ["| 教材 | 册数 | 章/单元 | 节/课 | 知识点 |", "|---|---|---|---|---|"]
    for edition, books in editions.items():
        chapters = sum(b.chapters for b in books)
        sections = sum(b.sections for b in books)
        points = sum(b.points for b in books)
        lines.append(f"| {edition} | {len(books)} | {chapters} | {sections} | {points} |")
    return "\n".join(lines)
