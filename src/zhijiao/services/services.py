"""Writes of 网上办事: the admission lottery, step by step (publish the list → draw → publish the result).

Each step is one transaction, checks that the actor governs the school's district (``access.scope``), moves the
status forward only, and is written to the audit log. The draw re-derives the commitment from the stored list
before drawing, so a list changed after publication is refused rather than drawn.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.org.models import School
from zhijiao.services import lottery
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import DrawStatus, LotteryDraw


def _require_governs(actor: Actor, school: School) -> None:
    if not scope_for(actor).governs(school.division_id):
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_NOT_ALLOWED)


def _target(draw: LotteryDraw) -> Target:
    return Target("lottery_draw", str(draw.pk), draw.title)


def _locked(actor: Actor, draw_id: int) -> LotteryDraw:
    draw = LotteryDraw.objects.select_for_update().select_related("school").filter(pk=draw_id).first()
    if draw is None or not scope_for(actor).governs(draw.school.division_id):
        raise NotFound()
    return draw


@transaction.atomic
def draw_create(
    *,
    actor: Actor,
    school: School,
    year: int,
    seats: int,
    applicants: bytes,
    input_plan: str,
    title: str = "",
    origin: Origin | None = None,
) -> LotteryDraw:
    """Publish the applicant list and the commitment (status 已公示名单). From here on the list is fixed."""
    _require_governs(actor, school)
    if not 2000 <= year <= 2100:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_YEAR, field="year")
    if seats < 1:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_SEATS, field="seats")
    if not input_plan.strip():
        raise ZhijiaoError(
            ServicesError.SERVICES_LOTTERY_INPUT, field="input_plan", detail="请写明抽签时使用的公开数据来源"
        )
    try:
        parsed = lottery.parse_applicants(applicants)
    except lottery.LotteryInputError as exc:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_LIST, field="applicants", detail=str(exc)) from exc
    if LotteryDraw.objects.filter(school=school, year=year).exists():
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_EXISTS, field="year")
    listing, list_hash, commit = lottery.prepare(parsed, seats=seats)
    draw = LotteryDraw.objects.create(
        school=school,
        year=year,
        title=title.strip() or f"{year}年 {school.name} 招生电脑派位",
        seats=seats,
        input_plan=input_plan.strip(),
        procedure_version=lottery.PROCEDURE_VERSION,
        applicants_csv=listing.decode("utf-8"),
        applicants_count=len(parsed),
        applicants_sha256=list_hash,
        commitment=commit,
        committed_at=timezone.now(),
        committed_by_id=actor_account_id(actor),
    )
    audit_record(
        actor=actor, action="lottery.commit", origin=origin or Origin(), target=_target(draw), fields=["commitment"]
    )
    return draw


@transaction.atomic
def draw_run(
    *, actor: Actor, draw_id: int, public_input: str, notary: str = "", origin: Origin | None = None
) -> LotteryDraw:
    """Draw once (已公示名单 → 已抽签) from the notary's public input; a drawn lottery is never drawn again."""
    draw = _locked(actor, draw_id)
    if draw.status != DrawStatus.COMMITTED:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_ALREADY_DRAWN)
    parsed = lottery.parse_applicants(draw.applicants_csv.encode("utf-8"))
    listing, _, commit = lottery.prepare(parsed, seats=draw.seats)
    if listing.decode("utf-8") != draw.applicants_csv or commit != draw.commitment:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_TAMPERED)
    try:
        result = lottery.draw(parsed, seats=draw.seats, public_input=public_input.strip(), title=draw.title)
    except lottery.LotteryInputError as exc:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_INPUT, field="public_input", detail=str(exc)) from exc
    draw.status = DrawStatus.DRAWN
    draw.public_input = public_input.strip()
    draw.public_input_key = lottery.public_input_key(public_input)
    draw.notary = notary.strip()[:64]
    draw.seed = result.seed_hex
    draw.inputs_json = result.files[lottery.INPUTS_FILE].decode("utf-8")
    draw.result_csv = result.files[lottery.RESULT_FILE].decode("utf-8")
    draw.sums = result.files[lottery.SUMS_FILE].decode("utf-8")
    draw.drawn_at = timezone.now()
    draw.drawn_by_id = actor_account_id(actor)
    draw.save()
    audit_record(
        actor=actor,
        action="lottery.draw",
        origin=origin or Origin(),
        target=_target(draw),
        fields=["public_input", "seed", "result"],
    )
    return draw


@transaction.atomic
def draw_publish(*, actor: Actor, draw_id: int, origin: Origin | None = None) -> LotteryDraw:
    """Publish the result (已抽签 → 已公布): the public page then shows the order and serves the files."""
    draw = _locked(actor, draw_id)
    if draw.status == DrawStatus.COMMITTED:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_NOT_DRAWN)
    if draw.status == DrawStatus.PUBLISHED:
        raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_ALREADY_PUBLISHED)
    draw.status = DrawStatus.PUBLISHED
    draw.published_at = timezone.now()
    draw.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="lottery.publish", origin=origin or Origin(), target=_target(draw))
    return draw
