"""Writes of the item bank: create, edit (a new version once one was approved), submit, review, delete drafts.

Review is one step, draft → submitted (待审核) → approved (已通过) or rejected (已退回, with a comment), taken by the
same reviewer roles as the resource centre's (``selectors._reviewable_q``). Editing a draft or a rejected item
changes its newest version in place while no version was ever approved; editing an approved item makes version
n + 1 as a draft while version n stays what everybody sees, until the new one is approved. Every write is audited.
Duplicates never block a save: the result lists them so the page warns.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.learning import dedupe, selectors
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import (
    Item,
    ItemReview,
    ItemReviewDecision,
    ItemStatus,
    ItemVersion,
    RubricCriterion,
)
from zhijiao.learning.validation import OPTION_KEYS, ItemData, item_problems


class ItemInvalid(ZhijiaoError):
    """Every problem of an item at once: ``problems`` is ``[(field label, reason)]``."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        detail = "；".join(f"{label}：{reason}" for label, reason in problems)
        super().__init__(LearningError.LEARNING_ITEM_INVALID, detail=detail)


@dataclass(frozen=True)
class ItemSaved:
    item: Item
    version: ItemVersion
    duplicates: list[dedupe.Match]  # items the actor may see (or of their school) with nearly the same stem


def item_check(data: ItemData) -> None:
    problems = item_problems(data)
    if problems:
        raise ItemInvalid(problems)


def _write_version(*, actor: Account, item: Item, version: ItemVersion | None, data: ItemData) -> ItemVersion:
    if version is None:
        number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = ItemVersion(item=item, number=number, created_by=actor)
    version.type = data.type
    version.stem = data.stem.strip()
    version.options = [{"key": OPTION_KEYS[i], "text": text} for i, text in enumerate(data.options)]
    version.answer = list(data.answer)
    version.reference_answer = data.reference_answer.strip()
    version.explanation = data.explanation.strip()
    version.points = data.points  # type: ignore[assignment]  # a Decimal after item_problems
    version.difficulty = int(data.difficulty)
    version.partial = data.partial or "none"
    version.note = data.note[:200]
    version.save()
    version.criteria.all().delete()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(version=version, order=i, name=name.strip()[:100], points=points, guide=guide)
        for i, (name, points, guide) in enumerate(data.rubric)
    )
    return version


def _apply(item: Item, data: ItemData) -> None:
    item.stage, item.subject, item.grade = data.stage, data.subject, data.grade
    item.chapter = data.chapter
    item.source = data.source.strip()[:200]
    item.sharing = data.sharing
    item.stem_norm = dedupe.normalise(data.stem)
    if data.external_id:
        item.external_id = data.external_id[:100]


def _duplicates(actor: Account, item: Item) -> list[dedupe.Match]:
    candidates = selectors.item_duplicate_candidates(
        actor=actor, stage=item.stage, subject=item.subject, exclude=[item.pk], like=item.stem_norm
    )
    return dedupe.find_duplicates(item.stem_norm, candidates)


@transaction.atomic
def item_create(
    *, actor: Account, data: ItemData, origin: Origin, audit: bool = True, duplicates: bool = True
) -> ItemSaved:
    """A new draft item, version 1, owned by the actor's school (or bureau). ``audit``/``duplicates`` False: a bulk
    import writes one audit record for the batch and checks duplicates itself (``transfer``)."""
    owner = selectors.item_owner(actor)
    if owner is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NO_OWNER, status=403)
    item_check(data)
    school, division = owner
    item = Item(author=actor, owner_school=school, owner_division=division)
    _apply(item, data)
    item.save()
    item.knowledge_points.set(data.knowledge_points)
    version = _write_version(actor=actor, item=item, version=None, data=data)
    Item.objects.filter(pk=item.pk).update(current_version=version)
    item.current_version = version
    if audit:
        audit_record(actor=actor, action="item.create", origin=origin, target=_target(item))
    return ItemSaved(item=item, version=version, duplicates=_duplicates(actor, item) if duplicates else [])


@transaction.atomic
def item_update(*, actor: Account, item: Item, data: ItemData, origin: Origin) -> ItemSaved:
    """The author edits an item. While no version was approved, its newest version changes in place; once one
    was, the edit is a new version (a draft again, to be reviewed; the approved one stays visible meanwhile)."""
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.author_id != actor.pk:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_AUTHOR, status=403)
    if locked.status == ItemStatus.SUBMITTED:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_EDITABLE, status=409)
    item_check(data)
    current = locked.current_version
    in_place = current is not None and current.pk != locked.approved_version_id
    version = _write_version(actor=actor, item=locked, version=current if in_place else None, data=data)
    _apply(locked, data)
    locked.current_version = version
    locked.status = ItemStatus.DRAFT if locked.status == ItemStatus.APPROVED else locked.status
    locked.save()
    locked.knowledge_points.set(data.knowledge_points)
    audit_record(actor=actor, action="item.update", origin=origin, target=_target(locked))
    return ItemSaved(item=locked, version=version, duplicates=_duplicates(actor, locked))


@transaction.atomic
def item_submit(*, actor: Account, item: Item, origin: Origin) -> Item:
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.author_id != actor.pk:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_AUTHOR, status=403)
    if locked.status not in (ItemStatus.DRAFT, ItemStatus.REJECTED) or locked.current_version is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_SUBMITTABLE, status=409)
    locked.status = ItemStatus.SUBMITTED
    locked.save(update_fields=["status", "updated_at"])
    ItemReview.objects.create(
        item=locked, version=locked.current_version, decision=ItemReviewDecision.SUBMITTED, reviewer=actor
    )
    audit_record(actor=actor, action="item.submit", origin=origin, target=_target(locked))
    return locked


@transaction.atomic
def item_review(*, actor: Account, item: Item, approve: bool, comment: str = "", origin: Origin) -> Item:
    """Pass the waiting version (it becomes the one others see) or return it with a comment."""
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.author_id == actor.pk:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_OWN_REVIEW, status=403)
    if not selectors.item_may_review(actor=actor, item=locked):
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_REVIEWABLE, status=403)
    comment = comment.strip()
    if not approve and not comment:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_COMMENT_REQUIRED, field="审核意见")
    version = locked.current_version
    assert version is not None
    if approve:
        locked.status = ItemStatus.APPROVED
        locked.approved_version = version
    else:
        locked.status = ItemStatus.REJECTED
    locked.save(update_fields=["status", "approved_version", "updated_at"])
    ItemReview.objects.create(
        item=locked,
        version=version,
        decision=ItemReviewDecision.APPROVED if approve else ItemReviewDecision.REJECTED,
        comment=comment,
        reviewer=actor,
    )
    audit_record(
        actor=actor, action="item.approve" if approve else "item.reject", origin=origin, target=_target(locked)
    )
    return locked


@transaction.atomic
def item_delete(*, actor: Account, item: Item, origin: Origin) -> None:
    """The author deletes an item no reviewer ever approved (nothing can point at it yet)."""
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.author_id != actor.pk:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_AUTHOR, status=403)
    if locked.approved_version_id is not None or locked.status == ItemStatus.SUBMITTED:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_EDITABLE, status=409)
    audit_record(actor=actor, action="item.delete", origin=origin, target=_target(locked))
    Item.objects.filter(pk=locked.pk).update(current_version=None)
    locked.delete()


def _target(item: Item) -> Target:
    return Target("item", str(item.pk), dedupe.normalise(item.stem_norm)[:40] or f"试题 {item.pk}")
