"""Class sizes on the class pages: the real size for every viewer, the rated size beside it, and classes over
either line flagged in words as well as colour (issue 12)."""

from __future__ import annotations

import re

import pytest

from zhijiao.org.models import SchoolClass
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def size_cell(html: str) -> str:
    """The text of the class page's 实际 / 额定 entry."""
    cell = html.split("<dt>实际 / 额定</dt>", 1)[1].split("</dd>", 1)[0]
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_parent_sees_the_class_size_not_their_child_count(client, region):
    login_as(client, "parent")
    html = client.get(f"/classes/{region.classes['A1'].pk}/").content.decode()
    assert size_cell(html).startswith("2 / 45")  # s1 and s2; the parent may open only s1
    assert "1 / 45" not in html
    assert "您可查看的 1 人" in html  # the roster says it is theirs, not the class
    assert "学生s2" not in html  # and still shows only their own child


def test_teacher_roster_and_size_agree(client, region):
    login_as(client, "teacher")
    html = client.get(f"/classes/{region.classes['A1'].pk}/").content.decode()
    assert size_cell(html).startswith("2 / 45")
    assert "学生名册（2 人）" in html


def test_class_list_reads_actual_then_rated_and_flags_over_capacity(client, region):
    SchoolClass.objects.filter(pk=region.classes["A1"].pk).update(capacity=1)
    login_as(client, "principal")
    html = client.get("/classes/").content.decode()
    assert "实际 / 额定" in html and "额定 / 实际" not in html
    row = next(r for r in html.split("<tr")[1:] if f"/classes/{region.classes['A1'].pk}/" in r)
    assert "2 / 1" in row and "超额 1 人" in row and "row-alert" in row
    other = next(r for r in html.split("<tr")[1:] if f"/classes/{region.classes['A2'].pk}/" in r)
    assert "超额" not in other and "row-alert" not in other
    only = client.get("/classes/", {"over": "1"}).content.decode()
    assert f"/classes/{region.classes['A1'].pk}/" in only and f"/classes/{region.classes['A2'].pk}/" not in only
    page = client.get(f"/classes/{region.classes['A1'].pk}/").content.decode()
    assert "超额 1 人" in size_cell(page)


def test_pages_state_the_large_class_rule_from_one_place(client, region):
    login_as(client, "principal")
    html = client.get("/classes/").content.decode()
    assert "56人及以上" in html and "超过55人" not in html
    school = client.get(f"/schools/{region.schools['A'].pk}/").content.decode()
    assert "56人及以上" in school and "超过55人" not in school
