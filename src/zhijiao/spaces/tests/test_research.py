"""网络教研 and 继续教育学时: visibility by role, the 集体备课 and 听评课 flows end to end over the pages, hours rules
and certificate verification."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.identity.services import role_grant
from zhijiao.org.models import Division
from zhijiao.resources.models import Resource, ResourceStatus
from zhijiao.spaces.research import hours, selectors, services
from zhijiao.spaces.research.models import ActivityKind, Participation
from zhijiao.testing import login_as

ORIGIN = Origin(channel="cli")
DXH = "420112"


def _when(day: int = 8) -> datetime:
    return datetime(2026, 12, day, 14, 30, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def researcher(region):
    from zhijiao.identity.services import account_create

    account = account_create(username="jiaoyan", password="x-Strong-Pass-2026", display_name="孙教研")
    role_grant(account=account, role=Role.RESEARCHER, division=Division.objects.get(pk=DXH), subject="14")
    region.accounts["researcher"] = account
    return account


@pytest.fixture
def studio(region, researcher):
    """A private 名师工作室 of 东西湖区 led by the 教研员, with the teacher (school A) and teacher_b's colleague."""
    group = services.group_create(
        actor=researcher,
        name="小学数学名师工作室",
        kind="studio",
        division=Division.objects.get(pk=DXH),
        subject="14",
        is_private=True,
        origin=ORIGIN,
    )
    services.member_add(actor=researcher, group=group, account_id=region.accounts["teacher"].pk, origin=ORIGIN)
    return group


def test_researcher_role_sees_schools_not_pupils(region, researcher):
    scope = scope_for(researcher)
    assert scope.researches(DXH) and not scope.researches("420102")
    assert scope.research_subjects() == ["14"]
    from zhijiao.org.models import School
    from zhijiao.people.models import Staff, Student

    assert School.objects.filter(scope.schools_q()).count() == 2  # the two schools of 东西湖区
    assert not Student.objects.filter(scope.students_q()).exists()
    assert not Staff.objects.filter(scope.staff_q()).exists()


def test_researcher_grant_only_on_a_division(region):
    with pytest.raises(ZhijiaoError):
        role_grant(account=region.accounts["teacher"], role=Role.RESEARCHER, school=region.schools["A"])


def test_private_group_visibility(region, studio):
    assert selectors.group_get(actor=region.accounts["teacher"], group_id=studio.pk) == studio  # member
    assert selectors.group_get(actor=region.accounts["bureau"], group_id=studio.pk) == studio  # bureau over it
    with pytest.raises(NotFound):  # a teacher of the district outside the group: private
        selectors.group_get(actor=region.accounts["head"], group_id=studio.pk)
    with pytest.raises(NotFound):  # another district's teacher
        selectors.group_get(actor=region.accounts["nobody"], group_id=studio.pk)
    for who in ("student", "parent", "inspector"):
        with pytest.raises(Forbidden):
            selectors.group_list(actor=region.accounts[who])


def test_open_group_is_read_by_the_area_not_beyond(region, studio):
    studio.is_private = False
    studio.save()
    assert selectors.group_get(actor=region.accounts["head"], group_id=studio.pk)  # same district, not a member
    with pytest.raises(NotFound):
        selectors.group_get(actor=region.accounts["nobody"], group_id=studio.pk)  # 江岸区


def test_private_plan_hidden_from_outsiders_over_http(client, region, studio, researcher):
    plan = services.activity_create(
        actor=researcher, group=studio, kind="plan", title="分数的初步认识", starts_at=_when(), origin=ORIGIN
    )
    services.plan_save(actor=region.accounts["teacher"], activity=plan, body="教学目标：认识几分之一")
    login_as(client, region.accounts["head"])
    assert client.get(f"/space/research/activities/{plan.pk}/").status_code == 404
    assert client.get(f"/space/research/groups/{studio.pk}/").status_code == 404
    login_as(client, region.accounts["parent"])
    assert client.get("/space/research/").status_code == 403
    assert client.get(f"/space/research/activities/{plan.pk}/").status_code == 403
    login_as(client, region.accounts["teacher"])
    page = client.get(f"/space/research/activities/{plan.pk}/")
    assert page.status_code == 200 and "认识几分之一" in page.content.decode()


