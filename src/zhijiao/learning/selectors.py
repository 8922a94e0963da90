"""Reads of the item bank (题库). Who sees what:

* the item bank is a staff tool: 教师, 班主任, 学校管理员 and the bureau's 区域管理员 (and the platform administrator)
  open it; pupils, parents, 督导 and the 三员 never do (:func:`item_bank_allowed`, 403 on every page);
* an author sees their own items in every status, the newest version;
* everybody else sees an item once a reviewer approved a version of it, that approved version, by its sharing
  scope: the same rule and the same terms as the resource centre (``resources.visibility.visibility_terms``:
  本校 the owning school's staff, 本区/本市 the district/city, 公开 everyone with the item bank, a bureau all items
  owned inside its division);
* reviewers reach items waiting for them through :func:`item_review_queue` and :func:`item_get_for`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhijiao.access.roles import REVIEWER_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.learning import dedupe
from zhijiao.learning.models import Item, ItemSharing, ItemStatus, ItemVersion
from zhijiao.org.models import Division, School
from zhijiao.resources.selectors import resource_upload_owner
from zhijiao.resources.visibility import visibility_terms


def item_owner(actor: Actor | None) -> tuple[School | None, Division] | None:
    """Who a new item by ``actor`` belongs to: the same rule as a new resource (their school, else their bureau's
    division); None when the actor may not write items (pupils, parents, 督导, the 三员)."""
    return resource_upload_owner(actor)


def item_is_reviewer(actor: Actor | None) -> bool:
    """学校管理员 (their school's items), 区域管理员 (a bureau's own items) and the platform administrator."""
    if actor is None or not actor.is_authenticated:
        return False
    return scope_for(actor).has_any(REVIEWER_ROLES)


def item_bank_allowed(actor: Actor | None) -> bool:
    """Whether the actor has the item bank at all: the writers and the reviewers."""
    return item_owner(actor) is not None or item_is_reviewer(actor)


def _approved_q(actor: Actor) -> Q:
    terms = visibility_terms(actor)
    if terms.everything:
        return Q(approved_version__isnull=False)
    q = Q(sharing=ItemSharing.PUBLIC)
    if terms.school_codes:
        q |= Q(sharing=ItemSharing.SCHOOL, owner_school__code__in=terms.school_codes)
    if terms.district_codes:
        q |= Q(sharing=ItemSharing.DISTRICT, owner_division_id__in=terms.district_codes)
    for city in sorted(terms.city_codes):
        q |= Q(sharing=ItemSharing.CITY, owner_division__code__startswith=city)
    for prefix in sorted(terms.bureau_prefixes):
        q |= Q(owner_division__code__startswith=prefix)
    return Q(approved_version__isnull=False) & q


def item_visible_qs(actor: Actor | None) -> QuerySet[Item]:
    """Every item the actor may see (nothing for those without the item bank)."""
    if not item_bank_allowed(actor):
        return Item.objects.none()
    assert actor is not None
    return Item.objects.filter(_approved_q(actor) | Q(author_id=actor.pk))


def _reviewable_q(actor: Actor | None) -> Q:
    """Items waiting for a review ``actor`` may give: the owning school's 学校管理员; a bureau's own items (no
    school) a 区域管理员 at or above its division; the platform administrator all. Never one's own."""
    if actor is None or not actor.is_authenticated:
        return Q(pk__in=[])
    scope = scope_for(actor)
    waiting = Q(status=ItemStatus.SUBMITTED)
    if scope.is_platform_admin:
        return waiting & ~Q(author_id=actor.pk)
    q = Q(pk__in=[])
    schools = scope.school_ids(Role.SCHOOL_ADMIN)
    if schools:
        q |= Q(owner_school_id__in=schools)
    for code in scope.divisions(Role.REGION_ADMIN):
        q |= Q(owner_school__isnull=True, owner_division__code__startswith=code)
    return waiting & q & ~Q(author_id=actor.pk)


def item_review_queue(*, actor: Actor) -> QuerySet[Item]:
    return (
        Item.objects.filter(_reviewable_q(actor))
        .select_related("author", "owner_school", "current_version")
        .order_by("updated_at", "pk")
    )


def item_may_review(*, actor: Actor, item: Item) -> bool:
    return Item.objects.filter(_reviewable_q(actor), pk=item.pk).exists()


def item_get_for(*, actor: Actor | None, item_id: int) -> Item:
    """One item the actor may see or review; missing and out of reach both raise NotFound."""
    if not item_bank_allowed(actor):
        raise NotFound()
    q = Q(pk__in=item_visible_qs(actor).values("pk")) | _reviewable_q(actor)
    item = (
        Item.objects.filter(q, pk=item_id)
        .select_related("author", "owner_school", "owner_division", "chapter__volume__edition", "current_version")
        .prefetch_related("knowledge_points")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def item_shown_version(*, actor: Actor | None, item: Item) -> ItemVersion | None:
    """The version this actor reads: the author (and a reviewer of a waiting item) the newest, others the approved."""
    if actor is not None and item.author_id == actor.pk:
        return item.current_version
    if actor is not None and item.status == ItemStatus.SUBMITTED and item_may_review(actor=actor, item=item):
        return item.current_version
    return item.approved_version


@dataclass(frozen=True)
class ItemFilters:
    stage: str = ""
    subject: str = ""
    grade: str = ""
    type: str = ""
    difficulty: int | None = None
    point: int | None = None
    chapter: int | None = None
    status: str = ""
    mine: bool = False
    q: str = ""


def item_list(*, actor: Actor | None, filters: ItemFilters) -> QuerySet[Item]:
    """The items the actor may see, narrowed by the filters. Type and difficulty are read from the version the
    actor sees (own items: newest; others: approved)."""
    qs = item_visible_qs(actor)
    f = filters
    for name in ("stage", "subject", "grade"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    uid = actor.pk if actor is not None else None
    own = Q(author_id=uid)
    if f.type:
        qs = qs.filter((own & Q(current_version__type=f.type)) | (~own & Q(approved_version__type=f.type)))
    if f.difficulty:
        d = f.difficulty
        qs = qs.filter((own & Q(current_version__difficulty=d)) | (~own & Q(approved_version__difficulty=d)))
    if f.point:
        qs = qs.filter(knowledge_points=f.point)
    if f.chapter:
        qs = qs.filter(Q(chapter_id=f.chapter) | Q(chapter__parent_id=f.chapter))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.mine:
        qs = qs.filter(own)
    if f.q:
        qs = qs.filter(stem_norm__contains=dedupe.normalise(f.q))
    return (
        qs.select_related("author", "owner_school", "current_version", "approved_version")
        .prefetch_related("knowledge_points")
        .distinct()
    )


def item_duplicate_candidates(
    *, actor: Actor | None, stage: str, subject: str, exclude: Iterable[int] = (), like: str = ""
) -> list[tuple[int, str]]:
    """(id, normalised stem) of the items to compare a new stem with: those the actor may see, plus every item of
    the actor's own school or bureau (a colleague's draft is still a duplicate), same 学段 and 学科; ``like``: a
    normalised stem, to fetch only stems of a length that could match it."""
    owner = item_owner(actor)
    q = Q(pk__in=item_visible_qs(actor).values("pk"))
    if owner is not None:
        school, division = owner
        q |= Q(owner_school=school) if school is not None else Q(owner_school__isnull=True, owner_division=division)
    return list(
        Item.objects.filter(q, stage=stage, subject=subject)
        .exclude(pk__in=list(exclude))
        .values_list("pk", "stem_norm")
    )
