"""Reads of 网上办事: the draws a bureau organises, and what the public may see of a draw."""

from __future__ import annotations

from dataclasses import dataclass

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.org.models import School
from zhijiao.services.models import DrawStatus, LotteryDraw


def draw_list(*, actor: Actor) -> list[LotteryDraw]:
    """Draws of the schools in districts the actor governs (区域管理员 at or above, platform administrators)."""
    scope = scope_for(actor)
    rows = LotteryDraw.objects.select_related("school").defer("applicants_csv", "result_csv", "inputs_json")
    return [d for d in rows if scope.governs(d.school.division_id)]


def draw_get(*, actor: Actor, draw_id: int) -> LotteryDraw:
    """One draw for its organisers; out of scope is NotFound."""
    draw = LotteryDraw.objects.select_related("school").filter(pk=draw_id).first()
    if draw is None or not scope_for(actor).governs(draw.school.division_id):
        raise NotFound()
    return draw


def draw_schools(*, actor: Actor) -> list[School]:
    """Schools the actor may organise a draw for."""
    scope = scope_for(actor)
    return [s for s in School.objects.filter(is_active=True).order_by("code") if scope.governs(s.division_id)]


@dataclass(frozen=True)
class PublicRow:
    rank: int
    application_no: str
    admitted: bool


def draw_public(*, actor: Actor | None, draw_id: int) -> LotteryDraw:
    """A draw as anyone may see it: every draw is public from its list's publication (the list holds application
    numbers and masked names only); the order only once published. ``actor`` is unused: the page is public."""
    draw = LotteryDraw.objects.select_related("school").filter(pk=draw_id).first()
    if draw is None:
        raise NotFound()
    return draw


def draw_result_rows(*, draw: LotteryDraw, revealed: bool) -> list[PublicRow]:
    """The ordered result (rank, application number, admitted?) once drawn and ``revealed`` allows it."""
    if not revealed or draw.status == DrawStatus.COMMITTED:
        return []
    rows = []
    for line in draw.result_csv.splitlines()[1:]:
        rank, number, outcome = line.split(",")
        rows.append(PublicRow(int(rank), number, outcome == "admitted"))
    return rows


def draw_applicant_numbers(*, draw: LotteryDraw) -> list[str]:
    return [line.split(",")[0] for line in draw.applicants_csv.splitlines()[1:]]


def draw_may_organise(*, actor: Actor) -> bool:
    """Bureaus (区域管理员, platform administrators) organise draws; everyone else is refused the organiser pages."""
    return scope_for(actor).is_bureau


def draws_public_list(*, limit: int = 50) -> list[LotteryDraw]:
    """The draws anyone may look at (every draw is public from its list's publication), newest first."""
    return list(
        LotteryDraw.objects.select_related("school")
        .defer("applicants_csv", "result_csv", "inputs_json", "sums")
        .order_by("-year", "-committed_at")[:limit]
    )
