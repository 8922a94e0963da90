"""Writes of homework and exams (作业、考试): publish (plain and 分层作业), answer, submit, mark, close.

Who may do what is decided by the access layer (``homework_selectors``): a teacher sets and marks work for the
classes they teach this term or head (``Scope.led_class_ids``); a pupil answers only their own submission.
Every write is one transaction; every change of marks calls ``signals.send_marks_changed`` inside it (delivered on
commit), so the diagnosis refits. Design: ``docs/decisions/0056-homework.md``.

Release rule: a pupil sees their score as soon as their submission is fully marked; the right answers and 解析 once
the due date has passed or the teacher has closed the work (so nobody copies the key to classmates before the due).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.learning import homework_selectors as hs
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentKind,
    AssignmentMode,
    AssignmentOrigin,
    AssignmentStatus,
    AssignmentTier,
    Paper,
    PaperItem,
    Submission,
    SubmissionStatus,
)
from zhijiao.learning.scoring import OBJECTIVE, ScoringError, ScoringKey, score_response, score_rubric
from zhijiao.learning.signals import send_marks_changed
from zhijiao.people.models import Student

TIERS = (AssignmentTier.BASIC, AssignmentTier.IMPROVING, AssignmentTier.EXTENSION)


def _target(a: Assignment) -> Target:
    return Target("assignment", str(a.pk), a.title[:40])


def _invalid(problems: list[tuple[str, str]]) -> ZhijiaoError:
    return ZhijiaoError(LearningError.LEARNING_HOMEWORK_INVALID, detail="；".join(f"{f}：{r}" for f, r in problems))


def entry_key(entry: PaperItem) -> ScoringKey:
    """The scoring key of one question on this paper: the version's key at the paper's points (a rubric's
    criteria scaled with it when the paper changed the item's points)."""
    key = entry.version.scoring_key()
    points = float(entry.points)
    if abs(points - key.points) < 1e-9:
        return key
    factor = points / key.points if key.points else 1.0
    rubric = tuple((name, round(p * factor, 1)) for name, p in key.rubric)
    return ScoringKey(key.kind, points, key.answer, key.option_keys, key.partial, rubric)


# ── publishing ───────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AssignSpec:
    title: str
    kind: str = AssignmentKind.HOMEWORK
    mode: str = AssignmentMode.ONLINE
    opens_at: datetime | None = None
    due_at: datetime | None = None
    note: str = ""


def _check_spec(spec: AssignSpec) -> list[tuple[str, str]]:
    problems = []
    if not spec.title.strip():
        problems.append(("名称", "请填写作业名称"))
    elif len(spec.title.strip()) > 100:
        problems.append(("名称", "不能超过 100 个字"))
    if spec.kind not in AssignmentKind.values:
        problems.append(("类型", "请选择作业或考试"))
    if spec.mode not in AssignmentMode.values:
        problems.append(("作答方式", "请选择在线作答或纸笔作答"))
    if spec.opens_at is None:
        problems.append(("开始时间", "请填写开始时间"))
    if spec.due_at is not None and spec.opens_at is not None and spec.due_at <= spec.opens_at:
        problems.append(("截止时间", "应晚于开始时间"))
    return problems


def _usable_paper(actor: Actor, paper_id: int | None, label: str) -> Paper:
    paper = hs.paper_for_assigning(actor=actor, paper_id=paper_id)
    if paper is None:
        raise _invalid([(label, "请选择一份已定稿的试卷")])
    return paper


def _make(
    *,
    actor: Actor,
    spec: AssignSpec,
    paper: Paper,
    classes: Sequence,
    pupils: Sequence[Student],
    tier: str = "",
    group: str = "",
    origin_kind: str = AssignmentOrigin.TEACHER,
    status: str = AssignmentStatus.PUBLISHED,
) -> Assignment:
    school = classes[0].school
    a = Assignment.objects.create(
        title=spec.title.strip(),
        kind=spec.kind,
        mode=spec.mode,
        paper=paper,
        stage=paper.stage,
        subject=paper.subject,
        grade=paper.grade,
        term=hs.current_term(),
        school=school,
        division_id=school.division_id,
        tier=tier,
        layer_group=group,
        origin=origin_kind,
        note=spec.note.strip(),
        opens_at=spec.opens_at,  # type: ignore[misc]
        due_at=spec.due_at,
        status=status,
        created_by=actor,  # type: ignore[misc]
        published_at=timezone.now() if status == AssignmentStatus.PUBLISHED else None,
        planned=[p.pk for p in pupils] if status == AssignmentStatus.DRAFT else [],
    )
    a.classes.set(classes)
    if status == AssignmentStatus.PUBLISHED:
        _submissions(a, pupils)
    return a


def _submissions(a: Assignment, pupils: Sequence[Student]) -> None:
    total = sum((e.points for e in PaperItem.objects.filter(paper_id=a.paper_id)), Decimal(0))
    Submission.objects.bulk_create(
        Submission(assignment=a, student=p, school_class_id=p.school_class_id, max_score=total)  # type: ignore[misc]
        for p in pupils
    )


@transaction.atomic
def assignment_publish(
    *, actor: Actor, paper_id: int | None, class_ids: list[int], spec: AssignSpec, origin: Origin
) -> Assignment:
    """One paper set to every pupil of the chosen classes (classes the actor leads, of one school)."""
    problems = _check_spec(spec)
    classes = hs.assignable_classes(actor=actor, class_ids=class_ids)
    if not class_ids:
        problems.append(("班级", "请至少选择一个班级"))
    elif len(classes) != len(set(class_ids)):
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_NOT_YOURS, status=403)
    elif len({c.school_id for c in classes}) > 1:
        problems.append(("班级", "一次只能布置给同一所学校的班级"))
    paper = hs.paper_for_assigning(actor=actor, paper_id=paper_id)
    if paper is None:
        problems.append(("试卷", "请选择一份已定稿的试卷"))
    if problems:
        raise _invalid(problems)
    assert paper is not None
    pupils = list(Student.objects.filter(school_class__in=classes).order_by("school_class_id", "student_no"))
    a = _make(actor=actor, spec=spec, paper=paper, classes=classes, pupils=pupils)
    audit_record(actor=actor, action="homework.publish", origin=origin, target=_target(a))
    return a


