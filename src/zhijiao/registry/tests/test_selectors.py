"""Who sees which students and staff, and what comes back masked — the scope rules in action."""

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound
from zhijiao.core.masking import mask_student_no
from zhijiao.registry.selectors import people as selectors

pytestmark = pytest.mark.django_db


def visible(region, username: str) -> set[str]:
    ids = set(selectors.student_list(actor=region.accounts[username]).values_list("pk", flat=True))
    return {key for key, s in region.students.items() if s.pk in ids}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"s1", "s2", "s3", "s4", "s5"}),
        ("city", {"s1", "s2", "s3", "s4", "s5"}),
        ("bureau", {"s1", "s2", "s3", "s4"}),  # 东西湖区 only, not 江岸区's s5
        ("inspector", {"s1", "s2", "s3", "s4"}),
        ("principal", {"s1", "s2", "s3"}),  # school A
        ("head", {"s3"}),  # head of A2, teaches only A2
        ("teacher", {"s1", "s2"}),  # teaches A1
        ("student", {"s1"}),
        ("parent", {"s1", "s4"}),  # two children in two schools
        ("nobody", set()),  # a teacher with no classes this term
    ],
)
def test_student_visibility_follows_the_grant(region, username, expected):
    assert visible(region, username) == expected


def test_out_of_scope_student_is_not_found_not_forbidden(region):
    with pytest.raises(NotFound):
        selectors.student_get(actor=region.accounts["teacher"], student_id=region.students["s3"].pk)
    with pytest.raises(NotFound):
        selectors.student_get(actor=region.accounts["teacher"], student_id=999_999)


def test_teacher_sees_masked_id_and_no_audit_entry(region):
    profile = selectors.student_profile(
        actor=region.accounts["teacher"], student_id=region.students["s1"].pk, origin=Origin("web", "10.0.0.8")
    )
    assert not profile.fields.ids_unmasked
    number = region.persons["s1"].id_number
    assert profile.fields.id_number == number[:4] + "*" * 10 + number[-4:]
    assert profile.fields.student_no.startswith("G" + number[:4] + "*")
    assert profile.fields.phone == "137****5678"
    assert not AuditEvent.objects.exists()


def test_school_admin_sees_unmasked_id_and_it_is_audited(region):
    actor = region.accounts["principal"]
    profile = selectors.student_profile(
        actor=actor, student_id=region.students["s1"].pk, origin=Origin("web", "10.0.0.9", "pytest")
    )
    assert profile.fields.id_number == region.persons["s1"].id_number
    event = AuditEvent.objects.get()
    assert event.actor == actor
    assert event.action == "person.view_pii"
    assert event.target_type == "student" and event.target_id == str(region.students["s1"].pk)
    assert {"id_number", "phone", "address"} <= set(event.fields)
    assert event.ip == "10.0.0.9"
    # the audit log is itself a list: the 学籍号 in its label is masked like everywhere else
    student_no = region.students["s1"].student_no
    assert student_no not in event.target_label and mask_student_no(student_no) in event.target_label


def test_head_teacher_sees_contacts_but_not_ids_of_own_class(region):
    profile = selectors.student_profile(
        actor=region.accounts["head"], student_id=region.students["s3"].pk, origin=Origin()
    )
    assert not profile.fields.ids_unmasked
    assert profile.fields.contact_unmasked
    assert profile.fields.phone == "13712345678"
    assert AuditEvent.objects.get().fields == ["phone", "address"]


def test_parent_sees_own_children_unmasked(region):
    profile = selectors.student_profile(
        actor=region.accounts["parent"], student_id=region.students["s4"].pk, origin=Origin()
    )
    assert profile.fields.id_number == region.persons["s4"].id_number
    assert [g.person.name for g in profile.guardians] == ["陈妈妈"]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("principal", {"teacher", "head", "principal"}),
        ("bureau", {"teacher", "head", "principal", "teacher_b"}),
        ("teacher", {"teacher", "head", "principal"}),  # colleagues, masked
        ("parent", {"teacher", "teacher_b"}),  # the teachers of the children's classes
        ("student", {"teacher"}),
    ],
)
def test_staff_visibility(region, username, expected):
    ids = set(selectors.staff_list(actor=region.accounts[username]).values_list("pk", flat=True))
    assert {k for k, m in region.staff.items() if m.pk in ids} == expected


def test_teacher_sees_colleague_masked(region):
    profile = selectors.staff_profile(
        actor=region.accounts["teacher"], staff_id=region.staff["head"].pk, origin=Origin()
    )
    assert profile.fields.phone == "139****0000"
    assert not AuditEvent.objects.exists()


def test_profile_shows_history_masked_as_the_fields_are(region):
    from zhijiao.people.services import person_update

    person_update(actor=region.accounts["principal"], person=region.persons["s1"], phone="13800138000")
    teacher_view = selectors.student_profile(
        actor=region.accounts["teacher"], student_id=region.students["s1"].pk, origin=Origin()
    )
    admin_view = selectors.student_profile(
        actor=region.accounts["principal"], student_id=region.students["s1"].pk, origin=Origin()
    )
    assert [(c.field, c.new_value) for c in teacher_view.changes] == [("phone", "138****8000")]
    assert [(c.old_value, c.new_value) for c in admin_view.changes] == [("13712345678", "13800138000")]
