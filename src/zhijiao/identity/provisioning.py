"""Accounts from the registry: every pupil, staff member and guardian gets one account, and loses access on leaving.

:func:`accounts_sync` reads the registry in chunks of persons and, for each chunk, in a handful of queries:

* creates an account (no usable password, ``must_change_password``) for each person who has a live tie and no
  account yet — a live tie is an enrolment as 在读/复学 with an open 在籍记录, a post 在岗, or the guardianship of
  such a pupil. The account name is a prefix and the person's registry id: ``xs0001234`` for pupils, ``js…``
  for staff, ``jz…`` for guardians (stable, unique, and free of ID numbers, 学籍号 and phone numbers);
* derives role grants (derived ones): 学生 on the pupil's class, 教师 at each school where the person
  holds a post or teaches this term, 班主任 on each class they head, 家长 on each child's class. Missing ones
  are added; derived ones that no longer hold are removed; grants given by hand are never touched;
* closes (``is_active=False``, ``left_registry_at``) the accounts of persons whose ties have all ended — the pupil
  left, the teacher departed, the children left — ending their sessions and SSO tokens, and reopens them
  if the person comes back (only those it closed itself);
* keeps ``Account.mobile`` (login by mobile number) in step with the registry's phone.

Writes use the database's bulk path (one ``executemany`` per statement and chunk), never per-row saves and never
password hashing: a city's million pupils are provisioned in minutes. It is idempotent; each run is one audit event.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import GrantKey, grant_keys_of_persons, persons_with_derived_grants_at
from zhijiao.access.services import derived_grants_apply
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden
from zhijiao.core.student_status import is_studying
from zhijiao.identity.identifiers import mobile_normalise
from zhijiao.identity.models import Account
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import Enrolment, Guardianship, Person, Staff, Student, TeachingAssignment

logger = logging.getLogger(__name__)

STUDENT_PREFIX, STAFF_PREFIX, GUARDIAN_PREFIX = "xs", "js", "jz"
# Persons per chunk: each chunk is one transaction, so a city-wide run never holds the write lock for long.
CHUNK = 20_000
_IN_CHUNK = 5_000  # ids per IN (...) list (SQLite allows 32,766 parameters; stay well below)

STUDENT, PARENT, TEACHER, HEAD_TEACHER = (r.value for r in (Role.STUDENT, Role.PARENT, Role.TEACHER, Role.HEAD_TEACHER))
_ACCOUNT_COLUMNS = ("person_id", "id", "is_active", "left_registry_at", "is_superuser", "mobile")


@dataclass
class SyncResult:
    persons: int = 0  # persons examined
    created: int = 0
    deactivated: int = 0
    reactivated: int = 0
    grants_added: int = 0
    grants_removed: int = 0
    mobiles_updated: int = 0
    sessions_ended: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"新建账号 {self.created}，停用 {self.deactivated}，恢复 {self.reactivated}，"
            f"授权 +{self.grants_added}/−{self.grants_removed}，结束会话 {self.sessions_ended}"
        )


@dataclass
class _Person:
    name: str = ""
    mobile: str = ""  # the registry's phone, normalised
    # Staff and guardians log in by mobile number; a pupil's registry phone is usually a parent's, so not theirs.
    mobile_login: bool = False
    tied: bool = False  # has any registry tie, live or ended
    live: bool = False
    prefix: str = ""
    wanted_grants: set[GrantKey] | None = None

    def want(self, key: GrantKey) -> None:
        if self.wanted_grants is None:
            self.wanted_grants = set()
        self.wanted_grants.add(key)


# ------------------------------------------------------------------------------------------------ entry point
def accounts_sync(
    *, actor: Account | None, school: School | None = None, origin: Origin | None = None, now: datetime | None = None
) -> SyncResult:
    """Bring accounts and derived grants in line with the registry, for one school's people or for everyone.

    ``actor`` None is the platform itself (the worker after an import, the CLI). Otherwise the actor must manage
    ``school`` (or be a platform administrator for a run over everyone). Returns the counts; audited once as
    ``accounts.sync``.
    """
    started = time.monotonic()
    _require_manager(actor, school)
    now = now or timezone.now()
    result = SyncResult()
    closed: list[int] = []
    for where in _chunks(school):
        with transaction.atomic():
            closed += _sync_chunk(where, now=now, result=result)
    result.sessions_ended = sessions_end(closed)
    result.seconds = round(time.monotonic() - started, 3)
    target = Target("school", school.code, school.name) if school else Target("region", "all", "全部学校")
    audit_record(
        actor=actor,
        action="accounts.sync",
        origin=origin or Origin(channel="cli" if actor is None else "web"),
        target=Target(target.type, target.id, f"{target.label}：{result.summary()}"),
    )
    logger.info("accounts sync %s: %s", target.id, result.as_dict())
    return result


def accounts_sync_persons(*, person_ids: Iterable[int], now: datetime | None = None) -> SyncResult:
    """Bring these persons' accounts and derived grants in line with the registry, inside the caller's transaction.

    For a single registry change that must reach the accounts at once (a pupil's 学籍异动: the pupil and their
    guardians): a leaver's account closes, a moved pupil's grants follow to the new class. Sessions and SSO tokens
    of the accounts it closed end once the caller commits. Not audited here: the caller's own event says why.
    """
    started = time.monotonic()
    ids = sorted(set(person_ids))
    result = SyncResult()
    closed: list[int] = []
    for i in range(0, len(ids), _IN_CHUNK):
        closed += _sync_chunk(_among(ids[i : i + _IN_CHUNK]), now=now or timezone.now(), result=result)
    if closed:
        transaction.on_commit(lambda: sessions_end(closed))
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _require_manager(actor: Account | None, school: School | None) -> None:
    if actor is None:
        return
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return
    if school is None or not School.objects.filter(scope.managed_schools_q(), pk=school.pk).exists():
        raise Forbidden("只有平台管理员或本校、本区管理员可以同步账号")


# ------------------------------------------------------------------------------------------------ chunking
Where = Callable[[str], Q]  # the chunk's persons, as a filter on the field path given


def _between(lo: int, hi: int | None) -> Where:
    def where(path: str) -> Q:
        q = Q(**{f"{path}__gte": lo})
        return q & Q(**{f"{path}__lt": hi}) if hi is not None else q

    return where


def _among(ids: list[int]) -> Where:
    def where(path: str) -> Q:
        return Q(**{f"{path}__in": ids})

    return where


def _chunks(school: School | None) -> Iterator[Where]:
    if school is None:
        # Key ranges holding CHUNK persons each (ids may be sparse after deletions): one small query per chunk.
        lo = Person.objects.aggregate(lo=Min("id"))["lo"]
        while lo is not None:
            after = Person.objects.filter(id__gte=lo).order_by("id").values_list("id", flat=True)
            hi = next(iter(after[CHUNK : CHUNK + 1]), None)
            yield _between(lo, hi)
            lo = hi
        return
    ids = sorted(_school_person_ids(school))
    for i in range(0, len(ids), _IN_CHUNK):
        yield _among(ids[i : i + _IN_CHUNK])


def _school_person_ids(school: School) -> set[int]:
    """Everyone whose account a change at ``school`` may concern, including pupils and staff who left it."""
    ids: set[int] = set()
    queries: list[Iterable[int | None]] = [
        Student.objects.filter(school=school).values_list("person_id", flat=True),
        Enrolment.objects.filter(school=school).values_list("student__person_id", flat=True),
        Staff.objects.filter(school=school).values_list("person_id", flat=True),
        Guardianship.objects.filter(student__school=school).values_list("guardian_id", flat=True),
        TeachingAssignment.objects.filter(school_class__school=school).values_list("staff__person_id", flat=True),
        SchoolClass.objects.filter(school=school, head_teacher__isnull=False).values_list(
            "head_teacher__person_id", flat=True
        ),
        persons_with_derived_grants_at(school),
    ]
    for query in queries:
        ids.update(i for i in query if i is not None)
    return ids


# ------------------------------------------------------------------------------------------------ one chunk
def _open_enrolment(student_path: str) -> Exists:
    return Exists(Enrolment.objects.filter(student_id=OuterRef(student_path), ended_on__isnull=True))


def _registry_read(where: Where) -> dict[int, _Person]:
    """What the registry says about the chunk's persons: their ties, which are live, and the grants they imply."""
    people: dict[int, _Person] = defaultdict(_Person)
    for pid, name, phone in Person.objects.filter(where("id")).values_list("id", "name", "phone"):
        p = people[pid]
        p.name, p.mobile = name, mobile_normalise(phone)
    # Guardians first, then pupils, then staff: the account name takes the prefix of the strongest live tie.
    links = (
        Guardianship.objects.filter(where("guardian_id"))
        .annotate(open=_open_enrolment("student_id"))
        .values_list("guardian_id", "student__status", "open", "student__school_id", "student__school_class_id")
    )
    for pid, status, open_, school_id, class_id in links:
        p = people[pid]
        p.tied = p.mobile_login = True
        if is_studying(status) and open_:
            p.live, p.prefix = True, GUARDIAN_PREFIX
            p.want((PARENT, None, class_id) if class_id else (PARENT, school_id, None))
    enrolled = (
        Student.objects.filter(where("person_id"))
        .annotate(open=_open_enrolment("pk"))
        .values_list("person_id", "status", "open", "school_id", "school_class_id")
    )
    for pid, status, open_, school_id, class_id in enrolled:
        p = people[pid]
        p.tied = True
        if is_studying(status) and open_:
            p.live, p.prefix = True, STUDENT_PREFIX
            p.want((STUDENT, None, class_id) if class_id else (STUDENT, school_id, None))
    for pid, school_id, active in Staff.objects.filter(where("person_id")).values_list(
        "person_id", "school_id", "is_active"
    ):
        p = people[pid]
        p.tied = p.mobile_login = True
        if active:
            p.live, p.prefix = True, STAFF_PREFIX
            if school_id:  # bureau staff get no grant automatically: their roles are given by hand
                p.want((TEACHER, school_id, None))
    assignments = (
        TeachingAssignment.objects.filter(where("staff__person_id"), staff__is_active=True, term__is_current=True)
        .values_list("staff__person_id", "school_class__school_id")
        .distinct()
    )
    for pid, school_id in assignments:
        people[pid].want((TEACHER, school_id, None))
    headed = SchoolClass.objects.filter(
        where("head_teacher__person_id"), head_teacher__is_active=True, is_active=True
    ).values_list("head_teacher__person_id", "id")
    for pid, class_id in headed:
        people[pid].want((HEAD_TEACHER, None, class_id))
    return people