def default_layers(*, class_id: int, subject: str) -> dict[int, str]:
    """Each pupil's 分层作业 layer: by their mean mastery of the subject's points (< 0.6 基础, < 0.8 提高, else
    拓展) where the diagnosis has estimates; 基础 otherwise."""
    means = hs.mean_mastery(class_id=class_id, subject=subject)
    out: dict[int, str] = {}
    for pk in Student.objects.filter(school_class_id=class_id).values_list("pk", flat=True):
        m = means.get(pk)
        out[pk] = (
            AssignmentTier.BASIC
            if m is None or m < 0.6
            else AssignmentTier.IMPROVING
            if m < 0.8
            else AssignmentTier.EXTENSION
        )
    return out


@transaction.atomic
def layered_publish(
    *,
    actor: Actor,
    class_id: int,
    papers: Mapping[str, int | None],
    layers: Mapping[int, str],
    spec: AssignSpec,
    origin: Origin,
    origin_kind: str = AssignmentOrigin.TEACHER,
    draft: bool = False,
    require_all: bool = True,
) -> list[Assignment]:
    """分层作业 for one class: one assignment per tier that has pupils, sharing a ``layer_group``; every pupil of
    the class must be in exactly one layer (``layers``: student id → tier) unless ``require_all`` is off (a push
    leaves out the pupils without weak points)."""
    classes = hs.assignable_classes(actor=actor, class_ids=[class_id])
    if not classes:
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_NOT_YOURS, status=403)
    problems = _check_spec(spec)
    pupils = {p.pk: p for p in Student.objects.filter(school_class_id=class_id)}
    unknown = [pk for pk in layers if pk not in pupils]
    if unknown:
        problems.append(("分层", "名单中有不在本班的学生"))
    missing = [p for pk, p in pupils.items() if layers.get(pk) not in TIERS]
    if not require_all:
        pupils = {pk: p for pk, p in pupils.items() if layers.get(pk) in TIERS}
        missing = [] if pupils else missing
    if missing:
        problems.append(("分层", f"还有 {len(missing)} 名学生没有分层"))
    chosen: dict[str, Paper] = {}
    for t in TIERS:
        tier = str(t)
        if any(layers.get(pk) == tier for pk in pupils):
            paper = hs.paper_for_assigning(actor=actor, paper_id=papers.get(tier))
            if paper is None:
                problems.append((f"{AssignmentTier(tier).label}层试卷", "请选择一份已定稿的试卷"))
            else:
                chosen[tier] = paper
    if problems:
        raise _invalid(problems)
    group = secrets.token_hex(8)
    made = []
    for tier_key, paper in chosen.items():
        tier = str(tier_key)
        mine = [p for pk, p in sorted(pupils.items()) if layers[pk] == tier]
        tier_spec = AssignSpec(
            title=f"{spec.title.strip()[:94]}（{AssignmentTier(tier).label}）",
            kind=spec.kind,
            mode=spec.mode,
            opens_at=spec.opens_at,
            due_at=spec.due_at,
            note=spec.note,
        )
        made.append(
            _make(
                actor=actor,
                spec=tier_spec,
                paper=paper,
                classes=classes,
                pupils=mine,
                tier=tier,
                group=group,
                origin_kind=origin_kind,
                status=AssignmentStatus.DRAFT if draft else AssignmentStatus.PUBLISHED,
            )
        )
    action = "homework.push_draft" if draft else "homework.publish"
    for a in made:
        audit_record(actor=actor, action=action, origin=origin, target=_target(a))
    return made


