from __future__ import annotations

from collections import Counter

import pytest

from zhijiao.demo.resources import MARK, demo_library
from zhijiao.resources import selectors
from zhijiao.resources.models import (
    PreviewState,
    Rating,
    Resource,
    ResourceStatus,
    ReviewStep,
    UsageEvent,
)
from zhijiao.resources.storage import blob_path

pytestmark = pytest.mark.slow  # builds a demo library of 300 resources with their files per test


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"


@pytest.fixture
def library(region):
    from zhijiao.curriculum.loading import taxonomy_ensure

    taxonomy_ensure()
    return demo_library(published=300, seed=7)


def test_small_library_has_the_expected_mix(region, library):
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED, external_id__startswith=MARK)
    assert published.count() == library.published == 300
    sharing = Counter(published.values_list("sharing", flat=True))
    assert set(sharing) == {"school", "district", "city", "public"}
    assert 0.3 < sharing["school"] / 300 < 0.5 and 0.12 < sharing["public"] / 300 < 0.28
    assert set(published.values_list("stage", flat=True)) >= {"2"}  # the test region has primary schools only
    assert len(set(published.values_list("subject", flat=True))) >= 2
    assert published.filter(published_at__isnull=True).count() == 0
    dates = sorted(d for d in published.values_list("published_at", flat=True) if d)
    assert (dates[-1] - dates[0]).days > 365  # spread over two years
    # every published resource has its file and its review trail
    r = published.select_related("current_version__file").first()
    assert r is not None and r.current_version is not None
    assert blob_path(r.current_version.file.sha256).exists()
    assert set(ReviewStep.objects.filter(resource=r).values_list("stage", flat=True)) == {"submit", "first", "second"}


def test_review_queues_and_the_demo_teachers_own_work(region, library):
    teacher, principal, bureau = (region.accounts[k] for k in ("teacher", "principal", "bureau"))
    assert library.first_queue >= 10 and library.second_queue >= 10
    assert selectors.resource_review_queue(actor=principal, stage="first").count() >= 10
    assert selectors.resource_review_queue(actor=bureau, stage="second").count() >= 10
    mine = Counter(Resource.objects.filter(author=teacher).values_list("status", flat=True))
    assert mine[ResourceStatus.DRAFT] == 3 and mine[ResourceStatus.RETURNED] == 2
    assert mine[ResourceStatus.PUBLISHED] >= 20
    returned = Resource.objects.filter(author=teacher, status=ResourceStatus.RETURNED).first()
    assert ReviewStep.objects.get(resource=returned, decision="returned").comment


def test_use_is_skewed_and_value_scores_differ(region, library):
    assert library.ratings > 0 and library.usage > library.ratings
    assert Rating.objects.count() == library.ratings
    assert UsageEvent.objects.filter(kind="play").exclude(progress=None).exists()
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    scores = list(published.values_list("value_score", flat=True))
    assert len(set(scores)) > 50
    views = sorted(published.values_list("view_count", flat=True), reverse=True)
    top = sum(views[: len(views) // 10])
    assert top > 0.2 * sum(views)  # the top tenth gets well over a tenth of the views


def test_library_is_deterministic_and_runs_once(region, library):
    titles = list(Resource.objects.order_by("external_id").values_list("title", flat=True)[:50])
    again = demo_library(published=300, seed=7)
    assert again.skipped and Resource.objects.filter(external_id__startswith=MARK).count() == len(
        Resource.objects.filter(external_id__startswith=MARK)
    )
    assert titles == list(Resource.objects.order_by("external_id").values_list("title", flat=True)[:50])
    media = Resource.objects.filter(
        author=region.accounts["teacher"], current_version__file__preview_state=PreviewState.READY
    )
    assert media.filter(type="image").exists()


def test_without_preview_tools_the_demo_still_shows_its_pdf_page(region, monkeypatch):
    """A fresh machine without poppler-utils or ffmpeg: the demo draws the handout's page itself (issue 12)."""
    from zhijiao.curriculum.loading import taxonomy_ensure
    from zhijiao.resources import previews
    from zhijiao.resources.previews import LARGE, THUMB
    from zhijiao.resources.storage import preview_get

    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    monkeypatch.setattr("zhijiao.demo.resource_files.shutil.which", lambda name: None)  # no ffmpeg: no video
    taxonomy_ensure()
    demo_library(published=300, seed=7)
    handout = Resource.objects.get(author=region.accounts["teacher"], title__endswith="课堂练习")
    file = handout.current_version.file
    assert (file.preview_state, file.preview_kind, file.preview_note) == (PreviewState.READY, "pdf", "共 1 页")
    assert preview_get(file.sha256, LARGE) and preview_get(file.sha256, THUMB)
    assert not Resource.objects.filter(current_version__file__mime="video/mp4").exists()
