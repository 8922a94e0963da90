"""Reading the app registry: who may administer it, who may use which app, the portal's list.

An app restricts its users by role (``allowed_roles``; empty = every role) and by org node
(``allowed_divisions`` / ``allowed_schools``; both empty = the whole platform). An account may use an app
when one of its role grants satisfies both at once: a teacher in school A who is also a parent in school B
does not get an app meant for the teachers of school B.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from zhijiao.access.permissions import Perm, require
from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.oidc.models import RegisteredApp
from zhijiao.org.models import Division, School
from zhijiao.people.models import Student


@dataclass(frozen=True)
class Placement:
    """Where one role grant of an account sits in the org tree (both None: above every node)."""

    role: str
    division_code: str | None = None
    school_id: int | None = None


def app_may_administer(*, actor: Actor) -> bool:
    """Platform administrators and 系统管理员 register and manage apps."""
    return scope_for(actor).may_administer_apps


def _registry() -> QuerySet[RegisteredApp]:
    return (
        RegisteredApp.objects.select_related("application", "created_by")
        .prefetch_related("allowed_divisions", "allowed_schools")
        .order_by("application__name", "pk")
    )


def app_list(*, actor: Actor) -> QuerySet[RegisteredApp]:
    """Every registered app, by name (the registry page). Only for those who may administer apps."""
    require(actor, Perm.ADMINISTER_APPS)
    return _registry()


def app_get_for_admin(*, actor: Actor, pk: int) -> RegisteredApp:
    """One app for its administrators; a missing app raises NotFound."""
    app = app_list(actor=actor).filter(pk=pk).first()
    if app is None:
        raise NotFound(detail=str(pk))
    return app


def app_get_by_client_id(*, client_id: str) -> RegisteredApp | None:
    """The registration of an OAuth client (None for a client registered outside the registry)."""
    return _registry().filter(application__client_id=client_id).first()


def account_placements(*, actor: Actor) -> list[Placement]:
    """Where the account's grants sit. A parent also sits at each child's school (a parent grant may carry no node)."""
    scope = scope_for(actor)
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return []
    places: list[Placement] = []
    class_schools: set[int] = set()
    for place in scope.places:
        if place.kind == "division":
            places.append(Placement(place.role, division_code=place.division_code))
        elif place.kind == "school":
            places.append(Placement(place.role, division_code=place.division_code, school_id=place.school_id))
        elif place.kind == "class" and place.school_id is not None:
            class_schools.add(place.school_id)
            places.append(Placement(place.role, school_id=place.school_id))
        else:
            places.append(Placement(place.role))
    if actor.is_superuser and not scope.has(Role.PLATFORM_ADMIN):
        places.append(Placement(Role.PLATFORM_ADMIN))
    person_id = getattr(actor, "person_id", None)  # an Account's; the early return above keeps anonymous out
    if scope.has(Role.PARENT) and person_id:
        children = set(Student.objects.filter(guardianships__guardian_id=person_id).values_list("school_id", flat=True))
        class_schools.update(children)
        places += [Placement(Role.PARENT, school_id=school_id) for school_id in sorted(children)]
    # a class grant knows its school; the school's district comes from one query for all of them
    districts = dict(School.objects.filter(pk__in=class_schools).values_list("pk", "division_id"))
    return [
        Placement(p.role, districts.get(p.school_id), p.school_id) if p.school_id and not p.division_code else p
        for p in places
    ]


def _placement_fits(app: RegisteredApp, place: Placement) -> bool:
    roles = app.allowed_roles or []
    if roles and place.role not in roles:
        return False
    divisions = [d.code for d in app.allowed_divisions.all()]
    schools = {s.pk for s in app.allowed_schools.all()}
    if not divisions and not schools:
        return True
    if place.school_id is not None and place.school_id in schools:
        return True
    return place.division_code is not None and any(place.division_code.startswith(code) for code in divisions)


def _allowed(app: RegisteredApp, places: list[Placement]) -> bool:
    return app.is_active and any(_placement_fits(app, place) for place in places)


def app_allowed(*, actor: Actor, app: RegisteredApp) -> bool:
    """Whether the account may sign in to the app: the app is active, and one of the account's grants
    holds an allowed role (or any role when none is listed) and sits inside an allowed division or school
    (or anywhere when none is listed). A grant above every node (平台管理员) sits inside no restricted node.
    """
    return _allowed(app, account_placements(actor=actor))


def apps_for(*, actor: Actor) -> list[RegisteredApp]:
    """The apps the account may use (the portal, 我的应用), by name."""
    places = account_placements(actor=actor)
    if not places:
        return []
    return [app for app in _registry().filter(is_active=True) if _allowed(app, places)]


def app_school_choices(*, actor: Actor) -> QuerySet[School]:
    """Schools an app may be limited to (the registry form's picker): every school on the platform."""
    require(actor, Perm.ADMINISTER_APPS)
    return School.objects.select_related("division").order_by("division_id", "code")


def app_division_choices(*, actor: Actor) -> list[Division]:
    """Divisions an app may be limited to: those holding schools and the divisions above them, by code."""
    require(actor, Perm.ADMINISTER_APPS)
    counties = set(School.objects.values_list("division_id", flat=True).distinct())
    codes = {county[:length] for county in counties for length in (2, 4, 6)}
    return list(Division.objects.filter(code__in=codes).order_by("code"))


def app_get_for_user(*, actor: Actor, pk: int) -> RegisteredApp:
    """An app the account may use, or may administer (for its logo); NotFound otherwise."""
    app = _registry().filter(pk=pk).first()
    if app is None or not (app_may_administer(actor=actor) or app_allowed(actor=actor, app=app)):
        raise NotFound(detail=str(pk))
    return app