@transaction.atomic
def draft_approve(*, actor: Actor, layer_group: str, origin: Origin, now: datetime | None = None) -> list[Assignment]:
    """One click: publish every draft of a layer group (a 学情推送 draft) with the pupils planned for each layer."""
    drafts = list(Assignment.objects.select_for_update().filter(layer_group=layer_group, status=AssignmentStatus.DRAFT))
    if not drafts or not hs.may_manage(actor=actor, assignment=drafts[0]):
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_NOT_YOURS, status=403)
    now = now or timezone.now()
    for a in drafts:
        pupils = list(Student.objects.filter(pk__in=a.planned, school_class__in=a.classes.all()))
        a.status = AssignmentStatus.PUBLISHED
        a.published_at = now
        a.save(update_fields=["status", "published_at"])
        _submissions(a, pupils)
        audit_record(actor=actor, action="homework.push_approve", origin=origin, target=_target(a))
    return drafts


# ── answering ────────────────────────────────────────────────────────────────────────────────────────────────


def _answerable(sub: Submission, now: datetime) -> None:
    a = sub.assignment
    if a.status != AssignmentStatus.PUBLISHED or a.mode != AssignmentMode.ONLINE:
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_CLOSED)
    if now < a.opens_at:
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_NOT_OPEN)
    handed_in = sub.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.MARKED)
    if (a.due_at is not None and now >= a.due_at) or handed_in:
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_CLOSED)


def _clean_response(entry: PaperItem, raw: object) -> object:
    """What a pupil sent, kept in the shape scoring takes; text capped so a page cannot store megabytes."""
    if raw is None:
        return None
    if isinstance(raw, list):
        return [str(x)[:2000] for x in raw[:50]]
    return str(raw)[:20000]


@transaction.atomic
def answer_save(
    *, actor: Actor, submission_id: int, responses: Mapping[int, object], now: datetime | None = None
) -> Submission:
    """Save the pupil's answers so far (``responses``: paper entry id → response); nothing is marked yet."""
    now = now or timezone.now()
    sub = hs.own_submission(actor=actor, submission_id=submission_id, lock=True)
    _answerable(sub, now)
    entries = {e.pk: e for e in PaperItem.objects.filter(paper_id=sub.assignment.paper_id).select_related("version")}
    existing = {a.entry_id: a for a in Answer.objects.filter(submission=sub)}
    new, changed = [], []
    for entry_id, raw in responses.items():
        entry = entries.get(entry_id)
        if entry is None:
            continue
        value = _clean_response(entry, raw)
        ans = existing.get(entry_id)
        if ans is None:
            new.append(Answer(submission=sub, entry=entry, response=value, answered_at=now))
        elif ans.response != value:
            ans.response, ans.answered_at = value, now
            changed.append(ans)
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(changed, ["response", "answered_at"])
    if sub.status == SubmissionStatus.ASSIGNED:
        sub.status, sub.started_at = SubmissionStatus.STARTED, now
        sub.save(update_fields=["status", "started_at"])
    return sub


def _mark_objective(sub: Submission, now: datetime) -> None:
    """Create the missing answers and mark every objective one by machine; total the submission."""
    entries = list(PaperItem.objects.filter(paper_id=sub.assignment.paper_id).select_related("version"))
    existing = {a.entry_id: a for a in Answer.objects.filter(submission=sub)}
    new: list[Answer] = []
    changed: list[Answer] = []
    for e in entries:
        ans = existing.get(e.pk) or Answer(submission=sub, entry=e)
        key = entry_key(e)
        if key.kind in OBJECTIVE and not (ans.pk and ans.marked_by_id):
            result = score_response(key, ans.response)
            ans.score = Decimal(str(result.points)).quantize(Decimal("0.1"))
            ans.auto = True
            ans.marked_at = now
        (changed if ans.pk else new).append(ans)
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(changed, ["score", "auto", "marked_at"])
    _total(sub, now)


