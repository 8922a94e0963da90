"""继续教育学时: the bureau's rules, each teacher's hours per year, completion of a school or division against the
yearly requirement, and certificates anyone can check by their code.

Rules: a bureau's :class:`HoursPolicy` for its division (the nearest one at or above a teacher's school's district
applies; without one, :data:`DEFAULT_RULES` and 30 学时). Each activity the teacher took part in counts the hours of
its kind, and each kind is capped per year: ``min(count × hours, yearly_cap)``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.org.models import Bureau, Division, School
from zhijiao.people.models import Staff
from zhijiao.spaces.research.errors import ResearchError
from zhijiao.spaces.research.models import ActivityKind, Certificate, HoursPolicy, HoursRule, Participation

DEFAULT_REQUIRED = Decimal(30)
# kind → (hours per activity, cap per year)
DEFAULT_RULES: dict[str, tuple[Decimal, Decimal]] = {
    ActivityKind.LESSON_PLAN: (Decimal(3), Decimal(18)),
    ActivityKind.OBSERVATION: (Decimal(2), Decimal(16)),
    ActivityKind.SEMINAR: (Decimal(1), Decimal(8)),
}


@dataclass
class Rules:
    division: Division | None  # whose policy (None: the platform's defaults)
    required: Decimal
    per_kind: dict[str, tuple[Decimal, Decimal]]

    @property
    def issuer(self) -> str:
        if self.division is None:
            return "智教平台"
        bureau = Bureau.objects.filter(division=self.division).first()
        return bureau.name if bureau else f"{self.division.name}教育局"


def rules_for(division_code: str) -> Rules:
    """The rules in force for a division: its own policy, else the nearest above it, else the defaults."""
    prefixes = [division_code[:n] for n in (6, 4, 2) if len(division_code) >= n]
    policies = {
        p.division_id: p for p in HoursPolicy.objects.filter(division_id__in=prefixes).select_related("division")
    }
    for code in prefixes:
        policy = policies.get(code)
        if policy is not None:
            per_kind = dict(DEFAULT_RULES)
            per_kind.update({r.kind: (r.hours, r.yearly_cap) for r in policy.rules.all()})
            return Rules(policy.division, policy.required_hours, per_kind)
    return Rules(None, DEFAULT_REQUIRED, dict(DEFAULT_RULES))


def _hours(value: str, field_name: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except ArithmeticError:
        d = Decimal(-1)
    if not d.is_finite() or not 0 <= d <= 100 or d != d.quantize(Decimal("0.1")):
        raise ZhijiaoError(ResearchError.RESEARCH_HOURS_INVALID, field=field_name)
    return d


@transaction.atomic
def policy_set(
    *, actor: Actor, division: Division, required: str, rules: dict[str, tuple[str, str]], origin: Origin
) -> HoursPolicy:
    """A bureau (区域管理员 at or above the division, the platform) sets the division's rules; all or nothing."""
    if not scope_for(actor).governs(division.code):
        raise Forbidden(ResearchError.RESEARCH_NOT_LEADER.message)
    required_d = _hours(required, "年度要求学时")
    parsed = {}
    for kind, (hours, cap) in rules.items():
        if kind not in ActivityKind.values:
            raise ZhijiaoError(ResearchError.RESEARCH_KIND_UNKNOWN, field="活动类型")
        label = ActivityKind(kind).label
        parsed[kind] = (_hours(hours, f"{label}每次学时"), _hours(cap, f"{label}每年上限"))
    policy, _ = HoursPolicy.objects.update_or_create(division=division, defaults={"required_hours": required_d})
    for kind, (hours_d, cap_d) in parsed.items():
        HoursRule.objects.update_or_create(policy=policy, kind=kind, defaults={"hours": hours_d, "yearly_cap": cap_d})
    audit_record(
        actor=actor, action="hours.policy_set", origin=origin, target=Target("division", division.code, division.name)
    )
    return policy


# ------------------------------------------------------------------------------------------------ one teacher
@dataclass
class KindHours:
    kind: str
    label: str
    count: int
    hours: Decimal
    cap: Decimal
    capped: bool


@dataclass
class TeacherHours:
    year: int
    rules: Rules
    kinds: list[KindHours] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((k.hours for k in self.kinds), Decimal(0))

    @property
    def remaining(self) -> Decimal:
        return max(self.rules.required - self.total, Decimal(0))

    @property
    def complete(self) -> bool:
        return self.total >= self.rules.required

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.total / self.rules.required)) if self.rules.required else 100