def _sync_chunk(where: Where, *, now: datetime, result: SyncResult) -> list[int]:
    """Sync one chunk of persons; returns the ids of the accounts it closed."""
    people = _registry_read(where)
    result.persons += sum(1 for p in people.values() if p.tied)
    accounts = {row[0]: row for row in Account.objects.filter(where("person_id")).values_list(*_ACCOUNT_COLUMNS)}
    missing = [pid for pid, p in people.items() if p.live and pid not in accounts]
    if missing:
        result.created += _accounts_insert(missing, people, now=now)
        new = Account.objects.filter(person_id__in=missing).values_list(*_ACCOUNT_COLUMNS)
        accounts.update({row[0]: row for row in new})

    status_rows: list[tuple[Any, ...]] = []
    mobile_rows: list[tuple[Any, ...]] = []
    closed: list[int] = []
    stamp = _db_datetime(now)
    for pid, (_, account_id, active, left_at, superuser, mobile) in accounts.items():
        p = people.get(pid)
        if p is None:
            continue
        if p.tied and not superuser:
            if active and not p.live:
                status_rows.append((False, stamp, account_id))
                closed.append(account_id)
            elif not active and p.live and left_at is not None:
                status_rows.append((True, None, account_id))
                result.reactivated += 1
        login_mobile = p.mobile if p.mobile_login else ""
        if login_mobile != mobile:
            mobile_rows.append((login_mobile, account_id))
    result.deactivated += len(closed)
    table = _quoted(Account._meta.db_table)
    _executemany(f"UPDATE {table} SET is_active = %s, left_registry_at = %s WHERE id = %s", status_rows)  # noqa: S608
    _executemany(f"UPDATE {table} SET mobile = %s WHERE id = %s", mobile_rows)  # noqa: S608
    result.mobiles_updated += len(mobile_rows)

    added, removed = _grants_sync(where, people, accounts, now=now)
    result.grants_added += added
    result.grants_removed += removed
    return closed


