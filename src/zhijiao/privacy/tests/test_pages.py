"""The guardian's pages: consent per app and the child's access log, and who may see them."""

from __future__ import annotations

import pytest

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.identity.services import account_create, role_grant
from zhijiao.org.models import Division
from zhijiao.people.services import guardianship_add, person_create
from zhijiao.privacy.models import GuardianConsent
from zhijiao.privacy.selectors import consent_policy_for, minor_consent_missing
from zhijiao.privacy.services import consent_policy_set
from zhijiao.privacy.tests.conftest import make_app
from zhijiao.registry.selectors.people import student_profile
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy_on(region):
    return consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)


@pytest.fixture
def other_parent(region):
    """The father of s5 (江岸区): a guardian too, of another child."""
    father = person_create(name="刘爸爸", sex="1", ethnicity="汉族")
    guardianship_add(actor=None, guardian=father, student=region.students["s5"], relation="父亲", primary=True)
    account = account_create(username="father", password=PASSWORD, person=father)
    role_grant(account=account, role=Role.PARENT)
    return account


def test_the_consent_page_lists_each_child_and_the_apps_they_may_use(client, region, policy_on, app):
    login_as(client, "parent")
    html = client.get("/privacy/consent/").content.decode()
    assert "学生s1" in html and "学生s4" in html and "学生s5" not in html
    assert "全部平台服务" in html and "须监护人同意" in html
    assert "读取孩子的姓名" in html  # claims in plain Chinese, from the guardian's side
    assert "Homework" in html  # s1 has an account that may use the app; s4 has none, so no apps
    assert "孩子目前没有可使用的接入应用" in html


