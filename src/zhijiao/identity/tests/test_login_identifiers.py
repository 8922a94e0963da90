"""Login by account name, mobile number or 学籍号; ambiguity refused; the lockout counts per account."""

from __future__ import annotations

import pytest
from django.conf import settings

from zhijiao.identity.identifiers import account_for_identifier, mobile_normalise
from zhijiao.identity.models import Account
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.people.models import Person
from zhijiao.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in_as(client) -> str:
    user_id = client.session.get("_auth_user_id")
    return Account.objects.get(pk=user_id).username if user_id else ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13900000000", "13900000000"),
        ("+86 139-0000-0000", "13900000000"),
        ("8613900000000", "13900000000"),
        ("027-88886666", ""),
        ("12900000000", ""),
        ("", ""),
    ],
)
def test_mobile_numbers_are_normalised(raw, expected):
    assert mobile_normalise(raw) == expected


def test_login_by_mobile_number(region, client):
    accounts_sync(actor=None)
    response = login(client, "139 0000 0000")  # 李老师's phone, as people type it
    assert response.status_code == 302
    assert signed_in_as(client) == "head"


def test_login_by_student_number(region, client):
    accounts_sync(actor=None)
    student_no = region.students["s1"].student_no
    assert login(client, student_no.lower()).status_code == 302
    assert signed_in_as(client) == "student"


def test_a_wrong_password_by_any_identifier_fails(region, client):
    accounts_sync(actor=None)
    for name in ("head", "13900000000", region.students["s1"].student_no, "nobody-known"):
        response = login(client, name, "Wrong-pass-2026")
        assert response.status_code == 200 and not signed_in_as(client)


def test_an_ambiguous_mobile_number_logs_nobody_in(region, client):
    # 王老师 registered with the same phone as 陈妈妈 (a family phone): neither may use it to log in
    Person.objects.filter(pk=region.persons["teacher"].pk).update(phone="13800001111")
    accounts_sync(actor=None)
    assert account_for_identifier("13800001111") is None
    response = login(client, "13800001111")  # 王老师's password: still not 王老师
    assert response.status_code == 200 and not signed_in_as(client)
    # their account names still work
    assert login(client, "teacher").status_code == 302


def test_a_pupils_registry_phone_is_not_a_login_name(region, client):
    accounts_sync(actor=None)
    # all five pupils share 13712345678 (a parent's phone) in the test region; even a unique one is not theirs
    Person.objects.filter(pk__in=[p.pk for k, p in region.persons.items() if k != "s1" and k.startswith("s")]).update(
        phone=""
    )
    accounts_sync(actor=None)
    assert account_for_identifier("13712345678") is None
    assert login(client, "13712345678").status_code == 200


def test_a_closed_account_cannot_log_in_by_its_mobile(region, client):
    accounts_sync(actor=None)
    Account.objects.filter(username="head").update(is_active=False)
    assert login(client, "13900000000").status_code == 200 and not signed_in_as(client)


def test_the_lockout_counts_per_account_whatever_was_typed(region, client):
    accounts_sync(actor=None)
    student_no = region.students["s1"].student_no
    for i in range(settings.AXES_FAILURE_LIMIT):
        typed = student_no if i % 2 else "student"  # alternate the 学籍号 and the account name
        login(client, typed, "Wrong-pass-2026")
    # now locked: the right password through either name is refused
    response = login(client, "student")
    assert response.status_code == 429 and not signed_in_as(client)
    assert login(client, student_no).status_code == 429
    # other accounts are not affected
    assert login(client, "teacher").status_code == 302
