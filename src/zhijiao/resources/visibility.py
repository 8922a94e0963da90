"""Which resources an actor may see: the visibility rule, shared by the selectors and the recommender.

Below both ``selectors`` and ``recommend`` (selectors re-exports these names), so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from zhijiao.access.roles import BUREAU_ROLES, SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.resources.models import Resource, ResourceStatus, SharingScope


@dataclass(frozen=True)
class VisibilityTerms:
    """The actor's side of the visibility rule, as values an index can filter on."""

    everything: bool = False  # platform administrator: every published resource
    author_id: int | None = None
    school_codes: frozenset[str] = frozenset()  # 本校 matches
    district_codes: frozenset[str] = frozenset()  # 本区 matches (6 digits)
    city_codes: frozenset[str] = frozenset()  # 本市 matches (4 digits)
    bureau_prefixes: frozenset[str] = frozenset()  # all published resources whose owner_division starts so
    extra: dict = field(default_factory=dict)


def visibility_terms(actor: Actor | None) -> VisibilityTerms:
    if actor is None or not actor.is_authenticated:
        return VisibilityTerms()
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return VisibilityTerms(everything=True, author_id=actor.pk)
    schools: set[str] = set()
    districts: set[str] = set()
    bureaus: set[str] = set()
    for place in scope.places:
        if place.role in SEPARATED_ROLES or place.role == Role.PARENT:
            continue
        if place.kind == "division":
            if place.role in BUREAU_ROLES:
                bureaus.add(place.division_code)
            if len(place.division_code) == 6:
                districts.add(place.division_code)
        elif place.school is not None:
            schools.add(place.school.code)
            districts.add(place.school.division_id)
    cities = {code[:4] for code in districts} | {code[:4] for code in bureaus if len(code) >= 4}
    districts |= {code for code in bureaus if len(code) == 6}
    return VisibilityTerms(
        author_id=actor.pk,
        school_codes=frozenset(schools),
        district_codes=frozenset(districts),
        city_codes=frozenset(cities),
        bureau_prefixes=frozenset(bureaus),
    )


def _published_q(terms: VisibilityTerms) -> Q:
    if terms.everything:
        return Q()
    q = Q(sharing=SharingScope.PUBLIC)
    if terms.school_codes:
        q |= Q(sharing=SharingScope.SCHOOL, owner_school__code__in=terms.school_codes)
    if terms.district_codes:
        q |= Q(sharing=SharingScope.DISTRICT, owner_division_id__in=terms.district_codes)
    for city in sorted(terms.city_codes):
        q |= Q(sharing=SharingScope.CITY, owner_division__code__startswith=city)
    for prefix in sorted(terms.bureau_prefixes):
        q |= Q(owner_division__code__startswith=prefix)
    return q


def resource_visible_qs(actor: Actor | None) -> QuerySet[Resource]:
    """Every resource ``actor`` may see: published ones by sharing scope, plus the actor's own in any status."""
    terms = visibility_terms(actor)
    q = Q(status=ResourceStatus.PUBLISHED) & _published_q(terms)
    if terms.author_id is not None:
        q |= Q(author_id=terms.author_id)
    return Resource.objects.filter(q)
