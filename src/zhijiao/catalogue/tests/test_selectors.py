"""Who sees which catalogue entries and scores."""

from __future__ import annotations

import pytest

from zhijiao.catalogue import selectors
from zhijiao.catalogue.models import QualityScore
from zhijiao.catalogue.services import quality_refresh
from zhijiao.core.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(region, school_a):
    quality_refresh()
    return region


def test_seeded_catalogue(scored):
    rows = selectors.dataset_list(actor=scored.accounts["bureau"])
    assert [r.dataset.name for r in rows] == [
        "学校基本信息",
        "班级信息",
        "教职工基本信息",
        "学生基本信息",
        "监护人信息",
        "任课信息",
    ]
    detail = selectors.dataset_detail(actor=scored.accounts["bureau"], code="students")
    items = {row.item.name: row for row in detail.items}
    for name in (
        "姓名", "性别", "出生日期", "民族", "身份证件类型", "身份证件号", "学籍号", "学校标识码", "年级", "班级",
        "入学年月", "就读方式", "户口所在地", "监护人姓名", "监护人关系", "监护人电话",
    ):  # fmt: skip
        assert name in items
    assert items["民族"].item.code_table == "ethnicity" and ("01", "汉族") in [
        (c.code, c.name) for c in items["民族"].codes
    ]
    assert items["监护人关系"].item.code_table == "family_relation"
    assert items["身份证件号"].item.personal and not items["性别"].item.personal


@pytest.mark.parametrize("username", ["teacher", "head", "student", "parent"])
def test_classroom_and_family_roles_have_no_access(scored, username):
    actor = scored.accounts[username]
    for read in (selectors.dataset_list, selectors.quality_overview, selectors.quality_by_school):
        with pytest.raises(Forbidden):
            read(actor=actor)
    with pytest.raises(Forbidden):
        selectors.dataset_detail(actor=actor, code="students")


def test_unknown_dataset_is_not_found(scored):
    with pytest.raises(NotFound):
        selectors.dataset_get(actor=scored.accounts["bureau"], code="nope")


def test_school_admin_sees_only_their_school(scored, school_a):
    principal = scored.accounts["principal"]
    schools = selectors.quality_by_school(actor=principal, dataset="students")
    assert [s.school_id for s in schools] == [school_a.pk]
    overview = selectors.quality_overview(actor=principal)
    students = dict((d.code, q) for d, q in overview.datasets)["students"]
    own = QualityScore.objects.get(dataset__code="students", school=school_a)
    assert students.records == own.records == 4
    assert students.score == pytest.approx(own.score, abs=0.01)


def test_region_admin_sees_their_region_worst_first(scored):
    schools = selectors.quality_by_school(actor=scored.accounts["bureau"])
    names = [s.name for s in schools]
    assert set(names) == {"东西湖区第一小学", "东西湖区第二小学"}
    assert [s.score for s in schools] == sorted(s.score for s in schools)
    assert all(s.datasets == 6 for s in schools)
    overview = selectors.quality_overview(actor=scored.accounts["bureau"])
    students = dict((d.code, q) for d, q in overview.datasets)["students"]
    assert students.records == 5  # A's four and B's one; 江岸区's student is outside


def test_platform_admin_reads_the_whole_platform_row(scored):
    overview = selectors.quality_overview(actor=scored.accounts["admin"])
    students = dict((d.code, q) for d, q in overview.datasets)["students"]
    whole = QualityScore.objects.get(dataset__code="students", school=None)
    assert students.records == 6 and students.score == whole.score


def test_latest_run_wins(scored, region):
    quality_refresh(datasets=["students"])
    rows = selectors.quality_by_school(actor=region.accounts["bureau"], dataset="students")
    assert len(rows) == 2
