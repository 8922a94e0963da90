"""Quality figures on hand-built data whose answers are known exactly."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhijiao.catalogue import quality
from zhijiao.catalogue.models import Dataset, QualityScore
from zhijiao.catalogue.services import quality_refresh
from zhijiao.catalogue.tasks import nightly_quality_refresh
from zhijiao.intake.models import ImportBatch
from zhijiao.people.models import Person

pytestmark = pytest.mark.django_db

STUDENT_FIELDS = 9  # cells per student: see quality.measurements()["students"]


def students_at(school, **kwargs) -> quality.Result:
    results, _ = quality.measure(code="students", cycle_days=30, import_kind="students", **kwargs)
    return next(r for r in results if r.school_id == school.pk)


def test_full_and_valid_data_scores_100(school_a):
    r = students_at(school_a)
    assert r.records == 4 and r.cells == 4 * STUDENT_FIELDS
    assert r.completeness == 100.0
    assert r.validity == 100.0
    assert r.timeliness == 100.0
    assert r.score == pytest.approx(100.0)


def test_one_missing_ethnicity_is_one_cell_in_36(region, school_a):
    Person.objects.filter(pk=region.persons["s2"].pk).update(ethnicity="")
    r = students_at(school_a)
    assert r.filled == 35
    assert r.completeness == pytest.approx(100 * 35 / 36)
    assert r.fields["民族"] == 3
    assert r.validity == 100.0  # a blank optional code is incomplete, not invalid


def test_missing_guardian_costs_two_cells(region, school_a):
    region.students["s3"].guardianships.all().delete()
    r = students_at(school_a)
    assert r.fields["监护人"] == 3 and r.fields["监护人电话"] == 3
    assert r.completeness == pytest.approx(100 * 34 / 36)


def test_id_birth_mismatch_and_sex_parity_make_records_invalid(region, school_a):
    # s1's ID number says 2018-03-02; a birth date a day later no longer agrees.
    Person.objects.filter(pk=region.persons["s1"].pk).update(birth_date=date(2018, 3, 3))
    # s2's ID number has an odd 17th digit (male); recorded as female it disagrees.
    Person.objects.filter(pk=region.persons["s2"].pk).update(sex="2")
    r = students_at(school_a)
    assert r.valid_records == 2
    assert r.validity == 50.0
    assert r.checks["身份证号中的出生日期与出生日期一致"] == 3
    assert r.checks["身份证号第17位与性别一致"] == 3
    assert r.checks["性别代码为1或2"] == 4
    assert r.score == pytest.approx(0.4 * 100 + 0.4 * 50 + 0.2 * 100)


def test_malformed_id_and_unknown_codes_are_invalid(region, school_a):
    Person.objects.filter(pk=region.persons["s1"].pk).update(id_number="42011220180302001")  # 17 characters
    Person.objects.filter(pk=region.persons["s3"].pk).update(ethnicity="99")  # not in GB/T 3304
    r = students_at(school_a)
    assert r.checks["身份证号为17位数字加校验位"] == 3
    assert r.checks["民族在代码表中"] == 3
    assert r.validity == 50.0


def test_other_id_types_skip_the_id_checks(region, school_a):
    Person.objects.filter(pk=region.persons["s1"].pk).update(id_type="6", id_number="H1234567")
    assert students_at(school_a).validity == 100.0


def test_recent_import_batches_count_half_of_validity(school_a):
    now = timezone.now()
    for rows_in, rejected, age in ((10, 2, 1), (10, 0, 2)):
        ImportBatch.objects.create(
            kind="students",
            status="done",
            school=school_a,
            rows_in=rows_in,
            created=rows_in - rejected,
            rejected=rejected,
            finished_at=now - timedelta(days=age),
        )
    ImportBatch.objects.create(kind="students", status="failed", school=school_a, rows_in=10, rejected=10)
    r = students_at(school_a)
    assert (r.batch_rows, r.batch_rejected, r.batches) == (20, 2, 2)
    assert r.validity == pytest.approx(100 * (1.0 + 0.9) / 2)


def test_only_the_last_batches_count(school_a):
    now = timezone.now()
    for age in range(quality.RECENT_BATCHES + 3):
        rejected = 10 if age >= quality.RECENT_BATCHES else 0  # old, bad batches fall out of the window
        ImportBatch.objects.create(
            kind="students",
            status="done",
            school=school_a,
            rows_in=10,
            created=10 - rejected,
            rejected=rejected,
            finished_at=now - timedelta(days=age),
        )
    r = students_at(school_a)
    assert r.batches == quality.RECENT_BATCHES and r.batch_rejected == 0


@pytest.mark.parametrize(("age_days", "expected"), [(0, 100), (30, 100), (45, 75), (60, 50), (90, 0), (400, 0)])
def test_timeliness_falls_linearly_from_one_to_three_cycles(age_days, expected):
    now = timezone.now()
    assert quality.timeliness(now - timedelta(days=age_days), now=now, cycle_days=30) == pytest.approx(expected)
    assert quality.timeliness(None, now=now, cycle_days=30) == 0


def test_timeliness_uses_the_newest_update_or_batch(school_a):
    later = timezone.now() + timedelta(days=60)  # two cycles after the records were written
    assert students_at(school_a, now=later).timeliness == pytest.approx(50, abs=0.1)
    ImportBatch.objects.create(
        kind="students", status="done", school=school_a, rows_in=1, created=1, finished_at=later - timedelta(days=1)
    )
    assert students_at(school_a, now=later).timeliness == 100.0


def test_a_school_without_records_scores_zero(region):
    results, _ = quality.measure(code="guardians", cycle_days=183, import_kind="guardians")
    c = next(r for r in results if r.school_id == region.schools["C"].pk)
    assert c.records == 0 and c.score == 0.0


def test_measuring_is_a_fixed_number_of_queries(school_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        quality.measure(code="students", cycle_days=30, import_kind="students")


def test_refresh_stores_a_row_per_dataset_and_school_plus_region(region, school_a):
    written = quality_refresh()
    datasets = Dataset.objects.count()
    assert datasets == 6
    assert written == datasets * (3 + 1)
    row = QualityScore.objects.get(dataset__code="students", school=school_a)
    assert row.records == 4 and row.completeness == 100.0 and row.validity == 100.0
    assert row.score == pytest.approx(0.4 * row.completeness + 0.4 * row.validity + 0.2 * row.timeliness, abs=0.01)
    whole = QualityScore.objects.get(dataset__code="students", school=None)
    assert whole.records == 6  # A's four, B's one, C's one
    assert whole.detail["fields"]["民族"] == 6


def test_refresh_of_one_dataset_by_import_kind(region):
    assert quality_refresh(datasets=["guardians"]) == 3 + 1
    assert set(QualityScore.objects.values_list("dataset__code", flat=True)) == {"guardians"}


def test_refresh_prunes_old_runs(region):
    long_ago = timezone.now() - timedelta(days=200)
    quality_refresh(datasets=["schools"], now=long_ago)
    quality_refresh(datasets=["schools"])
    assert not QualityScore.objects.filter(computed_at=long_ago).exists()


def test_nightly_task_refreshes_everything(region):
    nightly_quality_refresh.call_local()
    assert QualityScore.objects.filter(school=None).count() == 6


@pytest.mark.django_db(transaction=True)
def test_catalogue_survives_a_flush():
    # `zhijiao demo --reset` flushes every table, seed rows included; post_migrate puts the catalogue back.
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert Dataset.objects.count() == 6
    assert Dataset.objects.get(code="students").items.filter(code_table="ethnicity").exists()