def test_lesson_plan_end_to_end_over_the_pages(client, region, studio, researcher):
    """Draft → second version → comment → final → submitted resource in the review queue."""
    login_as(client, researcher)
    r = client.post(
        f"/space/research/groups/{studio.pk}/activities/new/",
        {"kind": "plan", "title": "分数的初步认识", "starts_at": "2026-12-08T14:30", "place": "线上"},
    )
    assert r.status_code == 302
    activity_url = r["Location"]
    login_as(client, region.accounts["teacher"])
    client.post(activity_url + "plan/", {"body": "一、教学目标\n认识几分之一", "note": "初稿"})
    client.post(activity_url + "plan/", {"body": "一、教学目标\n认识几分之一\n二、练习\n折一折", "note": "加练习"})
    client.post(activity_url + "comment/", {"body": "练习可以再分层"})
    page = client.get(activity_url).content.decode()
    assert "第 2 版" in page and "加练习" in page and "练习可以再分层" in page and 'class="add"' in page
    activity = selectors.activity_get(actor=researcher, activity_id=int(activity_url.rstrip("/").split("/")[-1]))
    assert activity.versions.count() == 2
    # only the leader finalises
    v2 = activity.versions.get(number=2)
    r = client.post(activity_url + "final/", {"version": v2.pk})
    activity.refresh_from_db()
    assert activity.final_version_id is None and r.status_code == 403
    login_as(client, researcher)
    client.post(activity_url + "final/", {"version": v2.pk})
    client.post(activity_url + "publish/", {"stage": "2"})
    activity.refresh_from_db()
    assert activity.final_version_id == v2.pk
    resource = Resource.objects.get(pk=activity.resource_id)
    # the 教研员's resource belongs to the bureau: it goes straight to 二审
    assert resource.status == ResourceStatus.FIRST_APPROVED and resource.type == "lesson_plan"
    assert resource.current_version.original_name.endswith(".md")
    # comments and versions counted participation
    assert Participation.objects.filter(activity=activity, account=region.accounts["teacher"]).exists()


def test_teacher_led_plan_goes_to_the_school_review(region):
    group = services.group_create(
        actor=region.accounts["principal"],
        name="数学教研组",
        kind="school",
        school=region.schools["A"],
        origin=ORIGIN,
        leader=region.accounts["teacher"],
    )
    plan = services.activity_create(
        actor=region.accounts["teacher"], group=group, kind="plan", title="认识图形", starts_at=_when(), origin=ORIGIN
    )
    version = services.plan_save(actor=region.accounts["teacher"], activity=plan, body="教案正文")
    services.plan_final(actor=region.accounts["teacher"], activity=plan, version_id=version.pk, origin=ORIGIN)
    resource = services.plan_publish(actor=region.accounts["teacher"], activity=plan, stage="2", origin=ORIGIN)
    assert resource.status == ResourceStatus.SUBMITTED and resource.owner_school_id == region.schools["A"].pk
    with pytest.raises(ZhijiaoError):
        services.plan_publish(actor=region.accounts["teacher"], activity=plan, stage="2", origin=ORIGIN)


