"""Eligibility (入学资格类别): the bureau's rule table evaluated against an application and the registry.

Pure reading: ``evaluate`` takes the district's rules (ordered by rank) and the application's facts and returns the
first category whose every condition holds, with one reason per condition of every category tried (met or not), so
reviewers and the family see why. The registry is asked one thing: whether the child already has a school place
(在读 in the registry) — such a child is not a new entrant and falls in no category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zhijiao.core.student_status import studying_q
from zhijiao.people.models import Student
from zhijiao.services.models_admission import EligibilityRule, Housing


@dataclass(frozen=True)
class Facts:
    in_catchment: bool  # the home compound is a listed 施教区 of the district
    hukou_in_catchment: bool
    housing: str
    residence_permit: bool
    social_months: int
    already_enrolled: bool = False


@dataclass(frozen=True)
class Outcome:
    rank: int | None
    name: str
    reasons: list[dict[str, object]]  # {"category": "一类", "text": "…", "met": bool}


def registry_enrolled(child_id_number: str) -> bool:
    """Whether the registry has the child on a school roll already."""
    return Student.objects.filter(studying_q(), person__id_number=child_id_number).exists()


def _conditions(rule: EligibilityRule, facts: Facts) -> list[tuple[str, bool]]:
    out = [("居住地址在本区施教区内", facts.in_catchment)]
    if rule.need_hukou_in_catchment:
        out.append(("户籍在居住小区（施教区）内", facts.hukou_in_catchment))
    if rule.housing_list:
        wanted = "或".join(str(Housing(h).label) for h in rule.housing_list)
        out.append((f"住房为{wanted}", facts.housing in rule.housing_list))
    if rule.need_residence_permit:
        out.append(("持有本地居住证", facts.residence_permit))
    if rule.min_social_months:
        out.append(
            (
                f"社保缴纳满{rule.min_social_months}个月（现{facts.social_months}个月）",
                facts.social_months >= rule.min_social_months,
            )
        )
    return out


def evaluate(rules: Sequence[EligibilityRule], facts: Facts) -> Outcome:
    reasons: list[dict[str, object]] = []
    if facts.already_enrolled:
        reasons.append({"category": "学籍", "text": "学籍系统中该儿童已在校就读，不属于新生", "met": False})
        return Outcome(None, "", reasons)
    for rule in sorted(rules, key=lambda r: r.rank):
        conditions = _conditions(rule, facts)
        reasons.extend({"category": rule.name, "text": text, "met": met} for text, met in conditions)
        if all(met for _, met in conditions):
            return Outcome(rule.rank, rule.name, reasons)
    return Outcome(None, "", reasons)
