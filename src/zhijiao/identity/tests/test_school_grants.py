"""A 学校管理员 names their school's 心理教师 on 账号管理 (decision 0066-school-grants): to staff of their
own school in post, not to themselves, not at another school, no other role; each grant, revocation and refusal
audited. Everything else on the page stays with the account administrators."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.account_admin import GrantNode, role_grant_add, role_grant_remove
from zhijiao.identity.errors import AccountAdminError
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db

URL = "/accounts/admin/"


def signed_in(username: str) -> Client:
    client = Client()
    login_as(client, username)
    return client


def acc(username: str) -> Account:
    return Account.objects.get(username=username)


def psych_grants(username: str) -> list[RoleGrant]:
    return list(RoleGrant.objects.filter(account__username=username, role=Role.PSYCH_TEACHER))


def events(action: str, target: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=target).order_by("id"))


@pytest.fixture
def psych(region) -> Account:
    """A 心理教师 of school A named by the bureau, with no registry person (so not one of the school's staff)."""
    account = account_create(username="psych", password=PASSWORD, display_name="周老师")
    role_grant(account=account, role=Role.PSYCH_TEACHER, school=region.schools["A"])
    return account


def test_a_school_admin_grants_and_revokes_psych_teacher_to_their_staff_audited(region, psych):
    client = signed_in("principal")
    school = region.schools["A"]
    seen = set(re.findall(r'href="/accounts/admin/([^/"]+)/"', client.get(URL).content.decode()))
    # the school's staff in post (and the one who holds a 心理教师 grant there); no pupils, parents, other schools
    assert {"teacher", "head", "principal", "psych"} <= seen
    assert not seen & {"student", "parent", "nobody", "bureau", "admin"}
    page = client.get(f"{URL}head/").content.decode()
    assert 'name="role"' in page and '<option value="psych_teacher">心理教师</option>' in page
    assert f'value="school:{school.pk}"' in page
    assert '<option value="teacher">' not in page and '<option value="school_admin">' not in page

    response = client.post(f"{URL}head/grants/", {"role": Role.PSYCH_TEACHER, "node": f"school:{school.pk}"})
    assert response.status_code == 302
    (grant,) = psych_grants("head")
    assert grant.school_id == school.pk and not grant.derived
    (event,) = events("grant.add", "head")
    assert event.actor_username == "principal" and "心理教师" in event.target_label

    page = client.get(f"{URL}head/").content.decode()
    assert f"/accounts/admin/head/grants/{grant.pk}/remove/" in page  # its own grant: revocable
    other = RoleGrant.objects.get(account__username="head", role=Role.TEACHER)
    assert f"/grants/{other.pk}/remove/" not in page  # not the other grants
    assert client.post(f"{URL}head/grants/{grant.pk}/remove/").status_code == 302
    assert psych_grants("head") == []
    assert len(events("grant.remove", "head")) == 1


def test_the_rest_of_the_page_stays_with_the_account_administrators(region):
    client = signed_in("principal")
    page = client.get(f"{URL}teacher/").content.decode()
    assert "重置密码" in page and "学校管理员可以为本校在岗教职工授予" in page
    # not an account they administer: the other actions answer as for any account out of reach
    assert client.post(f"{URL}teacher/disable/").status_code == 404
    assert client.post(f"{URL}teacher/password-reset/").status_code == 404
    assert acc("teacher").is_active
    # the bureau's own grant on the same account is not the school's to revoke
    bureau_grant = role_grant(account=acc("teacher"), role=Role.INSPECTOR, school=region.schools["A"])
    assert client.post(f"{URL}teacher/grants/{bureau_grant.pk}/remove/").status_code == 403
    assert RoleGrant.objects.filter(pk=bureau_grant.pk).exists()
    assert events("grant.remove_denied", "teacher")


def test_another_school_is_refused(region):
    school_c = region.schools["B"]
    other = account_create(username="teacher_c", password=PASSWORD, person=region.persons["teacher_b"])
    role_grant(account=other, role=Role.TEACHER, school=school_c)
    # another school's staff member: not on the list, not reachable, and the service refuses it (audited)
    assert signed_in("principal").get(f"{URL}teacher_c/").status_code == 404
    with pytest.raises(ZhijiaoError) as exc:
        role_grant_add(
            actor=acc("principal"), account=acc("teacher_c"), role=Role.PSYCH_TEACHER, node=GrantNode(school=school_c)
        )
    assert exc.value.code == AccountAdminError.IDENTITY_GRANT_OUT_OF_REACH.name
    # one of the school's own staff, but at another school: refused too
    response = signed_in("principal").post(
        f"{URL}teacher/grants/", {"role": Role.PSYCH_TEACHER, "node": f"school:{school_c.pk}"}
    )
    assert response.status_code == 403
    assert psych_grants("teacher") == [] and psych_grants("teacher_c") == []
    assert events("grant.add_denied", "teacher_c") and events("grant.add_denied", "teacher")


def test_a_school_admin_may_not_grant_it_to_themselves(region):
    school = region.schools["A"]
    response = signed_in("principal").post(
        f"{URL}principal/grants/", {"role": Role.PSYCH_TEACHER, "node": f"school:{school.pk}"}
    )
    assert response.status_code == 403
    assert psych_grants("principal") == []
    (event,) = events("grant.add_denied", "principal")
    assert "不能对自己的账号" in event.target_label
    assert 'name="role"' not in signed_in("principal").get(f"{URL}principal/").content.decode()


def test_someone_who_is_not_a_staff_member_is_refused(region):
    school = region.schools["A"]
    # a pupil of the school: not on the page, and the service refuses
    assert signed_in("principal").get(f"{URL}student/").status_code == 404
    with pytest.raises(ZhijiaoError) as exc:
        role_grant_add(
            actor=acc("principal"), account=acc("student"), role=Role.PSYCH_TEACHER, node=GrantNode(school=school)
        )
    assert exc.value.code == AccountAdminError.IDENTITY_GRANT_NOT_STAFF.name
    assert psych_grants("student") == []
    assert events("grant.add_denied", "student")


def test_no_other_role(region):
    school = region.schools["A"]
    before = RoleGrant.objects.filter(account__username="head").count()
    for role in (Role.SCHOOL_ADMIN, Role.TEACHER, Role.REGION_ADMIN, Role.SECURITY_ADMIN):
        response = signed_in("principal").post(f"{URL}head/grants/", {"role": role, "node": f"school:{school.pk}"})
        assert response.status_code == 403, role
    assert RoleGrant.objects.filter(account__username="head").count() == before
    assert len(events("grant.add_denied", "head")) == 4


def test_the_psych_teacher_a_school_named_can_be_revoked_and_the_bureau_still_grants(region, psych):
    # this 心理教师 has no registry person: the school may take the role back, not give it again
    (grant,) = psych_grants("psych")
    client = signed_in("principal")
    assert client.post(f"{URL}psych/grants/{grant.pk}/remove/").status_code == 302
    assert psych_grants("psych") == []
    response = client.post(
        f"{URL}psych/grants/", {"role": Role.PSYCH_TEACHER, "node": f"school:{region.schools['A'].pk}"}
    )
    assert response.status_code == 404  # no longer the school's to look after
    # a bureau grants it as before
    role_grant_add(
        actor=acc("bureau"), account=acc("teacher"), role=Role.PSYCH_TEACHER, node=GrantNode(school=region.schools["A"])
    )
    assert len(psych_grants("teacher")) == 1


def test_a_teacher_still_has_no_account_page(region, psych):
    assert signed_in("teacher").get(URL).status_code == 403
    with pytest.raises(ZhijiaoError):
        role_grant_remove(actor=acc("teacher"), account=acc("psych"), grant_id=psych_grants("psych")[0].pk)
