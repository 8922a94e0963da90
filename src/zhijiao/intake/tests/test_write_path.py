"""Schools, classes and teaching assignments imported through the registry's write services (org/people)."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.demo.files import generate_rows, write_file
from zhijiao.intake.tests.test_pipeline import assert_sums, row, run, write_csv
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import ChangeRecord, Guardianship, Person, Staff, TeachingAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


@pytest.mark.parametrize(
    ("kind", "model"), [("schools", School), ("classes", SchoolClass), ("assignments", TeachingAssignment)]
)
def test_a_kind_imports_through_the_write_services_and_again_changes_nothing(region, tmp_path, kind, model):
    before = model.objects.count()
    path = tmp_path / f"{kind}.csv"
    write_file(path, kind, generate_rows(kind, 30, seed=7, year=2026).rows)
    batch = run(path, kind=kind)
    assert_sums(batch)
    assert batch.created > 0, (batch.rejected, batch.error)
    assert model.objects.count() == before + batch.created
    created = model.objects.filter(origin__startswith=f"import:{batch.pk}#")
    assert created.count() == batch.created  # the lineage the import gives
    if kind != "assignments":  # assignments are not in the change feed
        assert not created.filter(feed_seq=0).exists()
    again = run(path, kind=kind)
    assert_sums(again)
    assert again.created == 0 and again.unchanged == batch.created + batch.updated + batch.unchanged
    assert model.objects.count() == before + batch.created


@pytest.mark.slow  # five imports
@pytest.mark.parametrize(("kind", "model", "entity"), [("staff", Staff, "staff"), ("guardians", Guardianship, "")])
def test_staff_and_guardians_are_corrected_through_the_people_services(region, tmp_path, kind, model, entity):
    rows = generate_rows(kind, 30, seed=7, year=2026).rows
    if kind == "staff":  # the generated file names schools of its own region: post them at the test region's
        rows = [{**r, "学校标识码": "3420112001"} for r in rows]
    else:  # and pupils of its own: give the guardians pupils imported here
        pupils = [row(name, date(2018, 8, 1), "1", 81 + n) for n, name in enumerate(["韩一", "韩二", "韩三"])]
        assert run(write_csv(tmp_path / "pupils.csv", pupils)).created == 3
        rows = [
            {**r, "学生学籍号": pupils[n % 3]["学籍号"], "学生姓名": pupils[n % 3]["姓名"]} for n, r in enumerate(rows)
        ]
    path = tmp_path / f"{kind}.csv"
    write_file(path, kind, rows)
    batch = run(path, kind=kind)
    assert_sums(batch)
    assert batch.created > 0, (batch.rejected, batch.error)
    created = model.objects.filter(origin__startswith=f"import:{batch.pk}#")
    assert created.count() == batch.created and not created.filter(feed_seq=0).exists()
    again = run(path, kind=kind)  # the same file: nothing moves, no history
    assert again.created == again.updated == 0 and again.unchanged == batch.created + batch.updated
    assert not ChangeRecord.objects.filter(batch_id=again.pk).exists()
    # corrected phones: every accepted row updated, one history row per person, the records move in the feed
    top = max(model.objects.values_list("feed_seq", flat=True))
    write_file(path, kind, [{**r, "手机号": f"139{n:08d}"} for n, r in enumerate(rows)])
    fixed = run(path, kind=kind)
    assert_sums(fixed)
    assert fixed.updated == again.unchanged and fixed.created == 0
    history = ChangeRecord.objects.filter(batch_id=fixed.pk, entity="person", field="phone")
    assert history.count() == len(
        {r["身份证件号"] for r in rows if r.get("身份证件号")}
        & set(Person.objects.filter(phone__startswith="139").values_list("id_number", flat=True))
    )
    assert all(h.source.startswith(f"import:{fixed.pk}#") for h in history)
    assert model.objects.filter(feed_seq__gt=top).count() == fixed.updated
    if entity:  # a post listed again is in post again
        post = created.first()
        model.objects.filter(pk=post.pk).update(is_active=False)
        back = run(path, kind=kind)
        assert back.updated == 1 and model.objects.get(pk=post.pk).is_active


def test_siblings_guardian_new_to_the_registry_is_one_person(region, tmp_path):
    pupils = [row(name, date(2018, 8, 1), "1", 91 + n) for n, name in enumerate(["简一", "简二"])]
    assert run(write_csv(tmp_path / "pupils.csv", pupils)).created == 2
    (mother,) = generate_rows("guardians", 1, seed=3, year=2026).rows[:1]
    rows = [{**mother, "学生学籍号": p["学籍号"], "学生姓名": p["姓名"]} for p in pupils]
    path = tmp_path / "guardians.csv"
    write_file(path, "guardians", rows)
    batch = run(path, kind="guardians")
    assert_sums(batch)
    assert batch.created == 2, (batch.rejected, batch.error)
    assert Person.objects.filter(id_number=mother["身份证件号"]).count() == 1
    assert Guardianship.objects.filter(guardian__id_number=mother["身份证件号"]).count() == 2
