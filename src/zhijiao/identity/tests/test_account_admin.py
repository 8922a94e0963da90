"""账号管理: who sees which accounts, granting and revoking roles, password resets, 停用/启用 — all audited."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.identity.models import Account
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.identity.services import account_create, role_grant
from zhijiao.org.models import Division
from zhijiao.org.selectors import class_display_name
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db

URL = "/accounts/admin/"


@pytest.fixture
def trio(region) -> dict[str, Account]:
    """A platform-wide 系统管理员, a 东西湖区 安全管理员 and a platform-wide 审计管理员."""
    dxh = Division.objects.get(pk="420112")
    made = {}
    for username, role, division in (
        ("sys", Role.SYSTEM_ADMIN, None),
        ("sec", Role.SECURITY_ADMIN, dxh),
        ("aud", Role.AUDIT_ADMIN, None),
    ):
        made[username] = account_create(username=username, password=PASSWORD)
        role_grant(account=made[username], role=role, division=division)
    return made


def signed_in(account: str) -> Client:
    client = Client()
    login_as(client, account)
    return client


def listed(client: Client, **params) -> set[str]:
    response = client.get(URL, {"page": 1, **params})
    assert response.status_code == 200
    return set(re.findall(r'href="/accounts/admin/([^/"]+)/"', response.content.decode()))


def events(action: str, target: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=target).order_by("id"))


# ------------------------------------------------------------------ who may see


def test_system_and_platform_admins_see_every_account(region, trio):
    everyone = set(Account.objects.values_list("username", flat=True))
    for who in ("sys", "admin"):
        seen = set()
        client = signed_in(who)
        for page in (1, 2, 3):
            response = client.get(URL, {"page": page})
            seen |= set(re.findall(r'href="/accounts/admin/([^/"]+)/"', response.content.decode()))
        assert seen == everyone
    nav = signed_in("sys").get("/").content.decode()
    assert 'href="/accounts/admin/"' in nav and "账号管理" in nav


def test_a_bureau_sees_the_accounts_granted_inside_its_division(region, trio):
    seen = listed(signed_in("bureau"))
    assert {"teacher", "head", "principal", "student", "inspector", "sec"} <= seen
    # 江岸区 (nobody), the city bureau above it, platform-wide accounts: outside its reach
    assert not seen & {"nobody", "city", "admin", "sys", "aud"}
    assert signed_in("bureau").get(f"{URL}nobody/").status_code == 404
    assert signed_in("bureau").get(f"{URL}admin/").status_code == 404
    assert signed_in("bureau").get(f"{URL}no-such-account/").status_code == 404


# (a 学校管理员 opens 账号管理 for their school's 心理教师 only: test_school_grants.py)
@pytest.mark.parametrize("who", ["aud", "sec", "teacher", "inspector"])
def test_audit_and_security_admins_and_others_may_not(region, trio, who):
    client = signed_in(who)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}teacher/").status_code == 403
    assert client.post(f"{URL}teacher/disable/").status_code == 403
    assert Account.objects.get(username="teacher").is_active
    assert 'href="/accounts/admin/"' not in client.get("/", follow=True).content.decode()


def test_anonymous_visitors_are_sent_to_login(client, region):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_search_by_name_mobile_and_student_no_filter_by_role_and_status(region):
    accounts_sync(actor=None)
    Account.objects.filter(username="head").update(mobile="13900000000")
    client = signed_in("bureau")
    assert listed(client, q="王老师") == {"teacher"}
    assert listed(client, q="13900000000") == {"head"}
    page = client.get(URL, {"q": "13900000000"}).content.decode()
    assert "139****0000" in page and "13900000000" not in page.replace('value="13900000000"', "")
    assert listed(client, q=region.students["s1"].student_no) == {"student"}
    assert listed(client, role=Role.SCHOOL_ADMIN) == {"principal"}
    pending = listed(client, status="pending")  # provisioned, not yet activated
    assert pending and all(name.startswith(("xs", "js", "jz")) for name in pending)
    assert "teacher" in listed(client, status="active") and "teacher" not in pending
    Account.objects.filter(username="teacher").update(is_active=False)
    assert listed(client, status="disabled") == {"teacher"}


# ------------------------------------------------------------------ grants


def test_a_platform_admin_grants_and_revokes_a_role_audited(region, trio):
    # issue 12: a 系统管理员 no longer grants roles that read personal data (test_separation_of_duties.py)
    client = signed_in("admin")
    response = client.post(f"{URL}teacher/grants/", {"role": Role.REGION_ADMIN, "node": "division:420112"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(account__username="teacher", role=Role.REGION_ADMIN)
    assert grant.division_id == "420112" and not grant.derived
    (event,) = events("grant.add", "teacher")
    assert event.actor_username == "admin" and "区域管理员" in event.target_label and event.channel == "web"

    page = client.get(f"{URL}teacher/").content.decode()
    assert "区域管理员" in page and "手工" in page and "授予角色" in page  # the event shows on the detail page

    response = client.post(f"{URL}teacher/grants/{grant.pk}/remove/")
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert len(events("grant.remove", "teacher")) == 1


def test_a_node_must_fit_the_role(region, trio):
    client = signed_in("admin")  # issue 12: was the 系统管理员, who may no longer grant 班主任
    response = client.post(
        f"{URL}teacher/grants/", {"role": Role.HEAD_TEACHER, "node": f"school:{region.schools['A'].pk}"}, follow=True
    )
    assert "该角色必须授予在对应的节点上" in response.content.decode()
    assert not RoleGrant.objects.filter(account__username="teacher", role=Role.HEAD_TEACHER).exists()
    assert len(events("grant.add_denied", "teacher")) == 1


def test_a_bureau_grants_only_inside_its_division_and_no_platform_or_separated_roles(region, trio):
    client = signed_in("bureau")
    ok = client.post(f"{URL}teacher/grants/", {"role": Role.SCHOOL_ADMIN, "node": f"school:{region.schools['B'].pk}"})
    assert ok.status_code == 302
    assert RoleGrant.objects.filter(account__username="teacher", role=Role.SCHOOL_ADMIN).exists()
    refused = {
        (Role.TEACHER, f"school:{region.schools['C'].pk}"): "只能在您管理的区域内授权",  # 江岸区
        (Role.REGION_ADMIN, "division:4201"): "只能在您管理的区域内授权",  # the city above
        (Role.SYSTEM_ADMIN, "division:420112"): "系统管理员、安全管理员、审计管理员只能由系统管理员",
        (Role.PLATFORM_ADMIN, "none"): "平台管理员角色只能由平台级管理员授予",
        (Role.PARENT, "none"): "全平台授权",
    }
    for (role, node), message in refused.items():
        response = client.post(f"{URL}teacher/grants/", {"role": role, "node": node}, follow=True)
        assert message in response.content.decode(), (role, node)
        assert (
            not RoleGrant.objects.filter(account__username="teacher", role=role)
            .exclude(school=region.schools["A"])
            .exists()
        )
    assert len(events("grant.add_denied", "teacher")) == len(refused)
    assert all(e.actor_username == "bureau" for e in events("grant.add_denied", "teacher"))
    # the node picker offers only what lies inside 东西湖区, and no 三员 or platform roles
    page = client.get(f"{URL}teacher/").content.decode()
    assert region.schools["B"].name in page and region.schools["C"].name not in page
    assert 'value="none"' not in page and f'value="{Role.SYSTEM_ADMIN.value}"' not in page


def test_separation_of_duties_holds_through_the_page(region, trio):
    client = signed_in("sys")
    response = client.post(f"{URL}sec/grants/", {"role": Role.AUDIT_ADMIN, "node": "none"}, follow=True)
    assert "三员分立" in response.content.decode()
    assert set(RoleGrant.objects.filter(account__username="sec").values_list("role", flat=True)) == {
        Role.SECURITY_ADMIN
    }
    assert len(events("grant.add_denied", "sec")) == 1
    # the same role at another division is no conflict
    client.post(f"{URL}sec/grants/", {"role": Role.SECURITY_ADMIN, "node": "division:420102"})
    assert RoleGrant.objects.filter(account__username="sec", division_id="420102").exists()


def test_derived_grants_cannot_be_revoked(region, trio):
    accounts_sync(actor=None)
    pupil = Account.objects.get(person=region.persons["s2"])
    derived = RoleGrant.objects.get(account=pupil, derived=True)
    client = signed_in("sys")
    page = client.get(f"{URL}{pupil.username}/").content.decode()
    assert "由登记信息生成" in page and "登记派生" in page
    assert f"/grants/{derived.pk}/remove/" not in page
    response = client.post(f"{URL}{pupil.username}/grants/{derived.pk}/remove/", follow=True)
    assert "不能手工撤销" in response.content.decode()
    assert RoleGrant.objects.filter(pk=derived.pk).exists()
    assert len(events("grant.remove_denied", pupil.username)) == 1


def test_a_bureau_may_not_touch_a_platform_admin_account(region):
    role_grant(account=region.accounts["admin"], role=Role.TEACHER, school=region.schools["A"])
    client = signed_in("bureau")
    page = client.get(f"{URL}admin/").content.decode()  # inside its division now, so visible …
    assert "超出您的管理权限" in page
    response = client.post(f"{URL}admin/disable/", follow=True)  # … but not to be changed
    assert "超出您的管理权限" in response.content.decode()
    assert Account.objects.get(username="admin").is_active
    assert len(events("account.disable_denied", "admin")) == 1


# ------------------------------------------------------------------ password reset, 停用/启用


def test_a_password_reset_shows_a_temporary_password_once_ends_sessions_and_forces_a_change(region):
    teacher = Client()
    assert teacher.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code == 302
    assert teacher.get("/students/").status_code == 200

    response = signed_in("bureau").post(f"{URL}teacher/password-reset/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    page = response.content.decode()
    temporary = re.search(r"<code>([^<]+)</code>", page).group(1)
    assert "只显示这一次" in page and len(temporary) == 14

    account = Account.objects.get(username="teacher")
    assert account.check_password(temporary) and account.must_change_password
    assert not any(str(s.get_decoded().get("_auth_user_id")) == str(account.pk) for s in Session.objects.all())
    response = teacher.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # the old password is gone; the temporary one signs in, straight to 修改密码
    assert teacher.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code != 302
    assert teacher.post("/accounts/login/", {"username": "teacher", "password": temporary}).status_code == 302
    assert teacher.get("/", follow=True).redirect_chain[-1][0] == "/accounts/password/"
    (event,) = events("account.password_reset", "teacher")
    assert event.actor_username == "bureau"
    assert temporary not in event.target_label
    # not shown again
    assert temporary not in signed_in("bureau").get(f"{URL}teacher/").content.decode()


def test_nobody_resets_or_disables_their_own_account_here(region):
    client = signed_in("bureau")
    response = client.post(f"{URL}bureau/disable/", follow=True)
    assert "不能对自己的账号执行此操作" in response.content.decode()
    assert Account.objects.get(username="bureau").is_active


def test_disabling_ends_sessions_and_blocks_login_enabling_restores_it(region):
    teacher = Client()
    assert teacher.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code == 302
    client = signed_in("bureau")

    response = client.post(f"{URL}teacher/disable/", follow=True)
    assert "已停用账号 teacher" in response.content.decode()
    assert not Account.objects.get(username="teacher").is_active
    response = teacher.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert teacher.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code != 302
    assert events("account.disable", "teacher")[0].actor_username == "bureau"

    client.post(f"{URL}teacher/enable/")
    assert Account.objects.get(username="teacher").is_active
    assert teacher.post("/accounts/login/", {"username": "teacher", "password": PASSWORD}).status_code == 302
    assert len(events("account.enable", "teacher")) == 1


def test_an_account_closed_because_its_person_left_is_not_enabled_by_hand(region):
    Account.objects.filter(username="student").update(is_active=False, left_registry_at=timezone.now())
    client = signed_in("bureau")
    assert "离校或离岗由系统自动停用" in client.get(f"{URL}student/").content.decode()
    response = client.post(f"{URL}student/enable/", follow=True)
    assert "请在学籍或人事登记中恢复" in response.content.decode()
    assert not Account.objects.get(username="student").is_active
    assert len(events("account.enable_denied", "student")) == 1


def test_actions_on_accounts_out_of_reach_are_not_found(region):
    client = signed_in("bureau")
    for path in ("disable/", "enable/", "password-reset/", "grants/"):
        assert client.post(f"{URL}nobody/{path}", {"role": Role.TEACHER, "node": "none"}).status_code == 404
    assert Account.objects.get(username="nobody").is_active
    assert not AuditEvent.objects.filter(target_id="nobody").exists()


def test_actions_need_post(region):
    client = signed_in("bureau")
    assert client.get(f"{URL}teacher/disable/").status_code == 405
    assert Account.objects.get(username="teacher").is_active


def test_a_locked_account_points_to_the_security_page(region, trio):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "teacher", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    assert listed(signed_in("bureau"), status="locked") == {"teacher"}
    assert "请联系安全管理员" in signed_in("sys").get(f"{URL}teacher/").content.decode()
    assert 'href="/security/"' in signed_in("admin").get(f"{URL}teacher/").content.decode()


def test_the_list_costs_the_same_few_queries_for_any_number_of_accounts(region, django_assert_max_num_queries):
    accounts_sync(actor=None)  # more accounts, with derived grants
    client = signed_in("bureau")
    client.get(URL)  # warm the session and the request-lifetime caches
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"role": Role.TEACHER})
    assert response.status_code == 200


def test_account_pages_name_classes_as_everywhere_else(region, trio):
    # one naming function: the grade this school year (三年级（2）班), never the cohort (2024级（2）班)
    head_class = region.classes["A2"]
    assert head_class.name == "2024级（2）班"
    shown = class_display_name(head_class)
    assert shown != head_class.name and shown.endswith("（2）班")
    html = signed_in("sys").get(f"{URL}head/").content.decode()
    assert f"东西湖区第一小学 {shown}" in html
    assert "2024级" not in html
