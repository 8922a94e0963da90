from __future__ import annotations

import pytest

from zhijiao.access.roles import Role
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.identity.services import role_grant
from zhijiao.registry.selectors import org

pytestmark = pytest.mark.django_db


def school_keys(region, username):
    ids = set(org.school_list(actor=region.accounts[username]).values_list("pk", flat=True))
    return {k for k, s in region.schools.items() if s.pk in ids}


def class_keys(region, username):
    ids = set(org.class_list(actor=region.accounts[username]).values_list("pk", flat=True))
    return {k for k, c in region.classes.items() if c.pk in ids}


@pytest.mark.parametrize(
    ("username", "schools", "classes"),
    [
        ("admin", {"A", "B", "C"}, {"A1", "A2", "B1", "C1"}),
        ("bureau", {"A", "B"}, {"A1", "A2", "B1"}),
        ("principal", {"A"}, {"A1", "A2"}),
        ("head", {"A"}, {"A2"}),
        ("teacher", {"A"}, {"A1"}),
        ("parent", {"A", "B"}, {"A1", "B1"}),
        ("student", {"A"}, {"A1"}),
    ],
)
def test_school_and_class_visibility(region, username, schools, classes):
    assert school_keys(region, username) == schools
    assert class_keys(region, username) == classes


def test_school_outside_scope_is_not_found(region):
    with pytest.raises(NotFound):
        org.school_get(actor=region.accounts["bureau"], school_id=region.schools["C"].pk)


def test_region_view_counts_only_the_visible_subtree(region):
    view = org.region_view(actor=region.accounts["city"], code="4201")
    assert {c.code: c.students for c in view.children} == {"420102": 1, "420112": 4}
    county = org.region_view(actor=region.accounts["bureau"], code="420112")
    assert county.total.students == 4 and {c.kind for c in county.children} == {"school"}
    with pytest.raises(NotFound):
        org.region_view(actor=region.accounts["bureau"], code="420102")


def test_grant_must_sit_on_the_right_kind_of_node(region):
    with pytest.raises(ZhijiaoError) as err:
        role_grant(account=region.accounts["teacher"], role=Role.SCHOOL_ADMIN, school_class=region.classes["A1"])
    assert err.value.code == "IDENTITY_GRANT_NODE"


def test_region_root_skips_single_child_levels(region):
    assert org.region_root(actor=region.accounts["admin"]) == "4201"  # both test districts are in 武汉市
    assert org.region_root(actor=region.accounts["bureau"]) == "420112"
    assert org.region_root(actor=region.accounts["principal"]) == "420112"


def test_an_empty_division_inside_the_grant_is_empty_not_missing(region):
    view = org.region_view(actor=region.accounts["city"], code="420115")  # 江夏区: no schools yet
    assert view.children == [] and view.total.students == 0
