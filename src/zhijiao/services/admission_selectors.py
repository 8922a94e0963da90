"""Reads of 义务教育招生 and who may do what — the rules in one place (the writes ask the same functions):

* see an application: its applicant (the family account that filed it); the 学校管理员 of the school it names
  (公办志愿、民办志愿) or where it was placed; the 区域管理员 governing its district; platform administrators.
  Anyone else gets 404.
* review at 待学校审核: 学校管理员 of the reviewing school (the public choice, else the private one);
  at 待教育局审核 and 申诉中: the bureau governing the application's district.
* plans: the bureau for the schools of its district, a 学校管理员 for their own school; catchments, rules, placement
  and publication: the bureau.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.org.models import Division, DivisionLevel, School
from zhijiao.services.models_admission import (
    REVIEW_STATUSES,
    AdmissionPlan,
    Application,
    ApplicationFile,
    AppStatus,
    Catchment,
    EligibilityRule,
)


def reviewing_school_id(app: Application) -> int | None:
    return app.school_id or app.private_school_id


def _visible_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Q()
    q = Q(applicant_id=getattr(actor, "pk", -1))
    for division in scope.divisions(Role.REGION_ADMIN):
        q |= Q(division__code__startswith=division)
    schools = scope.school_ids(Role.SCHOOL_ADMIN)
    if schools:
        q |= Q(school_id__in=schools) | Q(private_school_id__in=schools) | Q(placed_school_id__in=schools)
    return q


def applications(actor: Actor) -> QuerySet[Application]:
    return Application.objects.filter(_visible_q(actor)).select_related(
        "school", "private_school", "placed_school", "catchment", "division"
    )


def my_applications(actor: Actor) -> list[Application]:
    return list(applications(actor).filter(applicant_id=getattr(actor, "pk", -1)))


def application_get(*, actor: Actor, application_id: int) -> Application:
    app = applications(actor).filter(pk=application_id).first()
    if app is None:
        raise NotFound()
    return app


def is_family(*, actor: Actor, app: Application) -> bool:
    return app.applicant_id == getattr(actor, "pk", None)


def is_staff_viewer(*, actor: Actor, app: Application) -> bool:
    """A reviewer (school or bureau) — they see the data unmasked; the family sees its own data masked."""
    scope = scope_for(actor)
    if scope.governs(app.division_id):
        return True
    ids = set(scope.school_ids(Role.SCHOOL_ADMIN))
    return bool(ids & {app.school_id, app.private_school_id, app.placed_school_id})


def may_review(*, actor: Actor, app: Application) -> bool:
    scope = scope_for(actor)
    if app.status == AppStatus.SCHOOL:
        return reviewing_school_id(app) in scope.school_ids(Role.SCHOOL_ADMIN)
    if app.status in (AppStatus.BUREAU, AppStatus.APPEAL):
        return scope.governs(app.division_id)
    return False


def may_enrol(*, actor: Actor, school: School) -> bool:
    scope = scope_for(actor)
    return school.pk in scope.school_ids(Role.SCHOOL_ADMIN) or scope.governs(school.division_id)


def may_plan(*, actor: Actor, school: School) -> bool:
    return may_enrol(actor=actor, school=school)


def is_bureau(*, actor: Actor, division: Division | str) -> bool:
    code = division if isinstance(division, str) else division.code
    return scope_for(actor).governs(code)


def bureau_divisions(actor: Actor) -> list[Division]:
    """The districts (区县) the actor governs as a bureau."""
    scope = scope_for(actor)
    qs = Division.objects.filter(level=DivisionLevel.COUNTY).order_by("code")
    if scope.is_platform_admin:
        return list(qs.filter(schools__isnull=False).distinct())
    mine = scope.divisions(Role.REGION_ADMIN)
    return [d for d in qs if any(d.code.startswith(p) for p in mine)]


def managed_schools(actor: Actor) -> list[School]:
    scope = scope_for(actor)
    ids = set(scope.school_ids(Role.SCHOOL_ADMIN))
    return [
        s
        for s in School.objects.filter(is_active=True).select_related("division").order_by("division_id", "code")
        if s.pk in ids or scope.governs(s.division_id)
    ]


def review_queue(actor: Actor) -> list[Application]:
    """What waits for this actor's decision."""
    return [
        a
        for a in applications(actor).filter(status__in=REVIEW_STATUSES).order_by("created_at", "id")
        if may_review(actor=actor, app=a)
    ]


def plans(*, year: int, schools: list[School]) -> list[AdmissionPlan]:
    return list(
        AdmissionPlan.objects.filter(year=year, school__in=schools).select_related("school").order_by("school__code")
    )


def plan_figures(*, year: int, schools: list[School]) -> list[dict[str, object]]:
    """Each plan with its applications by state (for the bureau's and the school's overview)."""
    rows = []
    counts: dict[tuple[int, str, str], int] = {}
    for school_id, stage, status, n in (
        Application.objects.filter(year=year)
        .filter(Q(school__in=schools) | Q(private_school__in=schools))
        .values_list("school_id", "stage", "status")
        .annotate(n=Count("id"))
    ):
        counts[(school_id, stage, status)] = n
    placed: dict[tuple[int, str], int] = {}
    for school_id, stage, n in (
        Application.objects.filter(
            year=year, placed_school__in=schools, status__in=[AppStatus.PLACED, AppStatus.ENROLLED]
        )
        .values_list("placed_school_id", "stage")
        .annotate(n=Count("id"))
    ):
        placed[(school_id, stage)] = n
    for plan in plans(year=year, schools=schools):
        applied = sum(n for (s, st, _), n in counts.items() if s == plan.school_id and st == plan.stage)
        if plan.is_private:
            applied = Application.objects.filter(year=year, stage=plan.stage, private_school=plan.school).count()
        rows.append(
            {
                "plan": plan,
                "applied": applied,
                "approved": counts.get((plan.school_id, plan.stage, AppStatus.APPROVED), 0),
                "placed": placed.get((plan.school_id, plan.stage), 0),
                "free": max(plan.seats - placed.get((plan.school_id, plan.stage), 0), 0),
            }
        )
    return rows


def catchments(*, year: int, division_codes: list[str] | None = None) -> list[Catchment]:
    qs = Catchment.objects.filter(year=year).prefetch_related("schools").select_related("division")
    if division_codes is not None:
        qs = qs.filter(division_id__in=division_codes)
    return list(qs.order_by("division_id", "stage", "compound"))


def rules(*, division_code: str, year: int) -> list[EligibilityRule]:
    return list(EligibilityRule.objects.filter(division_id=division_code, year=year).order_by("rank"))


def private_schools(*, year: int, stage: str) -> list[School]:
    return [
        p.school
        for p in AdmissionPlan.objects.filter(year=year, stage=stage, is_private=True)
        .select_related("school")
        .order_by("school__code")
    ]


def file_get(*, actor: Actor, file_id: int) -> ApplicationFile:
    f = ApplicationFile.objects.select_related("application").filter(pk=file_id).first()
    if f is None:
        raise NotFound()
    application_get(actor=actor, application_id=f.application_id)
    return f
