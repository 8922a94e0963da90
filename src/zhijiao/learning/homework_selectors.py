"""Reads of homework and exams (作业、考试). Who sees what (every decision through ``zhijiao.access``):

* a teacher: the work set to classes they teach this term or head (``Scope.led_class_ids``), and work they set;
  they set new work only for those classes, and mark only those classes' answers;
* a pupil (学生 role): their own submissions of published or closed work, nothing else;
* everybody else (parents, 督导, the 三员, bureaus): nothing here (404 on a piece of work, 403 on the lists); the
  guardian's view and the school and district reports are other pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.learning import paper_selectors
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentStatus,
    Mastery,
    Paper,
    PaperStatus,
    Submission,
    SubmissionStatus,
)
from zhijiao.org.models import SchoolClass, Term
from zhijiao.people.models import Student


def _led(actor: Actor | None) -> list[int]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return scope_for(actor).led_class_ids()


def is_teacher(actor: Actor | None) -> bool:
    """Does the actor teach or head a class this term (the teacher's homework pages)?"""
    return bool(_led(actor))


def is_pupil(actor: Actor | None) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and scope_for(actor).has(Role.STUDENT))


def teacher_classes(*, actor: Actor) -> list[SchoolClass]:
    return list(
        SchoolClass.objects.filter(pk__in=_led(actor), is_active=True)
        .select_related("school", "grade")
        .order_by("school_id", "grade__stage", "-grade__entry_year", "number")
    )


def assignable_classes(*, actor: Actor, class_ids: list[int] | tuple[int, ...] | set[int]) -> list[SchoolClass]:
    """The chosen classes the actor may set work for (those they lead); the caller compares the counts."""
    ids = set(class_ids) & set(_led(actor))
    return list(SchoolClass.objects.filter(pk__in=ids).select_related("school").order_by("pk"))


def paper_for_assigning(*, actor: Actor, paper_id: int | None) -> Paper | None:
    """A READY paper the actor sees (``paper_selectors``), or None."""
    if not paper_id:
        return None
    return paper_selectors.paper_list(actor=actor).filter(pk=paper_id, status=PaperStatus.READY).first()


def ready_papers(*, actor: Actor) -> list[Paper]:
    return list(paper_selectors.paper_list(actor=actor).filter(status=PaperStatus.READY)[:200])


def current_term() -> Term | None:
    return Term.objects.filter(is_current=True).order_by("-school_year__start_year", "-number").first()


def mean_mastery(*, class_id: int, subject: str) -> dict[int, float]:
    """Each pupil's mean mastery over the subject's points where the diagnosis has estimates."""
    rows = (
        Mastery.objects.filter(student__school_class_id=class_id, subject=subject)
        .values("student_id")
        .annotate(m=Avg("estimate"))
    )
    return {r["student_id"]: r["m"] for r in rows}


def _teacher_q(actor: Actor) -> Q:
    return Q(classes__in=_led(actor)) | Q(created_by_id=actor.pk)


def teacher_assignments(*, actor: Actor) -> QuerySet[Assignment]:
    if not getattr(actor, "is_authenticated", False):
        return Assignment.objects.none()
    ids = Assignment.objects.filter(_teacher_q(actor)).values("pk")
    return Assignment.objects.filter(pk__in=ids).select_related("paper").prefetch_related("classes")


def may_manage(*, actor: Actor, assignment: Assignment) -> bool:
    if assignment.created_by_id == actor.pk:
        return True
    led = set(_led(actor))
    return any(c in led for c in assignment.classes.values_list("pk", flat=True))


def assignment_for_teacher(*, actor: Actor, assignment_id: int) -> Assignment:
    a = teacher_assignments(actor=actor).filter(pk=assignment_id).first()
    if a is None:
        raise NotFound()
    return a


@dataclass
class ClassProgress:
    school_class: SchoolClass
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    mean: Decimal | None = None

    @property
    def handed_in(self) -> int:
        return self.by_status.get(SubmissionStatus.SUBMITTED, 0) + self.by_status.get(SubmissionStatus.MARKED, 0)

    @property
    def marked(self) -> int:
        return self.by_status.get(SubmissionStatus.MARKED, 0)


