"""Reads about minors' data: who must consent, what has been consented to, who saw a child's data.

``minor_consent_missing`` is asked by the OIDC provider before it lets an app sign a pupil in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.selectors import audit_events_concerning
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.scope_labels import oidc_scope_titles
from zhijiao.core.validators import id_number_facts
from zhijiao.identity.models import Account
from zhijiao.oidc.selectors import apps_for
from zhijiao.org.models import Division, School
from zhijiao.people.models import Person, Student
from zhijiao.privacy.models import ConsentPolicy, GuardianConsent


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def person_birth_date(person: Person) -> date | None:
    """The registry's birth date, else the one an ID card number (证件类型 1) encodes."""
    if person.birth_date:
        return person.birth_date
    if person.id_type == "1" and person.id_number:
        try:
            return id_number_facts(person.id_number).birth_date
        except ZhijiaoError:
            return None
    return None


def student_is_minor_for_consent(student: Student, *, today: date | None = None) -> bool:
    """Under ``ZHIJIAO_MINOR_CONSENT_AGE``; a pupil whose birth date is unknown counts as under it (fail safe)."""
    born = person_birth_date(student.person)
    if born is None:
        return True
    return age_on(born, today or timezone.localdate()) < settings.ZHIJIAO_MINOR_CONSENT_AGE


def consent_policy_for(division_code: str) -> ConsentPolicy | None:
    """The policy on the nearest division at or above ``division_code`` (codes are prefix-hierarchical)."""
    prefixes = {division_code[:n] for n in (2, 4, 6)} | {division_code}
    policies = ConsentPolicy.objects.filter(division_id__in=prefixes)
    return max(policies, key=lambda p: len(p.division_id), default=None)


def consent_required_for(student: Student, *, today: date | None = None) -> bool:
    """Does an app need a guardian's consent before it may receive this pupil's data?"""
    policy = consent_policy_for(student.school.division_id)
    if policy is None or not policy.require_app_consent:
        return False
    return student_is_minor_for_consent(student, today=today)


def consent_active(*, student: Student, app) -> GuardianConsent | None:
    """The active consent covering ``app`` for this child (one for the app itself or for all services)."""
    return (
        GuardianConsent.objects.filter(student=student, withdrawn_at__isnull=True)
        .filter(Q(app=app) | Q(app__isnull=True))
        .order_by("app_id")  # NULLs sort first on SQLite, last on PostgreSQL: either row will do
        .first()
    )


def minor_consent_missing(*, account, app) -> bool:
    """True when ``account`` is a pupil under the consent age, the bureau's policy over their school asks
    for guardian consent, and no active consent covers ``app`` (a ``RegisteredApp``)."""
    person_id = getattr(account, "person_id", None)
    if person_id is None:
        return False
    student = Student.objects.filter(person_id=person_id).select_related("person", "school").first()
    if student is None or not consent_required_for(student):
        return False
    return consent_active(student=student, app=app) is None


def apps_awaiting_guardian(*, account, apps) -> set[int]:
    """The pks of ``apps`` (``RegisteredApp``) that ``account``, a pupil, may not open yet because a guardian has
    to consent first (the rule of :func:`minor_consent_missing`, asked once for a whole portal of cards)."""
    person_id = getattr(account, "person_id", None)
    if person_id is None or not apps:
        return set()
    student = Student.objects.filter(person_id=person_id).select_related("person", "school").first()
    if student is None or not consent_required_for(student):
        return set()
    covered = set(
        GuardianConsent.objects.filter(student=student, withdrawn_at__isnull=True).values_list("app_id", flat=True)
    )
    if None in covered:  # consent for all platform services
        return set()
    return {app.pk for app in apps if app.pk not in covered}


# ------------------------------------------------------------------ the guardian's pages

# Unmasked views of a child's record, and apps receiving the child's data at sign-in.
VIEW_ACTION = "person.view_pii"
APP_SIGN_IN_ACTION = "oidc.token.issue"
REFRESH_MARK = "（刷新令牌）"  # how the OIDC provider labels a token issued by refreshing (zhijiao.oidc.validators)


def guardian_children(*, actor: Actor) -> list[Student]:
    """The children the account's person is a registered guardian of; only 家长 accounts have any."""
    scope = scope_for(actor)
    if not scope.has(Role.PARENT):
        raise Forbidden()
    person_id = getattr(actor, "person_id", None)
    return list(
        Student.objects.filter(guardianships__guardian_id=person_id)
        .select_related("person", "school", "school_class__grade")
        .order_by("person__birth_date", "pk")
    )


def guardian_child_get(*, actor: Actor, student_id: int) -> Student:
    """One of the actor's own children; any other student is NotFound (nothing leaks about who exists)."""
    child = next((c for c in guardian_children(actor=actor) if c.pk == student_id), None)
    if child is None:
        raise NotFound()
    return child


