"""The menu: a long one (administrators) in sections under headings, a short one (teachers) plain."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from zhijiao.web.context import NAV_GROUP_ORDER, NAV_GROUPS, navigation

pytestmark = pytest.mark.django_db


def nav_for(account):
    request = RequestFactory().get("/")
    request.user = account
    request.resolver_match = None
    return navigation(request)["nav"]


def test_a_long_menu_comes_in_contiguous_sections_under_headings(region):
    items = nav_for(region.accounts["bureau"])
    groups = [NAV_GROUPS.get(item["url"], "") for item in items]
    assert groups == sorted(groups, key=NAV_GROUP_ORDER.index)  # each section in one run, in order
    headings = [item["heading"] for item in items if "heading" in item]
    assert headings == [g for g in NAV_GROUP_ORDER if g and g in groups]  # one heading per section present
    assert items[0]["label"] == "首页"


def test_a_short_menu_has_no_headings(region):
    items = nav_for(region.accounts["student"])
    assert items and not any("heading" in item for item in items)