def progress(*, actor: Actor, assignment: Assignment) -> list[ClassProgress]:
    """Per class of the assignment that the actor leads (all of them for its author): counts by status, mean."""
    led = set(_led(actor))
    classes = [
        c
        for c in assignment.classes.select_related("school", "grade").order_by("pk")
        if c.pk in led or assignment.created_by_id == actor.pk
    ]
    out = {c.pk: ClassProgress(c) for c in classes}
    for row in (
        Submission.objects.filter(assignment=assignment, school_class_id__in=list(out))
        .values("school_class_id", "status")
        .annotate(n=Count("pk"))
    ):
        p = out[row["school_class_id"]]
        p.by_status[row["status"]] = row["n"]
        p.total += row["n"]
    for row in (
        Submission.objects.filter(assignment=assignment, school_class_id__in=list(out), score__isnull=False)
        .values("school_class_id")
        .annotate(m=Avg("score"))
    ):
        out[row["school_class_id"]].mean = Decimal(str(row["m"])).quantize(Decimal("0.1"))
    return list(out.values())


def marking_answers(*, actor: Actor, assignment: Assignment, entry_id: int) -> list[Answer]:
    """The 阅卷 queue of one question: every handed-in answer to it in the classes the actor leads, by class and
    学籍号 (the answers of pupils who handed in nothing are not here)."""
    led = set(_led(actor)) if assignment.created_by_id != actor.pk else {c.pk for c in assignment.classes.all()}
    return list(
        Answer.objects.filter(
            submission__assignment=assignment,
            entry_id=entry_id,
            submission__school_class_id__in=led,
            submission__status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.MARKED],
        )
        .select_related("submission__student__person", "submission__school_class", "entry__version")
        .order_by("submission__school_class_id", "submission__student__student_no")
    )


def answer_for_marking(*, actor: Actor, answer_id: int, lock: bool = False) -> Answer:
    qs = Answer.objects.select_related("submission__assignment", "entry__version")
    if lock:
        qs = qs.select_for_update(of=("self",))
    ans = qs.filter(pk=answer_id).first()
    if ans is None:
        raise NotFound()
    a = ans.submission.assignment
    if not (ans.submission.school_class_id in set(_led(actor)) or a.created_by_id == actor.pk):
        raise NotFound()
    return ans


# ── the pupil's side ─────────────────────────────────────────────────────────────────────────────────────────


def own_student(*, actor: Actor) -> Student | None:
    if not is_pupil(actor):
        return None
    return (
        Student.objects.filter(person_id=getattr(actor, "person_id", None) or -1).select_related("school_class").first()
    )


def pupil_submissions(*, actor: Actor) -> list[Submission]:
    me = own_student(actor=actor)
    if me is None:
        return []
    return list(
        Submission.objects.filter(
            student=me, assignment__status__in=[AssignmentStatus.PUBLISHED, AssignmentStatus.CLOSED]
        )
        .select_related("assignment")
        .order_by("-assignment__opens_at", "-pk")[:200]
    )


def own_submission(*, actor: Actor, submission_id: int, lock: bool = False) -> Submission:
    """The pupil's own submission of published or closed work; anything else is NotFound."""
    me = own_student(actor=actor)
    if me is None:
        raise NotFound()
    qs = Submission.objects.select_related("assignment")
    if lock:
        qs = qs.select_for_update(of=("self",))
    sub = qs.filter(
        pk=submission_id,
        student=me,
        assignment__status__in=[AssignmentStatus.PUBLISHED, AssignmentStatus.CLOSED],
    ).first()
    if sub is None:
        raise NotFound()
    return sub


def answers_of(submission: Submission) -> dict[int, Answer]:
    return {a.entry_id: a for a in Answer.objects.filter(submission=submission)}


def wrong_answers(*, actor: Actor) -> list[Answer]:
    """错题本: the pupil's marked answers that did not get full points, newest first."""
    me = own_student(actor=actor)
    if me is None:
        return []
    return list(
        Answer.objects.filter(submission__student=me, score__isnull=False, score__lt=F("entry__points"))
        .select_related("entry__version", "entry__item", "submission__assignment")
        .prefetch_related("entry__item__images", "entry__item__knowledge_points")
        .order_by("-marked_at", "-pk")[:100]
    )
