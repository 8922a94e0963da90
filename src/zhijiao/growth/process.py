"""The term process of one class (综合素质评价): 遴选 → 公示 with 异议 → 审核 → 归档, forward only.

=========  ==============================================  =====================================================
state      what happens                                    who moves it on
=========  ==============================================  =====================================================
遴选中     pupils choose up to ``select_limit`` records     班主任 or 学校管理员 publish (``review_publish``)
           per dimension; levels, 教师评语, 自我陈述
公示中     N working days (weekends skipped): guardians of  学校管理员 / 区域管理员 audit (``review_audit``) once
           the class and its teachers see the selections   the period is over and every objection is answered;
           and may object; 班主任/学校 answer each          not the account that published (separation of duties)
已审核     levels and statements closed                    学校管理员 / 区域管理员 archive (``review_archive``)
已归档     locked
=========  ==============================================  =====================================================

Each service checks the state first (``GROWTH_STEP_ORDER``), so no step can be skipped or taken twice; each writes a
version of what it changed and one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.growth_events import PublicityEvent, publicity_published
from zhijiao.core.student_status import studying_q
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.models import (
    GrowthRecord,
    GrowthVersion,
    Level,
    Objection,
    ObjectionStatus,
    RecordStatus,
    ReviewState,
    Selection,
    StatementKind,
    TermLevel,
    TermReview,
    TermStatement,
)
from zhijiao.growth.records import (
    InputInvalid,
    RecordInput,
    _problems,
    class_pupils,
    dimensions_for,
    framework_of,
    frozen_guard,
    record_data,
    version_write,
)
from zhijiao.growth.who import CLASS_LEADERS, Relation, class_relations, manages_class_school, relations
from zhijiao.org.models import SchoolClass, Term
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student

DEFAULT_SELECT_LIMIT = 3
DEFAULT_PUBLICITY_DAYS = 5


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The last day of a period of ``days`` working days beginning on ``start`` (or on the Monday after, when
    ``start`` falls on a weekend). Public holidays are not known to the platform: a school that publishes before a
    holiday sets more days."""
    day = start
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    counted = 1
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def review_data(review: TermReview) -> dict[str, Any]:
    return {
        "state": review.state,
        "select_limit": review.select_limit,
        "publicity_days": review.publicity_days,
        "published_on": review.published_on.isoformat() if review.published_on else None,
        "publicity_ends_on": review.publicity_ends_on.isoformat() if review.publicity_ends_on else None,
        "audit_note": review.audit_note,
    }


def _target(review: TermReview) -> Target:
    return Target(type="growth_review", id=str(review.pk), label=f"{review.school_class.name} {review.term}"[:60])


def _locked_review(review: TermReview) -> TermReview:
    return TermReview.objects.select_for_update().select_related("school_class__school", "term").get(pk=review.pk)


def _need(review: TermReview, state: str) -> None:
    if review.state != state:
        raise ZhijiaoError(
            GrowthError.GROWTH_STEP_ORDER,
            detail=f"当前为“{review.get_state_display()}”，此操作需在“{ReviewState(state).label}”阶段",
        )


def _save(review: TermReview, actor: Actor, note: str, action: str, origin: Origin) -> None:
    review.version += 1
    review.save()
    version_write(entity="review", obj=review, actor=actor, data=review_data(review), note=note)
    audit_record(actor=actor, action=action, origin=origin, target=_target(review))


