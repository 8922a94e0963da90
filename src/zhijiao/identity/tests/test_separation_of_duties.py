"""三员分立 enforced, not only audited: the attacks a security review ran against 账号管理 and 安全管理.

* nobody grants themselves anything (nor revokes, resets, disables their own account);
* a 系统管理员 grants no role that reads personal data, and cannot take over (password reset, 启用) an account
  holding one — the path from 系统管理员 to reading every pupil unmasked;
* a bureau (or anyone not platform-wide) cannot disable, reset, strip or re-authenticator the 三员.

Every refusal answers 403 with a Chinese reason and is audited as ``<action>_denied``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant
from zhijiao.org.models import Division
from zhijiao.registry.selectors.people import student_list
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db

URL = "/accounts/admin/"


@pytest.fixture
def trio(region) -> dict[str, Account]:
    """A platform-wide 系统管理员 ``sys``; at 东西湖区 a 系统管理员 ``sysd``, a 安全管理员 ``sec``; a platform-wide
    安全管理员 ``sec_all`` and 审计管理员 ``aud``; ``fresh``: an account without any role."""
    dxh = Division.objects.get(pk="420112")
    made = {}
    for username, role, division in (
        ("sys", Role.SYSTEM_ADMIN, None),
        ("sysd", Role.SYSTEM_ADMIN, dxh),
        ("sec", Role.SECURITY_ADMIN, dxh),
        ("sec_all", Role.SECURITY_ADMIN, None),
        ("aud", Role.AUDIT_ADMIN, None),
    ):
        made[username] = account_create(username=username, password=PASSWORD)
        role_grant(account=made[username], role=role, division=division)
    made["fresh"] = account_create(username="fresh", password=PASSWORD)
    return made


def signed_in(account: str) -> Client:
    client = Client()
    login_as(client, account)
    return client


def denied(action: str, target: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=f"{action}_denied", target_id=target))


def roles_of(username: str) -> set[str]:
    return set(RoleGrant.objects.filter(account__username=username).values_list("role", flat=True))


# ------------------------------------------------------------------ nobody grants themselves anything


@pytest.mark.parametrize(
    ("who", "role", "node"),
    [
        ("sys", Role.REGION_ADMIN, "division:420112"),  # the reported attack: then every child unmasked
        ("bureau", Role.SCHOOL_ADMIN, "school"),
        ("sysd", Role.SYSTEM_ADMIN, "division:420112"),
    ],
)
def test_nobody_grants_themselves_anything(region, trio, who, role, node):
    if node == "school":
        node = f"school:{region.schools['A'].pk}"
    before = roles_of(who)
    response = signed_in(who).post(f"{URL}{who}/grants/", {"role": role, "node": node})
    assert response.status_code == 403
    assert "不能对自己的账号执行此操作" in response.content.decode()
    assert roles_of(who) == before
    assert len(denied("grant.add", who)) == 1


def test_a_system_admin_that_tried_to_grant_itself_a_division_still_reads_no_pupil(region, trio):
    client = signed_in("sys")
    client.post(f"{URL}sys/grants/", {"role": Role.REGION_ADMIN, "node": "division:420112"})
    sys = Account.objects.get(username="sys")
    assert list(student_list(actor=sys)) == []
    assert client.get(f"/api/v1/students/{region.students['s1'].pk}").status_code == 404
    assert region.persons["s1"].id_number not in client.get("/api/v1/students").content.decode()


def test_nobody_revokes_their_own_grants(region, trio):
    grant = role_grant(
        account=region.accounts["bureau"], role=Role.INSPECTOR, division=Division.objects.get(pk="420112")
    )
    response = signed_in("bureau").post(f"{URL}bureau/grants/{grant.pk}/remove/")
    assert response.status_code == 403
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


# ------------------------------------------------------------------ a 系统管理员 hands out no personal data


@pytest.mark.parametrize(
    ("role", "node"),
    [
        (Role.REGION_ADMIN, "division:420112"),
        (Role.INSPECTOR, "division:420112"),
        (Role.SCHOOL_ADMIN, "school:A"),
        (Role.TEACHER, "school:A"),
        (Role.HEAD_TEACHER, "class:A1"),
        (Role.STUDENT, "class:A1"),
        (Role.PARENT, "none"),
        (Role.PLATFORM_ADMIN, "none"),
    ],
)
def test_a_system_admin_grants_no_role_that_reads_personal_data(region, trio, role, node):
    kind, _, key = node.partition(":")
    node = {
        "school": lambda: f"school:{region.schools[key].pk}",
        "class": lambda: f"class:{region.classes[key].pk}",
    }.get(kind, lambda: node)()
    role_grant(account=trio["fresh"], role=Role.TEACHER, school=region.schools["A"])  # so class nodes are offered
    for who in ("sys", "sysd"):
        response = signed_in(who).post(f"{URL}fresh/grants/", {"role": role, "node": node})
        assert response.status_code == 403, who
        assert "三员分立" in response.content.decode() or "平台管理员角色只能由平台级管理员授予" in (
            response.content.decode()
        )
    assert roles_of("fresh") == {Role.TEACHER}
    assert len(denied("grant.add", "fresh")) == 2
    # the grant form does not offer them either
    page = signed_in("sys").get(f"{URL}fresh/").content.decode()
    assert f'<option value="{role.value}"' not in page
    assert f'<option value="{Role.AUDIT_ADMIN.value}"' in page


def test_a_system_admin_revokes_no_role_that_reads_personal_data(region, trio):
    grant = role_grant(account=trio["fresh"], role=Role.INSPECTOR, division=Division.objects.get(pk="420112"))
    client = signed_in("sys")
    assert f"/grants/{grant.pk}/remove/" not in client.get(f"{URL}fresh/").content.decode()  # no 撤销 offered
    response = client.post(f"{URL}fresh/grants/{grant.pk}/remove/")
    assert response.status_code == 403 and "三员分立" in response.content.decode()
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    # a 三员 grant it may take back
    audit = role_grant(account=trio["fresh"], role=Role.AUDIT_ADMIN)
    assert f"/grants/{audit.pk}/remove/" in client.get(f"{URL}fresh/").content.decode()
    assert client.post(f"{URL}fresh/grants/{audit.pk}/remove/").status_code == 302
    assert not RoleGrant.objects.filter(pk=audit.pk).exists()


def test_a_system_admin_still_grants_the_three(region, trio):
    response = signed_in("sys").post(f"{URL}fresh/grants/", {"role": Role.AUDIT_ADMIN, "node": "none"})
    assert response.status_code == 302
    assert roles_of("fresh") == {Role.AUDIT_ADMIN}


def test_a_system_admin_cannot_take_over_an_account_reading_personal_data(region, trio):
    """Reset the password of a teacher (or re-enable one) and sign in as it: refused, audited."""
    client = signed_in("sys")
    response = client.post(f"{URL}teacher/password-reset/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "三员分立" in page and "只显示这一次" not in page
    teacher = Account.objects.get(username="teacher")
    assert teacher.check_password(PASSWORD) and not teacher.must_change_password
    assert len(denied("account.password_reset", "teacher")) == 1
    # the page greys the button out and says why
    detail = client.get(f"{URL}teacher/").content.decode()
    assert "您不能重置其密码或启用它" in detail

    Account.objects.filter(username="bureau").update(is_active=False)
    response = client.post(f"{URL}bureau/enable/")
    assert response.status_code == 403
    assert not Account.objects.get(username="bureau").is_active
    assert len(denied("account.enable", "bureau")) == 1


def test_a_system_admin_manages_accounts_holding_only_the_three(region, trio):
    client = signed_in("sys")
    response = client.post(f"{URL}aud/password-reset/")
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()
    assert client.post(f"{URL}fresh/disable/").status_code == 302
    assert not Account.objects.get(username="fresh").is_active


def test_the_bureau_over_an_account_still_resets_it(region, trio):
    response = signed_in("bureau").post(f"{URL}teacher/password-reset/")
    assert response.status_code == 200 and "只显示这一次" in response.content.decode()


# ------------------------------------------------------------------ the 三员 are out of a bureau's reach


@pytest.mark.parametrize("who", ["bureau", "sysd"])
def test_a_bureau_or_a_division_system_admin_cannot_disable_reset_or_strip_the_three(region, trio, who):
    client = signed_in(who)
    sec = Account.objects.get(username="sec")
    grant = RoleGrant.objects.get(account=sec)
    attempts = {
        "account.disable": (f"{URL}sec/disable/", {}),
        "account.password_reset": (f"{URL}sec/password-reset/", {}),
        "grant.add": (f"{URL}sec/grants/", {"role": Role.TEACHER, "node": f"school:{region.schools['A'].pk}"}),
        "grant.remove": (f"{URL}sec/grants/{grant.pk}/remove/", {}),
    }
    for action, (path, data) in attempts.items():
        response = client.post(path, data)
        assert response.status_code == 403, action
        assert "三员分立" in response.content.decode(), action
        assert len(denied(action, "sec")) == 1, action
    sec.refresh_from_db()
    assert sec.is_active and sec.check_password(PASSWORD)
    assert roles_of("sec") == {Role.SECURITY_ADMIN}
    Account.objects.filter(pk=sec.pk).update(is_active=False)
    assert client.post(f"{URL}sec/enable/").status_code == 403
    assert not Account.objects.get(pk=sec.pk).is_active
    # the page shows why, with the buttons greyed out
    assert "只能由全平台的系统管理员或平台管理员管理" in client.get(f"{URL}sec/").content.decode()


def test_platform_wide_administrators_still_manage_the_three(region, trio):
    assert signed_in("sys").post(f"{URL}sec/disable/").status_code == 302
    assert not Account.objects.get(username="sec").is_active
    assert signed_in("admin").post(f"{URL}sec/enable/").status_code == 302
    assert Account.objects.get(username="sec").is_active


def test_a_division_security_admin_cannot_reset_the_authenticator_of_the_three(region, trio):
    TOTPDevice.objects.create(user=trio["sysd"], name="x", confirmed=True)
    client = signed_in("sec")
    response = client.post("/security/otp-reset/", {"username": "sysd"})
    assert response.status_code == 403 and "三员分立" in response.content.decode()
    assert TOTPDevice.objects.filter(user=trio["sysd"]).exists()
    assert len(denied("auth.otp_reset", "sysd")) == 1
    # nor its own (that is done by another security administrator)
    response = client.post("/security/otp-reset/", {"username": "sec"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=trio["sec"]).exists()
    # a teacher's lost phone is still its job, and a platform-wide 安全管理员 resets the 三员's
    TOTPDevice.objects.create(user=region.accounts["bureau"], name="x", confirmed=True)
    assert client.post("/security/otp-reset/", {"username": "bureau"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=region.accounts["bureau"]).exists()
    assert signed_in("sec_all").post("/security/otp-reset/", {"username": "sysd"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=trio["sysd"]).exists()
