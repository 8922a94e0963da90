"""Use of published resources: ratings (1–5), comments, favourites and usage events (view, download, play).

Every write takes a resource the caller obtained through :func:`selectors.resource_get_for` (so invisible
resources are 404 before they get here) and refuses unpublished ones. The counts on :class:`Resource`
(``rating_avg``, ``favourite_count``, ``view_count`` …) are bumped here so pages show them at once; the value
job (:mod:`.value`) recomputes them exactly, with ``value_score``, every night and after every
``ZHIJIAO_VALUE_EVERY_EVENTS`` usage events.

Usage events are high volume and not audited; hiding a comment is.

* A view is recorded at most once per account per resource per 30 minutes (anonymous visitors of the public
  portal: per ``visitor`` key, kept in the cache).
* A play is one row per ``play_id`` (a random id the page makes for each playback) holding the furthest
  ``progress`` (0–1) reached; later beacons only raise it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, Count, F, QuerySet
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.learning_events import LearningEvent, learning_happened
from zhijiao.identity.models import Account
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import (
    Comment,
    Favourite,
    Rating,
    Resource,
    ResourceStatus,
    UsageEvent,
    UsageKind,
)
from zhijiao.resources.tasks import value_task

COMMENT_MAX = 500
VIEW_DEDUP = timedelta(minutes=30)
PLAY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _published(resource: Resource) -> None:
    if resource.status != ResourceStatus.PUBLISHED:
        raise ZhijiaoError(ResourceError.RESOURCE_NOT_PUBLISHED, status=409)


def _account(actor: Actor | None) -> Account | None:
    return actor if actor is not None and actor.is_authenticated else None  # type: ignore[return-value]


# ----------------------------------------------------------------------------- ratings
@transaction.atomic
def rating_set(*, actor: Account, resource: Resource, score: int) -> Rating:
    """The actor's 1–5 score for a published resource; rating again changes the score. Authors do not rate
    their own work (it would lift their own value score)."""
    _published(resource)
    if resource.author_id == actor.pk:
        raise ZhijiaoError(ResourceError.RESOURCE_OWN_RATING, status=403)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ZhijiaoError(ResourceError.RESOURCE_RATING_RANGE, field="评分")
    rating, _ = Rating.objects.update_or_create(resource=resource, account=actor, defaults={"score": score})
    agg = Rating.objects.filter(resource=resource).aggregate(avg=Avg("score"), n=Count("id"))
    Resource.objects.filter(pk=resource.pk).update(rating_avg=round(agg["avg"] or 0.0, 4), rating_count=agg["n"])
    resource.rating_avg, resource.rating_count = round(agg["avg"] or 0.0, 4), agg["n"]
    return rating


def rating_of(*, actor: Actor | None, resource: Resource) -> int | None:
    account = _account(actor)
    if account is None:
        return None
    return Rating.objects.filter(resource=resource, account=account).values_list("score", flat=True).first()


# ----------------------------------------------------------------------------- comments
def comment_add(*, actor: Account, resource: Resource, body: str) -> Comment:
    """A comment (at most 500 characters) on a published resource."""
    _published(resource)
    body = (body or "").strip()
    if not body:
        raise ZhijiaoError(ResourceError.RESOURCE_COMMENT_EMPTY, field="评论")
    if len(body) > COMMENT_MAX:
        raise ZhijiaoError(ResourceError.RESOURCE_COMMENT_TOO_LONG, field="评论", detail=f"当前 {len(body)} 字")
    return Comment.objects.create(resource=resource, account=actor, body=body)


def comment_may_moderate(*, actor: Actor | None, resource: Resource) -> bool:
    """The resource's author, an administrator of its school, a region administrator at or above its
    district, or the platform administrator."""
    account = _account(actor)
    if account is None:
        return False
    if resource.author_id == account.pk:
        return True
    return scope_for(account).manages_school(
        school_id=resource.owner_school_id, division_code=resource.owner_division_id
    )


@transaction.atomic
def comment_hide(
    *, actor: Account, comment_id: int, hidden: bool = True, origin: Origin, resource_id: int | None = None
) -> Comment:
    """Hide (or show again) a comment on a resource the actor may see and moderate; audited. ``resource_id``,
    when given, must be the comment's resource."""
    comment = Comment.objects.select_related("account").filter(pk=comment_id).first()
    if comment is None or (resource_id is not None and comment.resource_id != resource_id):
        raise NotFound()
    resource = selectors.resource_get_for(actor=actor, resource_id=comment.resource_id)
    if not comment_may_moderate(actor=actor, resource=resource):
        raise ZhijiaoError(ResourceError.RESOURCE_COMMENT_NOT_MODERATOR, status=403)
    if comment.hidden != hidden:
        comment.hidden = hidden
        comment.save(update_fields=["hidden"])
        audit_record(
            actor=actor,
            action="resource.comment_hide" if hidden else "resource.comment_show",
            origin=origin,
            target=Target("resource_comment", str(comment.pk), f"{resource.title[:60]}：{comment.body[:30]}"),
        )
    return comment


def comment_list(*, actor: Actor | None, resource: Resource) -> QuerySet[Comment]:
    """Comments newest first; hidden ones only for those who may moderate (marked ``hidden``)."""
    qs = Comment.objects.filter(resource=resource).select_related("account")
    if not comment_may_moderate(actor=actor, resource=resource):
        qs = qs.filter(hidden=False)
    return qs


