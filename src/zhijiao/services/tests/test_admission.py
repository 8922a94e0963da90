"""义务教育招生: eligibility by the bureau's rule table (each category, the month boundary), review (school → bureau,
supplement, refusal and appeal), placement (category order, the lottery for the category that does not fit, the
waitlist and the later round), publication, enrolment through the registry (all or nothing) and who sees what."""

from __future__ import annotations

from datetime import UTC, date

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.org.models import Division
from zhijiao.org.services import class_create
from zhijiao.people.models import ChangeRecord, Enrolment, Guardianship, Person, Student
from zhijiao.services import admission, admission_rules
from zhijiao.services import admission_selectors as sel
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import LotteryDraw
from zhijiao.services.models_admission import Application, AppStatus, EligibilityRule
from zhijiao.services.services import draw_run
from zhijiao.services.sms import sms_outbox
from zhijiao.testing import build_matrix_region, make_id

YEAR = 2026


@pytest.fixture
def adm(db):
    r = build_matrix_region()
    dxh = Division.objects.get(pk="420112")
    bureau = r.accounts["bureau"]
    admission.plan_save(actor=bureau, school=r.schools["A"], year=YEAR, stage="primary", seats=2)
    admission.plan_save(actor=bureau, school=r.schools["B"], year=YEAR, stage="primary", seats=1)
    r.catchment = admission.catchment_save(
        actor=bureau,
        division=dxh,
        year=YEAR,
        stage="primary",
        compound="金银湖花园",
        address_range="金银湖路1-99号",
        school_codes=[r.schools["A"].code],
    )
    r.group = admission.catchment_save(
        actor=bureau,
        division=dxh,
        year=YEAR,
        stage="primary",
        compound="吴家山新城",
        address_range="",
        school_codes=[r.schools["A"].code, r.schools["B"].code],
    )
    admission.rule_save(
        actor=bureau, division=dxh, year=YEAR, rank=1, name="一类", need_hukou_in_catchment=True, housing=["property"]
    )
    admission.rule_save(actor=bureau, division=dxh, year=YEAR, rank=2, name="二类", housing=["property", "lease"])
    admission.rule_save(
        actor=bureau, division=dxh, year=YEAR, rank=3, name="三类", need_residence_permit=True, min_social_months=12
    )
    r.class_a = class_create(school=r.schools["A"], stage="2", entry_year=YEAR, number=1)
    return r


def _input(seq: int, *, catchment, hukou=True, housing="property", permit=False, months=0, school=None, private=None):
    return admission.ApplicationInput(
        year=YEAR,
        stage="primary",
        guardian_name="陈妈妈",
        guardian_phone="13800001111",
        relation="母亲",
        child_name=f"新生{seq}",
        child_id_number=make_id("420112", date(2020, 3, 1), seq, "1"),
        hukou_address="湖北省武汉市东西湖区金银湖路8号",
        catchment_id=catchment.pk,
        home_address="金银湖花园3栋",
        hukou_in_catchment=hukou,
        housing=housing,
        residence_permit=permit,
        social_months=months,
        school_id=school.pk if school else None,
        private_school_id=private.pk if private else None,
    )


def _approve(r, app):
    admission.review(actor=r.accounts["principal"], application_id=app.pk, action="approve")
    return admission.review(actor=r.accounts["bureau"], application_id=app.pk, action="approve")


# ------------------------------------------------------------------------------------------------ eligibility
def _rules():
    return [
        EligibilityRule(rank=1, name="一类", need_hukou_in_catchment=True, housing="property"),
        EligibilityRule(rank=2, name="二类", housing="property,lease"),
        EligibilityRule(rank=3, name="三类", need_residence_permit=True, min_social_months=12),
    ]


