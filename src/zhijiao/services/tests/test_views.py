"""The organiser pages (bureau only), the big-screen stage, and the public page and files (no personal data)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhijiao.services import lottery
from zhijiao.services.models import DrawStatus, LotteryDraw
from zhijiao.testing import login_as

INPUT = "9319 / {42 2 5 12 27 33 40}"


def _publish_list(client, region, applicants_csv):
    upload = SimpleUploadedFile("名单.csv", applicants_csv, content_type="text/csv")
    return client.post(
        "/services/lottery/new/",
        {
            "school": region.schools["A"].pk,
            "year": "2026",
            "seats": "10",
            "input_plan": "派位当日福利彩票双色球开奖号码",
            "applicants": upload,
        },
    )


def test_a_bureau_runs_a_draw_in_front_of_the_families(client, region, applicants_csv):
    login_as(client, "bureau")
    page = client.get("/services/lottery/")
    assert page.status_code == 200 and "公示报名名单" in page.content.decode()
    response = _publish_list(client, region, applicants_csv)
    draw = LotteryDraw.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/services/lottery/{draw.pk}/stage/"
    stage = client.get(f"/services/lottery/{draw.pk}/stage/").content.decode()
    assert draw.commitment in stage and "开始派位" in stage and "申请人" not in stage.replace("名申请人", "")
    bad = client.post(f"/services/lottery/{draw.pk}/draw/", {"public_input": "abc"})
    assert bad.status_code == 400 and "只能包含数字" in bad.content.decode()
    done = client.post(f"/services/lottery/{draw.pk}/draw/", {"public_input": INPUT, "notary": "王公证员"})
    assert done.status_code == 302
    stage = client.get(done["Location"]).content.decode()
    first = LotteryDraw.objects.get().result_csv.splitlines()[1].split(",")[1]
    assert "9319./2.5.12.27.33.40.42./" in stage and first in stage and "lot-animate" in stage and "公布结果" in stage
    assert client.post(f"/services/lottery/{draw.pk}/draw/", {"public_input": "1"}).status_code == 400
    assert client.post(f"/services/lottery/{draw.pk}/publish/").status_code == 302
    assert LotteryDraw.objects.get().status == DrawStatus.PUBLISHED


def test_the_public_page_shows_numbers_only_and_serves_the_files(client, region, applicants_csv, tmp_path):
    login_as(client, "bureau")
    _publish_list(client, region, applicants_csv)
    draw = LotteryDraw.objects.get()
    client.logout()
    before = client.get(f"/services/lottery/public/{draw.pk}/")
    html = before.content.decode()
    assert before.status_code == 200 and draw.commitment in html and "2026-0017" in html
    assert "申请人1" not in html and "申*" not in html and "420112" not in html  # no names, no ID numbers
    assert client.get(f"/services/lottery/public/{draw.pk}/files/result.csv").status_code == 404
    assert client.get(f"/services/lottery/public/{draw.pk}/files/applicants.csv").status_code == 200
    login_as(client, "bureau")
    client.post(f"/services/lottery/{draw.pk}/draw/", {"public_input": INPUT})
    client.post(f"/services/lottery/{draw.pk}/publish/")
    client.logout()
    after = client.get(f"/services/lottery/public/{draw.pk}/").content.decode()
    assert "派位结果" in after and "录取" in after and "候补" in after and "申请人1" not in after
    for name in lottery.FILES:
        response = client.get(f"/services/lottery/public/{draw.pk}/files/{name}")
        assert response.status_code == 200
        (tmp_path / name).write_bytes(response.content)
    assert lottery.verify(tmp_path) == []
    assert client.get(f"/services/lottery/public/{draw.pk}/files/secret.txt").status_code == 404
    assert client.get("/services/lottery/public/999999/").status_code == 404


@pytest.mark.parametrize("username", ["principal", "teacher", "student", "parent", "inspector"])
def test_others_may_not_organise(client, region, applicants_csv, username):
    login_as(client, "bureau")
    _publish_list(client, region, applicants_csv)
    draw = LotteryDraw.objects.get()
    login_as(client, username)
    assert client.get("/services/lottery/").status_code == 403
    assert _publish_list(client, region, applicants_csv).status_code == 403
    assert client.get(f"/services/lottery/{draw.pk}/stage/").status_code == 404
    assert client.post(f"/services/lottery/{draw.pk}/draw/", {"public_input": INPUT}).status_code == 404
    assert LotteryDraw.objects.get().status == DrawStatus.COMMITTED


def test_anonymous_visitors_are_sent_to_sign_in_for_the_organiser_pages(client, region):
    assert client.get("/services/lottery/").status_code == 302
