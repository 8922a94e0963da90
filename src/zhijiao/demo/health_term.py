"""The demo's 健康档案: this term's check for every pupil of the region (height, weight, vision with refraction, so
近视率 shows everywhere), a few psychological screenings at the demo pupil's school (visible only to the demo
心理教师 ``xinli`` and the pupils' guardians — the demo ``parent`` sees their child's), and the three growth plan
indicators for the demo city with targets; then a fresh snapshot so the statistics page and warnings carry them.

Made-up, seeded values; myopia grows with the grade roughly as national screenings report (about a third of 小学
pupils, two thirds of 初中, more in 高中). Runs once: nothing happens when a check exists.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhijiao.analytics.indicators import indicator_define
from zhijiao.analytics.indicators_growth import GROWTH_INDICATORS, growth_indicator_spec
from zhijiao.analytics.models import SnapshotTrigger
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.warnings import warnings_evaluate
from zhijiao.audit.services import Origin
from zhijiao.growth.health import age_on, myopia, psych_screening_add
from zhijiao.growth.models import HealthCheck
from zhijiao.identity.models import Account
from zhijiao.org.models import Term
from zhijiao.people.models import Student

ORIGIN = Origin(channel="cli")
# share of myopic pupils by 学段 (小学, 初中, 高中)
MYOPIA_SHARE = {"2": 0.35, "3": 0.7, "4": 0.8}
TARGETS = {"fitness_good_rate": 55.0, "myopia_rate": 45.0, "growth_completion": 90.0}
SCREENINGS = [
    ("normal", "", 38), ("normal", "", 41), ("watch", "学习压力较大，已与班主任沟通减负", 63), ("normal", "", 35),
    ("normal", "", 44), ("watch", "同伴关系紧张，安排团体辅导", 61), ("normal", "", 30), ("normal", "", 47),
    ("refer", "情绪持续低落，已与家长面谈并建议到专业机构评估", 78), ("normal", "", 39), ("normal", "", 42),
    ("normal", "", 36),
]  # fmt: skip


def _check_day(term: Term, today: date) -> date:
    day = min(term.starts_on + timedelta(days=30), today)
    return max(day, term.starts_on)


def demo_health_term(*, root: str, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    if HealthCheck.objects.exists():
        return
    term = Term.objects.filter(is_current=True).first()
    if term is None:
        return
    day = _check_day(term, timezone.localdate())
    rng = random.Random(f"{seed}-health")
    rows = []
    for s in (
        Student.objects.filter(school_class__isnull=False)
        .select_related("person", "school_class__grade")
        .order_by("pk")
        .iterator(chunk_size=5000)
    ):
        stage = s.school_class.grade.stage if s.school_class else "2"
        age = age_on(s.person.birth_date, day)
        short = rng.random() < MYOPIA_SHARE.get(stage, 0.35)
        glasses = short and rng.random() < 0.4
        se = [Decimal(f"{-rng.uniform(0.5, 4.5):.2f}") if short else Decimal(f"{rng.uniform(-0.25, 1.0):.2f}")] * 2
        choices = ["4.3", "4.5", "4.6", "4.7", "4.8", "4.9"] if short else ["5.0", "5.1", "5.2"]
        vision = [Decimal(rng.choice(choices)) for _ in range(2)]
        flag, poor = myopia(vision=(vision[0], vision[1]), se=(se[0], se[1]), glasses=glasses, age=age)
        height = 100 + 6 * (age or 8) + rng.gauss(0, 5)
        rows.append(
            HealthCheck(
                student=s,
                school_id=s.school_id,
                school_class_id=s.school_class_id,
                checked_on=day,
                height_cm=Decimal(f"{height:.1f}"),
                weight_kg=Decimal(f"{(height / 100) ** 2 * rng.uniform(14, 22):.1f}"),
                vision_left=vision[0],
                vision_right=vision[1],
                se_left=se[0],
                se_right=se[1],
                glasses=glasses,
                myopia=flag,
                poor_vision=poor,
                caries=rng.choice([0, 0, 0, 0, 1, 2]),
            )
        )
    with transaction.atomic():
        HealthCheck.objects.bulk_create(rows, batch_size=5000)
    progress(f"健康档案：{len(rows)} 名学生的视力、身高体重检查（{day:%Y-%m-%d}）")
    progress(f"健康档案：示范学校 {_earlier_checks(day - timedelta(days=180), rng)} 名学生上一次检查（视力变化）")
    _screenings(day, progress)
    for code in GROWTH_INDICATORS:
        indicator_define(actor=None, spec=growth_indicator_spec(code, division=root, targets={day.year: TARGETS[code]}))
    snapshot = snapshot_take(actor=None, trigger=SnapshotTrigger.DEMO)
    warnings_evaluate()
    progress(f"成长与健康指标：快照 {snapshot.taken_on:%Y-%m-%d} 已更新，预警已重新评估")


def _earlier_checks(day: date, rng: random.Random) -> int:
    """At the demo pupil's school, a check half a year earlier: vision a little better, so the trend shows."""
    pupil_account = Account.objects.filter(username="student").first()
    if pupil_account is None or pupil_account.person_id is None:
        return 0
    pupil = Student.objects.filter(person_id=pupil_account.person_id).first()
    if pupil is None:
        return 0
    rows = []
    for later in HealthCheck.objects.filter(school_id=pupil.school_id).select_related("student__person"):
        vision = [min(Decimal("5.3"), v + Decimal(rng.choice(["0.0", "0.1", "0.2"]))) for v in
                  (later.vision_left, later.vision_right) if v is not None]  # fmt: skip
        if len(vision) != 2:
            continue
        se = [min(Decimal("1.00"), v + Decimal("0.50")) for v in (later.se_left, later.se_right) if v is not None]
        se_pair = (se[0], se[1]) if len(se) == 2 else (None, None)
        flag, poor = myopia(
            vision=(vision[0], vision[1]), se=se_pair, glasses=False, age=age_on(later.student.person.birth_date, day)
        )
        rows.append(
            HealthCheck(
                student_id=later.student_id,
                school_id=later.school_id,
                school_class_id=later.school_class_id,
                checked_on=day,
                height_cm=later.height_cm - 3 if later.height_cm else None,
                weight_kg=later.weight_kg - 1 if later.weight_kg else None,
                vision_left=vision[0],
                vision_right=vision[1],
                se_left=se_pair[0],
                se_right=se_pair[1],
                myopia=flag,
                poor_vision=poor,
                caries=later.caries,
            )
        )
    HealthCheck.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _screenings(day: date, progress: Callable[[str], None]) -> None:
    """Twelve screenings at the demo pupil's school: the demo pupil first (so the demo guardian sees one)."""
    counsellor = Account.objects.filter(username="xinli").first()
    pupil_account = Account.objects.filter(username="student").first()
    if counsellor is None or pupil_account is None or pupil_account.person_id is None:
        return
    pupil = Student.objects.filter(person_id=pupil_account.person_id).first()
    if pupil is None:
        return
    others = Student.objects.filter(school_id=pupil.school_id).exclude(pk=pupil.pk).order_by("student_no")
    pupils = [pupil, *others[: len(SCREENINGS) - 1]]
    for student, (level, note, score) in zip(pupils, SCREENINGS, strict=False):
        psych_screening_add(
            actor=counsellor, student_id=student.pk, screened_on=day, instrument="中小学生心理健康量表（MHT）",
            score=Decimal(score), level=level, note=note, origin=ORIGIN,
        )  # fmt: skip
    progress(f"心理筛查：{len(pupils)} 名学生（只有心理教师和监护人可见）")