def test_consent_and_withdraw_through_the_page(client, region, policy_on, app):
    login_as(client, "parent")
    s1, pupil = region.students["s1"], region.accounts["student"]
    assert minor_consent_missing(account=pupil, app=app) is True
    response = client.post(f"/privacy/consent/{s1.pk}/grant/", {"app": app.pk}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    consent = GuardianConsent.objects.get(student=s1, app=app)
    assert consent.granted_ip == "10.9.8.7" and "openid" in consent.scopes
    assert minor_consent_missing(account=pupil, app=app) is False
    html = client.get("/privacy/consent/").content.decode()
    assert "已同意" in html and f"/privacy/consent/withdraw/{consent.pk}/" in html

    assert client.post(f"/privacy/consent/withdraw/{consent.pk}/").status_code == 302
    assert minor_consent_missing(account=pupil, app=app) is True
    assert "已撤回" in client.get("/privacy/consent/").content.decode()
    events = AuditEvent.objects.filter(action__startswith="privacy.consent_").order_by("id")
    assert [e.action for e in events] == ["privacy.consent_grant", "privacy.consent_withdraw"]
    assert events[0].ip == "10.9.8.7" and events[0].actor_username == "parent"


def test_consent_for_all_services(client, region, policy_on, app):
    login_as(client, "parent")
    client.post(f"/privacy/consent/{region.students['s1'].pk}/grant/", {"app": ""})
    assert GuardianConsent.objects.get(student=region.students["s1"]).app is None
    assert minor_consent_missing(account=region.accounts["student"], app=app) is False
    html = client.get("/privacy/consent/").content.decode()
    assert "包含在「全部平台服务」的同意中" in html


def test_another_parent_cannot_consent_withdraw_or_read_for_a_child_not_theirs(
    client, region, policy_on, app, other_parent
):
    s1 = region.students["s1"]
    login_as(client, "parent")
    client.post(f"/privacy/consent/{s1.pk}/grant/", {"app": app.pk})
    consent = GuardianConsent.objects.get(student=s1)

    login_as(client, other_parent)
    assert client.post(f"/privacy/consent/{s1.pk}/grant/", {"app": ""}).status_code == 404
    assert client.post(f"/privacy/consent/withdraw/{consent.pk}/").status_code == 404
    assert client.get("/privacy/access/", {"child": s1.pk}).status_code == 404
    assert "学生s1" not in client.get("/privacy/consent/").content.decode()
    assert GuardianConsent.objects.get(pk=consent.pk).withdrawn_at is None
    assert GuardianConsent.objects.count() == 1


def test_an_app_the_child_may_not_use_cannot_be_consented_to(client, region, policy_on, app):
    hidden = make_app("Hidden")
    hidden.allowed_roles = [Role.TEACHER]
    hidden.save()
    login_as(client, "parent")
    assert client.post(f"/privacy/consent/{region.students['s1'].pk}/grant/", {"app": hidden.pk}).status_code == 404


@pytest.mark.parametrize("username", ["teacher", "principal", "admin", "student"])
def test_only_parents_see_the_guardian_pages(client, region, username):
    login_as(client, username)
    assert client.get("/privacy/consent/").status_code == 403
    assert client.get("/privacy/access/").status_code == 403


def test_the_access_log_shows_who_saw_the_child_and_which_apps_got_data(client, region, other_parent):
    s1, s5 = region.students["s1"], region.students["s5"]
    web = Origin("web", "10.1.1.1")
    student_profile(actor=region.accounts["principal"], student_id=s1.pk, origin=web)  # unmasked: audited
    student_profile(actor=region.accounts["teacher"], student_id=s1.pk, origin=web)  # masked: nothing recorded
    student_profile(actor=region.accounts["admin"], student_id=s5.pk, origin=web)  # another child
    pupil = region.accounts["student"]
    audit_record(
        actor=pupil,
        action="oidc.token.issue",
        origin=Origin("web"),
        target=Target("account", str(pupil.pk), "作业帮手"),
        fields=["profile", "school"],
    )

    audit_record(
        actor=pupil,
        action="oidc.token.issue",
        origin=Origin("web"),
        target=Target("account", str(pupil.pk), "阅读打卡（刷新令牌）"),
        fields=["profile"],
    )

    login_as(client, "parent")
    html = client.get("/privacy/access/", {"child": s1.pk}).content.decode()
    assert "阅读打卡" not in html  # refreshes repeat the sign-in: not listed
    assert "获取了孩子的信息：姓名、学校和班级" in html
    assert "张校长" in html and "学校管理员" in html and "身份证号" in html
    assert "王老师" not in html
    assert "作业帮手" in html and "通过智教账号获取了孩子的信息" in html
    assert "10.1.1.1" not in html  # staff addresses are not shown to parents
    only_views = client.get("/privacy/access/", {"child": s1.pk, "kind": "view"}).content.decode()
    assert "张校长" in only_views and "作业帮手" not in only_views

    login_as(client, other_parent)
    html = client.get("/privacy/access/").content.decode()  # their own child, s5
    assert "学生s5" in html and "张校长" not in html and "作业帮手" not in html


def test_home_page_links_the_guardian_pages(client, region):
    login_as(client, "parent")
    html = client.get("/").content.decode()
    assert "/privacy/consent/" in html and "/privacy/access/" in html
    login_as(client, "teacher")
    assert "/privacy/consent/" not in client.get("/").content.decode()


def test_a_region_admin_sets_the_policy_for_their_divisions_only(client, region):
    login_as(client, "bureau")  # 东西湖区 (420112)
    html = client.get("/privacy/policy/").content.decode()
    assert "东西湖区" in html and "江岸区" not in html and "未设置" in html
    assert client.post("/privacy/policy/420112/", {"require": "1"}).status_code == 302
    assert client.post("/privacy/policy/420102/", {"require": "1"}).status_code == 404  # 江岸区: not theirs
    assert consent_policy_for("420112").require_app_consent is True
    assert consent_policy_for("420102") is None
    assert AuditEvent.objects.filter(action="privacy.policy_set", actor_username="bureau").count() == 1

    login_as(client, "city")  # 武汉市 (4201): sees both districts, 东西湖区 with its own setting
    html = client.get("/privacy/policy/").content.decode()
    assert "江岸区" in html and "本级设置" in html
    client.post("/privacy/policy/4201/", {"require": "1"})
    assert consent_policy_for("420102").division_id == "4201"  # inherited from the city
    assert "沿用武汉市" in client.get("/privacy/policy/").content.decode()


@pytest.mark.parametrize("username", ["teacher", "principal", "parent", "inspector"])
def test_others_cannot_see_or_set_the_policy(client, region, username):
    login_as(client, username)
    assert client.get("/privacy/policy/").status_code == 403
    assert client.post("/privacy/policy/420112/", {"require": "1"}).status_code == 403
    assert consent_policy_for("420112") is None
