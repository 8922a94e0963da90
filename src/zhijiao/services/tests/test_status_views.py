"""The 学籍异动 pages: a guardian applies, the schools and bureaus work through their queues, others get 404."""

from __future__ import annotations

import pytest

from zhijiao.people.models import Student
from zhijiao.services.models import CaseStatus, StatusCase
from zhijiao.testing import build_matrix_region, login_as


@pytest.fixture
def mregion(db):
    return build_matrix_region()


def test_a_transfer_through_the_pages(client, mregion):
    r = mregion
    login_as(client, "parent")
    form = client.get("/services/status/new/").content.decode()
    assert "学生s1" in form and "学生s4" in form and "江岸区实验小学" in form
    bad = client.post("/services/status/new/", {"student": r.students["s1"].pk, "kind": "transfer", "reason": "搬家"})
    assert bad.status_code == 400 and "请选择转入学校" in bad.content.decode()
    other = client.post(
        "/services/status/new/", {"student": r.students["s5"].pk, "kind": "withdraw", "reason": "x"}
    )  # not their child
    assert other.status_code == 403 and not StatusCase.objects.exists()
    done = client.post(
        "/services/status/new/",
        {
            "student": r.students["s1"].pk,
            "kind": "transfer",
            "reason": "随父母迁居江岸区",
            "to_school": r.schools["C"].pk,
        },
    )
    case = StatusCase.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/services/status/{case.pk}/"
    page = client.get(done["Location"]).content.decode()
    assert "转出学校审核" in page and "转入地教育局审核" in page and "审核通过" not in page  # nothing to decide
    login_as(client, "principal")
    assert case.number in client.get("/services/status/").content.decode()
    assert client.post(f"/services/status/{case.pk}/act/", {"action": "approve"}).status_code == 302
    login_as(client, "principal_c")
    page = client.get(f"/services/status/{case.pk}/").content.decode()
    assert "转入班级" in page and r.classes["C1"].name in page
    refused = client.post(f"/services/status/{case.pk}/act/", {"action": "approve"})
    assert refused.status_code == 400 and "请选择转入学校的一个班级" in refused.content.decode()
    client.post(f"/services/status/{case.pk}/act/", {"action": "approve", "to_class": r.classes["C1"].pk})
    for username in ("bureau", "bureau_c"):
        login_as(client, username)
        assert client.post(f"/services/status/{case.pk}/act/", {"action": "approve"}).status_code == 302
    assert StatusCase.objects.get().status == CaseStatus.APPROVED
    assert Student.objects.get(pk=r.students["s1"].pk).school_class_id == r.classes["C1"].pk
    login_as(client, "parent")
    page = client.get(f"/services/status/{case.pk}/").content.decode()
    assert "学籍已变更" in page and "已办结" in page


@pytest.mark.parametrize("username", ["teacher", "student", "parent_c", "inspector", "sysadmin", "teacher_c"])
def test_others_neither_see_nor_act(client, mregion, username):
    r = mregion
    login_as(client, "principal")
    client.post(
        "/services/status/new/",
        {
            "student": r.students["s1"].pk,
            "student_no": r.students["s1"].student_no,
            "kind": "withdraw",
            "reason": "出国",
        },
    )
    case = StatusCase.objects.get()
    login_as(client, username)
    assert client.get(f"/services/status/{case.pk}/").status_code == 404
    assert client.post(f"/services/status/{case.pk}/act/", {"action": "approve"}).status_code == 404
    assert case.number not in client.get("/services/status/").content.decode()
    assert StatusCase.objects.get().step == "school_out"