def review_open(
    *,
    actor: Actor,
    school_class: SchoolClass,
    origin: Origin,
    term: Term | None = None,
    select_limit: int = DEFAULT_SELECT_LIMIT,
    publicity_days: int = DEFAULT_PUBLICITY_DAYS,
) -> TermReview:
    """Open (or return) the class's process for the term; the 班主任 or the school sets the limits."""
    school_class = SchoolClass.objects.select_related("school").get(pk=school_class.pk)
    if not class_relations(actor, school_class) & CLASS_LEADERS:
        raise NotFound()
    if not (1 <= select_limit <= 20):
        raise ZhijiaoError(GrowthError.GROWTH_SETTING_RANGE, field="每个维度最多遴选", detail="1–20 条")
    if not (1 <= publicity_days <= 30):
        raise ZhijiaoError(GrowthError.GROWTH_SETTING_RANGE, field="公示工作日", detail="1–30 天")
    term = term or Term.objects.get(is_current=True)
    with transaction.atomic():
        review, created = TermReview.objects.get_or_create(
            school_class=school_class,
            term=term,
            defaults={"select_limit": select_limit, "publicity_days": publicity_days},
        )
        if not created:
            if review.state != ReviewState.SELECTING:
                return review
            if (review.select_limit, review.publicity_days) == (select_limit, publicity_days):
                return review
            review.select_limit, review.publicity_days = select_limit, publicity_days
            _save(review, actor, "修改设置", "growth.review_settings", origin)
            return review
        version_write(entity="review", obj=review, actor=actor, data=review_data(review), note="开启")
        audit_record(actor=actor, action="growth.review_open", origin=origin, target=_target(review))
    return review


def selection_set(
    *, actor: Actor, review: TermReview, student: Student, record_ids: Sequence[int], origin: Origin
) -> list[int]:
    """The pupil's selection (遴选) for the review: by the pupil, or by the 班主任 for a pupil who cannot use the
    platform. Replaces the previous selection; at most ``select_limit`` per dimension."""
    student = Student.objects.select_related("school", "school_class").get(pk=student.pk)
    found = relations(actor, student)
    if not found & {Relation.SELF, Relation.HEAD}:
        raise NotFound() if not found else Forbidden("只有学生本人或班主任可以遴选")
    with transaction.atomic():
        review = _locked_review(review)
        if student.school_class_id != review.school_class_id:
            raise NotFound()
        if review.state != ReviewState.SELECTING:
            raise ZhijiaoError(GrowthError.GROWTH_NOT_SELECTING)
        frozen_guard([student.pk])
        chosen = list(dict.fromkeys(int(i) for i in record_ids))
        records = list(
            GrowthRecord.objects.filter(pk__in=chosen, student=student, term=review.term, status=RecordStatus.ACTIVE)
        )
        if len(records) != len(chosen):
            raise ZhijiaoError(GrowthError.GROWTH_SELECT_NOT_OWN)
        per_dim: dict[str, int] = {}
        for r in records:
            per_dim[r.dimension] = per_dim.get(r.dimension, 0) + 1
        over = [r.dimension_name for r in records if per_dim[r.dimension] > review.select_limit]
        if over:
            raise ZhijiaoError(
                GrowthError.GROWTH_SELECT_LIMIT, field=over[0], detail=f"每个维度最多 {review.select_limit} 条"
            )
        Selection.objects.filter(review=review, record__student=student).exclude(record_id__in=chosen).delete()
        have = set(Selection.objects.filter(review=review, record_id__in=chosen).values_list("record_id", flat=True))
        Selection.objects.bulk_create([Selection(review=review, record_id=i) for i in chosen if i not in have])
        version_write(
            entity="selection", obj=_Versioned(student.pk, review.version), actor=actor, data={"review": review.pk,
            "records": sorted(chosen)}, note="遴选",
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="growth.selection_set",
            origin=origin,
            target=Target(type="student", id=str(student.pk), label=f"遴选 {len(chosen)} 条"),
        )
    return sorted(chosen)


class _Versioned:
    """An entity without its own row (a pupil's selection in a review) as :func:`version_write` wants it."""

    def __init__(self, pk: int, version: int) -> None:
        self.pk, self.version = pk, version