@pytest.mark.parametrize(
    ("facts", "rank"),
    [
        ({"hukou_in_catchment": True, "housing": "property"}, 1),
        ({"hukou_in_catchment": False, "housing": "property"}, 2),
        ({"hukou_in_catchment": True, "housing": "lease"}, 2),
        ({"housing": "none", "residence_permit": True, "social_months": 12}, 3),
        ({"housing": "none", "residence_permit": True, "social_months": 11}, None),  # one month short
        ({"housing": "none", "residence_permit": False, "social_months": 36}, None),
        ({"in_catchment": False, "hukou_in_catchment": True, "housing": "property"}, None),
    ],
)
def test_each_category_and_the_month_boundary(facts, rank):
    values = {"in_catchment": True, "hukou_in_catchment": False, "housing": "none", "residence_permit": False}
    values["social_months"] = 0
    values.update(facts)
    out = admission_rules.evaluate(_rules(), admission_rules.Facts(**values))
    assert out.rank == rank
    assert out.reasons and all({"category", "text", "met"} <= set(r) for r in out.reasons)
    if rank is None:
        assert any(not r["met"] for r in out.reasons)


def test_a_child_already_on_a_roll_is_no_new_entrant():
    facts = admission_rules.Facts(True, True, "property", False, 0, already_enrolled=True)
    out = admission_rules.evaluate(_rules(), facts)
    assert out.rank is None and "已在校就读" in str(out.reasons[0]["text"])


def test_the_rules_are_data_the_bureau_changes(adm):
    r = adm
    app = admission.application_submit(
        actor=r.accounts["parent"], data=_input(1, catchment=r.catchment, housing="none", permit=True, months=6)
    )
    assert app.category_rank is None
    admission.rule_save(
        actor=r.accounts["bureau"],
        division=Division.objects.get(pk="420112"),
        year=YEAR,
        rank=3,
        name="三类",
        need_residence_permit=True,
        min_social_months=6,
    )
    app = admission.review(actor=r.accounts["principal"], application_id=app.pk, action="approve")
    assert app.category_rank == 3 and app.category_name == "三类"  # re-evaluated at review
    with pytest.raises(Forbidden):
        admission.rule_save(
            actor=r.accounts["principal"], division=Division.objects.get(pk="420112"), year=YEAR, rank=4, name="x"
        )


# ------------------------------------------------------------------------------------------------ application
def test_bad_input_names_every_field_and_writes_nothing(adm):
    r = adm
    data = _input(1, catchment=r.catchment)
    data.child_id_number = "420112202003010000"
    data.guardian_phone = "123"
    data.social_months = "很多"
    with pytest.raises(ZhijiaoError) as caught:
        admission.application_submit(actor=r.accounts["parent"], data=data)
    text = caught.value.message
    assert "儿童身份证号" in text and "联系手机" in text and "社保缴纳月数" in text
    assert not Application.objects.exists()


def test_multi_school_catchment_needs_a_choice_and_one_live_application_per_child(adm):
    r = adm
    with pytest.raises(ZhijiaoError) as caught:
        admission.application_submit(actor=r.accounts["parent"], data=_input(1, catchment=r.group))
    assert "多校划片" in caught.value.message
    app = admission.application_submit(
        actor=r.accounts["parent"],
        data=_input(1, catchment=r.group, school=r.schools["B"]),
        files=[admission.Evidence("hukou", "户口簿.jpg", [b"\xff\xd8 jpeg"])],
    )
    assert app.school == r.schools["B"] and app.number == f"RX{YEAR}{app.pk:06d}" and app.files.count() == 1
    with pytest.raises(ZhijiaoError) as again:
        admission.application_submit(actor=r.accounts["parent"], data=_input(1, catchment=r.catchment))
    assert again.value.error is ServicesError.SERVICES_ADM_DUPLICATE


