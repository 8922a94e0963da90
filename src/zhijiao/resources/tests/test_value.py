from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from zhijiao.resources.models import (
    Rating,
    Resource,
    ResourceLevel,
    ResourceStatus,
    ResourceType,
    SharingScope,
    UsageEvent,
    UsageKind,
)
from zhijiao.resources.tests.conftest import make_published, make_resource
from zhijiao.resources.usage import rating_set, usage_record
from zhijiao.resources.value import (
    bayes_rating,
    grade,
    smoothed_rate,
    value_frame,
    value_of,
    value_recompute,
)
from zhijiao.testing import login_as


def test_formula_on_hand_made_numbers():
    assert grade(level=ResourceLevel.EXCELLENT, type=ResourceType.MICRO_LESSON) == 1.0
    assert grade(level=ResourceLevel.GOOD, type=ResourceType.LESSON_PLAN) == pytest.approx(0.72)
    assert grade(level=ResourceLevel.UNRATED, type=ResourceType.IMAGE) == pytest.approx(0.35)
    # Two fives against a prior of 3.5 with weight 5: (5·3.5 + 10) / 7
    assert bayes_rating(total=10, count=2) == pytest.approx(27.5 / 7)
    assert bayes_rating(total=0, count=0) == 3.5
    assert bayes_rating(total=184, count=40, prior=4.0) == pytest.approx((20 + 184) / 45)
    # 8 of 10 plays watched past 80 %, prior 0.5 with weight 10: (5 + 8) / 20
    assert smoothed_rate(effective=8, trials=10) == pytest.approx(0.65)
    assert smoothed_rate(effective=0, trials=0, prior=0.3) == pytest.approx(0.3)
    # G = 1, R = (4.5 − 1) / 4 = 0.875, U = 0.65 → 100 × (0.3 + 0.35 + 0.195)
    assert value_of(g=1.0, r=0.875, u=0.65) == 84.5


def test_recompute_stores_counts_rating_and_value(region):
    a = region.accounts
    lesson = make_published(a)  # 微课: a media type, use = plays watched past 80 %
    Resource.objects.filter(pk=lesson.pk).update(level=ResourceLevel.EXCELLENT)
    lesson.refresh_from_db()
    rating_set(actor=a["student"], resource=lesson, score=5)
    rating_set(actor=a["principal"], resource=lesson, score=4)
    for i, progress in enumerate([0.95, 0.81, 0.3, 1.0]):
        usage_record(actor=a["student"], resource=lesson, kind=UsageKind.PLAY, play_id=f"p{i}", progress=progress)
    usage_record(actor=a["student"], resource=lesson, kind=UsageKind.VIEW)

    assert value_recompute() == 1
    lesson.refresh_from_db()
    assert (lesson.rating_count, lesson.rating_avg) == (2, 4.5)
    assert (lesson.play_count, lesson.view_count, lesson.download_count) == (4, 1, 0)
    assert lesson.effective_use_rate == 0.75  # 3 of 4 plays past 80 %
    r = (bayes_rating(total=9, count=2) - 1) / 4
    u = smoothed_rate(effective=3, trials=4)  # too few plays in the region: prior 0.5
    assert lesson.value_score == value_of(g=1.0, r=r, u=u)
    assert lesson.value_computed_at is not None


def test_effective_use_for_documents_is_share_of_visitors_who_downloaded(region):
    a = region.accounts
    plan = make_published(a, title="勾股定理 教案", type=ResourceType.LESSON_PLAN, sharing=SharingScope.CITY)
    for who in ("student", "principal", "head", "nobody"):
        usage_record(actor=a[who], resource=plan, kind=UsageKind.VIEW)
    usage_record(actor=a["head"], resource=plan, kind=UsageKind.DOWNLOAD)
    usage_record(actor=a["head"], resource=plan, kind=UsageKind.DOWNLOAD)  # the same person twice
    usage_record(actor=None, resource=plan, kind=UsageKind.DOWNLOAD)  # anonymous: counted, not a visitor
    value_recompute()
    plan.refresh_from_db()
    assert plan.download_count == 3 and plan.view_count == 4
    assert plan.effective_use_rate == 0.25  # 1 of 4 signed-in visitors downloaded