def review_publish(
    *, actor: Actor, review: TermReview, origin: Origin, today: dt.date | None = None, notify: bool = True
) -> TermReview:
    """公示: the class's selections become visible to its guardians and teachers for ``publicity_days`` working
    days from ``today``; they are told so (``notify`` False: a publicity entered after the fact, no notice)."""
    with transaction.atomic():
        review = _locked_review(review)
        if not class_relations(actor, review.school_class) & CLASS_LEADERS:
            raise NotFound()
        _need(review, ReviewState.SELECTING)
        start = today or timezone.localdate()
        review.state = ReviewState.PUBLISHED
        review.published_on = start
        review.publicity_ends_on = working_days_after(start, review.publicity_days)
        review.published_by_id = actor.pk
        _save(review, actor, "公示", "growth.review_publish", origin)
        klass = review.school_class
        # the class's guardians and teachers are told that objections are open (core hook; spaces sends the notice);
        # not for a publicity entered after the fact (``notify`` False), whose period is over: nothing to object to
        if not notify:
            return review
        publicity_published(
            PublicityEvent(
                review_id=review.pk,
                class_id=klass.pk,
                publisher_id=actor.pk,
                starts_on=start,
                ends_on=review.publicity_ends_on,
                class_label=f"{klass.school.name} {class_display_name(klass)}",
            )
        )
    return review


def publicity_open(review: TermReview, today: dt.date | None = None) -> bool:
    day = today or timezone.localdate()
    return (
        review.state == ReviewState.PUBLISHED
        and review.published_on is not None
        and review.publicity_ends_on is not None
        and review.published_on <= day <= review.publicity_ends_on
    )


def objection_raise(
    *, actor: Actor, review: TermReview, record: GrowthRecord, reason: str, origin: Origin, today: dt.date | None = None
) -> Objection:
    """异议: a guardian of a pupil of the class or a teacher of the class objects to a published record."""
    review = TermReview.objects.select_related("school_class__school", "term").get(pk=review.pk)
    found = class_relations(actor, review.school_class)
    if not found & {Relation.CLASSMATE_GUARDIAN, Relation.TEACHER, Relation.HEAD}:
        raise NotFound()
    if review.state != ReviewState.PUBLISHED:
        raise ZhijiaoError(GrowthError.GROWTH_NOT_PUBLISHED)
    if not publicity_open(review, today):
        raise ZhijiaoError(GrowthError.GROWTH_PUBLICITY_OVER)
    if not Selection.objects.filter(review=review, record=record, record__status=RecordStatus.ACTIVE).exists():
        raise ZhijiaoError(GrowthError.GROWTH_NOT_SELECTED)
    reason = (reason or "").strip()
    if not reason:
        raise ZhijiaoError(GrowthError.GROWTH_REASON_REQUIRED, field="理由")
    if len(reason) > 1000:
        raise ZhijiaoError(GrowthError.GROWTH_TOO_LONG, field="理由", detail="最多 1000 字")
    role = "教师" if found & {Relation.TEACHER, Relation.HEAD} else "家长"
    with transaction.atomic():
        objection = Objection.objects.create(
            review=review, record=record, raised_by_id=actor.pk, raiser_role=role, reason=reason
        )
        audit_record(
            actor=actor,
            action="growth.objection_raise",
            origin=origin,
            target=Target(type="growth_objection", id=str(objection.pk), label=record.title[:60]),
        )
    return objection


