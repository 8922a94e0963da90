"""学籍异动: each flow step by step (who may act at which step), the registry and its history on the last approval,
accounts and grants following, and no partial change when the last step fails half-way."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.people.models import ChangeRecord, Enrolment, Student
from zhijiao.services import selectors_status, services_status
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import CaseKind, CaseStatus, CaseStep, StatusCase
from zhijiao.testing import build_matrix_region

ON = date(2026, 10, 8)


@pytest.fixture
def mregion(db):
    r = build_matrix_region()
    accounts_sync(actor=None)  # the pupils' and guardians' accounts and derived grants, as the nightly run makes them
    return r


def _err(call, **kwargs) -> ServicesError:
    with pytest.raises(ZhijiaoError) as caught:
        call(**kwargs)
    return caught.value.error


def _pupil_account(r, key):
    from zhijiao.identity.models import Account

    return Account.objects.get(person_id=r.students[key].person_id)


def test_a_transfer_across_districts_takes_four_approvals_and_moves_the_pupil(mregion):
    r = mregion
    s1 = r.students["s1"]
    pupil = _pupil_account(r, "s1")
    assert RoleGrant.objects.filter(account=pupil, role=Role.STUDENT, school_class=r.classes["A1"]).exists()
    case = services_status.case_submit(
        actor=r.accounts["parent"],
        student=s1,
        kind=CaseKind.TRANSFER,
        reason="随父母工作调动到江岸区",
        to_school=r.schools["C"],
    )
    assert case.cross_district and case.steps == ["school_out", "school_in", "bureau_out", "bureau_in"]
    assert case.number.startswith("YD") and case.applicant_side == "guardian"
    # the wrong people at each step are refused, and nothing moves
    assert _err(services_status.case_approve, actor=r.accounts["principal_c"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_NOT_YOUR_STEP
    )
    assert _err(services_status.case_approve, actor=r.accounts["bureau"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_NOT_YOUR_STEP
    )
    with pytest.raises(NotFound):
        services_status.case_approve(actor=r.accounts["parent_c"], case_id=case.pk)
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk, note="同意转出")
    case.refresh_from_db()
    assert case.step == CaseStep.SCHOOL_IN
    # the receiving school must name one of its own classes
    assert _err(
        services_status.case_approve, actor=r.accounts["principal_c"], case_id=case.pk, to_class=r.classes["A2"]
    ) is (ServicesError.SERVICES_CASE_TO_CLASS)
    services_status.case_approve(actor=r.accounts["principal_c"], case_id=case.pk, to_class=r.classes["C1"])
    # 转出地 bureau (东西湖区), then 转入地 (江岸区); the 江岸 bureau cannot take the first bureau step
    assert _err(services_status.case_approve, actor=r.accounts["bureau_c"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_NOT_YOUR_STEP
    )
    services_status.case_approve(actor=r.accounts["bureau"], case_id=case.pk)
    assert Student.objects.get(pk=s1.pk).school_id == r.schools["A"].pk  # nothing in the registry yet
    services_status.case_approve(actor=r.accounts["bureau_c"], case_id=case.pk, on=ON)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED and case.step == CaseStep.DONE and case.effective_on == ON
    s1 = Student.objects.get(pk=s1.pk)
    assert (s1.school_id, s1.school_class_id, s1.status) == (r.schools["C"].pk, r.classes["C1"].pk, "01")
    enrolments = list(Enrolment.objects.filter(student=s1).order_by("started_on", "id"))
    assert [(e.school_class_id, e.ended_on) for e in enrolments] == [
        (r.classes["A1"].pk, ON),
        (r.classes["C1"].pk, None),
    ]
    assert "转学" in enrolments[0].end_reason
    assert ChangeRecord.objects.filter(entity="student", entity_id=s1.pk, field="school_class").exists()
    # the pupil's derived grant moved to the new class; the guardian's 家长 grant follows the child
    assert set(
        RoleGrant.objects.filter(account=pupil, role=Role.STUDENT, derived=True).values_list(
            "school_class_id", flat=True
        )
    ) == {r.classes["C1"].pk}
    parent_classes = set(
        RoleGrant.objects.filter(account=r.accounts["parent"], role=Role.PARENT, derived=True).values_list(
            "school_class_id", flat=True
        )
    )
    assert r.classes["C1"].pk in parent_classes and r.classes["A1"].pk not in parent_classes
    actions = list(AuditEvent.objects.filter(action__startswith="status_case.").values_list("action", flat=True))
    assert actions.count("status_case.approve") == 4 and "status_case.complete" in actions
    labels = [e.actor_label for e in selectors_status.case_events(case=case)]
    assert "东西湖区第一小学 学校管理员" in labels and "江岸区实验小学 学校管理员" in labels


def test_a_transfer_within_a_district_needs_one_bureau(mregion):
    r = mregion
    case = services_status.case_submit(
        actor=r.accounts["head"],
        student=r.students["s3"],
        kind=CaseKind.TRANSFER,
        reason="搬家",
        to_school=r.schools["B"],
    )
    assert case.applicant_side == "school" and not case.cross_district
    assert case.steps == ["school_out", "school_in", "bureau_out"]
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk)
    # 学校B has no 学校管理员 in the region: the bureau cannot stand in for the receiving school
    assert _err(services_status.case_approve, actor=r.accounts["bureau"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_NOT_YOUR_STEP
    )


def test_withdrawal_ends_the_enrolment_and_closes_the_pupils_account(mregion):
    r = mregion
    s2, pupil = r.students["s2"], _pupil_account(r, "s2")
    assert pupil.is_active
    case = services_status.case_submit(
        actor=r.accounts["principal"], student=s2, kind=CaseKind.WITHDRAW, reason="随家庭出国定居"
    )
    assert case.steps == ["school_out", "bureau_out"]
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk)
    # the same account may not approve two steps (a platform administrator governs every district too)
    services_status.case_approve(actor=r.accounts["bureau"], case_id=case.pk, on=ON)
    s2 = Student.objects.get(pk=s2.pk)
    assert s2.status == "03" and not s2.is_studying
    assert Enrolment.objects.get(student=s2).ended_on == ON
    history = ChangeRecord.objects.filter(person_id=s2.person_id).values_list("field", "old_value", "new_value")
    assert ("status", "01", "03") in set(history)
    pupil.refresh_from_db()
    assert not pupil.is_active and not RoleGrant.objects.filter(account=pupil, role=Role.STUDENT).exists()


def test_suspension_then_resumption_into_another_class(mregion):
    r = mregion
    s3 = r.students["s3"]
    case = services_status.case_submit(
        actor=r.accounts["principal"], student=s3, kind=CaseKind.SUSPEND, reason="病休一年"
    )
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk)
    services_status.case_approve(actor=r.accounts["bureau"], case_id=case.pk, on=ON)
    assert Student.objects.get(pk=s3.pk).status == "02"
    assert not _pupil_account(r, "s3").is_active
    # 休学 only from the roll; 复学 only from 休学
    assert _err(
        services_status.case_submit, actor=r.accounts["principal"], student=s3, kind=CaseKind.SUSPEND, reason="再休"
    ) is (ServicesError.SERVICES_CASE_STATE)
    again = services_status.case_submit(actor=r.accounts["head"], student=s3, kind=CaseKind.RESUME, reason="康复返校")
    services_status.case_approve(actor=r.accounts["principal"], case_id=again.pk, to_class=r.classes["A1"])
    services_status.case_approve(actor=r.accounts["city"], case_id=again.pk, on=date(2027, 3, 1))
    s3 = Student.objects.get(pk=s3.pk)
    assert (s3.status, s3.school_class_id) == ("05", r.classes["A1"].pk) and s3.is_studying
    assert _pupil_account(r, "s3").is_active


def test_rejection_supplements_and_withdrawal(mregion):
    r = mregion
    s4 = r.students["s4"]
    case = services_status.case_submit(actor=r.accounts["parent"], student=s4, kind=CaseKind.SUSPEND, reason="身体原因")
    # only the school B's administrator (none here) or the bureau at its step; the guardian cannot approve
    assert _err(services_status.case_approve, actor=r.accounts["parent"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_NOT_YOUR_STEP
    )
    assert _err(services_status.case_submit, actor=r.accounts["parent"], student=s4, kind="suspend", reason="x") is (
        ServicesError.SERVICES_CASE_OPEN
    )
    services_status.case_withdraw(actor=r.accounts["parent"], case_id=case.pk)
    assert StatusCase.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN
    assert _err(services_status.case_withdraw, actor=r.accounts["parent"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_CLOSED
    )
    s1 = r.students["s1"]
    case = services_status.case_submit(actor=r.accounts["parent"], student=s1, kind=CaseKind.SUSPEND, reason="身体原因")
    assert _err(services_status.case_supplement_request, actor=r.accounts["principal"], case_id=case.pk, note=" ") is (
        ServicesError.SERVICES_CASE_NOTE
    )
    services_status.case_supplement_request(actor=r.accounts["principal"], case_id=case.pk, note="请补充医院诊断证明")
    assert _err(services_status.case_approve, actor=r.accounts["principal"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_NOT_YOUR_STEP
    )
    assert _err(services_status.case_supplement, actor=r.accounts["principal"], case_id=case.pk, note="x") is (
        ServicesError.SERVICES_CASE_NOT_APPLICANT
    )
    services_status.case_supplement(actor=r.accounts["parent"], case_id=case.pk, note="已上传诊断证明（编号2026-118）")
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk)
    services_status.case_reject(actor=r.accounts["bureau"], case_id=case.pk, note="证明不足以休学一年")
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and Student.objects.get(pk=s1.pk).status == "01"
    actions = [e.action for e in selectors_status.case_events(case=case)]
    assert actions == ["submit", "supplement_request", "supplement", "approve", "reject"]


def test_only_the_school_or_a_guardian_may_apply(mregion):
    r = mregion
    for username in ("teacher", "parent_c", "bureau", "principal_c", "student"):
        assert _err(
            services_status.case_submit,
            actor=r.accounts[username],
            student=r.students["s1"],
            kind=CaseKind.WITHDRAW,
            reason="x",
        ) is (ServicesError.SERVICES_CASE_NOT_APPLICANT)
    assert _err(
        services_status.case_submit,
        actor=r.accounts["principal"],
        student=r.students["s1"],
        kind=CaseKind.TRANSFER,
        reason="x",
        to_school=r.schools["A"],
    ) is (ServicesError.SERVICES_CASE_TO_SCHOOL)


def test_a_failure_in_the_last_step_changes_nothing(mregion, monkeypatch):
    r = mregion
    s2, pupil = r.students["s2"], _pupil_account(r, "s2")
    case = services_status.case_submit(actor=r.accounts["principal"], student=s2, kind=CaseKind.DECEASED, reason="病故")
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk)
    before = ChangeRecord.objects.count(), AuditEvent.objects.count()

    def boom(**kwargs):
        raise RuntimeError("accounts store unavailable")

    # the registry is written, then the accounts step fails: everything rolls back
    monkeypatch.setattr(services_status, "accounts_sync_persons", boom)
    with pytest.raises(RuntimeError):
        services_status.case_approve(actor=r.accounts["bureau"], case_id=case.pk)
    s2 = Student.objects.get(pk=s2.pk)
    assert s2.status == "01" and Enrolment.objects.get(student=s2).ended_on is None
    assert (ChangeRecord.objects.count(), AuditEvent.objects.count()) == before
    case.refresh_from_db()
    assert case.status == CaseStatus.PENDING and case.step == CaseStep.BUREAU_OUT
    pupil.refresh_from_db()
    assert pupil.is_active
    monkeypatch.undo()
    services_status.case_approve(actor=r.accounts["bureau"], case_id=case.pk)
    assert Student.objects.get(pk=s2.pk).status == "11"


def test_who_sees_which_case(mregion):
    r = mregion
    case = services_status.case_submit(
        actor=r.accounts["principal"],
        student=r.students["s1"],
        kind=CaseKind.TRANSFER,
        reason="x",
        to_school=r.schools["C"],
    )
    seen = {"admin", "bureau", "city", "principal", "principal_c", "parent", "bureau_c"}
    for username, account in r.accounts.items():
        visible = [c.pk for c in selectors_status.case_list(actor=account)]
        assert (case.pk in visible) == (username in seen), username
    assert [c.pk for c in selectors_status.case_queue(actor=r.accounts["principal"])] == [case.pk]
    assert selectors_status.case_queue(actor=r.accounts["principal_c"]) == []


def test_one_account_approves_one_step_of_a_case(mregion):
    """A platform administrator governs both districts of a cross-district transfer, but may approve only one of
    the two bureau steps: the second needs another person."""
    r = mregion
    case = services_status.case_submit(
        actor=r.accounts["principal"],
        student=r.students["s2"],
        kind=CaseKind.TRANSFER,
        reason="迁居",
        to_school=r.schools["C"],
    )
    services_status.case_approve(actor=r.accounts["principal"], case_id=case.pk)
    services_status.case_approve(actor=r.accounts["principal_c"], case_id=case.pk, to_class=r.classes["C1"])
    services_status.case_approve(actor=r.accounts["admin"], case_id=case.pk)
    assert _err(services_status.case_approve, actor=r.accounts["admin"], case_id=case.pk) is (
        ServicesError.SERVICES_CASE_SAME_APPROVER
    )
    assert StatusCase.objects.get(pk=case.pk).step == CaseStep.BUREAU_IN
    services_status.case_approve(actor=r.accounts["bureau_c"], case_id=case.pk)
    assert Student.objects.get(pk=r.students["s2"].pk).school_id == r.schools["C"].pk
