"""Reads of the resource centre. :func:`resource_visible_qs` (in ``visibility.py``, re-exported here) is the one place
that decides who sees what.

Visibility of a resource to an actor (anonymous included):

* its author sees it in every status (drafts, returned, in review);
* anyone else sees it only once ``status == "published"``, and then by ``sharing``:
  ``public`` (公开) everyone, anonymous visitors too; ``city`` (本市) accounts with a grant in the same city
  (``owner_division[:4]``); ``district`` (本区) accounts with a grant in the same district (``owner_division``);
  ``school`` (本校) accounts with a grant at the owning school (or a class of it);
* a bureau (区域管理员, 督导) sees every published resource owned inside its division, whatever the sharing;
  the platform administrator sees every published resource;
* a parent's (家长) grants give no 本校/本区/本市 visibility: school resources are for its staff and pupils, so a
  parent sees 公开 ones only (other grants the same account holds, as a teacher say, still count). A student
  keeps the view of the school of its class.

Reviewers reach resources awaiting their step through :func:`resource_review_queue` and
:func:`resource_get_for` (by id), never through the visible set, so search never shows unpublished work.

Fields a search index needs to apply the same rule without the database (SEARCH, ``resources/search/``):
``status``, ``sharing``, ``author_id``, ``owner_school_code`` (10-digit 学校标识码 or empty),
``owner_division`` (6-digit district code; city = first 4 digits). :func:`visibility_terms` gives the
actor's side of the rule as plain values, so an index can filter on them; it must agree with this queryset.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from zhijiao.access.roles import REVIEWER_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.identity.models import Account
from zhijiao.org.models import Division, School
from zhijiao.resources.models import Resource, ResourceStatus, ResourceType, SharingScope
from zhijiao.resources.recommend import Recommendation, resources_for_knowledge_points  # noqa: F401  (re-exported)
from zhijiao.resources.visibility import (  # noqa: F401  (re-exported: the visibility rule lives below recommend too)
    BUREAU_ROLES,
    VisibilityTerms,
    resource_visible_qs,
    visibility_terms,
)


def _reviewable_q(actor: Actor | None) -> Q:
    """Resources waiting for a step ``actor`` may take: 一审 by the owning school's administrators, 二审 by a
    region administrator at or above the owner's district (platform administrators: both)."""
    if actor is None or not actor.is_authenticated:
        return Q(pk__in=[])
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return Q(status__in=[ResourceStatus.SUBMITTED, ResourceStatus.FIRST_APPROVED])
    q = Q(pk__in=[])
    schools = scope.school_ids(Role.SCHOOL_ADMIN)
    if schools:
        q |= Q(status=ResourceStatus.SUBMITTED, owner_school_id__in=schools)
    for code in scope.divisions(Role.REGION_ADMIN):
        q |= Q(status=ResourceStatus.FIRST_APPROVED, owner_division__code__startswith=code)
    return q & ~Q(author_id=actor.pk)


def resource_review_queue(*, actor: Account, stage: str = "") -> QuerySet[Resource]:
    """The actor's review queue, oldest first; ``stage`` "first"/"second" narrows it to one step."""
    qs = Resource.objects.filter(_reviewable_q(actor))
    if stage == "first":
        qs = qs.filter(status=ResourceStatus.SUBMITTED)
    elif stage == "second":
        qs = qs.filter(status=ResourceStatus.FIRST_APPROVED)
    return qs.select_related("author", "owner_school", "owner_division", "current_version__file").order_by(
        "updated_at", "pk"
    )


def resource_is_reviewer(actor: Actor | None) -> bool:
    """Whether the actor has the review feature at all (学校管理员 一审, 区域管理员 二审, 平台管理员 both): a
    review queue and a link to it. Teachers, 班主任, 督导, pupils and parents do not; their review pages are 403."""
    if actor is None or not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    return scope.has_any(REVIEWER_ROLES)


def resource_is_bureau_staff(actor: Actor | None) -> bool:
    """区域管理员, 督导 or 平台管理员: the bureau's data staff, who catalogue resources and pass them to other
    platforms, so the detail page offers them the standard-format description (JSON-LD); teachers, pupils and
    parents have no use for it (the API serves it to any system that may read the resource)."""
    if actor is None or not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    return scope.has_any(BUREAU_ROLES)


