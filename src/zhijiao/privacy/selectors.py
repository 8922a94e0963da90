"""Reads about minors' data: who must consent, what has been consented to, who saw a child's data.

``minor_consent_missing`` is asked by the OIDC provider before it lets an app sign a pupil in.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.validators import id_number_facts
from zhijiao.people.models import Person, Student
from zhijiao.privacy.models import ConsentPolicy, GuardianConsent


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def person_birth_date(person: Person) -> date | None:
    """The registry's birth date, else the one an ID card number (证件类型 1) encodes."""
    if person.birth_date:
        return person.birth_date
    if person.id_type == "1" and person.id_number:
        try:
            return id_number_facts(person.id_number).birth_date
        except ZhijiaoError:
            return None
    return None


def student_is_minor_for_consent(student: Student, *, today: date | None = None) -> bool:
    """Under ``ZHIJIAO_MINOR_CONSENT_AGE``; a pupil whose birth date is unknown counts as under it (fail safe)."""
    born = person_birth_date(student.person)
    if born is None:
        return True
    return age_on(born, today or timezone.localdate()) < settings.ZHIJIAO_MINOR_CONSENT_AGE


def consent_policy_for(division_code: str) -> ConsentPolicy | None:
    """The policy on the nearest division at or above ``division_code`` (codes are prefix-hierarchical)."""
    prefixes = {division_code[:n] for n in (2, 4, 6)} | {division_code}
    policies = ConsentPolicy.objects.filter(division_id__in=prefixes)
    return max(policies, key=lambda p: len(p.division_id), default=None)


def consent_required_for(student: Student, *, today: date | None = None) -> bool:
    """Does an app need a guardian's consent before it may receive this pupil's data?"""
    policy = consent_policy_for(student.school.division_id)
    if policy is None or not policy.require_app_consent:
        return False
    return student_is_minor_for_consent(student, today=today)


def consent_active(*, student: Student, app) -> GuardianConsent | None:
    """The active consent covering ``app`` for this child (one for the app itself or for all services)."""
    return (
        GuardianConsent.objects.filter(student=student, withdrawn_at__isnull=True)
        .filter(Q(app=app) | Q(app__isnull=True))
        .order_by("app_id")  # NULLs sort first on SQLite, last on PostgreSQL: either row will do
        .first()
    )


def minor_consent_missing(*, account, app) -> bool:
    """True when ``account`` is a pupil under the consent age, the bureau's policy over their school asks
    for guardian consent, and no active consent covers ``app`` (a ``RegisteredApp``)."""
    person_id = getattr(account, "person_id", None)
    if person_id is None:
        return False
    student = Student.objects.filter(person_id=person_id).select_related("person", "school").first()
    if student is None or not consent_required_for(student):
        return False
    return consent_active(student=student, app=app) is None