# ------------------------------------------------------------------------------------------------ review
def test_review_school_then_bureau_with_supplement_refusal_and_appeal(adm):
    r = adm
    app = admission.application_submit(actor=r.accounts["parent"], data=_input(1, catchment=r.catchment))
    assert app.status == AppStatus.SCHOOL and app.category_name == "一类"
    # the bureau may not act at the school's step; another school's admin sees nothing
    with pytest.raises(ZhijiaoError):
        admission.review(actor=r.accounts["bureau"], application_id=app.pk, action="approve")
    with pytest.raises(NotFound):
        admission.review(actor=r.accounts["principal_c"], application_id=app.pk, action="approve")
    app = admission.review(
        actor=r.accounts["principal"], application_id=app.pk, action="supplement", note="请上传房产证"
    )
    assert app.status == AppStatus.SUPPLEMENT
    with pytest.raises(ZhijiaoError):
        admission.supplement(actor=r.accounts["parent"], application_id=app.pk, note="")
    app = admission.supplement(
        actor=r.accounts["parent"],
        application_id=app.pk,
        note="已上传",
        files=[admission.Evidence("property", "房产证.pdf", [b"%PDF-1.4"])],
    )
    assert app.status == AppStatus.SCHOOL
    app = admission.review(actor=r.accounts["principal"], application_id=app.pk, action="approve")
    assert app.status == AppStatus.BUREAU
    with pytest.raises(ZhijiaoError) as no_reason:
        admission.review(actor=r.accounts["bureau"], application_id=app.pk, action="reject")
    assert no_reason.value.error is ServicesError.SERVICES_ADM_NOTE
    app = admission.review(actor=r.accounts["bureau"], application_id=app.pk, action="reject", note="房产证地址不符")
    assert app.status == AppStatus.REJECTED
    app = admission.appeal(actor=r.accounts["parent"], application_id=app.pk, note="地址已更正，附新证明")
    assert app.status == AppStatus.APPEAL
    with pytest.raises(ZhijiaoError):
        admission.appeal(actor=r.accounts["parent"], application_id=app.pk, note="再次申诉")
    app = admission.review(actor=r.accounts["bureau"], application_id=app.pk, action="approve")
    assert app.status == AppStatus.APPROVED
    actions = list(app.events.values_list("action", flat=True))
    assert actions[0] == "提交申请" and "要求补充材料" in actions and "提出申诉" in actions
    assert actions[-1] == "申诉成立，审核通过"
    audited = set(AuditEvent.objects.filter(action__startswith="admission.").values_list("action", flat=True))
    assert {"admission.submit", "admission.approve", "admission.refuse", "admission.appeal"} <= audited
    assert {"admission.supplement_request", "admission.supplement"} <= audited
    assert sms_outbox().filter(address="13800001111").exists()


# ------------------------------------------------------------------------------------------------ placement
def _approved(r, n, **kwargs):
    return [_approve(r, admission.application_submit(actor=r.accounts["parent"], data=_input(i, **kwargs))) for i in n]