def _count(counts: dict[str, int], rules: Rules, year: int) -> TeacherHours:
    result = TeacherHours(year=year, rules=rules)
    for kind, label in ActivityKind.choices:
        hours, cap = rules.per_kind[kind]
        n = counts.get(kind, 0)
        raw = hours * n
        result.kinds.append(KindHours(kind, label, n, min(raw, cap), cap, raw > cap))
    return result


def hours_from_counts(counts: dict[str, int], rules: Rules, year: int) -> TeacherHours:
    """A teacher's hours from their activities per kind (for bulk readers that counted them in one query)."""
    return _count(counts, rules, year)


def account_post(account_id: int | None) -> Staff | None:
    """The account's active post (its school or bureau decides the rules and the issuer)."""
    return (
        Staff.objects.filter(person__account__pk=account_id or 0, is_active=True)
        .select_related("school", "bureau", "person")
        .order_by("bureau_id", "pk")
        .first()
    )


def _division_of(post: Staff | None) -> str:
    if post is None:
        return ""
    if post.school is not None:
        return post.school.division_id
    return post.bureau.division_id if post.bureau is not None else ""


def teacher_hours(*, account_id: int | None, year: int) -> TeacherHours:
    counts = dict(
        Participation.objects.filter(account_id=account_id or 0, year=year)
        .values_list("activity__kind")
        .annotate(n=Count("pk"))
        .values_list("activity__kind", "n")
    )
    return _count(counts, rules_for(_division_of(account_post(account_id))), year)


def teacher_years(*, account_id: int | None) -> list[int]:
    years = set(Participation.objects.filter(account_id=account_id or 0).values_list("year", flat=True))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


# ------------------------------------------------------------------------------------------------ completion
@dataclass
class SchoolCompletion:
    school: School
    teachers: int
    complete: int
    hours: Decimal

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.teachers) if self.teachers else 0

    @property
    def average(self) -> Decimal:
        return (self.hours / self.teachers).quantize(Decimal("0.1")) if self.teachers else Decimal(0)


def report_may_read(*, actor: Actor, division_code: str, school: School | None = None) -> bool:
    """The training-hours report: the platform, 区域管理员 and 教研员 at or above the division, a school's
    学校管理员."""
    scope = scope_for(actor)
    if scope.governs(division_code) or scope.researches(division_code):
        return True
    return school is not None and school.pk in scope.school_ids(Role.SCHOOL_ADMIN)


def completion(*, actor: Actor, division_code: str, year: int, school: School | None = None) -> list[SchoolCompletion]:
    """Per school under the division (or one school): teachers with an account, how many reached the requirement,
    their hours. Aggregates only: no teacher is named (a school's own list is :func:`school_teachers`)."""
    if not report_may_read(actor=actor, division_code=division_code, school=school):
        raise NotFound()
    schools = (
        [school]
        if school is not None
        else list(School.objects.filter(division__code__startswith=division_code).order_by("code"))
    )
    posts = list(
        Staff.objects.filter(school__in=schools, is_active=True, person__account__isnull=False).values_list(
            "school_id", "person__account__pk"
        )
    )
    accounts = {a for _, a in posts}
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for account_id, kind, n in (
        Participation.objects.filter(account_id__in=accounts, year=year)
        .values_list("account_id", "activity__kind")
        .annotate(n=Count("pk"))
    ):
        counts[account_id][kind] = n
    rules_by_division: dict[str, Rules] = {}
    rows = {s.pk: SchoolCompletion(s, 0, 0, Decimal(0)) for s in schools}
    seen: set[tuple[int, int]] = set()
    for school_id, account_id in posts:
        if (school_id, account_id) in seen:
            continue
        seen.add((school_id, account_id))
        row = rows[school_id]
        rules = rules_by_division.get(row.school.division_id)
        if rules is None:
            rules = rules_by_division[row.school.division_id] = rules_for(row.school.division_id)
        hours = _count(counts.get(account_id, {}), rules, year)
        row.teachers += 1
        row.hours += hours.total
        row.complete += hours.complete
    return [rows[s.pk] for s in schools]