def objection_answer(
    *,
    actor: Actor,
    objection: Objection,
    upheld: bool,
    answer: str,
    origin: Origin,
    outcome: str = "",
    correction: RecordInput | None = None,
) -> Objection:
    """The school answers an objection: rejected with a reason, or upheld — the record is corrected (a new version)
    or withdrawn (and leaves the selection)."""
    answer = (answer or "").strip()
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        review = _locked_review(objection.review)
        if not class_relations(actor, review.school_class) & CLASS_LEADERS:
            raise NotFound()
        _need(review, ReviewState.PUBLISHED)
        if objection.status != ObjectionStatus.PENDING:
            raise ZhijiaoError(GrowthError.GROWTH_ALREADY_ANSWERED)
        if not answer:
            raise ZhijiaoError(GrowthError.GROWTH_REASON_REQUIRED, field="答复")
        record = GrowthRecord.objects.select_for_update().get(pk=objection.record_id)
        if upheld:
            if outcome == "withdrawn":
                record.status = RecordStatus.WITHDRAWN
                Selection.objects.filter(record=record).delete()
            elif outcome == "corrected" and correction is not None:
                clean, problems = _problems(correction, framework_of(review.school_class))
                if clean is None:
                    raise InputInvalid(problems)
                for name in ("title", "description", "occurred_on", "place", "hours", "vouched_by"):
                    setattr(record, name, getattr(clean, name))
            else:
                raise ZhijiaoError(GrowthError.GROWTH_OUTCOME_REQUIRED, field="处理方式")
            record.version += 1
            record.save()
            version_write(
                entity="record", obj=record, actor=actor, data=record_data(record), note=f"异议成立：{answer}"
            )
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        objection.outcome = outcome if upheld else ""
        objection.answer = answer[:1000]
        objection.answered_by_id = actor.pk
        objection.answered_at = timezone.now()
        objection.save()
        audit_record(
            actor=actor,
            action="growth.objection_uphold" if upheld else "growth.objection_reject",
            origin=origin,
            target=Target(type="growth_objection", id=str(objection.pk), label=record.title[:60]),
        )
    return objection


def level_set(
    *, actor: Actor, review: TermReview, student: Student, dimension: str, level: str, origin: Origin
) -> TermLevel:
    """The termly level of a pupil in a dimension (A 优秀 / B 良好 / C 合格 / D 待合格), by the 班主任 or the
    school, until the review is audited."""
    with transaction.atomic():
        review = _locked_review(review)
        _leader_of_pupil(actor, review, student)
        if review.state not in (ReviewState.SELECTING, ReviewState.PUBLISHED):
            raise ZhijiaoError(GrowthError.GROWTH_LEVELS_CLOSED)
        if dimension not in dict(dimensions_for(framework_of(review.school_class))):
            raise ZhijiaoError(GrowthError.GROWTH_DIMENSION_UNKNOWN, field="维度")
        if level not in Level.values:
            raise ZhijiaoError(GrowthError.GROWTH_LEVEL_INVALID, field="等级")
        row, created = TermLevel.objects.get_or_create(
            review=review, student=student, dimension=dimension, defaults={"level": level, "set_by_id": actor.pk}
        )
        if not created:
            if row.level == level:
                return row
            row.level, row.set_by_id, row.version = level, actor.pk, row.version + 1
            row.save()
        version_write(entity="level", obj=row, actor=actor, data={"dimension": dimension, "level": level})
        audit_record(
            actor=actor,
            action="growth.level_set",
            origin=origin,
            target=Target(type="student", id=str(student.pk), label=f"{dimension}={level}"),
        )
    return row


def _leader_of_pupil(actor: Actor, review: TermReview, student: Student) -> None:
    if not class_relations(actor, review.school_class) & CLASS_LEADERS:
        raise NotFound()
    if student.school_class_id != review.school_class_id:
        raise NotFound()


def statement_set(
    *, actor: Actor, review: TermReview, student: Student, kind: str, text: str, origin: Origin
) -> TermStatement:
    """教师评语 (by the 班主任 or the school) or the pupil's 自我陈述 (by the pupil), until the review is audited."""
    text = (text or "").strip()
    with transaction.atomic():
        review = _locked_review(review)
        if kind == StatementKind.TEACHER_COMMENT:
            _leader_of_pupil(actor, review, student)
        elif kind == StatementKind.SELF:
            student = Student.objects.select_related("school", "school_class").get(pk=student.pk)
            if Relation.SELF not in relations(actor, student) or student.school_class_id != review.school_class_id:
                raise NotFound()
        else:
            raise NotFound()
        if review.state not in (ReviewState.SELECTING, ReviewState.PUBLISHED):
            raise ZhijiaoError(GrowthError.GROWTH_LEVELS_CLOSED)
        if not text:
            raise ZhijiaoError(GrowthError.GROWTH_NAME_REQUIRED, field=StatementKind(kind).label)
        if len(text) > 1000:
            raise ZhijiaoError(GrowthError.GROWTH_TOO_LONG, field=StatementKind(kind).label, detail="最多 1000 字")
        row, created = TermStatement.objects.get_or_create(
            review=review, student=student, kind=kind, defaults={"text": text, "author_id": actor.pk}
        )
        if not created:
            if row.text == text:
                return row
            row.text, row.author_id, row.version = text, actor.pk, row.version + 1
            row.save()
        version_write(entity="statement", obj=row, actor=actor, data={"kind": kind, "text": text})
        audit_record(
            actor=actor,
            action="growth.statement_set",
            origin=origin,
            target=Target(type="student", id=str(student.pk), label=StatementKind(kind).label),
        )
    return row