def test_placement_by_category_with_a_lottery_waitlist_and_a_later_round(adm):
    r = adm
    first = _approved(r, [1], catchment=r.catchment)  # 一类
    second = _approved(r, [2, 3, 4], catchment=r.catchment, hukou=False)  # 二类: 3 for 1 remaining seat
    third = _approved(r, [5], catchment=r.catchment, hukou=False, housing="none", permit=True, months=24)  # 三类
    result = admission.placement_run(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    assert result.placed == 1 and result.draw is not None and result.draw.seats == 1
    assert Application.objects.get(pk=first[0].pk).status == AppStatus.PLACED
    assert result.draw.applicants_count == 3 and "新生" not in result.draw.applicants_csv  # masked names only
    with pytest.raises(ZhijiaoError) as pending:
        admission.placement_apply_draw(actor=r.accounts["bureau"], draw_id=result.draw.pk)
    assert pending.value.error is ServicesError.SERVICES_ADM_DRAW_PENDING
    draw_run(actor=r.accounts["bureau"], draw_id=result.draw.pk, public_input="2026 07 01 123")
    after = admission.placement_apply_draw(actor=r.accounts["bureau"], draw_id=result.draw.pk)
    assert after.placed == 1 and after.waitlisted == 3
    states = {a.pk: a for a in Application.objects.all()}
    drawn_order = [line.split(",")[1] for line in LotteryDraw.objects.get().result_csv.splitlines()[1:]]
    winner = drawn_order[0]
    assert {a.number for a in states.values() if a.status == AppStatus.PLACED} == {first[0].number, winner}
    waiting = sorted((a for a in states.values() if a.status == AppStatus.WAITLIST), key=lambda a: a.waitlist_rank)
    assert [a.number for a in waiting] == [*drawn_order[1:], third[0].number]  # the drawn order, then 三类
    assert {a.pk for a in second} >= {a.pk for a in waiting[:2]}
    # published: the family sees it and gets a message
    assert not Application.objects.filter(published_at__isnull=False).exists()
    sent = admission.results_publish(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    assert sent == 5 and sms_outbox().filter(text__contains="候补第1位").count() == 1
    # later round: one more seat → the first on the waitlist
    admission.plan_save(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary", seats=3)
    assert admission.waitlist_fill(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary") == 1
    promoted = Application.objects.get(pk=waiting[0].pk)
    assert promoted.status == AppStatus.PLACED and promoted.placed_by == "候补递补"


def test_a_private_school_draws_everyone_and_the_others_go_on_to_the_public_school(adm):
    r = adm
    admission.plan_save(
        actor=r.accounts["bureau"], school=r.schools["B"], year=YEAR, stage="primary", seats=1, is_private=True
    )
    apps = _approved(r, [1, 2, 3], catchment=r.catchment, private=r.schools["B"])
    # the public school waits for the private placement
    public = admission.placement_run(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    assert public.placed == 0 and public.draw is None
    private = admission.placement_run(actor=r.accounts["bureau"], school=r.schools["B"], year=YEAR, stage="primary")
    assert private.draw is not None and private.draw.applicants_count == 3
    draw_run(actor=r.accounts["bureau"], draw_id=private.draw.pk, public_input="12345")
    admission.placement_apply_draw(actor=r.accounts["bureau"], draw_id=private.draw.pk)
    assert Application.objects.filter(status=AppStatus.PLACED, placed_school=r.schools["B"]).count() == 1
    public = admission.placement_run(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    assert public.placed == 2
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {AppStatus.PLACED}


# ------------------------------------------------------------------------------------------------ enrolment
def _placed_and_published(r, n):
    apps = _approved(r, n, catchment=r.catchment)
    admission.placement_run(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    admission.results_publish(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    return apps


def test_enrolment_creates_the_registry_record_through_the_write_path(adm):
    r = adm
    (app,) = _placed_and_published(r, [1])
    (student,) = admission.enrol(actor=r.accounts["principal"], school_class=r.class_a, application_ids=[app.pk])
    assert student.student_no == f"G{app.child_id_number}" and student.school_class == r.class_a
    assert Enrolment.objects.filter(student=student, ended_on__isnull=True, started_on=date(YEAR, 9, 1)).exists()
    assert Guardianship.objects.filter(student=student, guardian=r.persons["parent"]).exists()
    assert student.person.birth_date == date(2020, 3, 1)
    app.refresh_from_db()
    assert app.status == AppStatus.ENROLLED and app.student == student
    assert AuditEvent.objects.filter(action="admission.enrol").count() == 1
    with pytest.raises(ZhijiaoError):  # once only
        admission.enrol(actor=r.accounts["principal"], school_class=r.class_a, application_ids=[app.pk])


def test_no_partial_admission_when_one_child_fails(adm):
    r = adm
    apps = _placed_and_published(r, [1, 2])
    # the second child's 学籍号 is already taken in the registry (a failure half-way through the batch)
    taken = Person.objects.create(name="别人", sex="1", id_number=make_id("420112", date(2017, 1, 1), 9, "1"))
    Student.objects.create(
        person=taken, student_no=f"G{apps[1].child_id_number}", school=r.schools["B"], school_class=r.classes["B1"]
    )
    persons, students, changes = Person.objects.count(), Student.objects.count(), ChangeRecord.objects.count()
    with pytest.raises(ZhijiaoError) as caught:
        admission.enrol(actor=r.accounts["principal"], school_class=r.class_a, application_ids=[a.pk for a in apps])
    assert apps[1].number in caught.value.message
    assert (Person.objects.count(), Student.objects.count(), ChangeRecord.objects.count()) == (
        persons,
        students,
        changes,
    )
    assert set(Application.objects.values_list("status", flat=True)) == {AppStatus.PLACED}
    assert not AuditEvent.objects.filter(action="admission.enrol").exists()


def test_enrolment_is_for_the_placed_school_only(adm):
    r = adm
    (app,) = _placed_and_published(r, [1])
    with pytest.raises(Forbidden):
        admission.enrol(actor=r.accounts["principal_c"], school_class=r.class_a, application_ids=[app.pk])


# ------------------------------------------------------------------------------------------------ access
def test_who_sees_which_application(adm):
    r = adm
    mine = admission.application_submit(actor=r.accounts["parent"], data=_input(1, catchment=r.catchment))
    other = admission.application_submit(
        actor=r.accounts["teacher"], data=_input(2, catchment=r.group, school=r.schools["B"])
    )
    assert [a.pk for a in sel.my_applications(r.accounts["parent"])] == [mine.pk]
    with pytest.raises(NotFound):
        sel.application_get(actor=r.accounts["parent"], application_id=other.pk)
    school_a = {a.pk for a in sel.applications(r.accounts["principal"])}
    assert school_a == {mine.pk}  # school A's applicants only
    assert {a.pk for a in sel.applications(r.accounts["bureau"])} == {mine.pk, other.pk}
    assert not sel.applications(r.accounts["principal_c"]).exists()  # another district's school
    assert not sel.applications(r.accounts["bureau_c"]).exists() if "bureau_c" in r.accounts else True
    assert [a.pk for a in sel.review_queue(r.accounts["principal"])] == [mine.pk]
    assert sel.review_queue(r.accounts["bureau"]) == []


# ------------------------------------------------------------------------------------------------ text codes
def test_sign_in_codes_expire_allow_few_tries_and_are_used_once(db):
    from datetime import datetime, timedelta

    from zhijiao.services import sms

    t0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert sms.code_send("13912345678", now=t0)
    assert not sms.code_send("13912345678", now=t0 + timedelta(seconds=30))  # one a minute
    code = sms_outbox().get(address="13912345678").text.split("验证码是 ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    assert not sms.code_check("13912345678", wrong, now=t0)
    assert not sms.code_check("13912345678", code, now=t0 + timedelta(minutes=6))  # expired
    assert sms.code_check("13912345678", code, now=t0 + timedelta(minutes=4))
    assert not sms.code_check("13912345678", code, now=t0 + timedelta(minutes=4))  # used once
    assert sms.code_send("13912345678", now=t0 + timedelta(minutes=2))
    code = sms_outbox().order_by("-pk").first().text.split("验证码是 ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(sms.CODE_TRIES):
        assert not sms.code_check("13912345678", wrong, now=t0 + timedelta(minutes=3))
    assert not sms.code_check("13912345678", code, now=t0 + timedelta(minutes=3))  # too many tries


def test_a_phone_sign_in_cannot_take_over_an_account_with_that_number(client, adm):
    from zhijiao.identity.models import Account

    Account.objects.filter(username="parent").update(mobile="13800001111")
    page = client.post("/services/admission/phone/", {"phone": "13800001111", "action": "send"})
    assert page.status_code == 400 and "已有平台账号" in page.content.decode()
    assert not sms_outbox().filter(address="13800001111").exists()


def test_the_later_round_offers_another_school_of_the_same_multi_school_catchment(adm):
    r = adm
    apps = _approved(r, [1, 2, 3], catchment=r.group, school=r.schools["A"])  # 一类 all: 3 for 2 seats at A
    run = admission.placement_run(actor=r.accounts["bureau"], school=r.schools["A"], year=YEAR, stage="primary")
    draw_run(actor=r.accounts["bureau"], draw_id=run.draw.pk, public_input="7 7 7")
    admission.placement_apply_draw(actor=r.accounts["bureau"], draw_id=run.draw.pk)
    (waiting,) = Application.objects.filter(status=AppStatus.WAITLIST)
    assert waiting.pk in {a.pk for a in apps}
    # school B (same catchment, a seat free) takes the one waiting at A
    filled = admission.waitlist_fill(actor=r.accounts["bureau"], school=r.schools["B"], year=YEAR, stage="primary")
    waiting.refresh_from_db()
    assert filled == 1 and waiting.status == AppStatus.PLACED and waiting.placed_school == r.schools["B"]
    with pytest.raises(Forbidden):
        admission.waitlist_fill(actor=r.accounts["principal"], school=r.schools["A"], year=YEAR, stage="primary")