def test_observation_video_comments_scores_summary(client, region, studio, researcher, settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path
    lesson = services.activity_create(
        actor=researcher,
        group=studio,
        kind="observe",
        title="《角的度量》课堂",
        starts_at=_when(),
        rubric=services.rubric_parse("目标 40\n过程 60"),
        origin=ORIGIN,
    )
    login_as(client, researcher)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="video/mp4")
    client.post(f"/space/research/activities/{lesson.pk}/video/upload/", {"video": bad})
    lesson.refresh_from_db()
    assert lesson.video_file is None
    video = SimpleUploadedFile("lesson.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000, content_type="text/html")
    client.post(f"/space/research/activities/{lesson.pk}/video/upload/", {"video": video})
    lesson.refresh_from_db()
    assert lesson.video_file is not None
    login_as(client, region.accounts["teacher"])
    ranged = client.get(f"/space/research/activities/{lesson.pk}/video/", HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 206 and ranged["Content-Type"] == "video/mp4"
    assert "sandbox" in ranged["Content-Security-Policy"] and ranged["X-Content-Type-Options"] == "nosniff"
    client.post(f"/space/research/activities/{lesson.pk}/comment/", {"body": "导入很自然", "at_second": "75"})
    client.post(f"/space/research/activities/{lesson.pk}/score/", {"c0": "35", "c1": "50"})
    r = client.post(f"/space/research/activities/{lesson.pk}/score/", {"c0": "41", "c1": "50"})  # over the max
    assert r.status_code == 302
    page = client.get(f"/space/research/activities/{lesson.pk}/").content.decode()
    assert 'data-seek="75"' in page and "01:15" in page and "85.0" in page
    login_as(client, region.accounts["head"])  # outside the private group
    assert client.get(f"/space/research/activities/{lesson.pk}/video/").status_code == 404
    services.summary_write(actor=researcher, activity=lesson, summary="整体流畅", origin=ORIGIN)
    lesson.refresh_from_db()
    assert lesson.status == "finished"
    with pytest.raises(ZhijiaoError):
        services.comment_add(actor=region.accounts["teacher"], activity=lesson, body="晚到的意见")


def test_rubric_errors_name_the_line():
    with pytest.raises(ZhijiaoError) as caught:
        services.rubric_parse("目标 20\n过程 abc")
    assert "第 2 行" in caught.value.message


def test_seminar_thread_and_replies(region, studio):
    teacher = region.accounts["teacher"]
    thread = services.activity_create(
        actor=teacher,
        group=studio,
        kind="seminar",
        title="作业怎么减负",
        starts_at=None,
        description="大家谈谈",
        origin=ORIGIN,
    )
    services.comment_add(actor=studio.leader, activity=thread, body="分层布置")
    assert thread.comments.count() == 1
    with pytest.raises(Forbidden):  # not a member
        services.comment_add(actor=region.accounts["head"], activity=thread, body="我也说两句")


def _participate(account, group, kind, n, leader):
    for i in range(n):
        a = services.activity_create(
            actor=leader,
            group=group,
            kind=kind,
            title=f"活动{i}",
            starts_at=_when(1 + i % 20),
            origin=ORIGIN,
            description="讨论" if kind == "seminar" else "",
        )
        services.activity_join(actor=account, activity=a)


def test_hours_rules_and_caps(region, studio, researcher):
    teacher = region.accounts["teacher"]
    _participate(teacher, studio, ActivityKind.SEMINAR, 10, researcher)
    _participate(teacher, studio, ActivityKind.LESSON_PLAN, 2, researcher)
    h = hours.teacher_hours(account_id=teacher.pk, year=2026)
    by_kind = {k.kind: k for k in h.kinds}
    assert by_kind["seminar"].count == 10 and by_kind["seminar"].hours == Decimal(8) and by_kind["seminar"].capped
    assert by_kind["plan"].hours == Decimal(6) and h.total == Decimal(14) and not h.complete
    # the bureau sets its own rules: they apply at once
    with pytest.raises(Forbidden):
        hours.policy_set(actor=teacher, division=Division.objects.get(pk=DXH), required="30", rules={}, origin=ORIGIN)
    with pytest.raises(ZhijiaoError) as caught:
        hours.policy_set(
            actor=region.accounts["bureau"],
            division=Division.objects.get(pk=DXH),
            required="30",
            rules={"seminar": ("2", "abc")},
            origin=ORIGIN,
        )
    assert "主题研讨每年上限" in caught.value.message
    hours.policy_set(
        actor=region.accounts["bureau"],
        division=Division.objects.get(pk=DXH),
        required="12",
        rules={"seminar": ("2", "10"), "plan": ("3", "18"), "observe": ("2", "16")},
        origin=ORIGIN,
    )
    h = hours.teacher_hours(account_id=teacher.pk, year=2026)
    assert h.total == Decimal(16) and h.complete and h.rules.required == Decimal(12)
    assert hours.teacher_hours(account_id=teacher.pk, year=2025).total == 0
    rows = hours.completion(actor=region.accounts["bureau"], division_code=DXH, year=2026)
    school_a = next(r for r in rows if r.school == region.schools["A"])
    assert school_a.complete == 1 and school_a.teachers >= 1
    assert hours.completion(actor=researcher, division_code=DXH, year=2026)  # the 教研员 reads the aggregates
    with pytest.raises(NotFound):
        hours.completion(actor=teacher, division_code=DXH, year=2026)
    with pytest.raises(NotFound):
        hours.school_teachers(actor=researcher, school=region.schools["A"], year=2026)  # no names for 教研员
    names = [
        n for n, _ in hours.school_teachers(actor=region.accounts["principal"], school=region.schools["A"], year=2026)
    ]
    assert "王**" in names and "王老师" not in names


def test_certificate_verify_valid_forged_revoked(client, region, studio, researcher):
    teacher = region.accounts["teacher"]
    with pytest.raises(ZhijiaoError):
        hours.certificate_issue(actor=teacher, year=2026, origin=ORIGIN)  # no hours yet
    _participate(teacher, studio, ActivityKind.OBSERVATION, 2, researcher)
    cert = hours.certificate_issue(actor=teacher, year=2026, origin=ORIGIN)
    assert hours.certificate_issue(actor=teacher, year=2026, origin=ORIGIN) == cert  # same hours, same certificate
    assert cert.hours == Decimal(4) and hours.code_well_formed(cert.code)
    client.logout()
    page = client.get(f"/space/verify/?code={cert.code}").content.decode()
    assert "证明有效" in page and "王**" in page and "王老师" not in page and "<b>4</b> 学时" in page
    forged = cert.code[:-1] + ("A" if cert.code[-1] != "A" else "B")
    assert hours.certificate_verify(forged).status == "unknown"
    assert "查无此证明" in client.get(f"/space/verify/?code={forged}").content.decode()
    assert hours.certificate_verify("2026-AAAAAAAA-AAAA").status == "unknown"
    with pytest.raises(Forbidden):
        hours.certificate_revoke(actor=researcher, code=cert.code, reason="x", origin=ORIGIN)  # not a bureau
    hours.certificate_revoke(actor=region.accounts["bureau"], code=cert.code, reason="重复申报", origin=ORIGIN)
    result = hours.certificate_verify(cert.code)
    assert result.status == "revoked" and result.revoked_reason == "重复申报"
    assert "已作废" in client.get(f"/space/verify/?code={cert.code}").content.decode()


def test_certificate_pdf_is_a_download_for_its_owner(client, region, studio, researcher):
    teacher = region.accounts["teacher"]
    _participate(teacher, studio, ActivityKind.LESSON_PLAN, 1, researcher)
    cert = hours.certificate_issue(actor=teacher, year=2026, origin=ORIGIN)
    login_as(client, teacher)
    r = client.get(f"/space/hours/certificates/{cert.code}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and "attachment" in r["Content-Disposition"]
    # text, not a picture: the title and the name are in the page (UCS-2 code units in the Chinese font, core.pdf),
    # the code in Helvetica (its ASCII bytes)
    for text in ("继续教育学时证明", cert.name):
        assert text.encode("utf-16-be").hex().upper().encode() in r.content
    assert f"/F2 16.32 Tf 0 Tr <{cert.code.encode().hex().upper()}> Tj".encode() in r.content
    login_as(client, region.accounts["head"])
    assert client.get(f"/space/hours/certificates/{cert.code}.pdf").status_code == 404


@pytest.mark.parametrize("who", ["teacher", "principal", "bureau", "researcher"])
def test_pages_render(client, region, studio, researcher, who):
    login_as(client, region.accounts[who])
    for url in ("/space/research/", "/space/hours/"):
        assert client.get(url).status_code == 200, url
    if who in ("principal", "bureau", "researcher"):
        assert client.get("/space/hours/report/").status_code == 200
    else:
        assert client.get("/space/hours/report/").status_code == 404
