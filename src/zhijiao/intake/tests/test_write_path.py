"""Schools, classes and teaching assignments imported through the registry's write services (org/people)."""

from __future__ import annotations

import pytest

from zhijiao.demo.files import generate_rows, write_file
from zhijiao.intake.tests.test_pipeline import assert_sums, run
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import TeachingAssignment

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
