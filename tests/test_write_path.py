"""One registry write path (issue 13): production (intake), the demo and the test region write registry rows only
through the org and people services, and reach the same ones (decision 0027-writes-events)."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

import zhijiao
from zhijiao.core import bulk
from zhijiao.demo import builder
from zhijiao.demo.files import generate_rows, write_file
from zhijiao.intake.tests.test_pipeline import assert_sums, row, run, write_csv
from zhijiao.people.models import ChangeRecord, Person
from zhijiao.testing import build_test_region

SRC = Path(zhijiao.__file__).parent
MODELS = r"(Person|Student|Staff|Guardianship|ChangeRecord|Enrolment|TeachingAssignment|School|SchoolClass|Grade)"
# an ORM write of a registry model, or a bulk write of a registry table (the call may span lines)
DIRECT_WRITE = re.compile(
    rf"\b{MODELS}\.objects\.(create|bulk_create|bulk_update|get_or_create|update_or_create)\b"
    rf"|\b{MODELS}\.objects\.filter\([^\n]*\)\.(update|delete)\("
    r"|\bChangeRecord\("
    r'|bulk\.(insert|update|ids_allocate)\(\s*"(people|org)_'
)
REGISTRY_TABLE = re.compile(r'(INSERT INTO|UPDATE|DELETE FROM)\s+"?(people|org)_\w+', re.IGNORECASE)
WRITERS = ("zhijiao.people.", "zhijiao.org.")


def _outside_the_services() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(SRC).parts)
        and path.relative_to(SRC).parts[0] not in {"people", "org"}
    ]


def test_nothing_outside_org_and_people_writes_registry_rows() -> None:
    found = []
    for path in _outside_the_services():
        text = path.read_text(encoding="utf-8")
        for match in DIRECT_WRITE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(SRC)}:{line}: {match.group(0)}")
    assert found == [], "registry rows written outside the org/people services:\n" + "\n".join(found)


def test_the_check_sees_the_sources() -> None:
    names = {str(p.relative_to(SRC)) for p in _outside_the_services()}
    assert {"intake/kinds/students.py", "intake/kinds/staff.py", "demo/builder.py", "testing.py"} <= names
    assert DIRECT_WRITE.search('bulk.insert(\n        "people_person",')
    assert DIRECT_WRITE.search("Staff.objects.bulk_update(touched, [])")


# ------------------------------------------------------------------------------------------ at run time
def _writer() -> str:
    """The first zhijiao module (core's bulk helpers aside) on the stack: who asked for the write."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("zhijiao.") and not module.startswith("zhijiao.core."):
            return module
        frame = frame.f_back
    return "?"


@pytest.fixture
def writes(monkeypatch):
    """(writer module, table) of every registry write: ORM statements and core.bulk's raw inserts/updates."""
    seen: list[tuple[str, str]] = []
    for name in ("insert", "update"):
        real = getattr(bulk, name)

        def spy(table, frame, *args, _real=real, **kwargs):
            if table.startswith(("people_", "org_")):
                seen.append((_writer(), table))
            return _real(table, frame, *args, **kwargs)

        monkeypatch.setattr(bulk, name, spy)

    def statements(execute, sql, params, many, context):
        found = REGISTRY_TABLE.match(sql.lstrip())
        if found:
            seen.append((_writer(), found.group(0)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(statements):
        yield seen


@pytest.mark.slow
@pytest.mark.django_db
def test_intake_the_demo_and_the_test_region_write_through_the_same_services(writes, tmp_path, settings):
    settings.HOME = tmp_path
    build_test_region()  # zhijiao.testing
    test_region = set(writes)
    writes.clear()
    drawn = [Person(name="演示家长", sex="2", ethnicity="01", phone="13900000001", address="", id_number=None)]
    builder._persons_save(drawn)  # how the demo registers every person it draws
    demo = set(writes)
    writes.clear()
    first = run(write_csv(tmp_path / "a.csv", [row("韩一", date(2018, 8, 1), "1", 81)]))
    corrected = row("韩一", date(2018, 8, 1), "1", 81, 户口所在地="湖北省武汉市江岸区", 监护人电话="13722223333")
    again = run(write_csv(tmp_path / "b.csv", [corrected]))
    assert_sums(first)
    assert_sums(again)
    assert (first.created, again.updated) == (1, 1)
    for kind in ("staff", "guardians"):
        path = tmp_path / f"{kind}.csv"
        rows = generate_rows(kind, 20, seed=7, year=2026).rows
        if kind == "staff":  # posts at the test region's school
            rows = [{**r, "学校标识码": "3420112001"} for r in rows]
        else:  # guardians of the pupil imported above
            rows = [{**r, "学生学籍号": corrected["学籍号"], "学生姓名": corrected["姓名"]} for r in rows[:2]]
        write_file(path, kind, rows)
        batch = run(path, kind=kind)
        assert_sums(batch)
        assert batch.created > 0, (kind, batch.rejected)
    intake = set(writes)

    for name, seen in (("testing", test_region), ("demo", demo), ("intake", intake)):
        strays = sorted({w for w, _ in seen if not w.startswith(WRITERS)})
        assert strays == [], f"{name} wrote registry rows outside the org/people services: {strays}"
        # every caller registers people with the same insert
        assert ("zhijiao.people.services_bulk.persons", "people_person") in seen, name
    assert ChangeRecord.objects.filter(batch_id=again.pk, field="hukou_place").exists()  # the update kept its history