def _grants_sync(
    where: Where, people: dict[int, _Person], accounts: dict[int, tuple[Any, ...]], *, now: datetime
) -> tuple[int, int]:
    held: dict[int, set[GrantKey]] = defaultdict(set)
    stale: list[int] = []
    wanted = {row[1]: (people[pid].wanted_grants or set()) if pid in people else set() for pid, row in accounts.items()}
    for grant_id, account_id, role, division_id, school_id, class_id, derived in grant_keys_of_persons(
        where("account__person_id")
    ):
        key = (role, school_id, class_id)
        if division_id is None:
            held[account_id].add(key)
        if derived and key not in wanted.get(account_id, ()):
            stale.append(grant_id)
    new = [
        (account_id, (role, school_id, class_id))
        for account_id, keys in wanted.items()
        for role, school_id, class_id in sorted(keys, key=str)
        if (role, school_id, class_id) not in held[account_id]
    ]
    return derived_grants_apply(stale_ids=stale, new=new, now=now)


def _accounts_insert(person_ids: Sequence[int], people: dict[int, _Person], *, now: datetime) -> int:
    """Insert accounts for these persons; a name taken by a hand-made account gets a suffix (``xs0001234-2``)."""
    fields = [f for f in Account._meta.concrete_fields if not f.primary_key]
    stamp = _db_datetime(now)
    chosen = {
        "date_joined": stamp,
        "is_active": True,
        "is_superuser": False,
        "is_staff": False,
        "must_change_password": True,
    }
    # Every other column takes its model default, prepared once for the database.
    defaults = {f.column: f.get_db_prep_save(f.get_default(), connection) for f in fields if f.name not in chosen}
    columns = [f.column for f in fields]
    pending = list(person_ids)
    created = 0
    for attempt in range(1, 6):
        rows = []
        for pid in pending:
            p = people[pid]
            username = f"{p.prefix}{pid:07d}" + (f"-{attempt}" if attempt > 1 else "")
            values = {
                **defaults,
                **chosen,
                "username": username,
                "password": UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                "person_id": pid,
                "display_name": p.name[:64],
                "mobile": p.mobile if p.mobile_login else "",
            }
            rows.append(tuple(values[c] for c in columns))
        table = _quoted(Account._meta.db_table)
        _executemany(_insert_sql(table, columns), rows)
        linked = set(Account.objects.filter(person_id__in=pending).values_list("person_id", flat=True))
        created += len(linked)
        pending = [pid for pid in pending if pid not in linked]
        if not pending:
            break
    if pending:
        logger.warning("could not name accounts for %d persons: %s", len(pending), pending[:20])
    return created