def class_sheet_save(
    *,
    actor: Actor,
    review: TermReview,
    levels: Mapping[tuple[int, str], str],
    comments: Mapping[int, str],
    origin: Origin,
) -> int:
    """等级与评语 for the whole class at once (the class's sheet, or a school's import): ``levels`` maps (pupil id,
    dimension) to A–D, ``comments`` a pupil id to the 教师评语; blank values are left out. The 班主任 or the school,
    until the review is audited; all or none. One version of the sheet (what changed) and one audit event, written in
    bulk; returns how many values changed."""
    with transaction.atomic():
        review = _locked_review(review)
        if not class_relations(actor, review.school_class) & CLASS_LEADERS:
            raise NotFound()
        if review.state not in (ReviewState.SELECTING, ReviewState.PUBLISHED):
            raise ZhijiaoError(GrowthError.GROWTH_LEVELS_CLOSED)
        pupils = {p.pk for p in class_pupils(review.school_class)}
        dims = dict(dimensions_for(framework_of(review.school_class)))
        levels = {k: v for k, v in levels.items() if v}
        comments = {k: t.strip() for k, t in comments.items() if t and t.strip()}
        if any(sid not in pupils for sid, _ in levels) or any(sid not in pupils for sid in comments):
            raise NotFound()
        if any(dim not in dims for _, dim in levels):
            raise ZhijiaoError(GrowthError.GROWTH_DIMENSION_UNKNOWN, field="维度")
        if any(v not in Level.values for v in levels.values()):
            raise ZhijiaoError(GrowthError.GROWTH_LEVEL_INVALID, field="等级")
        if any(len(t) > 1000 for t in comments.values()):
            raise ZhijiaoError(GrowthError.GROWTH_TOO_LONG, field="教师评语", detail="最多 1000 字")
        had = {(r.student_id, r.dimension): r for r in TermLevel.objects.filter(review=review)}
        new_levels = [
            TermLevel(review=review, student_id=sid, dimension=dim, level=v, set_by_id=actor.pk)
            for (sid, dim), v in levels.items()
            if (sid, dim) not in had
        ]
        changed_levels = [had[k] for k, v in levels.items() if k in had and had[k].level != v]
        for row in changed_levels:
            row.level, row.set_by_id, row.version = levels[(row.student_id, row.dimension)], actor.pk, row.version + 1
        said = {
            r.student_id: r for r in TermStatement.objects.filter(review=review, kind=StatementKind.TEACHER_COMMENT)
        }
        new_comments = [
            TermStatement(review=review, student_id=sid, kind=StatementKind.TEACHER_COMMENT, text=t, author_id=actor.pk)
            for sid, t in comments.items()
            if sid not in said
        ]
        changed_comments = [said[sid] for sid, t in comments.items() if sid in said and said[sid].text != t]
        for said_row in changed_comments:
            said_row.text, said_row.author_id = comments[said_row.student_id], actor.pk
            said_row.version += 1
        TermLevel.objects.bulk_create(new_levels, batch_size=2000)
        TermLevel.objects.bulk_update(changed_levels, ["level", "set_by_id", "version"], batch_size=2000)
        TermStatement.objects.bulk_create(new_comments, batch_size=2000)
        TermStatement.objects.bulk_update(changed_comments, ["text", "author_id", "version"], batch_size=2000)
        n = len(new_levels) + len(changed_levels) + len(new_comments) + len(changed_comments)
        if not n:
            return 0
        sheet: dict[str, Any] = {
            "levels": [[r.student_id, r.dimension, r.level] for r in [*new_levels, *changed_levels]],
            "comments": [[r.student_id, r.text] for r in [*new_comments, *changed_comments]],
        }
        version_write(entity="sheet", obj=review, actor=actor, data=sheet, note=f"全班等级与评语 {n} 项")
        audit_record(actor=actor, action="growth.sheet_save", origin=origin, target=_target(review))
    return n