def resource_upload_owner(actor: Actor | None) -> tuple[School | None, Division] | None:
    """Who a new resource by ``actor`` belongs to: their school (a 教师, 班主任 or 学校管理员 grant), else their
    bureau's division (区域管理员, 教研员, or a 平台管理员 placed on a division); None when nobody, i.e. the actor
    may not upload (pupils, parents, 督导, the 三员). The one definition behind the upload button, the 403 and
    ``resource_create``."""
    if actor is None or not actor.is_authenticated:
        return None
    scope = scope_for(actor)
    for place in scope.places_of(Role.TEACHER, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER):
        if place.kind == "school" and place.school is not None:
            return place.school, place.school.division
    for place in scope.places_of(Role.TEACHER, Role.HEAD_TEACHER):
        if place.kind == "class" and place.school is not None:
            return place.school, place.school.division
    for place in scope.places_of(Role.REGION_ADMIN, Role.PLATFORM_ADMIN, Role.RESEARCHER):
        if place.division is not None:
            return None, place.division
    return None


def resource_may_upload(actor: Actor | None) -> bool:
    """Whether the actor has the upload feature (upload, edit their drafts): see :func:`resource_upload_owner`."""
    return resource_upload_owner(actor) is not None


def resource_may_review(*, actor: Account, resource: Resource) -> bool:
    return Resource.objects.filter(_reviewable_q(actor), pk=resource.pk).exists()


def resource_get_for(*, actor: Actor | None, resource_id: int) -> Resource:
    """One resource the actor may see (or review); missing and out-of-scope both raise NotFound."""
    q = Q(pk__in=resource_visible_qs(actor).values("pk")) | _reviewable_q(actor)
    resource = (
        Resource.objects.filter(q, pk=resource_id)
        .select_related(
            "author", "owner_school", "owner_division", "edition", "volume", "chapter__parent", "current_version__file"
        )
        .first()
    )
    if resource is None:
        raise NotFound()
    return resource


@dataclass(frozen=True)
class ResourceFilters:
    stage: str = ""
    subject: str = ""
    grade: str = ""
    type: str = ""
    edition: int | None = None
    volume: int | None = None
    chapter: int | None = None
    point: int | None = None


def resource_list(*, actor: Actor | None, filters: ResourceFilters) -> QuerySet[Resource]:
    """Published resources the actor may see, narrowed by the facets (a chapter includes its sections)."""
    qs = resource_visible_qs(actor).filter(status=ResourceStatus.PUBLISHED)
    return _filter(qs, filters).select_related("author", "owner_school", "current_version__file", "chapter")


def resource_public_list(*, filters: ResourceFilters) -> QuerySet[Resource]:
    """The public portal: 公开 and published, no login."""
    qs = Resource.objects.filter(status=ResourceStatus.PUBLISHED, sharing=SharingScope.PUBLIC)
    return _filter(qs, filters).select_related("author", "owner_school", "current_version__file", "chapter")


def resource_mine(*, actor: Account) -> QuerySet[Resource]:
    return (
        Resource.objects.filter(author=actor)
        .select_related("current_version__file", "chapter")
        .order_by("-updated_at", "-pk")
    )


def _filter(qs: QuerySet[Resource], f: ResourceFilters) -> QuerySet[Resource]:
    for name in ("stage", "subject", "grade", "type"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.edition:
        qs = qs.filter(edition_id=f.edition)
    if f.volume:
        qs = qs.filter(volume_id=f.volume)
    if f.chapter:
        qs = qs.filter(Q(chapter_id=f.chapter) | Q(chapter__parent_id=f.chapter))
    if f.point:
        qs = qs.filter(knowledge_points=f.point)
    return qs


def resource_duplicates(*, actor: Actor | None, resource: Resource) -> list[Resource]:
    """Other resources the actor may see whose current file has the same bytes."""
    version = resource.current_version
    if version is None:
        return []
    return list(
        resource_visible_qs(actor)
        .filter(versions__file_id=version.file_id)
        .exclude(pk=resource.pk)
        .distinct()
        .order_by("pk")[:10]
    )


# Kinds written for teachers rather than pupils: left out of a pupil's home page (still in the resource centre)
TEACHER_ONLY_TYPES = (ResourceType.LESSON_PLAN, ResourceType.CASE)


def resource_for_pupil(*, actor: Actor, stage: str, grade: str, limit: int = 6) -> list[Resource]:
    """A few published resources for a pupil's home page: those of their grade first, then their stage's
    resources tied to no grade, the most valuable first; only what the pupil may see, no teacher-only kinds."""
    qs = (
        resource_list(actor=actor, filters=ResourceFilters(stage=stage))
        .filter(Q(grade=grade) | Q(grade=""))
        .exclude(type__in=TEACHER_ONLY_TYPES)
        .annotate(other_grade=Case(When(grade=grade, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("other_grade", "-value_score", "-published_at", "-pk")
    )
    return list(qs[:limit])
