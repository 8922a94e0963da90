"""Screenshots of the registry pages issue 12 touched: class list, class page as a parent, a student's change
history as a teacher, the bureau's home page (70-*).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_registry.py --prefix 70-after [--port 8120]

Before shooting it gives one pupil of the teacher's class a history as real use would leave it: a command-line
import (no acting account) replaced the 学籍号 G+ID number by an L-form one, and the school administrator
corrected the address on the page. Run twice, it adds nothing the second time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def prepare_history() -> tuple[int, int]:
    """(student id with a history, the parent's child's class id)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.identity.models import Account
    from zhijiao.people.models import ChangeRecord, Student, TeachingAssignment
    from zhijiao.people.services import person_update

    teacher = Account.objects.get(username="teacher")
    principal = Account.objects.get(username="principal")
    parent = Account.objects.get(username="parent")
    child = Student.objects.filter(guardianships__guardian_id=parent.person_id).first()
    class_ids = TeachingAssignment.objects.filter(staff__person_id=teacher.person_id).values_list(
        "school_class_id", flat=True
    )
    _overfill(principal, child.school_class)
    done = ChangeRecord.objects.filter(field="student_no", source="import:1#7").first()
    if done is not None:
        return done.entity_id, child.school_class_id
    pupil = Student.objects.filter(school_class_id__in=class_ids, student_no__startswith="G").order_by("pk").first()
    old = pupil.student_no
    pupil.student_no = "L" + old[1:]
    pupil.save(update_fields=["student_no"])
    # what `zhijiao import students` (no acting account) writes for a changed 学籍号
    ChangeRecord.objects.create(
        entity="student",
        entity_id=pupil.pk,
        person_id=pupil.person_id,
        field="student_no",
        old_value=old,
        new_value=pupil.student_no,
        actor=None,
        source="import:1#7",
    )
    person_update(actor=principal, person=pupil.person, address="湖北省武汉市东西湖区吴家山街道临空港大道 88 号")
    return pupil.pk, child.school_class_id


def _overfill(principal, school_class) -> None:
    """Move pupils from the school's smallest class into the child's class until it is over its rated size."""
    from django.utils import timezone

    from zhijiao.core.student_status import studying_q
    from zhijiao.org.models import SchoolClass
    from zhijiao.people.models import Student
    from zhijiao.people.services import student_transfer

    size = Student.objects.filter(studying_q(), school_class=school_class).count()
    if size > school_class.capacity:
        return
    donor = (
        SchoolClass.objects.filter(school=school_class.school, grade=school_class.grade, is_active=True)
        .exclude(pk=school_class.pk)
        .first()
    )
    wanted = school_class.capacity - size + 3
    movers = Student.objects.filter(studying_q(), school_class=donor).order_by("-pk")[:wanted]
    for pupil in movers:
        student_transfer(actor=principal, student=pupil, to_class=school_class, on=timezone.localdate(), reason="调班")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--prefix", default="70-after")
    parser.add_argument("--port", type=int, default=8120)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    pupil_id, class_id = prepare_history()

    # a loaded machine may take a minute to start the server: wait up to six times
    with demo_server(args.port, tries=6) as base, chromium("--lang=zh-CN") as browser:
        page = new_page(browser)

        def shot_as(username: str, path: str, name: str) -> None:
            login(page, base, username, accounts[username]["password"], accounts[username].get("totp_secret"))
            shot(page, out / f"{args.prefix}-{name}.png", url=f"{base}{path}")

        shot_as("principal", "/classes/", "class-list")
        shot_as("parent", f"/classes/{class_id}/", "class-parent")
        shot_as("teacher", f"/students/{pupil_id}/", "student-history-teacher")
        shot_as("bureau", "/", "bureau-home")
        shot(page, out / f"{args.prefix}-bureau-analytics.png", url=f"{base}/analytics/")


if __name__ == "__main__":
    main()
