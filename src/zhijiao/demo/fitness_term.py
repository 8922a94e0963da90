"""The demo's 体质健康 test rounds: the demo pupil's school tested last term and this term (its primary classes).

Results are made up (seeded), scored by the real scorer through ``fitness_results_import`` as the demo 学校管理员,
so the pages, the district figures and the pupil's trend have something to show.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable

from zhijiao.audit.services import Origin
from zhijiao.growth import services
from zhijiao.growth.models import FitnessSession
from zhijiao.identity.models import Account
from zhijiao.org.grades import grade_code
from zhijiao.org.models import SchoolClass, Term
from zhijiao.org.selectors import current_school_year
from zhijiao.people.models import Student

ORIGIN = Origin(channel="cli")
HEADER = ["学籍号", "姓名", "性别", "年级编号", "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "一分钟跳绳",
          "一分钟仰卧起坐", "50米×8往返跑"]  # fmt: skip


def _row(student: Student, code: str, rng: random.Random, lift: float) -> list[str]:
    g = int(code[1])
    boy = student.person.sex == "1"
    height = 112 + 6 * g + rng.gauss(0, 5)
    bmi = rng.choice([rng.uniform(13.6, 16.4 + 0.35 * g)] * 10 + [rng.uniform(17.5, 19.5), rng.uniform(19.5, 24)])
    weight = bmi * (height / 100) ** 2
    row = [
        student.student_no, student.person.name, "男" if boy else "女", code, f"{height:.1f}", f"{weight:.1f}",
        str(int(600 + 260 * g + rng.gauss(0, 280) + 150 * lift)),
        f"{max(7.5, 11.9 - 0.35 * g + rng.gauss(0, 0.9) - 0.3 * lift):.1f}",
        f"{rng.gauss(8 if boy else 11, 5) + lift:.1f}",
        str(max(10, int(rng.gauss(60 + 12 * g, 28) + 8 * lift))),
        str(max(5, int(rng.gauss(20 + 3 * g, 8) + 2 * lift))) if g >= 3 else "",
        f"{max(85, rng.gauss(125 - 2 * g, 10) - 3 * lift):.0f}" if g >= 5 else "",
    ]  # fmt: skip
    return row


def demo_fitness_term(*, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    """Two rounds at the demo pupil's school (once: nothing happens when a round exists)."""
    if FitnessSession.objects.exists():
        return
    principal = Account.objects.filter(username="principal").first()
    pupil_account = Account.objects.filter(username="student").first()
    if principal is None or pupil_account is None or pupil_account.person_id is None:
        return
    pupil = Student.objects.select_related("school").filter(person_id=pupil_account.person_id).first()
    current = Term.objects.filter(is_current=True).select_related("school_year").first()
    if pupil is None or current is None:
        return
    earlier = Term.objects.filter(starts_on__lt=current.starts_on).order_by("-starts_on").first()
    year = current_school_year()
    classes = [
        (c, code)
        for c in SchoolClass.objects.filter(school=pupil.school, is_active=True).select_related("grade")
        if c.grade.stage == "2" and (code := grade_code(c.grade.stage, c.grade.entry_year, year)) is not None
    ]
    pupils = [
        (s, code)
        for c, code in classes
        for s in Student.objects.filter(school_class=c).select_related("person").order_by("student_no")
    ]
    if not pupils:
        return
    # last term's round if the demo has that term, else a baseline round at the start of this one
    first = (earlier, "春季体质健康测试") if earlier else (current, "开学体质摸底测试")
    rounds = [(*first, 0.0), (current, "秋季体质健康测试", 1.0)]
    for term, name, lift in rounds:
        rng = random.Random(f"{seed}-{name}")
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HEADER)
        for student, code in pupils:
            writer.writerow(_row(student, code, rng, lift))
        session = services.fitness_session_create(
            actor=principal, school_id=pupil.school_id, term_id=term.pk, name=name, origin=ORIGIN
        )
        outcome = services.fitness_results_import(
            actor=principal, session_id=session.pk, data=buf.getvalue().encode(), name="体测仪导出.csv", origin=ORIGIN
        )
        problems = "；".join(p.text for p in outcome.problems[:3])
        progress(
            f"体质健康：{term} {name} 导入 {outcome.imported} 人" + (f"（未导入：{problems}）" if problems else "")
        )