def _auditors_check(actor: Actor, review: TermReview) -> None:
    found = class_relations(actor, review.school_class)
    if Relation.SCHOOL not in found:
        if found:
            raise Forbidden("审核和归档由学校评价委员会（学校管理员）进行")
        raise NotFound()


def review_missing(review: TermReview) -> list[str]:
    """Names of the pupils still without a level in some dimension or without 教师评语."""
    dims = [code for code, _ in dimensions_for(framework_of(review.school_class))]
    pupils = class_pupils(review.school_class)
    levels: dict[int, set[str]] = {}
    for sid, dim in TermLevel.objects.filter(review=review).values_list("student_id", "dimension"):
        levels.setdefault(sid, set()).add(dim)
    commented = set(
        TermStatement.objects.filter(review=review, kind=StatementKind.TEACHER_COMMENT).values_list(
            "student_id", flat=True
        )
    )
    return [p.person.name for p in pupils if not set(dims) <= levels.get(p.pk, set()) or p.pk not in commented]


def review_audit(
    *, actor: Actor, review: TermReview, origin: Origin, note: str = "", today: dt.date | None = None
) -> TermReview:
    """审核: the school's committee (学校管理员, or a bureau above) passes the review once the publicity period is
    over, every objection is answered and every pupil has levels and a comment; not the account that published."""
    with transaction.atomic():
        review = _locked_review(review)
        _auditors_check(actor, review)
        _need(review, ReviewState.PUBLISHED)
        if review.published_by_id == actor.pk:
            raise ZhijiaoError(GrowthError.GROWTH_SAME_PERSON)
        day = today or timezone.localdate()
        if review.publicity_ends_on is None or day <= review.publicity_ends_on:
            raise ZhijiaoError(
                GrowthError.GROWTH_PUBLICITY_RUNNING,
                detail=f"公示至 {review.publicity_ends_on:%Y年%-m月%-d日}" if review.publicity_ends_on else "",
            )
        if review.objections.filter(status=ObjectionStatus.PENDING).exists():
            raise ZhijiaoError(GrowthError.GROWTH_OBJECTIONS_PENDING)
        missing = review_missing(review)
        if missing:
            raise ZhijiaoError(GrowthError.GROWTH_LEVELS_MISSING, detail="、".join(missing[:5]))
        review.state = ReviewState.AUDITED
        review.audited_by_id = actor.pk
        review.audited_at = timezone.now()
        review.audit_note = (note or "").strip()[:500]
        _save(review, actor, "审核通过", "growth.review_audit", origin)
    return review


def review_archive(*, actor: Actor, review: TermReview, origin: Origin) -> TermReview:
    """归档: lock the audited review; its selections, levels and statements stay as they are."""
    with transaction.atomic():
        review = _locked_review(review)
        _auditors_check(actor, review)
        _need(review, ReviewState.AUDITED)
        review.state = ReviewState.ARCHIVED
        review.archived_by_id = actor.pk
        review.archived_at = timezone.now()
        _save(review, actor, "归档", "growth.review_archive", origin)
    return review


# The school closing the term for many classes at once (a whole school, or a district's demo): set-based writes, one
# version per review and step written in bulk, one audit event per school and step (its target the school).


