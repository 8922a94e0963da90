"""Activating a provisioned account with a one-time code.

Accounts created from the registry (:mod:`zhijiao.identity.provisioning`) have no usable password. A school
administrator (or the operator, on the CLI) issues codes for the school's accounts that are not activated yet and
hands out the slips (an xlsx: 姓名, 身份, 班级, 账号, 激活码, 有效期); the person then chooses a password at
``/accounts/activate/``. Only an HMAC of each code is stored, a code works once and expires after
``ZHIJIAO_ACTIVATION_DAYS`` (14) days; issuing again replaces the earlier codes of those accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from pypinyin import lazy_pinyin

from zhijiao.access.permissions import Perm, require
from zhijiao.access.reach import account_roles
from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.core.student_status import studying_q
from zhijiao.identity.errors import IdentityError
from zhijiao.identity.identifiers import account_for_identifier
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_password_change
from zhijiao.org.models import School, SchoolClass
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Enrolment, Guardianship, Staff, Student

# No 0/O, 1/I/L: codes are read off paper and typed by pupils and grandparents.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Roles whose holders sign in straight after activating; anyone else (administrators: two-step login) logs in.
_SIGN_IN_ROLES = frozenset({Role.STUDENT, Role.PARENT, Role.TEACHER, Role.HEAD_TEACHER})


def code_normalise(raw: str) -> str:
    return "".join(c for c in (raw or "").upper() if c.isalnum())


def code_digest(account_id: int, code: str) -> str:
    """HMAC-SHA256 keyed with the secret key and bound to the account: a leaked table reveals no code."""
    message = f"zhijiao.activation:{account_id}:{code_normalise(code)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


@dataclass
class ActivationSlip:
    account_id: int
    name: str
    identity: str  # 学生 / 家长（孩子名） / 教职工
    class_name: str
    username: str
    code: str = ""
    expires_at: datetime | None = None


# ------------------------------------------------------------------------------------------------ selectors
@dataclass
class ActivationTargets:
    schools: list[School]
    school: School | None
    classes: list[tuple[int, str]]
    school_class: SchoolClass | None

    @property
    def class_label(self) -> str:
        return next((name for pk, name in self.classes if self.school_class and pk == self.school_class.pk), "")


def activation_targets(*, actor: Account, school_code: str = "", class_id: str = "") -> ActivationTargets:
    """The schools whose codes the actor may issue, and the school (and class) picked among them.

    With one school (a school administrator) it is picked; an unknown or out-of-scope code picks none.
    """
    require(actor, Perm.MANAGE_DATA, detail="只有学校或区域管理员可以签发激活码")
    scope = scope_for(actor)
    schools = list(School.objects.filter(scope.managed_schools_q(), is_active=True).order_by("code")[:2000])
    by_code = {s.code: s for s in schools}
    code = school_code.strip()
    school = by_code.get(code) if code else (schools[0] if len(schools) == 1 else None)
    classes: list[tuple[int, str]] = []
    school_class = None
    if school is not None:
        rows = list(SchoolClass.objects.filter(school=school, is_active=True).select_related("grade"))
        classes = [(c.pk, class_display_name(c)) for c in rows]
        wanted = int(class_id) if class_id.isdigit() else None
        school_class = next((c for c in rows if c.pk == wanted), None)
    return ActivationTargets(schools, school, classes, school_class)


def activation_pending(
    *, actor: Account | None, school: School, school_class: SchoolClass | None = None
) -> list[ActivationSlip]:
    """The school's accounts that are open but not activated yet: its pupils, their guardians and its staff.

    Ordered by class, then pupils before guardians, then name; staff last. Codes are not filled in.
    """
    _require_school_manager(actor, school)
    pending = Q(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    open_enrolment = Exists(Enrolment.objects.filter(student_id=OuterRef("pk"), ended_on__isnull=True))
    pupils = Student.objects.filter(studying_q(), school=school).filter(open_enrolment)
    if school_class is not None:
        pupils = pupils.filter(school_class=school_class)
    # class id -> (position in the school's usual class order, display name)
    classes = {
        c.pk: (i, class_display_name(c))
        for i, c in enumerate(SchoolClass.objects.filter(school=school).select_related("grade"))
    }
    rows: list[tuple[tuple[Any, ...], ActivationSlip]] = []
    seen: set[int] = set()

    def add(sort: tuple[Any, ...], account_id: int, name: str, identity: str, class_id: int | None, username: str):
        if account_id in seen:
            return
        seen.add(account_id)
        class_name = classes[class_id][1] if class_id in classes else ""
        rows.append((sort, ActivationSlip(account_id, name, identity, class_name, username)))

    for account_id, username, name, class_id in (
        Account.objects.filter(pending, person__student__in=pupils)
        .values_list("id", "username", "person__name", "person__student__school_class_id")
        .order_by("person__name")
    ):
        add((0, classes.get(class_id, (-1,))[0], 0, name), account_id, name, "学生", class_id, username)
    guardians = (
        Guardianship.objects.filter(student__in=pupils, guardian__account__isnull=False)
        .filter(guardian__account__in=Account.objects.filter(pending))
        .values_list(
            "guardian__account__id",
            "guardian__account__username",
            "guardian__name",
            "student__person__name",
            "student__school_class_id",
        )
        .order_by("student__school_class_id", "student__person__name")
    )
    for account_id, username, name, child, class_id in guardians:
        add((0, classes.get(class_id, (-1,))[0], 1, child), account_id, name, f"家长（{child}）", class_id, username)
    if school_class is None:
        staff = Staff.objects.filter(school=school, is_active=True)
        for account_id, username, name in (
            Account.objects.filter(pending, person__posts__in=staff)
            .values_list("id", "username", "person__name")
            .order_by("person__name")
        ):
            add((1, 0, 0, name), account_id, name, "教职工", None, username)
    # names in pinyin order within each group, as a class list is read out
    rows.sort(key=lambda r: (*r[0][:3], "".join(lazy_pinyin(r[0][3]))))
    return [slip for _, slip in rows]


def _require_school_manager(actor: Account | None, school: School) -> None:
    if actor is None:
        return
    if not School.objects.filter(scope_for(actor).managed_schools_q(), pk=school.pk).exists():
        raise Forbidden("只有本校或本区管理员可以签发激活码")


# ------------------------------------------------------------------------------------------------ services
def activation_codes_issue(
    *,
    actor: Account | None,
    school: School,
    school_class: SchoolClass | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> list[ActivationSlip]:
    """Issue a fresh one-time code to each not-yet-activated account of the school (or one class).

    Returns the slips with their codes — the only time the codes exist in clear. Earlier codes of these
    accounts stop working. Audited as ``auth.activation_issue`` (how many, for which school).
    """
    slips = activation_pending(actor=actor, school=school, school_class=school_class)
    now = now or timezone.now()
    expires = now + timedelta(days=settings.ZHIJIAO_ACTIVATION_DAYS)
    rows = []
    for slip in slips:
        slip.code, slip.expires_at = _new_code(), expires
        rows.append(
            (
                code_digest(slip.account_id, slip.code),
                connection.ops.adapt_datetimefield_value(expires),
                slip.account_id,
            )
        )
    table = connection.ops.quote_name(Account._meta.db_table)
    with transaction.atomic():
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET activation_digest = %s, activation_expires_at = %s WHERE id = %s",  # noqa: S608
                    rows,
                )
        label = school.name + (f" {class_display_name(school_class)}" if school_class else "")
        audit_record(
            actor=actor,
            action="auth.activation_issue",
            origin=origin or Origin(channel="cli"),
            target=Target("school", school.code, f"{label}：签发激活码 {len(slips)} 个"),
        )
    return slips


@transaction.atomic
def account_activate(
    *, identifier: str, code: str, new_password: str, origin: Origin | None = None, now: datetime | None = None
) -> Account:
    """Activate an account: the one-time code proves who it is, the new password (policy-checked) becomes its own.

    ``identifier`` is the account name, mobile number or 学籍号. A wrong, used or unknown code raises
    IDENTITY_ACTIVATION_INVALID (the same for every case, so nothing leaks); a right but expired one
    IDENTITY_ACTIVATION_EXPIRED; a weak password IDENTITY_PASSWORD_POLICY and leaves the code usable.
    Audited as ``auth.activate``.
    """
    now = now or timezone.now()
    found = account_for_identifier(identifier)
    account = Account.objects.select_for_update().filter(pk=found.pk).first() if found else None
    if (
        account is None
        or not account.is_active
        or not account.activation_digest
        or not hmac.compare_digest(account.activation_digest, code_digest(account.pk, code))
    ):
        raise ZhijiaoError(IdentityError.IDENTITY_ACTIVATION_INVALID)
    if account.activation_expires_at is None or account.activation_expires_at <= now:
        raise ZhijiaoError(IdentityError.IDENTITY_ACTIVATION_EXPIRED)
    origin = origin or Origin(channel="cli")
    account = account_password_change(actor=account, account=account, new_password=new_password, origin=origin)
    account.activation_digest, account.activation_expires_at = "", None
    account.save(update_fields=["activation_digest", "activation_expires_at"])
    audit_record(
        actor=account,
        action="auth.activate",
        origin=origin,
        target=Target("account", account.username, account.username),
    )
    return account


def account_signs_in_after_activation(account: Account) -> bool:
    """Pupils, parents and teachers go straight in; administrators log in again (their login has two steps)."""
    if account.is_superuser or account.is_staff:
        return False
    roles = account_roles(account)
    return roles <= _SIGN_IN_ROLES


# ------------------------------------------------------------------------------------------------ the slips
HEADERS = ("姓名", "身份", "班级", "账号", "激活码", "有效期")


def activation_slips_xlsx(slips: Iterable[ActivationSlip], out: Path | IO[bytes], *, school: School) -> None:
    """Write the slips as an xlsx workbook (one row per account, text cells, a frozen header)."""
    book = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out, {"in_memory": True})
    sheet = book.add_worksheet("激活码")
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    code = book.add_format({"num_format": "@", "font_name": "Consolas", "bold": True})
    sheet.write_row(0, 0, HEADERS, header)
    local = timezone.get_current_timezone()
    row = 0
    for row, slip in enumerate(slips, start=1):
        expires = timezone.localtime(slip.expires_at, local).strftime("%Y-%m-%d %H:%M") if slip.expires_at else ""
        sheet.write_string(row, 0, slip.name, text)
        sheet.write_string(row, 1, slip.identity, text)
        sheet.write_string(row, 2, slip.class_name, text)
        sheet.write_string(row, 3, slip.username, text)
        sheet.write_string(row, 4, slip.code, code)
        sheet.write_string(row, 5, expires, text)
    for col, width in enumerate((12, 22, 16, 14, 14, 18)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row, 1), len(HEADERS) - 1)
    book.set_properties({"title": f"{school.name} 账号激活码", "company": "智教"})
    book.close()