# ----------------------------------------------------------------------------- favourites
@transaction.atomic
def favourite_toggle(*, actor: Account, resource: Resource, on: bool | None = None) -> bool:
    """Add or remove the resource from the actor's 我的收藏 (``on`` None flips it); returns the new state."""
    _published(resource)
    existing = Favourite.objects.filter(resource=resource, account=actor)
    want = not existing.exists() if on is None else on
    if want:
        _, created = Favourite.objects.get_or_create(resource=resource, account=actor)
        if created:
            Resource.objects.filter(pk=resource.pk).update(favourite_count=F("favourite_count") + 1)
    elif existing.delete()[0]:
        Resource.objects.filter(pk=resource.pk, favourite_count__gt=0).update(favourite_count=F("favourite_count") - 1)
    return want


def favourite_state(*, actor: Actor | None, resource: Resource) -> bool:
    account = _account(actor)
    return account is not None and Favourite.objects.filter(resource=resource, account=account).exists()


def favourite_list(*, actor: Account) -> QuerySet[Resource]:
    """The actor's favourites they may still see (published), most recently added first."""
    return (
        selectors.resource_visible_qs(actor)
        .filter(status=ResourceStatus.PUBLISHED, favourites__account=actor)
        .annotate(favourited_at=F("favourites__created_at"))
        .select_related("author", "owner_school", "current_version__file", "chapter")
        .order_by("-favourited_at", "-pk")
    )


# ----------------------------------------------------------------------------- usage events
def _progress(value) -> float:
    try:
        p = float(value)
    except (TypeError, ValueError):
        raise ZhijiaoError(ResourceError.RESOURCE_PROGRESS, field="播放进度") from None
    if not 0 <= p <= 1:
        raise ZhijiaoError(ResourceError.RESOURCE_PROGRESS, field="播放进度", detail=f"收到 {value}")
    return p


def _bump(resource: Resource, field: str) -> None:
    Resource.objects.filter(pk=resource.pk).update(**{field: F(field) + 1})
    setattr(resource, field, getattr(resource, field) + 1)  # the page rendering next shows the new count


def _publish(event: UsageEvent, resource: Resource, *, first: bool = True) -> None:
    """The same event, for the learning record store (``core.learning_events``; it becomes an xAPI statement)."""
    learning_happened(
        LearningEvent(
            kind=str(event.kind),
            usage_id=event.pk,
            resource_id=resource.pk,
            resource_title=resource.title,
            account_id=event.account_id,
            at=event.at if first else timezone.now(),
            progress=event.progress,
            first=first,
        )
    )


def _maybe_schedule(event: UsageEvent) -> None:
    """Every ``ZHIJIAO_VALUE_EVERY_EVENTS``-th event (by id, so across processes) asks for a recomputation."""
    every = getattr(settings, "ZHIJIAO_VALUE_EVERY_EVENTS", 1000)
    if every and event.pk % every == 0:
        transaction.on_commit(lambda: value_task())


@transaction.atomic
def usage_record(
    *,
    actor: Actor | None,
    resource: Resource,
    kind: str,
    play_id: str = "",
    progress: float | str | None = None,
    visitor: str = "",
) -> UsageEvent | None:
    """Record a view, a download or a play's progress on a published resource.

    Views within 30 minutes of the same account's (or anonymous ``visitor``'s) last view are dropped (None).
    Plays upsert by ``play_id``: the row keeps the furthest progress reported."""
    _published(resource)
    account = _account(actor)
    if kind == UsageKind.VIEW:
        if account is not None:
            recent = UsageEvent.objects.filter(
                resource=resource, account=account, kind=UsageKind.VIEW, at__gte=timezone.now() - VIEW_DEDUP
            )
            if recent.exists():
                return None
        elif visitor and not cache.add(f"zj:view:{resource.pk}:{visitor}", 1, int(VIEW_DEDUP.total_seconds())):
            return None
        event = UsageEvent.objects.create(resource=resource, account=account, kind=UsageKind.VIEW)
        _bump(resource, "view_count")
    elif kind == UsageKind.DOWNLOAD:
        event = UsageEvent.objects.create(resource=resource, account=account, kind=UsageKind.DOWNLOAD)
        _bump(resource, "download_count")
    elif kind == UsageKind.PLAY:
        if not isinstance(play_id, str) or not PLAY_ID.match(play_id):
            raise ZhijiaoError(ResourceError.RESOURCE_PLAY_ID, field="播放标识")
        p = _progress(0 if progress is None else progress)
        event, created = UsageEvent.objects.get_or_create(
            resource=resource, play_id=play_id, defaults={"kind": UsageKind.PLAY, "account": account, "progress": p}
        )
        if created:
            _bump(resource, "play_count")
        else:
            if event.kind != UsageKind.PLAY or event.account_id != (account.pk if account else None):
                raise ZhijiaoError(ResourceError.RESOURCE_PLAY_ID, field="播放标识", status=409)
            # One conditional UPDATE: concurrent beacons can only raise the stored progress.
            if UsageEvent.objects.filter(pk=event.pk, progress__lt=p).update(progress=p):
                event.progress = p
                _publish(event, resource, first=False)
            else:
                event.refresh_from_db(fields=["progress"])
            return event
    else:
        raise ZhijiaoError(ResourceError.RESOURCE_USAGE_KIND, field="类型")
    _publish(event, resource)
    _maybe_schedule(event)
    return event
