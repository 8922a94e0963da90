from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from zhijiao.access.roles import Role
from zhijiao.core.errors import NotFound
from zhijiao.identity.services import account_create, role_grant
from zhijiao.resources.models import SharingScope
from zhijiao.resources.selectors import (
    ResourceFilters,
    resource_get_for,
    resource_list,
    resource_public_list,
    resource_review_queue,
    resource_visible_qs,
)
from zhijiao.resources.services import resource_submit
from zhijiao.resources.tests.conftest import ORIGIN, make_resource, publish
from zhijiao.testing import PASSWORD


@pytest.fixture
def library(region):
    """One published resource per sharing scope from school A (东西湖区, 武汉市), plus unpublished ones."""
    a = region.accounts
    published = {
        scope: publish(
            make_resource(a["teacher"], title=f"{scope} 资源", sharing=scope), first=a["principal"], second=a["bureau"]
        )
        for scope in SharingScope.values
    }
    draft = make_resource(a["teacher"], title="草稿", sharing=SharingScope.PUBLIC)
    waiting = make_resource(a["teacher"], title="待审", sharing=SharingScope.PUBLIC)
    resource_submit(actor=a["teacher"], resource=waiting, origin=ORIGIN)
    b_teacher = account_create(username="bteacher", password=PASSWORD)
    role_grant(account=b_teacher, role=Role.TEACHER, school=region.schools["B"])
    return {"published": published, "draft": draft, "waiting": waiting, "b_teacher": b_teacher}


def _titles(actor) -> set[str]:
    return set(resource_visible_qs(actor).values_list("title", flat=True))


def test_visibility_by_sharing_scope(region, library):
    a = region.accounts
    everything = {"school 资源", "district 资源", "city 资源", "public 资源"}
    assert _titles(AnonymousUser()) == {"public 资源"}
    assert _titles(None) == {"public 资源"}
    assert _titles(a["student"]) == everything  # a pupil of school A
    assert _titles(library["b_teacher"]) == {"district 资源", "city 资源", "public 资源"}  # same district
    assert _titles(a["nobody"]) == {"city 资源", "public 资源"}  # 江岸区: same city, other district
    assert _titles(a["bureau"]) == everything  # the owner's bureau sees its district's work
    assert _titles(a["admin"]) == everything
    assert _titles(a["teacher"]) == everything | {"草稿", "待审"}  # the author sees own drafts


def test_unpublished_and_out_of_scope_are_404_by_id(region, library):
    a = region.accounts
    school_only = library["published"]["school"]
    for actor in (AnonymousUser(), library["b_teacher"], a["nobody"]):
        with pytest.raises(NotFound):
            resource_get_for(actor=actor, resource_id=school_only.pk)
    for actor in (AnonymousUser(), a["head"], a["nobody"], a["bureau"], a["city"]):
        with pytest.raises(NotFound):
            resource_get_for(actor=actor, resource_id=library["draft"].pk)
    with pytest.raises(NotFound):
        resource_get_for(actor=a["head"], resource_id=library["waiting"].pk)
    with pytest.raises(NotFound):
        resource_get_for(actor=a["teacher"], resource_id=999_999)
    assert resource_get_for(actor=a["teacher"], resource_id=library["draft"].pk) == library["draft"]
    # the reviewer whose step it is may open it, but it is not in anyone's visible set (search)
    assert resource_get_for(actor=a["principal"], resource_id=library["waiting"].pk) == library["waiting"]
    assert "待审" not in _titles(a["principal"])


def test_review_queues_by_scope(region, library):
    a = region.accounts
    assert [r.title for r in resource_review_queue(actor=a["principal"])] == ["待审"]
    assert list(resource_review_queue(actor=a["bureau"])) == []  # waits for 一审 first
    assert list(resource_review_queue(actor=a["nobody"])) == []
    assert list(resource_review_queue(actor=a["teacher"])) == []  # own work never in own queue


def test_lists_filter_and_public_portal(region, library):
    a = region.accounts
    assert {r.title for r in resource_list(actor=a["teacher"], filters=ResourceFilters())} == {
        "school 资源",
        "district 资源",
        "city 资源",
        "public 资源",
    }
    assert list(resource_list(actor=a["teacher"], filters=ResourceFilters(subject="13"))) == []
    assert [r.title for r in resource_public_list(filters=ResourceFilters(stage="3"))] == ["public 资源"]