def test_population_priors_replace_defaults_once_there_are_enough(region):
    a = region.accounts
    lesson = make_published(a)
    # 30 plays, 24 of them effective: the media population rate becomes 0.8.
    UsageEvent.objects.bulk_create(
        UsageEvent(resource=lesson, kind=UsageKind.PLAY, play_id=f"x{i}", progress=1.0 if i < 24 else 0.1)
        for i in range(30)
    )
    Rating.objects.bulk_create(
        Rating(resource=lesson, account=acc, score=s)
        for acc, s in zip(list(a.values())[:6], [5, 5, 4, 4, 3, 3], strict=True)
    )
    row = value_frame().row(0, named=True)
    assert row["u"] == pytest.approx(smoothed_rate(effective=24, trials=30, prior=0.8))
    # only 6 ratings: the rating prior stays 3.5
    assert row["r"] == pytest.approx((bayes_rating(total=24, count=6) - 1) / 4)


def test_job_is_idempotent_and_bulk(region, django_assert_max_num_queries):
    a = region.accounts

    def run_with_resources(n: int) -> int:
        for i in range(n):
            r = make_published(a, title=f"资源 {n}-{i}")
            rating_set(actor=a["student"], resource=r, score=1 + i % 5)
            usage_record(actor=a["student"], resource=r, kind=UsageKind.PLAY, play_id=f"r{n}-{i}", progress=0.9)
        Resource.objects.update(value_score=0)  # make every one change
        with CaptureQueriesContext(connection) as ctx:
            value_recompute()
        return len(ctx.captured_queries)

    few = run_with_resources(2)
    many = run_with_resources(8)  # 10 published resources now
    assert many == few
    assert value_recompute() == 0  # nothing changed since
    scores = dict(Resource.objects.values_list("pk", "value_score"))
    assert value_recompute() == 0 and dict(Resource.objects.values_list("pk", "value_score")) == scores


def test_only_published_resources_and_given_ids(region):
    a = region.accounts
    one, two = make_published(a, title="一"), make_published(a, title="二")
    draft = make_resource(a["teacher"], title="草稿")
    # Just published: the score set at publication already is what the job computes without data.
    assert value_recompute(ids=[one.pk, two.pk]) == 0
    Resource.objects.update(value_computed_at=None)
    for r in (one, two):
        rating_set(actor=a["student"], resource=r, score=5)
    assert value_recompute(ids=[one.pk, draft.pk]) == 1
    assert Resource.objects.get(pk=one.pk).value_computed_at is not None
    assert Resource.objects.get(pk=two.pk).value_computed_at is None
    assert Resource.objects.get(pk=draft.pk).value_computed_at is None
    assert Resource.objects.get(pk=draft.pk).status == ResourceStatus.DRAFT


@pytest.fixture
def _search(settings, tmp_path, monkeypatch):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    monkeypatch.setattr(HUEY, "immediate", True)


@pytest.mark.usefixtures("_search")
def test_search_sorts_by_value_and_rating_after_the_job(region, django_capture_on_commit_callbacks):
    from zhijiao.resources.tasks import value_run

    a = region.accounts
    with django_capture_on_commit_callbacks(execute=True):
        low = make_published(a, title="函数 素材", type=ResourceType.IMAGE, sharing=SharingScope.PUBLIC)
        high = make_published(a, title="函数 微课", sharing=SharingScope.PUBLIC)
        mid = make_published(a, title="函数 教案", type=ResourceType.LESSON_PLAN, sharing=SharingScope.PUBLIC)
    Resource.objects.filter(pk=high.pk).update(level=ResourceLevel.EXCELLENT)
    Resource.objects.filter(pk=mid.pk).update(level=ResourceLevel.GOOD)
    rating_set(actor=a["student"], resource=low, score=5)
    rating_set(actor=a["student"], resource=mid, score=3)
    assert value_run() == 3

    client = Client()
    login_as(client, "nobody")

    def ids(sort: str) -> list[int]:
        body = client.get("/api/v1/resources/search", {"q": "函数", "sort": sort}).json()
        return [i["id"] for i in body["items"]]

    values = dict(Resource.objects.values_list("pk", "value_score"))
    assert values[high.pk] > values[mid.pk] > values[low.pk]
    assert ids("value") == [high.pk, mid.pk, low.pk]
    assert ids("rating") == [low.pk, mid.pk, high.pk]  # 5, 3, then unrated
