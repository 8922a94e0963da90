"""Writes of papers (组卷): create, add/remove/reorder items, set points, mark ready, assemble from a 双向细目表.

Only the author changes a paper; every change is one transaction and is audited. An item goes on a paper pinned to
its approved version (``PaperItem.version``), with the version's points unless the author sets others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.learning import assembly, paper_selectors, qti, selectors, transfer
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import Paper, PaperItem, PaperStatus

MAX_ITEMS = 100


def _target(paper: Paper) -> Target:
    return Target("paper", str(paper.pk), paper.title[:40])


def _author(actor: Account, paper: Paper) -> None:
    if paper.author_id != actor.pk:
        raise ZhijiaoError(LearningError.LEARNING_PAPER_NOT_AUTHOR, status=403)


def _editable(actor: Account, paper: Paper) -> None:
    _author(actor, paper)
    if Paper.objects.filter(pk=paper.pk, status=PaperStatus.READY).exists():
        raise ZhijiaoError(LearningError.LEARNING_PAPER_READY)


def _header_problems(title: str, stage: str, subject: str) -> list[tuple[str, str]]:
    problems = []
    if not title.strip():
        problems.append(("试卷名称", "请填写试卷名称"))
    elif len(title.strip()) > 100:
        problems.append(("试卷名称", "不能超过 100 个字"))
    if not stage:
        problems.append(("学段", "请选择学段"))
    if not subject:
        problems.append(("学科", "请选择学科"))
    return problems


def _invalid(problems: list[tuple[str, str]]) -> ZhijiaoError:
    return ZhijiaoError(LearningError.LEARNING_PAPER_INVALID, detail="；".join(f"{f}：{r}" for f, r in problems))


def _new_paper(*, actor: Account, title: str, stage: str, subject: str, grade: str) -> Paper:
    owner = selectors.item_owner(actor)
    if owner is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NO_OWNER, status=403)
    problems = _header_problems(title, stage, subject)
    if problems:
        raise _invalid(problems)
    school, division = owner
    return Paper.objects.create(
        title=title.strip(),
        stage=stage,
        subject=subject,
        grade=grade,
        author=actor,
        owner_school=school,
        owner_division=division,
    )


@transaction.atomic
def paper_create(*, actor: Account, title: str, stage: str, subject: str, grade: str, origin: Origin) -> Paper:
    paper = _new_paper(actor=actor, title=title, stage=stage, subject=subject, grade=grade)
    audit_record(actor=actor, action="paper.create", origin=origin, target=_target(paper))
    return paper


@transaction.atomic
def paper_add_item(*, actor: Account, paper: Paper, item_id: int, origin: Origin) -> PaperItem:
    _editable(actor, paper)
    locked = Paper.objects.select_for_update().get(pk=paper.pk)
    item = paper_selectors.paper_item_for(actor=actor, paper=locked, item_id=item_id)
    if item is None or item.approved_version is None:
        raise ZhijiaoError(
            LearningError.LEARNING_PAPER_ITEM_UNUSABLE, detail="只能加入审核通过、与试卷学段学科相同的试题"
        )
    if PaperItem.objects.filter(paper=locked, item=item).exists():
        raise ZhijiaoError(LearningError.LEARNING_PAPER_ITEM_UNUSABLE, detail=f"第 {item.pk} 号题已在试卷中")
    if PaperItem.objects.filter(paper=locked).count() >= MAX_ITEMS:
        raise ZhijiaoError(LearningError.LEARNING_PAPER_ITEM_UNUSABLE, detail=f"一份试卷最多 {MAX_ITEMS} 道题")
    order = (PaperItem.objects.filter(paper=locked).aggregate(m=Max("order"))["m"] or 0) + 1
    entry = PaperItem.objects.create(
        paper=locked, item=item, version=item.approved_version, order=order, points=item.approved_version.points
    )
    locked.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="paper.update", origin=origin, target=_target(locked))
    return entry


@transaction.atomic
def paper_remove_entry(*, actor: Account, paper: Paper, entry_id: int, origin: Origin) -> None:
    _editable(actor, paper)
    PaperItem.objects.filter(paper=paper, pk=entry_id).delete()
    paper.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="paper.update", origin=origin, target=_target(paper))


@transaction.atomic
def paper_move_entry(*, actor: Account, paper: Paper, entry_id: int, up: bool, origin: Origin) -> None:
    """Swap the entry with its neighbour in its section (same type)."""
    _editable(actor, paper)
    entries = list(PaperItem.objects.select_for_update().filter(paper=paper).select_related("version"))
    entry = next((e for e in entries if e.pk == entry_id), None)
    if entry is None:
        return
    same = [e for e in entries if e.version.type == entry.version.type]
    i = same.index(entry)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(same):
        return
    other = same[j]
    # renumber everything first, so equal orders can never make a swap a no-op
    for n, e in enumerate(entries, start=1):
        e.order = n
    entry.order, other.order = other.order, entry.order
    PaperItem.objects.bulk_update(entries, ["order"])
    paper.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="paper.update", origin=origin, target=_target(paper))


@transaction.atomic
def paper_set_points(*, actor: Account, paper: Paper, points: Mapping[int, str], origin: Origin) -> None:
    """New points per entry ({entry id: "3.5"}); every problem named by question number, nothing saved if any."""
    _editable(actor, paper)
    view = paper_selectors.paper_view(paper)
    problems: list[tuple[str, str]] = []
    changed = []
    for section in view.sections:
        for e in section.entries:
            if e.pk not in points:
                continue
            raw = points[e.pk].strip()
            try:
                value = Decimal(raw)
            except InvalidOperation:
                problems.append((f"第 {e.number} 题分值", f"“{raw[:10]}”不是数字"))  # type: ignore[attr-defined]
                continue
            if not value.is_finite() or value <= 0 or value > 999 or value != value.quantize(Decimal("0.1")):
                problems.append((f"第 {e.number} 题分值", "应在 0.1 到 999 之间，最多一位小数"))  # type: ignore[attr-defined]
                continue
            if value != e.points:
                e.points = value
                changed.append(e)
    if problems:
        raise _invalid(problems)
    PaperItem.objects.bulk_update(changed, ["points"])
    paper.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="paper.update", origin=origin, target=_target(paper))


@transaction.atomic
def paper_set_status(*, actor: Account, paper: Paper, ready: bool, origin: Origin) -> None:
    _author(actor, paper)
    if ready and not PaperItem.objects.filter(paper=paper).exists():
        raise _invalid([("试题", "试卷中还没有试题")])
    paper.status = PaperStatus.READY if ready else PaperStatus.DRAFT
    paper.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="paper.ready" if ready else "paper.reopen", origin=origin, target=_target(paper))


@transaction.atomic
def paper_delete(*, actor: Account, paper: Paper, origin: Origin) -> None:
    _author(actor, paper)
    audit_record(actor=actor, action="paper.delete", origin=origin, target=_target(paper))
    paper.delete()


@transaction.atomic
def paper_assemble(
    *,
    actor: Account,
    title: str,
    stage: str,
    subject: str,
    grade: str,
    targets: Sequence[assembly.Target],
    seed: int,
    origin: Origin,
) -> tuple[Paper, assembly.Assembly]:
    """A new paper from a 双向细目表: ``assembly.assemble`` over the approved items the actor may see; what a row
    could not get is in the result's ``shortfalls`` (the paper holds the rest, to be completed by hand)."""
    if not targets:
        raise _invalid([("双向细目表", "请至少填写一行")])
    paper = _new_paper(actor=actor, title=title, stage=stage, subject=subject, grade=grade)
    candidates = paper_selectors.paper_candidates(actor=actor, stage=stage, subject=subject, grade=grade)
    result = assembly.assemble(targets, candidates, seed=seed)
    PaperItem.objects.bulk_create(
        PaperItem(
            paper=paper,
            item_id=p.candidate.item_id,
            version_id=p.candidate.version_id,
            order=n,
            points=Decimal(str(p.points)).quantize(Decimal("0.1")),
        )
        for n, p in enumerate(result.picks, start=1)
    )
    paper.blueprint = [
        {"point": t.point_id, "point_name": t.point_name, "difficulty": t.difficulty, "type": t.type,
         "count": t.count, "points": t.points}
        for t in targets
    ]  # fmt: skip
    paper.seed = seed
    paper.save(update_fields=["blueprint", "seed"])
    audit_record(actor=actor, action="paper.assemble", origin=origin, target=_target(paper))
    return paper, result


def paper_export_qti(*, actor: Account, paper: Paper, origin: Origin) -> bytes:
    """The paper as a QTI 3.0 package (``qti.write_test_package``): its sections, its order, its points; for
    whoever may see the paper."""
    view = paper_selectors.paper_view(paper)
    sections = [(s.title, [transfer.qti_item(e.item, e.version, e.points) for e in s.entries]) for s in view.sections]
    data = qti.write_test_package(identifier=f"paper-{paper.pk}", title=paper.title, sections=sections)
    audit_record(actor=actor, action="paper.export", origin=origin, target=_target(paper))
    return data
