"""Reads of 家校沟通 messages: a thread is seen by its two participants and by the administrators of its class's
school (moderation); anyone else gets NotFound. A recipient sees a held message only from its ``deliver_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Guardianship, Student, TeachingAssignment
from zhijiao.spaces.contact.models import Message, Thread

QUIET_START, QUIET_END = time(21, 0), time(7, 0)


def deliver_time(at: datetime) -> datetime:
    """When a message written at ``at`` reaches its recipient: at once, or at 07:00 after quiet hours."""
    local = timezone.localtime(at)
    if QUIET_END <= local.time() < QUIET_START:
        return at
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, QUIET_END), timezone.get_current_timezone())


@dataclass(frozen=True)
class Partner:
    """Someone the actor may write to about a pupil: the option of the 发起沟通 form."""

    student_id: int
    account_id: int
    label: str

    @property
    def value(self) -> str:
        return f"{self.student_id}:{self.account_id}"


def _staff_accounts(class_ids: list[int]) -> dict[int, list[tuple[Account, str]]]:
    """For each class: the accounts of its 班主任 and of its teachers this term, with their role in words."""
    out: dict[int, list[tuple[Account, str]]] = {c: [] for c in class_ids}
    for klass in SchoolClass.objects.filter(pk__in=class_ids).select_related("head_teacher"):
        if klass.head_teacher is not None:
            account = Account.objects.filter(person_id=klass.head_teacher.person_id, is_active=True).first()
            if account is not None:
                out[klass.pk].append((account, "班主任"))
    taught = TeachingAssignment.objects.filter(
        term__is_current=True, school_class_id__in=class_ids, staff__is_active=True
    ).values_list("school_class_id", "staff__person_id")
    for class_id, person_id in taught:
        account = Account.objects.filter(person_id=person_id, is_active=True).first()
        if account is not None and all(a.pk != account.pk for a, _ in out[class_id]):
            out[class_id].append((account, "任课教师"))
    return out


def partners(*, actor: Actor) -> list[Partner]:
    """A guardian: the 班主任 and teachers of each child's class. A 班主任 or teacher: the guardians (with an
    account) of the pupils of the classes they lead. Pupils and anyone else: nobody."""
    if not actor.is_authenticated:
        return []
    scope = scope_for(actor)
    found: list[Partner] = []
    if scope.has(Role.PARENT):
        kids = list(
            Student.objects.filter(
                guardianships__guardian_id=scope.person_id, school_class__isnull=False
            ).select_related("person")
        )
        staff = _staff_accounts([k.school_class_id for k in kids if k.school_class_id])
        for kid in kids:
            for account, role in staff.get(kid.school_class_id or 0, []):
                name = account.display_name or account.username
                found.append(Partner(kid.pk, account.pk, f"{kid.person.name}的{role} {name}"))
    class_ids = sorted(set(scope.led_class_ids()) | set(scope.class_ids(Role.HEAD_TEACHER)))
    if class_ids and scope.has(Role.TEACHER, Role.HEAD_TEACHER):
        rows = (
            Guardianship.objects.filter(student__school_class_id__in=class_ids, guardian__account__is_active=True)
            .select_related("student__person")
            .values_list("student_id", "student__person__name", "relation", "guardian__account__id")
            .order_by("student__school_class_id", "student__person__name")[:400]
        )
        for student_id, pupil, relation, account_id in rows:
            found.append(Partner(student_id, account_id, f"{pupil}的家长（{relation or '监护人'}）"))
    return found


def _visible_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    q = Q(guardian_id=actor.pk) | Q(staff_id=actor.pk)
    if scope.is_platform_admin:
        return Q()
    schools = scope.school_ids(Role.SCHOOL_ADMIN)
    if schools:
        q |= Q(school_class__school_id__in=schools)
    return q


def may_moderate(*, actor: Actor, thread: Thread) -> bool:
    scope = scope_for(actor)
    school = thread.school_class.school
    return scope.is_platform_admin or school.pk in scope.school_ids(Role.SCHOOL_ADMIN)


def thread_list(*, actor: Actor) -> QuerySet[Thread]:
    if not actor.is_authenticated:
        return Thread.objects.none()
    return (
        Thread.objects.filter(_visible_q(actor))
        .select_related("student__person", "guardian", "staff", "school_class__school")
        .order_by("-last_at", "-pk")
    )


def thread_get(*, actor: Actor, thread_id: int) -> Thread:
    thread = thread_list(actor=actor).filter(pk=thread_id).first()
    if thread is None:
        raise NotFound()
    return thread


def thread_messages(*, actor: Actor, thread: Thread) -> list[Message]:
    """The messages the actor sees: all of their own and those delivered to them; a moderator sees all."""
    rows = thread.messages.select_related("sender", "hidden_by")
    if actor.pk in (thread.guardian_id, thread.staff_id):
        rows = rows.filter(Q(sender_id=actor.pk) | Q(deliver_at__lte=timezone.now()))
    return list(rows)


def is_guardian_of(actor: Actor, student: Student) -> bool:
    return Guardianship.objects.filter(guardian_id=scope_for(actor).person_id, student=student).exists()
