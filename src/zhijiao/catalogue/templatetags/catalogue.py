from __future__ import annotations

from django import template

from zhijiao.catalogue.selectors import score_grade

register = template.Library()

SHARING_BADGES = {"open": "green", "conditional": "orange", "closed": "red"}


@register.filter
def grade(value: float | None) -> str:
    """green / orange / red for a 0–100 quality figure."""
    return score_grade(value or 0.0)


@register.filter
def sharing_badge(code: str) -> str:
    return SHARING_BADGES.get(code, "gray")