def _school_target(school: Any, n: int) -> Target:
    return Target(type="school", id=str(school.pk), label=f"{school.name}：{n} 个班级"[:60])


def _school_check(actor: Actor, classes: Sequence[SchoolClass]) -> None:
    """The school's committee (学校管理员, a bureau above, the platform administrator) of every class's school."""
    seen: set[int] = set()
    for klass in classes:
        if klass.school_id in seen:
            continue
        seen.add(klass.school_id)
        if not manages_class_school(actor, klass):
            if class_relations(actor, klass):
                raise Forbidden("为多个班级开启、审核和归档由学校评价委员会（学校管理员）进行")
            raise NotFound()


def _audit_per_school(actor: Actor, action: str, origin: Origin, reviews: Sequence[TermReview]) -> None:
    by_school: dict[int, list[TermReview]] = {}
    for r in reviews:
        by_school.setdefault(r.school_class.school_id, []).append(r)
    for rows in by_school.values():
        audit_record(
            actor=actor, action=action, origin=origin, target=_school_target(rows[0].school_class.school, len(rows))
        )


def _versions_bulk(reviews: Sequence[TermReview], actor: Actor, note: str) -> None:
    GrowthVersion.objects.bulk_create(
        [
            GrowthVersion(entity="review", entity_id=r.pk, version=r.version, data=review_data(r), actor_id=actor.pk,
                          note=note)
            for r in reviews
        ],
        batch_size=1000,
    )  # fmt: skip


def reviews_open_bulk(
    *,
    actor: Actor,
    classes: Sequence[SchoolClass],
    origin: Origin,
    term: Term | None = None,
    select_limit: int = DEFAULT_SELECT_LIMIT,
    publicity_days: int = DEFAULT_PUBLICITY_DAYS,
) -> list[TermReview]:
    """The school opens the term's process for many classes at once (学校管理员 or a bureau above); a class that
    already has one keeps it as it is. Returns every class's review, in the order of ``classes``."""
    if not (1 <= select_limit <= 20):
        raise ZhijiaoError(GrowthError.GROWTH_SETTING_RANGE, field="每个维度最多遴选", detail="1–20 条")
    if not (1 <= publicity_days <= 30):
        raise ZhijiaoError(GrowthError.GROWTH_SETTING_RANGE, field="公示工作日", detail="1–30 天")
    ids = list(dict.fromkeys(c.pk for c in classes))
    found = list(SchoolClass.objects.filter(pk__in=ids).select_related("school"))
    if len(found) != len(ids):
        raise NotFound()
    _school_check(actor, found)
    term = term or Term.objects.get(is_current=True)
    with transaction.atomic():
        have = set(
            TermReview.objects.filter(term=term, school_class_id__in=ids).values_list("school_class_id", flat=True)
        )
        TermReview.objects.bulk_create(
            [
                TermReview(school_class_id=i, term=term, select_limit=select_limit, publicity_days=publicity_days)
                for i in ids
                if i not in have
            ],
            batch_size=1000,
        )
        reviews = {
            r.school_class_id: r
            for r in TermReview.objects.filter(term=term, school_class_id__in=ids).select_related(
                "school_class__school"
            )
        }
        new = [reviews[i] for i in ids if i not in have]
        if new:
            _versions_bulk(new, actor, "开启")
            _audit_per_school(actor, "growth.review_open", origin, new)
    return [reviews[i] for i in ids]


def _missing_many(reviews: Sequence[TermReview]) -> dict[int, list[str]]:
    """:func:`review_missing` for many reviews in a few queries: review id → the names still missing something."""
    by_class = {r.school_class_id: r for r in reviews}
    dims = {r.pk: {code for code, _ in dimensions_for(framework_of(r.school_class))} for r in reviews}
    levels: dict[tuple[int, int], set[str]] = {}
    for rid, sid, dim in TermLevel.objects.filter(review__in=reviews).values_list(
        "review_id", "student_id", "dimension"
    ):
        levels.setdefault((rid, sid), set()).add(dim)
    commented = set(
        TermStatement.objects.filter(review__in=reviews, kind=StatementKind.TEACHER_COMMENT).values_list(
            "review_id", "student_id"
        )
    )
    missing: dict[int, list[str]] = {}
    pupils = Student.objects.filter(studying_q(), school_class_id__in=list(by_class)).order_by("student_no")
    for sid, cid, name in pupils.values_list("pk", "school_class_id", "person__name"):
        rid = by_class[cid].pk
        if not dims[rid] <= levels.get((rid, sid), set()) or (rid, sid) not in commented:
            missing.setdefault(rid, []).append(name)
    return missing


