"""The demo's 体质健康 test rounds: the demo pupil's school tested last term and this term (its primary classes), and
so did a 初中 of the district (its 初一 to 初三 classes).

Results are made up (seeded), scored by the real scorer through ``fitness_results_import`` as the demo 学校管理员
(the 初中's rounds as the demo bureau), so the pages, the district figures and the pupil's trend have something to
show.
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
from zhijiao.org.models import School, SchoolClass, Term
from zhijiao.org.selectors import current_school_year
from zhijiao.people.models import Student

ORIGIN = Origin(channel="cli")
HEADER = ["学籍号", "姓名", "性别", "年级编号", "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "一分钟跳绳",
          "一分钟仰卧起坐", "50米×8往返跑"]  # fmt: skip
JUNIOR_HEADER = ["学籍号", "姓名", "性别", "年级编号", "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "立定跳远",
                 "引体向上", "一分钟仰卧起坐", "1000米跑", "800米跑"]  # fmt: skip
JUNIOR_CODES = ("21", "22", "23")  # 初一, 初二, 初三


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


def _junior_row(student: Student, code: str, rng: random.Random, lift: float) -> list[str]:
    boy = student.person.sex == "1"
    fit = rng.gauss(0, 1) + 0.3 * lift  # one pupil is fit or not across items: the totals spread over every level
    fit += 0.6 * (int(code[1]) - 2)  # 初一 … 初三: older pupils run, jump and blow further
    height = (162 if boy else 157) + 5 * (int(code[1]) - 2) + rng.gauss(0, 6)
    bmi = rng.choice([rng.uniform(15.8, 22.0)] * 10 + [rng.uniform(22.6, 25.0), rng.uniform(25.3, 29)])
    weight = bmi * (height / 100) ** 2
    run = max(190, rng.gauss(275 if boy else 255, 14) - 22 * fit)
    row = [
        student.student_no, student.person.name, "男" if boy else "女", code, f"{height:.1f}", f"{weight:.1f}",
        str(int(rng.gauss(2850 if boy else 2150, 300) + 380 * fit)),
        f"{max(6.5, rng.gauss(8.7 if boy else 9.7, 0.4) - 0.5 * fit):.1f}",
        f"{rng.gauss(5 if boy else 11, 4) + 4 * fit:.1f}",
        str(int(rng.gauss(194 if boy else 158, 10) + 16 * fit)),
        str(max(0, int(rng.gauss(4, 2) + 3 * fit))) if boy else "",
        "" if boy else str(max(5, int(rng.gauss(34, 5) + 7 * fit))),
        f"{int(run) // 60}'{int(run) % 60:02d}\"" if boy else "",
        "" if boy else f"{int(run) // 60}'{int(run) % 60:02d}\"",
    ]  # fmt: skip
    return row


def _rounds(
    *, actor: Account, school_id: int, pupils: list[tuple[Student, str]], rounds: list[tuple[Term, str, float]],
    header: list[str], row: Callable[[Student, str, random.Random, float], list[str]], seed: str,
    progress: Callable[[str], None],
) -> None:  # fmt: skip
    for term, name, lift in rounds:
        rng = random.Random(f"{seed}-{name}")
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for student, code in pupils:
            writer.writerow(row(student, code, rng, lift))
        session = services.fitness_session_create(
            actor=actor, school_id=school_id, term_id=term.pk, name=name, origin=ORIGIN
        )
        outcome = services.fitness_results_import(
            actor=actor, session_id=session.pk, data=buf.getvalue().encode(), name="体测仪导出.csv", origin=ORIGIN
        )
        problems = "；".join(p.text for p in outcome.problems[:3])
        progress(
            f"体质健康：{session.school.name} {term} {name} 导入 {outcome.imported} 人"
            + (f"（未导入：{problems}）" if problems else "")
        )


def _junior_pupils(school: School, year: int) -> list[tuple[Student, str]]:
    classes = [
        (c, code)
        for c in SchoolClass.objects.filter(school=school, is_active=True, grade__stage="3").select_related("grade")
        if (code := grade_code(c.grade.stage, c.grade.entry_year, year)) in JUNIOR_CODES
    ]
    return [
        (s, code)
        for c, code in classes
        for s in Student.objects.filter(school_class=c).select_related("person").order_by("student_no")
    ]


def demo_fitness_term(*, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    """Two rounds at the demo pupil's school and two at a 初中 (once: nothing happens when a round exists)."""
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
    _rounds(
        actor=principal, school_id=pupil.school_id, pupils=pupils, rounds=rounds, header=HEADER, row=_row,
        seed=str(seed), progress=progress,
    )  # fmt: skip
    # a 初中 of the district: the pupil's school if it has one (九年一贯制), else the first 初中 near it
    bureau = Account.objects.filter(username="bureau").first()
    juniors = School.objects.filter(classes__grade__stage="3", classes__is_active=True).distinct().order_by("code")
    junior = next(
        (s for s in [pupil.school, *juniors.filter(division_id=pupil.school.division_id), *juniors]
         if _junior_pupils(s, year)),
        None,
    )  # fmt: skip
    if bureau is None or junior is None:
        return
    actor = principal if junior.pk == pupil.school_id else bureau
    _rounds(
        actor=actor, school_id=junior.pk, pupils=_junior_pupils(junior, year), rounds=rounds, header=JUNIOR_HEADER,
        row=_junior_row, seed=f"{seed}-初中", progress=progress,
    )  # fmt: skip
