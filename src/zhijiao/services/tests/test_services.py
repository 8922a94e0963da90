"""Publish → draw → publish result: scoped to the school's bureau, forward only, audited, the list fixed."""

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.services import lottery, services
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import DrawStatus, LotteryDraw

INPUT = "9319 / {42 2 5 12 27 33 40}"


def _create(region, applicants_csv, username="bureau", school="A", year=2026) -> LotteryDraw:
    return services.draw_create(
        actor=region.accounts[username],
        school=region.schools[school],
        year=year,
        seats=10,
        applicants=applicants_csv,
        input_plan="派位当日福利彩票双色球开奖号码",
    )


def test_the_whole_flow_gives_the_bytes_of_the_offline_draw(region, applicants_csv, tmp_path):
    draw = _create(region, applicants_csv)
    assert draw.status == DrawStatus.COMMITTED and draw.applicants_count == 40
    assert "4201122019" not in draw.applicants_csv  # no ID numbers stored or published
    draw = services.draw_run(actor=region.accounts["bureau"], draw_id=draw.pk, public_input=INPUT, notary="王公证员")
    assert draw.status == DrawStatus.DRAWN
    offline = lottery.draw(lottery.parse_applicants(applicants_csv), seats=10, public_input=INPUT, title=draw.title)
    assert draw.files == offline.files
    assert draw.commitment == offline.commitment
    draw = services.draw_publish(actor=region.accounts["bureau"], draw_id=draw.pk)
    assert draw.status == DrawStatus.PUBLISHED and draw.published_at is not None
    # the stored files verify
    for name, data in draw.files.items():
        (tmp_path / name).write_bytes(data)
    assert lottery.verify(tmp_path) == []
    actions = list(AuditEvent.objects.filter(action__startswith="lottery.").values_list("action", flat=True))
    assert sorted(actions) == ["lottery.commit", "lottery.draw", "lottery.publish"]


def test_a_draw_is_never_run_twice_and_the_result_needs_a_draw(region, applicants_csv):
    draw = _create(region, applicants_csv)
    bureau = region.accounts["bureau"]
    with pytest.raises(ZhijiaoError) as caught:
        services.draw_publish(actor=bureau, draw_id=draw.pk)
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_NOT_DRAWN
    services.draw_run(actor=bureau, draw_id=draw.pk, public_input=INPUT)
    with pytest.raises(ZhijiaoError) as caught:
        services.draw_run(actor=bureau, draw_id=draw.pk, public_input="1 2 3")
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_ALREADY_DRAWN
    services.draw_publish(actor=bureau, draw_id=draw.pk)
    with pytest.raises(ZhijiaoError):
        services.draw_run(actor=bureau, draw_id=draw.pk, public_input="1 2 3")


def test_a_list_changed_after_its_commitment_is_not_drawn(region, applicants_csv):
    draw = _create(region, applicants_csv)
    LotteryDraw.objects.filter(pk=draw.pk).update(applicants_csv=draw.applicants_csv.replace("2026-0040", "2026-0099"))
    with pytest.raises(ZhijiaoError) as caught:
        services.draw_run(actor=region.accounts["bureau"], draw_id=draw.pk, public_input=INPUT)
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_TAMPERED
    assert LotteryDraw.objects.get(pk=draw.pk).status == DrawStatus.COMMITTED


@pytest.mark.parametrize("username", ["principal", "teacher", "inspector", "parent"])
def test_only_the_schools_bureau_organises(region, applicants_csv, username):
    with pytest.raises(ZhijiaoError) as caught:
        _create(region, applicants_csv, username=username)
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_NOT_ALLOWED
    draw = _create(region, applicants_csv)
    with pytest.raises(NotFound):
        services.draw_run(actor=region.accounts[username], draw_id=draw.pk, public_input=INPUT)


def test_a_bureau_of_another_district_cannot_see_or_run_the_draw(region, applicants_csv):
    other = region.schools["C"]  # 江岸区: 东西湖区's bureau does not govern it
    with pytest.raises(ZhijiaoError):
        _create(region, applicants_csv, school="C")
    draw = services.draw_create(
        actor=region.accounts["city"], school=other, year=2026, seats=3, applicants=applicants_csv, input_plan="x"
    )
    with pytest.raises(NotFound):
        services.draw_run(actor=region.accounts["bureau"], draw_id=draw.pk, public_input=INPUT)


def test_bad_input_is_refused_with_a_chinese_message(region, applicants_csv):
    with pytest.raises(ZhijiaoError) as caught:
        _create(region, b"application_no\nA1\nA1\n")
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_LIST and "重复" in caught.value.detail
    draw = _create(region, applicants_csv)
    with pytest.raises(ZhijiaoError) as caught:
        _create(region, applicants_csv)
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_EXISTS
    with pytest.raises(ZhijiaoError) as caught:
        services.draw_run(actor=region.accounts["bureau"], draw_id=draw.pk, public_input="九三一九")
    assert caught.value.error is ServicesError.SERVICES_LOTTERY_INPUT
    assert LotteryDraw.objects.get(pk=draw.pk).status == DrawStatus.COMMITTED
