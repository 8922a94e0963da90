"""Password policy: length and character classes, no personal information, none of the last five passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account, PasswordHistory
from zhijiao.identity.passwords import character_classes
from zhijiao.identity.services import account_password_change
from zhijiao.testing import PASSWORD

pytestmark = pytest.mark.django_db


def codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


def test_character_classes():
    assert character_classes("abc") == 1
    assert character_classes("aB1") == 3
    assert character_classes("aB1！") == 4  # a full-width symbol counts as a symbol


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1!xy", {"password_too_short"}),
        ("qwzxkvmt7", {"IDENTITY_PASSWORD_CLASSES"}),  # two classes
        ("ABCDEFGH!", {"IDENTITY_PASSWORD_CLASSES"}),
        ("Qwzxkvmt7", set()),  # upper, lower, digit
        ("abcdefg1!", set()),  # lower, digit, symbol
        ("ABCDEF!@a", set()),  # upper, symbol, lower
        ("Qx7#mLp2vR", set()),
    ],
)
def test_length_and_three_of_four_classes(password, expected):
    assert codes(password) == expected


def test_messages_are_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_password("qwzxkvmt7")
    assert exc.value.messages == ["密码须至少包含大写字母、小写字母、数字、符号中的三类"]


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Teacher#2026", "IDENTITY_PASSWORD_USERNAME"),  # the account name, in any case
        ("x-TEACHER-9Q", "IDENTITY_PASSWORD_USERNAME"),
        ("王老师Abc123", "IDENTITY_PASSWORD_PINYIN"),  # the name itself
        ("Wanglaoshi#1", "IDENTITY_PASSWORD_PINYIN"),  # its pinyin
        ("Qx#wANGLAOSHI", "IDENTITY_PASSWORD_PINYIN"),
        ("Xk#19850501q", "IDENTITY_PASSWORD_BIRTH"),  # YYYYMMDD
        ("Xk#850501qz", "IDENTITY_PASSWORD_BIRTH"),  # YYMMDD
        ("Xk#q0501zW", "IDENTITY_PASSWORD_BIRTH"),  # MMDD
    ],
)
def test_no_personal_information(region, password, expected):
    teacher = region.accounts["teacher"]  # 王老师, born 1985-05-01
    assert expected in codes(password, teacher)
    assert codes("Qx7#mLp2vR", teacher) == set()


def test_accounts_without_a_person_check_the_account_name_only(region):
    admin = region.accounts["admin"]
    assert admin.person_id is None
    assert codes("My-admin-01", admin) == {"IDENTITY_PASSWORD_USERNAME"}
    assert codes("Xk#19850501q", admin) == set()
    # display names are names too
    assert codes("Zhangsan#2026", Account(username="ops", display_name="张三")) == {"IDENTITY_PASSWORD_PINYIN"}


def test_short_account_names_do_not_forbid_every_password(region):
    assert codes("Qx7#s1Lp2vR", Account(username="s1")) == set()


def test_the_service_sets_the_password_and_records_history(region):
    teacher = region.accounts["teacher"]
    account_password_change(actor=teacher, account=teacher, new_password="Qx7#mLp2vR")
    teacher.refresh_from_db()
    assert teacher.check_password("Qx7#mLp2vR") and not teacher.must_change_password
    assert list(PasswordHistory.objects.filter(account=teacher).values_list("hash", flat=True)) == [teacher.password]
    event = AuditEvent.objects.get(action="auth.password_change")
    assert (event.actor_id, event.target_id) == (teacher.pk, "teacher")


def test_policy_failures_come_back_as_one_coded_error(region):
    teacher = region.accounts["teacher"]
    with pytest.raises(ZhijiaoError) as exc:
        account_password_change(actor=teacher, account=teacher, new_password="wanglaoshi")
    assert exc.value.code == "IDENTITY_PASSWORD_POLICY"
    assert "姓名" in exc.value.message and "三类" in exc.value.message
    teacher.refresh_from_db()
    assert teacher.check_password(PASSWORD)


def test_none_of_the_last_five_passwords_may_be_reused(region):
    teacher = region.accounts["teacher"]
    with pytest.raises(ZhijiaoError, match="最近 5 次"):
        account_password_change(actor=teacher, account=teacher, new_password=PASSWORD)  # the current one
    used = [f"Qx7#mLp2v{n}" for n in range(6)]
    for password in used:
        account_password_change(actor=teacher, account=teacher, new_password=password)
    assert PasswordHistory.objects.filter(account=teacher).count() == 5  # older hashes are pruned
    for password in used[1:]:
        with pytest.raises(ZhijiaoError) as exc:
            account_password_change(actor=teacher, account=teacher, new_password=password)
        assert "最近 5 次" in exc.value.message
    account_password_change(actor=teacher, account=teacher, new_password=used[0])  # six changes ago: allowed again


def test_an_administrator_reset_forces_a_change_at_next_login(region):
    student = region.accounts["student"]
    account_password_change(actor=region.accounts["bureau"], account=student, new_password="Qx7#mLp2vR")
    student.refresh_from_db()
    assert student.must_change_password
    with pytest.raises(ZhijiaoError) as exc:
        account_password_change(actor=region.accounts["teacher"], account=student, new_password="Qx7#mLp2vS")
    assert exc.value.status == 403