# ------------------------------------------------------------------------------------------------ sessions
def sessions_end(account_ids: Sequence[int]) -> int:
    """End the browser sessions and SSO tokens of closed accounts.

    Closing the account already refuses its sessions (the auth backend loads only active accounts); this also
    removes them, so a leaver's session does not linger in the store. Database-backed session engines only.
    """
    if not account_ids:
        return 0
    wanted = {str(i) for i in account_ids}
    ended = 0
    if settings.SESSION_ENGINE.endswith((".db", ".cached_db")):
        from django.contrib.sessions.models import Session

        store = import_module(settings.SESSION_ENGINE).SessionStore
        doomed = []
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
            if str(session.get_decoded().get(SESSION_KEY)) in wanted:
                doomed.append(session.session_key)
        for key in doomed:
            store(session_key=key).delete()
        ended = len(doomed)
    _oauth_tokens_revoke(account_ids)
    return ended


def _oauth_tokens_revoke(account_ids: Sequence[int]) -> None:
    from oauth2_provider.models import get_access_token_model, get_id_token_model, get_refresh_token_model

    for i in range(0, len(account_ids), _IN_CHUNK):
        part = list(account_ids[i : i + _IN_CHUNK])
        get_refresh_token_model().objects.filter(user_id__in=part).delete()
        get_access_token_model().objects.filter(user_id__in=part).delete()
        get_id_token_model().objects.filter(user_id__in=part).delete()


# ------------------------------------------------------------------------------------------------ bulk SQL
def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _db_datetime(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    """An INSERT that skips rows clashing with a unique constraint (a concurrent run, a taken account name)."""
    names = ", ".join(_quoted(c) for c in columns)
    values = ", ".join(["%s"] * len(columns))
    if connection.vendor == "sqlite":
        return f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({values})"  # noqa: S608
    return f"INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT DO NOTHING"  # noqa: S608


def _executemany(sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