def submission_settle(sub: Submission, scores: list[Decimal | None], n_entries: int, now: datetime) -> None:
    """Set a submission's total and status from its answers' scores (unsaved): marked when every question of the
    paper has a score, else waiting for marking."""
    done = len(scores) == n_entries and all(s is not None for s in scores)
    sub.score = sum((s for s in scores if s is not None), Decimal(0)) if done else None
    if done:
        sub.status, sub.marked_at = SubmissionStatus.MARKED, now
    elif sub.status in (SubmissionStatus.ASSIGNED, SubmissionStatus.STARTED, SubmissionStatus.MARKED):
        sub.status = SubmissionStatus.SUBMITTED


def _total(sub: Submission, now: datetime) -> None:
    scores = list(Answer.objects.filter(submission=sub).values_list("score", flat=True))
    n_entries = PaperItem.objects.filter(paper_id=sub.assignment.paper_id).count()
    submission_settle(sub, scores, n_entries, now)
    sub.save(update_fields=["score", "status", "marked_at", "submitted_at"])


@transaction.atomic
def submission_submit(*, actor: Actor, submission_id: int, origin: Origin, now: datetime | None = None) -> Submission:
    """The pupil hands in: objective items marked at once (``scoring.score_response``), 解答/作文 wait for the
    teacher. After this, no more changes."""
    now = now or timezone.now()
    sub = hs.own_submission(actor=actor, submission_id=submission_id, lock=True)
    _answerable(sub, now)
    sub.submitted_at = now
    sub.status = SubmissionStatus.SUBMITTED
    _mark_objective(sub, now)
    send_marks_changed(sub.assignment_id)
    audit_record(actor=actor, action="homework.submit", origin=origin, target=Target("submission", str(sub.pk)))
    return sub


# ── marking ──────────────────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def answer_mark(
    *,
    actor: Actor,
    answer_id: int,
    marks: Mapping[str, float],
    comment: str,
    origin: Origin,
    now: datetime | None = None,
) -> Answer:
    """A teacher marks one answer: points per rubric criterion (without a rubric one mark named ``总分``).
    Overriding a machine mark is allowed and audited as such. The submission's total follows."""
    now = now or timezone.now()
    ans = hs.answer_for_marking(actor=actor, answer_id=answer_id, lock=True)
    key = entry_key(ans.entry)
    if key.kind in OBJECTIVE:
        key = ScoringKey(key.kind, key.points)  # an override: one 总分 for the whole question
    try:
        result = score_rubric(key, marks)
    except ScoringError as exc:
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_MARK_INVALID, detail=str(exc)) from exc
    override = ans.auto and ans.score is not None
    ans.score = Decimal(str(result.points)).quantize(Decimal("0.1"))
    ans.criteria = {name: v for name, v in result.detail} if key.rubric else {}
    ans.comment = comment.strip()[:1000]
    ans.auto = False
    ans.marked_by = actor  # type: ignore[assignment]
    ans.marked_at = now
    ans.save(update_fields=["score", "criteria", "comment", "auto", "marked_by", "marked_at"])
    sub = ans.submission
    if sub.status in (SubmissionStatus.ASSIGNED, SubmissionStatus.STARTED):
        sub.status = SubmissionStatus.SUBMITTED
    _total(sub, now)
    send_marks_changed(sub.assignment_id)
    audit_record(
        actor=actor,
        action="homework.override" if override else "homework.mark",
        origin=origin,
        target=Target("submission", str(sub.pk)),
    )
    return ans


@transaction.atomic
def assignment_close(*, actor: Actor, assignment_id: int, origin: Origin, now: datetime | None = None) -> Assignment:
    """The teacher closes the work: whatever pupils saved is handed in and machine-marked (unanswered objective
    questions score 0); no more answers."""
    now = now or timezone.now()
    a = hs.assignment_for_teacher(actor=actor, assignment_id=assignment_id)
    a = Assignment.objects.select_for_update().get(pk=a.pk)
    if a.status != AssignmentStatus.PUBLISHED:
        raise _invalid([("状态", "只有已布置的作业可以截止")])
    if a.mode == AssignmentMode.ONLINE:
        for sub in Submission.objects.filter(
            assignment=a, status__in=[SubmissionStatus.ASSIGNED, SubmissionStatus.STARTED]
        ).select_related("assignment"):
            sub.submitted_at = now
            _mark_objective(sub, now)
    a.status = AssignmentStatus.CLOSED
    a.save(update_fields=["status"])
    send_marks_changed(a.pk)
    audit_record(actor=actor, action="homework.close", origin=origin, target=_target(a))
    return a
