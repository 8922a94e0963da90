"""The item bank's writes and reads: validation, versions, review, visibility, duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.learning import selectors
from zhijiao.learning.models import ItemSharing, ItemStatus
from zhijiao.learning.scoring import score_response
from zhijiao.learning.services import ItemInvalid, item_create, item_review, item_submit, item_update
from zhijiao.learning.tests.conftest import ORIGIN, approve, item_data, make_item, math_point
from zhijiao.learning.validation import ItemData


@pytest.fixture
def accounts(region):
    return region.accounts


def test_a_teacher_creates_a_draft_with_knowledge_points(accounts):
    point = math_point()
    item = make_item(accounts["teacher"], knowledge_points=[point])
    assert item.status == ItemStatus.DRAFT
    assert item.owner_school.code == accounts["teacher"].grants.first().school.code
    assert list(item.knowledge_points.all()) == [point]
    v = item.current_version
    assert v.number == 1 and v.options[0] == {"key": "A", "text": "$5$"} and v.points == Decimal("3.0")
    assert score_response(v.scoring_key(), "A").points == 3
    assert AuditEvent.objects.filter(action="item.create").count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"stem": "  "}, "题干"),
        ({"stem": "求 $x+1 的值"}, "题干"),
        ({"answer": ["E"]}, "答案"),
        ({"answer": ["A", "B"]}, "答案"),
        ({"options": ["只有一个"]}, "选项"),
        ({"points": "0"}, "分值"),
        ({"points": "abc"}, "分值"),
        ({"difficulty": 9}, "难度"),
        ({"type": "multiple", "answer": ["A"]}, "答案"),
        ({"type": "true_false", "answer": ["也许"]}, "答案"),
        ({"type": "blank", "answer": [["3"], []]}, "答案"),
        ({"type": "open", "points": "10", "rubric": [("思路", Decimal(4), "")]}, "评分标准"),
        ({"subject": "99"}, "学科"),
        ({"sharing": "world"}, "共享范围"),
    ],
)
def test_bad_items_name_the_field(accounts, extra, field):
    with pytest.raises(ItemInvalid) as exc:
        make_item(accounts["teacher"], **extra)
    assert field in [label for label, _ in exc.value.problems]
    assert field in exc.value.message


def test_knowledge_point_of_another_subject_is_refused(accounts):
    from zhijiao.curriculum.models import KnowledgePoint

    other = KnowledgePoint.objects.exclude(stage="3", subject="14").first()
    assert other is not None
    with pytest.raises(ItemInvalid, match="知识点"):
        make_item(accounts["teacher"], knowledge_points=[other])


def test_pupils_and_parents_cannot_write_or_see_items(accounts):
    for name in ("student", "parent", "inspector"):
        with pytest.raises(ZhijiaoError) as exc:
            make_item(accounts[name])
        assert exc.value.status == 403
    item = make_item(accounts["teacher"], sharing=ItemSharing.PUBLIC)
    approve(item, accounts["principal"])
    for name in ("student", "parent"):
        assert not selectors.item_bank_allowed(accounts[name])
        assert not selectors.item_visible_qs(accounts[name]).exists()
        with pytest.raises(NotFound):
            selectors.item_get_for(actor=accounts[name], item_id=item.pk)


def test_review_flow_and_visibility_by_sharing(accounts):
    teacher, head, nobody = accounts["teacher"], accounts["head"], accounts["nobody"]  # nobody: school C
    item = make_item(teacher)
    assert not selectors.item_visible_qs(head).filter(pk=item.pk).exists()  # a colleague's draft
    item_submit(actor=teacher, item=item, origin=ORIGIN)
    assert list(selectors.item_review_queue(actor=accounts["principal"])) == [item]
    assert not selectors.item_review_queue(actor=accounts["bureau"]).exists()  # a school's item: its principal
    with pytest.raises(ZhijiaoError, match="审核意见"):
        item_review(actor=accounts["principal"], item=item, approve=False, origin=ORIGIN)
    with pytest.raises(ZhijiaoError):
        item_review(actor=teacher, item=item, approve=True, origin=ORIGIN)  # one's own
    item_review(actor=accounts["principal"], item=item, approve=True, origin=ORIGIN)
    assert selectors.item_visible_qs(head).filter(pk=item.pk).exists()  # 本校
    assert not selectors.item_visible_qs(nobody).filter(pk=item.pk).exists()  # another district's school
    assert selectors.item_visible_qs(accounts["bureau"]).filter(pk=item.pk).exists()  # the bureau above


def test_rejected_item_goes_back_to_the_author(accounts):
    item = make_item(accounts["teacher"])
    item_submit(actor=accounts["teacher"], item=item, origin=ORIGIN)
    item = item_review(actor=accounts["principal"], item=item, approve=False, comment="答案有误", origin=ORIGIN)
    assert item.status == ItemStatus.REJECTED and item.approved_version is None
    saved = item_update(actor=accounts["teacher"], item=item, data=item_data(stem="改过的题干 $x=1$"), origin=ORIGIN)
    assert saved.version.number == 1  # never approved: the same version changes


def test_editing_an_approved_item_makes_a_new_version_and_keeps_the_old(accounts):
    teacher = accounts["teacher"]
    item = approve(make_item(teacher), accounts["principal"])
    v1 = item.approved_version
    saved = item_update(actor=teacher, item=item, data=item_data(points="4", note="改分值"), origin=ORIGIN)
    item.refresh_from_db()
    assert saved.version.number == 2 and item.status == ItemStatus.DRAFT
    assert item.approved_version == v1 and item.current_version == saved.version
    assert selectors.item_shown_version(actor=accounts["head"], item=item) == v1  # others: the approved one
    assert selectors.item_shown_version(actor=teacher, item=item).number == 2
    approve(item, accounts["principal"])
    item.refresh_from_db()
    assert item.approved_version.number == 2
    assert [v.number for v in item.versions.all()] == [1, 2]


def test_submitted_item_is_locked(accounts):
    item = make_item(accounts["teacher"])
    item_submit(actor=accounts["teacher"], item=item, origin=ORIGIN)
    with pytest.raises(ZhijiaoError) as exc:
        item_update(actor=accounts["teacher"], item=item, data=item_data(), origin=ORIGIN)
    assert exc.value.status == 409


def test_duplicate_stems_are_reported_not_blocked(accounts):
    first = make_item(accounts["teacher"])
    again = item_create(
        actor=accounts["head"],  # a colleague at the same school, the first is still a draft
        data=item_data(stem="方程$x^2 - 5x + 6 = 0$的两个根之和是（ ）。"),
        origin=ORIGIN,
    )
    assert [m.key for m in again.duplicates] == [first.pk]
    other = item_create(actor=accounts["head"], data=item_data(stem="求 $\\sqrt{16}$ 的平方根"), origin=ORIGIN)
    assert other.duplicates == []


def test_filters(accounts):
    teacher = accounts["teacher"]
    p = math_point()
    make_item(teacher, knowledge_points=[p])
    make_item(teacher, type="true_false", stem="$0$ 是正数。", options=[], answer=["F"], difficulty=1)
    f = selectors.ItemFilters
    assert selectors.item_list(actor=teacher, filters=f(type="true_false")).count() == 1
    assert selectors.item_list(actor=teacher, filters=f(difficulty=2)).count() == 1
    assert selectors.item_list(actor=teacher, filters=f(point=p.pk)).count() == 1
    assert selectors.item_list(actor=teacher, filters=f(subject="13")).count() == 0
    assert selectors.item_list(actor=teacher, filters=f(q="正数")).count() == 1


def test_blank_and_rubric_items(accounts):
    blank = make_item(
        accounts["teacher"], type="blank", stem="$\\frac{1}{2}+\\frac{1}{4}=$____", options=[], answer=[["3/4", "0.75"]]
    )
    assert score_response(blank.current_version.scoring_key(), ["75%"]).points == 3
    essay = item_create(
        actor=accounts["teacher"],
        data=ItemData(
            type="open",
            stem="解方程 $2x+3=7$，写出过程。",
            stage="3",
            subject="14",
            points="6",
            rubric=[("移项", Decimal(3), "正确移项得 3 分"), ("求解", Decimal(3), "")],
        ),
        origin=ORIGIN,
    ).item
    key = essay.current_version.scoring_key()
    assert key.rubric == (("移项", 3.0), ("求解", 3.0))
    assert score_response(key, "x=2").needs_marking