def school_teachers(*, actor: Actor, school: School, year: int) -> list[tuple[str, TeacherHours]]:
    """A school's teachers (names masked) and their hours: its 学校管理员, the bureau over it, the platform."""
    scope = scope_for(actor)
    if not (scope.governs(school.division_id) or school.pk in scope.school_ids(Role.SCHOOL_ADMIN)):
        raise NotFound()
    rules = rules_for(school.division_id)
    posts = list(
        Staff.objects.filter(school=school, is_active=True, person__account__isnull=False)
        .values_list("person__account__pk", "person__name")
        .order_by("person__name")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for account_id, kind, n in (
        Participation.objects.filter(account_id__in=[a for a, _ in posts], year=year)
        .values_list("account_id", "activity__kind")
        .annotate(n=Count("pk"))
    ):
        counts[account_id][kind] = n
    rows = [(mask_name(name), _count(counts.get(a, {}), rules, year)) for a, name in dict(posts).items()]
    return sorted(rows, key=lambda row: -row[1].total)  # most hours first; names are masked, so no name order


# ------------------------------------------------------------------------------------------------ certificates
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def _check(body: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"zhijiao-hours:{body}".encode(), hashlib.sha256).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:4])


def certificate_code(year: int) -> str:
    body = f"{year}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{body}-{_check(body)}"


def code_well_formed(code: str) -> bool:
    """A code of the right shape whose check letters match (a typo or a made-up code fails here, with no query)."""
    body, _, check = code.rpartition("-")
    return len(code) == 18 and bool(body) and hmac.compare_digest(_check(body), check)


@transaction.atomic
def certificate_issue(*, actor: Actor, year: int, origin: Origin) -> Certificate:
    """A teacher's certificate of their hours in ``year`` (the figures frozen as issued). The same hours give back
    the certificate already issued; changed hours revoke it and issue a new one."""
    post = account_post(actor.pk)
    if post is None:
        raise ZhijiaoError(ResearchError.RESEARCH_NOT_TEACHER, status=403)
    hours = teacher_hours(account_id=actor.pk, year=year)
    if hours.total <= 0:
        raise ZhijiaoError(ResearchError.RESEARCH_NO_HOURS, status=409)
    current = Certificate.objects.filter(account_id=actor.pk, year=year, revoked_at__isnull=True).first()
    if current is not None and current.hours == hours.total:
        return current
    if current is not None:
        current.revoked_at, current.revoked_reason = timezone.now(), "学时变化，已重新开具"
        current.save(update_fields=["revoked_at", "revoked_reason"])
    certificate = Certificate.objects.create(
        code=certificate_code(year),
        account_id=actor.pk,
        name=str(post.person.name),
        year=year,
        hours=hours.total,
        issuer=hours.rules.issuer,
    )
    audit_record(
        actor=actor,
        action="hours.certificate_issue",
        origin=origin,
        target=Target("hours_certificate", certificate.code, f"{year} 年 {hours.total} 学时"),
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: Actor, code: str, reason: str, origin: Origin) -> Certificate:
    """A bureau over the teacher's division (or the platform) revokes a certificate, with its reason."""
    certificate = Certificate.objects.select_for_update().filter(code=code).first()
    if certificate is None:
        raise NotFound()
    if not scope_for(actor).governs(_division_of(account_post(certificate.account_id))):
        raise Forbidden(ResearchError.RESEARCH_NOT_LEADER.message)
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = (reason or "").strip()[:200] or "已撤销"
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(
            actor=actor, action="hours.certificate_revoke", origin=origin, target=Target("hours_certificate", code)
        )
    return certificate


@dataclass(frozen=True)
class Verification:
    status: str  # valid, revoked, unknown
    name: str = ""  # masked
    year: int = 0
    hours: Decimal = Decimal(0)
    issuer: str = ""
    issued_at: object = None
    revoked_reason: str = ""


def certificate_verify(code: str) -> Verification:
    """Anyone, without signing in: is this a certificate we issued, and is it still valid? Shows the name masked."""
    code = (code or "").strip().upper()
    if not code_well_formed(code):
        return Verification("unknown")
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        return Verification("unknown")
    return Verification(
        "revoked" if certificate.revoked_at else "valid",
        mask_name(certificate.name),
        certificate.year,
        certificate.hours,
        certificate.issuer,
        certificate.issued_at,
        certificate.revoked_reason,
    )


def certificate_list(*, actor: Actor) -> list[Certificate]:
    return list(Certificate.objects.filter(account_id=actor.pk).order_by("-year", "-issued_at"))


def certificate_get_own(*, actor: Actor, code: str) -> Certificate:
    certificate = Certificate.objects.filter(account_id=actor.pk, code=code).first()
    if certificate is None:
        raise NotFound()
    return certificate