def reviews_archive_bulk(
    *,
    actor: Actor,
    reviews: Sequence[TermReview],
    origin: Origin,
    note: str = "",
    today: dt.date | None = None,
) -> int:
    """审核 and 归档 of many classes' reviews at once (the school's committee closing the term): the same checks as
    :func:`review_audit` for each — published, not by ``actor``, publicity over, no objection waiting, every pupil
    with levels and a comment — all or none. Two versions per review (审核通过, 归档) and one audit event per school
    and step, written in bulk; returns how many were archived."""
    ids = sorted({r.pk for r in reviews})
    day = today or timezone.localdate()
    with transaction.atomic():
        rows = list(
            TermReview.objects.select_for_update()
            .select_related("school_class__school", "school_class__grade", "term")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(rows) != len(ids):
            raise NotFound()
        if not rows:
            return 0
        _school_check(actor, [r.school_class for r in rows])
        for r in rows:
            label = class_display_name(r.school_class)
            if r.state != ReviewState.PUBLISHED:
                raise ZhijiaoError(
                    GrowthError.GROWTH_STEP_ORDER,
                    detail=f"{label}当前为“{r.get_state_display()}”，此操作需在“{ReviewState.PUBLISHED.label}”阶段",
                )
            if r.published_by_id == actor.pk:
                raise ZhijiaoError(GrowthError.GROWTH_SAME_PERSON, detail=label)
            if r.publicity_ends_on is None or day <= r.publicity_ends_on:
                ends = f"，公示至 {r.publicity_ends_on:%Y年%-m月%-d日}" if r.publicity_ends_on else ""
                raise ZhijiaoError(GrowthError.GROWTH_PUBLICITY_RUNNING, detail=f"{label}{ends}")
        waiting = Objection.objects.filter(review__in=rows, status=ObjectionStatus.PENDING).values_list(
            "review_id", flat=True
        )
        pending = set(waiting)
        if pending:
            first = next(r for r in rows if r.pk in pending)
            raise ZhijiaoError(GrowthError.GROWTH_OBJECTIONS_PENDING, detail=class_display_name(first.school_class))
        missing = _missing_many(rows)
        if missing:
            first = next(r for r in rows if r.pk in missing)
            names = "、".join(missing[first.pk][:5])
            raise ZhijiaoError(
                GrowthError.GROWTH_LEVELS_MISSING, detail=f"{class_display_name(first.school_class)}：{names}"
            )
        now = timezone.now()
        for r in rows:
            r.state, r.audited_by_id, r.audited_at = ReviewState.AUDITED, actor.pk, now
            r.audit_note = (note or "").strip()[:500]
            r.version += 1
        _versions_bulk(rows, actor, "审核通过")
        _audit_per_school(actor, "growth.review_audit", origin, rows)
        for r in rows:
            r.state, r.archived_by_id, r.archived_at = ReviewState.ARCHIVED, actor.pk, now
            r.version += 1
        _versions_bulk(rows, actor, "归档")
        TermReview.objects.filter(pk__in=ids).update(
            state=ReviewState.ARCHIVED, audited_by_id=actor.pk, audited_at=now, audit_note=rows[0].audit_note,
            archived_by_id=actor.pk, archived_at=now, version=F("version") + 2,
        )  # fmt: skip
        _audit_per_school(actor, "growth.review_archive", origin, rows)
    return len(rows)
