"""National code tables as project data: lookups by code and by name.

``code_lookup("ethnicity", "汉族")`` and ``code_lookup("ethnicity", "01")`` both give ``Code("01", "汉族")``.
Tables come from JY/T 1001 and the GB standards (see scripts/build_reference_data.py).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: int  # 1 province, 2 city, 3 county
    parent: str


class UnknownCodeTable(KeyError):
    pass


@cache
def _tables() -> dict[str, dict]:
    text = resources.files("zhijiao.core").joinpath("data/code_tables.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def code_table(table: str) -> tuple[Code, ...]:
    try:
        rows = _tables()[table]["rows"]
    except KeyError as exc:
        raise UnknownCodeTable(table) from exc
    return tuple(Code(row["code"], row["name"]) for row in rows)


@cache
def _index(table: str) -> dict[str, Code]:
    index: dict[str, Code] = {}
    for entry in code_table(table):
        # Names first so a code always wins when a name happens to look like another row's code.
        index.setdefault(entry.name, entry)
        if entry.name.endswith("族") and len(entry.name) > 1:
            index.setdefault(entry.name.removesuffix("族"), entry)
    for entry in code_table(table):
        index[entry.code] = entry
    return index


def code_lookup(table: str, value: str | int | None) -> Code | None:
    """Resolve a code or a name (whitespace-insensitive) to its entry; None if it is not in the table."""
    if value is None:
        return None
    key = str(value).strip().replace(" ", "").replace("\u3000", "")
    if not key:
        return None
    return _index(table).get(key)


def code_name(table: str, code: str | None) -> str:
    """The Chinese name for a code, or the code itself when unknown (never raises in templates)."""
    if not code:
        return ""
    entry = _index(table).get(code)
    return entry.name if entry else code


def code_table_title(table: str) -> str:
    """The table's title with its standard, e.g. ``民族 (GB/T 3304)``."""
    try:
        return str(_tables()[table]["title"])
    except KeyError as exc:
        raise UnknownCodeTable(table) from exc


def code_choices(table: str) -> list[tuple[str, str]]:
    return [(entry.code, entry.name) for entry in code_table(table)]


def code_choices_for_stage(table: str, stage: str) -> list[tuple[str, str]]:
    """The entries offered for a 学段: rows whose ``stages`` (a subject's 适用学校) or ``stage`` (a grade) include it.
    A 学段 no row names (学前, 中职: the course table covers 小学 to 普通高中) and no 学段 give the whole table."""
    rows = _tables()[table]["rows"]
    if stage:
        chosen = [r for r in rows if stage in r.get("stages", ()) or r.get("stage") == stage]
        if chosen:
            return [(r["code"], r["name"]) for r in chosen]
    return code_choices(table)


@cache
def divisions() -> dict[str, Division]:
    """GB/T 2260 provinces, cities and counties keyed by code (2, 4 and 6 digits)."""
    path = resources.files("zhijiao.core").joinpath("data/divisions.csv")
    with path.open(encoding="utf-8") as f:
        return {
            row["code"]: Division(row["code"], row["name"], int(row["level"]), row["parent"])
            for row in csv.DictReader(f)
        }


def division_for_id_region(region: str) -> Division | None:
    """The division an ID region code names: a county, or a city/province written as XXXX00/XX0000."""
    table = divisions()
    if region in table:
        return table[region]
    if region.endswith("0000"):
        return table.get(region[:2])
    if region.endswith("00"):
        return table.get(region[:4])
    return None


def division_path(code: str) -> list[Division]:
    """The chain province → … → the division itself."""
    table = divisions()
    chain: list[Division] = []
    current = table.get(code)
    while current is not None:
        chain.append(current)
        current = table.get(current.parent) if current.parent else None
    return list(reversed(chain))
