"""The demo item bank: every item valid, tagged with real knowledge points, in the intended states; built once."""

from collections import Counter

import pytest

from zhijiao.curriculum.loading import taxonomy_load
from zhijiao.curriculum.models import TextbookVolume
from zhijiao.demo.learning_items import ITEMS, demo_items
from zhijiao.learning.models import Item


@pytest.mark.slow
def test_demo_items(region):
    if not TextbookVolume.objects.exists():
        taxonomy_load()
    assert demo_items(progress=lambda _: None) == len(ITEMS) >= 30
    assert demo_items(progress=lambda _: None) == 0  # once
    statuses = Counter(Item.objects.values_list("status", flat=True))
    assert statuses == {"draft": 4, "submitted": 1, "rejected": 1, "approved": len(ITEMS) - 6}
    assert not Item.objects.filter(knowledge_points__isnull=True).exists()
    with_formulas = [i for i in Item.objects.all() if "$" in i.current_version.stem + i.current_version.explanation]
    assert len(with_formulas) >= 0.8 * len(ITEMS)