def scope_descriptions() -> list[tuple[str, str]]:
    """The sign-in scopes apps may ask for, described to a guardian ("读取孩子的姓名" …)."""
    scopes = oidc_scope_titles()  # core.scope_labels, the words the consent screen uses
    return [(code, text.replace("你的", "孩子的").replace("你", "孩子")) for code, text in scopes.items()]


@dataclass
class AppConsent:
    app: Any  # RegisteredApp, or None for "all platform services"
    active: GuardianConsent | None
    history: list[GuardianConsent]


@dataclass
class ChildConsents:
    student: Student
    required: bool  # the bureau's policy asks for consent for this child now
    minor: bool
    policy_on: bool
    all_services: AppConsent
    apps: list[AppConsent]


def _child_account(student: Student):
    return Account.objects.filter(person_id=student.person_id, is_active=True).first()


def child_consents(*, actor: Actor, student: Student) -> ChildConsents:
    """Per app the child may sign in to (the registry's rules for the child's account), the consent state."""
    guardian_child_get(actor=actor, student_id=student.pk)
    account = _child_account(student)
    apps = apps_for(actor=account) if account is not None else []
    rows = list(
        GuardianConsent.objects.filter(student=student)
        .select_related("guardian", "withdrawn_by")
        .order_by("-granted_at", "-id")
    )

    def state(app_id: int | None, app: Any) -> AppConsent:
        history = [c for c in rows if c.app_id == app_id]
        return AppConsent(app=app, active=next((c for c in history if c.is_active), None), history=history)

    policy = consent_policy_for(student.school.division_id)
    minor = student_is_minor_for_consent(student)
    policy_on = bool(policy and policy.require_app_consent)
    return ChildConsents(
        student=student,
        required=policy_on and minor,
        minor=minor,
        policy_on=policy_on,
        all_services=state(None, None),
        apps=[state(app.pk, app) for app in apps],
    )


def child_access_log(*, actor: Actor, student: Student, kind: str = "") -> QuerySet:
    """Audit events about the child: unmasked views of the child's record (``view``) and apps given the child's
    data at sign-in (``app``); both when ``kind`` is empty. Only for the child's own guardians."""
    guardian_child_get(actor=actor, student_id=student.pk)
    targets = [("student", str(student.pk))]
    account = _child_account(student)
    if account is not None:
        # sign-in events name the account by id or by username: match both
        targets += [("account", str(account.pk)), ("account", account.username)]
    actions = {"view": [VIEW_ACTION], "app": [APP_SIGN_IN_ACTION]}.get(kind, [VIEW_ACTION, APP_SIGN_IN_ACTION])
    events = audit_events_concerning(targets=targets, actions=actions)
    # a refresh (every few minutes while the child uses the app) repeats the sign-in's data: the sign-in is the news
    events = events.exclude(action=APP_SIGN_IN_ACTION, target_label__endswith=REFRESH_MARK)
    return events.select_related("actor__person")


def child_app_get(*, actor: Actor, student: Student, app_id: int) -> Any:
    """An app the child may sign in to (so one a guardian can consent to); NotFound otherwise."""
    guardian_child_get(actor=actor, student_id=student.pk)
    account = _child_account(student)
    app = next((a for a in (apps_for(actor=account) if account else []) if a.pk == app_id), None)
    if app is None:
        raise NotFound()
    return app


def consent_age() -> int:
    return int(settings.ZHIJIAO_MINOR_CONSENT_AGE)


# ------------------------------------------------------------------ the bureau's policy page


@dataclass
class PolicyRow:
    division: Division
    own: ConsentPolicy | None  # set on this division itself
    effective: ConsentPolicy | None  # the one that applies here (own or inherited from above)


def consent_policy_rows(*, actor: Actor) -> list[PolicyRow]:
    """The divisions whose policy ``actor`` may set, with what applies there now: a region administrator's own
    divisions and the districts under them that hold schools; for the platform administrator every province,
    city and district that holds schools."""
    scope = scope_for(actor)
    bureaus = scope.divisions(Role.REGION_ADMIN)
    if not scope.is_platform_admin and not bureaus:
        raise Forbidden()
    counties = set(School.objects.values_list("division_id", flat=True).distinct())
    codes = {county[:n] for county in counties for n in (2, 4, 6)}
    if not scope.is_platform_admin:
        codes = {code for code in codes | set(bureaus) if any(code.startswith(b) for b in bureaus)}
    divisions = list(Division.objects.filter(code__in=codes).order_by("code"))
    policies = {
        p.division_id: p
        for p in ConsentPolicy.objects.filter(division_id__in={d[:n] for d in codes for n in (2, 4, 6)})
    }

    def effective(code: str) -> ConsentPolicy | None:
        return next(
            (policies[c] for c in (code[:6], code[:4], code[:2]) if len(c) <= len(code) and c in policies), None
        )

    return [PolicyRow(d, policies.get(d.code), effective(d.code)) for d in divisions]
