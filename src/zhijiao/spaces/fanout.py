"""Who a notice reaches, from the registry as it stands, and writing their receipts in bulk.

No actor here: whether the sender may address the node was decided before (``services``); these are the
platform's own reads and writes, run inline for a class and by a Huey job for a school or a district.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zhijiao.core.student_status import StudentStatus
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Guardianship, Staff, Student, TeachingAssignment
from zhijiao.spaces.models import AudienceKind, Notice, NoticeReceipt, RecipientKind

BATCH = 5000  # receipts per INSERT batch, and per progress update


def _classes(notice: Notice) -> QuerySet[SchoolClass]:
    if notice.audience_kind == AudienceKind.CLASS:
        return SchoolClass.objects.filter(pk=notice.school_class_id or 0)
    if notice.audience_kind == AudienceKind.GRADE:
        return SchoolClass.objects.filter(grade_id=notice.grade_id or 0)
    if notice.audience_kind == AudienceKind.SCHOOL:
        return SchoolClass.objects.filter(school_id=notice.school_id or 0)
    return SchoolClass.objects.filter(school__division__code__startswith=notice.division_id or "")


def _staff(notice: Notice) -> QuerySet[Staff]:
    active = Staff.objects.filter(is_active=True)
    if notice.audience_kind in (AudienceKind.CLASS, AudienceKind.GRADE):
        classes = _classes(notice)
        taught = TeachingAssignment.objects.filter(term__is_current=True, school_class__in=classes).values("staff_id")
        heads = classes.filter(head_teacher_id__isnull=False).values("head_teacher_id")
        return active.filter(Q(pk__in=taught) | Q(pk__in=heads))
    if notice.audience_kind == AudienceKind.SCHOOL:
        return active.filter(school_id=notice.school_id or 0)
    code = notice.division_id or ""
    return active.filter(Q(school__division__code__startswith=code) | Q(bureau__division__code__startswith=code))


def audience_person_ids(notice: Notice) -> QuerySet:
    """The persons the notice is for (a subquery of person ids)."""
    if notice.recipients == RecipientKind.STAFF:
        return _staff(notice).values("person_id")
    students = Student.objects.filter(school_class__in=_classes(notice), status=StudentStatus.IN_SCHOOL)
    if notice.recipients == RecipientKind.STUDENTS:
        return students.values("person_id")
    return Guardianship.objects.filter(student__in=students).values("guardian_id")


def audience_account_ids(notice: Notice) -> list[int]:
    """The active accounts of those persons, each once, in id order: one query however large the audience."""
    return list(
        Account.objects.filter(person_id__in=audience_person_ids(notice), is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def receipts_write(notice_id: int) -> int:
    """Write a receipt for every recipient of a published notice, ``BATCH`` at a time, each batch committed with
    the progress figure (``delivered_count``) so the sender's page shows it moving. Idempotent: a re-run (a retried
    job) skips the receipts already written. Returns the number written by this run."""
    notice = Notice.objects.get(pk=notice_id)
    ids = audience_account_ids(notice)
    Notice.objects.filter(pk=notice_id).update(recipient_count=len(ids))
    have = set(NoticeReceipt.objects.filter(notice_id=notice_id).values_list("account_id", flat=True))
    todo = [i for i in ids if i not in have] if have else ids
    now = timezone.now()
    written = 0
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        with transaction.atomic():
            NoticeReceipt.objects.bulk_create(
                [NoticeReceipt(notice_id=notice_id, account_id=a, delivered_at=now) for a in chunk],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
            Notice.objects.filter(pk=notice_id).update(delivered_count=F("delivered_count") + len(chunk))
        written += len(chunk)
    if have:  # a re-run: make the figure exact
        Notice.objects.filter(pk=notice_id).update(
            delivered_count=NoticeReceipt.objects.filter(notice_id=notice_id).count()
        )
    return written
