"""The textbook taxonomy shipped as data: editions, volumes (册), chapters and sections, knowledge points.

Each ``data/*.json`` file is one edition of one subject, authored from the textbook's table of contents.
:func:`taxonomy_load` upserts it by code, so running it again after the file grows adds what is new and
keeps the ids resources point at. The data migration runs it with the historical models.
"""

from __future__ import annotations

import json
from importlib import resources as package_files
from typing import Any

TAXONOMY_FILES = ("pep_math_7_9.json",)


def taxonomy_data(name: str) -> dict[str, Any]:
    text = package_files.files("zhijiao.resources").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return json.loads(text)


def taxonomy_load(apps: Any = None) -> dict[str, int]:
    """Load every shipped taxonomy file; returns counts. ``apps`` is a migration's app registry (or None)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Edition = apps.get_model("resources", "TextbookEdition")
    Volume = apps.get_model("resources", "TextbookVolume")
    Chapter = apps.get_model("resources", "Chapter")
    Point = apps.get_model("resources", "KnowledgePoint")
    counts = {"volumes": 0, "chapters": 0, "points": 0}
    for name in TAXONOMY_FILES:
        data = taxonomy_data(name)
        e = data["edition"]
        edition, _ = Edition.objects.update_or_create(
            code=e["code"],
            subject=e["subject"],
            stage=e["stage"],
            defaults={"name": e["name"], "publisher": e.get("publisher", "")},
        )
        sections: dict[str, Any] = {}
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
                counts["chapters"] += 1
                for s_no, s_name in enumerate(c["sections"], start=1):
                    order += 1
                    number = f"{c['no']}.{s_no}"
                    section, _ = Chapter.objects.update_or_create(
                        volume=volume, number=number, defaults={"name": s_name, "parent": chapter, "order": order}
                    )
                    sections[number] = section
                    counts["chapters"] += 1
        points = {}
        for p in data["knowledge_points"]:
            point, _ = Point.objects.update_or_create(
                code=p["code"],
                defaults={
                    "name": p["name"],
                    "aliases": p["aliases"],
                    "subject": e["subject"],
                    "stage": e["stage"],
                    "chapter": sections.get(p["section"]),
                },
            )
            points[p["code"]] = point
            counts["points"] += 1
        for p in data["knowledge_points"]:
            points[p["code"]].prerequisites.set([points[code] for code in p["requires"]])
    return counts


def taxonomy_ensure() -> bool:
    """Load the taxonomy if it is missing (after ``flush``, which empties what the data migration loaded)."""
    from zhijiao.resources.models import TextbookVolume

    if TextbookVolume.objects.exists():
        return False
    taxonomy_load()
    return True
