"""The pupil's home page lists a few published resources for their grade, or says what is coming."""

from __future__ import annotations

import pytest

from zhijiao.org.grades import grade_code
from zhijiao.org.selectors import current_school_year
from zhijiao.resources.models import ResourceType, SharingScope
from zhijiao.resources.selectors import resource_for_pupil
from zhijiao.resources.services import ResourceData, UploadedFile, resource_create
from zhijiao.resources.tests.conftest import ORIGIN, publish
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def _published(region, title: str, *, grade: str, stage: str = "2", type: str = ResourceType.MICRO_LESSON, **kw):
    meta = ResourceData(title=title, type=type, stage=stage, subject="02", grade=grade, **kw)
    upload = UploadedFile.from_bytes("lesson.pdf", title.encode() * 10)
    resource = resource_create(actor=region.accounts["teacher"], data=meta, upload=upload, origin=ORIGIN).resource
    a = region.accounts
    return publish(resource, first=a["principal"], second=a["bureau"])


def _pupil_grade(region) -> str:
    grade = region.classes["A1"].grade  # s1's class: primary, entered 2024
    return grade_code(grade.stage, grade.entry_year, current_school_year()) or ""


def test_the_pupil_home_lists_resources_for_their_grade(client, region):
    mine = _pupil_grade(region)
    other = "16" if mine != "16" else "15"
    ours = _published(region, "分数的初步认识 微课", grade=mine)
    stage_wide = _published(region, "小学数学学习方法 学案", grade="", type=ResourceType.LEARNING_PLAN)
    _published(region, "另一个年级的微课", grade=other)
    _published(region, "初中的微课", grade="", stage="3")
    _published(region, "给老师的教案", grade=mine, type=ResourceType.LESSON_PLAN)
    _published(region, "别的学校的微课", grade=mine, sharing=SharingScope.SCHOOL)  # still school A: visible

    shown = resource_for_pupil(actor=region.accounts["student"], stage="2", grade=mine)
    titles = [r.title for r in shown]
    assert titles[-1] == stage_wide.title and ours.title in titles  # the grade's own first
    assert "另一个年级的微课" not in titles and "初中的微课" not in titles and "给老师的教案" not in titles

    login_as(client, "student")
    html = client.get("/").content.decode()
    assert "适合我的学习资源" in html and ours.title in html and f'href="/resources/{ours.pk}/"' in html
    assert f"grade={mine}" in html and "给老师的教案" not in html


def test_without_resources_the_pupil_home_says_what_is_coming(client, region):
    login_as(client, "student")
    html = client.get("/").content.decode()
    assert "学习资源即将上线" in html and "资源中心" in html
    login_as(client, "parent")
    assert "适合我的学习资源" not in client.get("/").content.decode()
