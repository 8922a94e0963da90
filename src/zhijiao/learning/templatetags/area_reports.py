"""Filters of the 学情报告 pages: a figure that may be missing (None, shown as "—"), never a falsy 0 lost."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """12.5 → "12.5%", 0 → "0%", None → "—"."""
    return "—" if value is None else f"{value:g}%"


@register.filter
def num(value: float | None) -> str:
    """28.5 → "28.5", 40.0 → "40", None → "—"."""
    return "—" if value is None else f"{value:g}"
