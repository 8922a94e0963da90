"""The registry's bulk write services: rules hold for every row, one change is published on commit."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from zhijiao.core import events
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.events import registry_subscribe
from zhijiao.people.models import ChangeRecord, Enrolment, Person, Student
from zhijiao.people.services import person_update, persons_create, students_enroll
from zhijiao.people.services_bulk import persons_update_many
from zhijiao.testing import make_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch) -> list:
    monkeypatch.setattr(events, "_subscribers", {})
    got: list = []
    registry_subscribe("test", got.append)
    return got


def _child(seq: int) -> dict:
    born = date(2019, 5, 5)
    return {"name": f"孩子{seq}", "ethnicity": "汉族", "id_number": make_id("420112", born, seq, "1")}


def test_many_people_in_one_write_with_facts_from_the_id_number(region):
    made = persons_create([_child(81), _child(82)])
    assert [p.birth_date for p in made] == [date(2019, 5, 5)] * 2
    assert Person.objects.filter(pk__in=[p.pk for p in made], sex="1").count() == 2


def test_a_repeated_id_number_fails_the_whole_call(region):
    before = Person.objects.count()
    with pytest.raises(ZhijiaoError):
        persons_create([_child(83), _child(83)])
    with pytest.raises(ZhijiaoError):
        persons_create([_child(84), {**_child(85), "id_number": region.persons["s1"].id_number}])
    assert Person.objects.count() == before


def test_enrolling_many_publishes_one_change_on_commit(region, heard, django_capture_on_commit_callbacks):
    people = persons_create([_child(86), _child(87)])
    klass = region.classes["B1"]
    rows = [
        {"person": p, "student_no": f"G{p.id_number}", "school_class": klass, "on": date(2025, 9, 1)} for p in people
    ]
    with django_capture_on_commit_callbacks(execute=True):
        made = students_enroll(rows)
        assert heard == []
    assert Enrolment.objects.filter(student__in=made, school_class=klass, ended_on__isnull=True).count() == 2
    assert [s.status for s in made] == ["01", "01"] and all(s.feed_seq > 0 for s in made)
    (change,) = heard
    assert change.kinds == {"students"} and change.schools == {klass.school_id}


def test_an_unknown_status_is_refused(region):
    (person,) = persons_create([_child(88)])
    row = {"person": person, "student_no": f"G{person.id_number}", "school_class": region.classes["B1"]}
    with pytest.raises(ZhijiaoError):
        students_enroll([{**row, "on": date(2025, 9, 1), "status": "42"}])
    assert not Student.objects.filter(person=person).exists()


def test_the_bulk_correction_writes_the_history_person_update_writes(region):
    actor = region.accounts["principal"]
    one, two = region.persons["s1"], region.persons["s2"]
    values = {"phone": "13800138000", "address": "湖北省武汉市江岸区一元路1号"}
    person_update(actor=actor, person=one, source="web", **values)
    frame = pl.DataFrame({"person_id": [two.pk], "origin": ["web"], **{k: [v] for k, v in values.items()}})
    out = persons_update_many(frame, actor=actor, source="web")
    assert out["_person_changed"].to_list() == [True]

    def history(person: Person) -> list[tuple]:
        rows = ChangeRecord.objects.filter(person=person).order_by("field")
        return [(r.entity, r.entity_id - person.pk, r.field, r.new_value, r.actor_id, r.source) for r in rows]

    assert history(one) == history(two) and len(history(one)) == 2
    two.refresh_from_db()
    assert (two.phone, two.address) == (values["phone"], values["address"])
    # nothing changed: no history, no write
    assert not persons_update_many(frame, actor=actor, source="web")["_person_changed"].any()
    assert ChangeRecord.objects.filter(person=two).count() == 2
