"""A record's change history shows old and new values masked exactly as the profile masks the field, and an
unmasked history view is audited like the unmasked profile (issue 12, security item 2)."""

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.masking import mask_student_no
from zhijiao.people.models import ChangeRecord, Student
from zhijiao.people.services import person_update
from zhijiao.registry.selectors import people as selectors
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def renumber_by_cli_import(student: Student) -> tuple[str, str]:
    """What ``zhijiao import students`` writes when a pupil's 学籍号 goes from G+ID number to an L-form one: no
    acting account (a command-line import), source ``import:<batch>#<row>``."""
    old, new = student.student_no, "L" + student.student_no[1:]
    Student.objects.filter(pk=student.pk).update(student_no=new)
    ChangeRecord.objects.create(
        entity="student",
        entity_id=student.pk,
        person_id=student.person_id,
        field="student_no",
        old_value=old,
        new_value=new,
        actor=None,
        source="import:12#7",
        batch_id=12,
    )
    return old, new


@pytest.mark.parametrize(("username", "key"), [("teacher", "s1"), ("inspector", "s1"), ("head", "s3")])
def test_history_page_shows_no_id_number_to_roles_that_see_it_masked(client, region, username, key):
    student, number = region.students[key], region.persons[key].id_number
    old, new = renumber_by_cli_import(student)
    login_as(client, username)
    response = client.get(f"/students/{student.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert number not in html and old not in html and new not in html
    assert number[6:14] not in html  # not even the birth-date digits in the middle
    assert mask_student_no(old) in html and mask_student_no(new) in html
    # nothing was shown unmasked, so nothing is audited as a reveal of identifiers
    shown = [f for e in AuditEvent.objects.filter(action="person.view_pii") for f in e.fields]
    assert "id_number" not in shown and "history.student_no" not in shown


def test_history_selector_masks_student_no_and_id_number(region):
    student = region.students["s1"]
    old, new = renumber_by_cli_import(student)
    person_update(
        actor=region.accounts["principal"], person=region.persons["s1"], address="湖北省武汉市江岸区某路 9 号"
    )
    profile = selectors.student_profile(actor=region.accounts["teacher"], student_id=student.pk, origin=Origin())
    seen = {c.field: (c.old_value, c.new_value) for c in profile.changes}
    assert seen["student_no"] == (mask_student_no(old), mask_student_no(new))
    assert seen["address"] == ("湖北省武汉市****", "湖北省武汉市****")
    assert all(c.actor_name for c in profile.changes)
    # the records themselves keep their real values: the masked view is a copy
    assert ChangeRecord.objects.get(field="student_no").old_value == old


def test_unmasked_history_view_is_audited_like_the_profile(region):
    student = region.students["s1"]
    old, _new = renumber_by_cli_import(student)
    profile = selectors.student_profile(
        actor=region.accounts["principal"], student_id=student.pk, origin=Origin("web", "10.0.0.9")
    )
    assert {c.field: c.old_value for c in profile.changes}["student_no"] == old
    event = AuditEvent.objects.get(action="person.view_pii")
    assert event.target_type == "student" and event.target_id == str(student.pk)
    assert "history.student_no" in event.fields


def test_head_teacher_sees_contact_history_unmasked_and_it_is_audited(region):
    person_update(actor=region.accounts["principal"], person=region.persons["s3"], phone="13800138000")
    AuditEvent.objects.all().delete()
    profile = selectors.student_profile(
        actor=region.accounts["head"], student_id=region.students["s3"].pk, origin=Origin()
    )
    assert [(c.old_value, c.new_value) for c in profile.changes] == [("13712345678", "13800138000")]
    assert "history.phone" in AuditEvent.objects.get(action="person.view_pii").fields


def test_id_number_change_is_masked_for_the_teacher(region):
    person = region.persons["s1"]
    old = person.id_number
    ChangeRecord.objects.create(
        entity="person",
        entity_id=person.pk,
        person=person,
        field="id_number",
        old_value=old[:-1] + "0",
        new_value=old,
        source="web",
    )
    profile = selectors.student_profile(
        actor=region.accounts["teacher"], student_id=region.students["s1"].pk, origin=Origin()
    )
    assert [c.new_value for c in profile.changes] == [old[:4] + "*" * 10 + old[-4:]]


def test_student_page_with_a_change_without_actor_renders(client, region):
    renumber_by_cli_import(region.students["s1"])
    login_as(client, "principal")
    response = client.get(f"/students/{region.students['s1'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "系统" in html and "变更记录" in html
    assert "数据导入（第 12 批第 7 行）" in html and "import:12" not in html  # no internal source codes
    # the history is on the page, not inside the page's <title>
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "变更记录" not in title


def test_staff_page_history_is_masked_for_colleagues(client, region):
    person_update(actor=region.accounts["principal"], person=region.persons["head"], phone="13900001234")
    AuditEvent.objects.all().delete()
    login_as(client, "teacher")
    html = client.get(f"/staff/{region.staff['head'].pk}/").content.decode()
    assert "13900001234" not in html and "13900000000" not in html
    assert "139****1234" in html
    assert not AuditEvent.objects.filter(action="person.view_pii").exists()
    login_as(client, "principal")
    html = client.get(f"/staff/{region.staff['head'].pk}/").content.decode()
    assert "13900001234" in html
    assert "history.phone" in AuditEvent.objects.get(action="person.view_pii").fields


def test_api_detail_returns_no_history_so_audits_none(client, region):
    renumber_by_cli_import(region.students["s1"])
    login_as(client, "principal")
    assert client.get(f"/api/v1/students/{region.students['s1'].pk}").status_code == 200
    fields = AuditEvent.objects.get(action="person.view_pii", channel="api").fields
    assert "id_number" in fields and not [f for f in fields if f.startswith("history.")]


def test_every_history_field_the_audit_names_reads_in_chinese():
    """The guardian's access log and the auditor's page show these names: no ``history.phone`` to a parent."""
    from zhijiao.audit.actions import field_labels

    names = [f"history.{f}" for f in selectors.MASKED_HISTORY_FIELDS]
    assert all(label != name and "变更记录" in label for name, label in zip(names, field_labels(names), strict=True))
