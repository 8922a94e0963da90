"""Reads of the growth app, scoped by the access layer: out of scope is NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.growth.models import FitnessSession
from zhijiao.org.models import SchoolClass

# who reads a class's fitness figures through a school or division grant (class-granted teachers read their own)
REPORT_ROLES = frozenset({Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN, Role.TEACHER, Role.HEAD_TEACHER})


def _tenth_half_up(part: int, whole: int) -> float:
    return (part * 1000 + whole // 2) // whole / 10 if whole else 0.0


@dataclass(frozen=True)
class ClassFitnessReport:
    """One class in one test round: 人数, the four levels, 优良率, 及格率, 肥胖率 (percent, one decimal)."""

    class_id: int
    session_id: int
    pupils: int
    levels: dict[str, int]
    excellent_good_rate: float
    pass_rate: float
    obesity_rate: float
    mean_total: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "class_id": self.class_id, "session_id": self.session_id, "人数": self.pupils, **self.levels,
            "优良率%": self.excellent_good_rate, "及格率%": self.pass_rate, "肥胖率%": self.obesity_rate,
            "平均学年总分": self.mean_total,
        }  # fmt: skip


def fitness_class_report(*, actor: Actor, session_id: int, class_id: int) -> ClassFitnessReport:
    """The class's figures in a session; the class must be in the actor's scope (teachers of it, its school, the
    bureaus above), else NotFound — so are a session and class of different schools."""
    scope = scope_for(actor)
    school_class = SchoolClass.objects.select_related("school").filter(scope.classes_q(), pk=class_id).first()
    # classes_q also holds a pupil's and a parent's own class: class figures are for its teachers and above
    if school_class is None or not (
        school_class.pk in scope.class_ids(Role.HEAD_TEACHER, Role.TEACHER)
        or scope.covers(
            division_code=school_class.school.division_id, school_code=school_class.school.code, roles=REPORT_ROLES
        )
    ):
        raise NotFound()
    session = FitnessSession.objects.filter(pk=session_id, school_id=school_class.school_id).first()
    if session is None:
        raise NotFound()
    rows = session.results.filter(school_class=school_class)
    agg = rows.aggregate(
        n=Count("id"),
        excellent=Count("id", filter=Q(level="优秀")),
        good=Count("id", filter=Q(level="良好")),
        passed=Count("id", filter=Q(level="及格")),
        failed=Count("id", filter=Q(level="不及格")),
        obese=Count("id", filter=Q(bmi_class="肥胖")),
        mean=Avg("total_score"),
    )
    n = agg["n"]
    mean = agg["mean"]
    return ClassFitnessReport(
        class_id=school_class.pk,
        session_id=session.pk,
        pupils=n,
        levels={"优秀": agg["excellent"], "良好": agg["good"], "及格": agg["passed"], "不及格": agg["failed"]},
        excellent_good_rate=_tenth_half_up(agg["excellent"] + agg["good"], n),
        pass_rate=_tenth_half_up(n - agg["failed"], n),
        obesity_rate=_tenth_half_up(agg["obese"], n),
        mean_total=None if mean is None else float(Decimal(str(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)),
    )
