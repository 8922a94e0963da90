from __future__ import annotations

import pytest

from zhijiao.audit.services import Origin
from zhijiao.curriculum.loading import taxonomy_load
from zhijiao.curriculum.models import KnowledgePoint, TextbookVolume
from zhijiao.learning.models import Item
from zhijiao.learning.services import item_create, item_review, item_submit
from zhijiao.learning.validation import ItemData

ORIGIN = Origin(channel="cli")


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """The data migration loads the taxonomy, but a transactional test elsewhere flushes it: load it again."""
    if "db" not in request.fixturenames and "region" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    if not TextbookVolume.objects.exists():
        taxonomy_load()


def math_point(name_part: str = "") -> KnowledgePoint:
    qs = KnowledgePoint.objects.filter(stage="3", subject="14")
    if name_part:
        qs = qs.filter(name__contains=name_part)
    return qs.order_by("code").first()


def item_data(**extra) -> ItemData:
    base = dict(
        type="single",
        stem="方程 $x^2-5x+6=0$ 的两个根之和是（  ）",
        stage="3",
        subject="14",
        grade="23",
        options=["$5$", "$-5$", "$6$", "$-6$"],
        answer=["A"],
        explanation="由韦达定理，$x_1+x_2=-\\frac{b}{a}=5$。",
        points="3",
        difficulty=2,
    )
    base.update(extra)
    return ItemData(**base)


def make_item(author, **extra) -> Item:
    return item_create(actor=author, data=item_data(**extra), origin=ORIGIN).item


def approve(item: Item, reviewer) -> Item:
    item_submit(actor=item.author, item=item, origin=ORIGIN)
    return item_review(actor=reviewer, item=item, approve=True, origin=ORIGIN)
