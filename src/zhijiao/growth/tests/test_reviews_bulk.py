"""A school opens and closes the term for many classes at once (``reviews_open_bulk``, ``reviews_archive_bulk``):
the per-class services' checks and end state, all or none, one audit event per school and step."""

from __future__ import annotations

import datetime as dt

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.growth import services
from zhijiao.growth.models import GrowthVersion, ReviewState, TermReview

pytestmark = pytest.mark.django_db
WEB = Origin(channel="web")
MON = dt.date(2026, 11, 2)
DIMS = ("c1", "c2", "c3", "c4", "c5")


def test_a_school_opens_and_closes_the_term_for_its_classes_at_once(term_region):
    r = term_region
    a = r.accounts
    a1, a2, b1 = r.classes["A1"], r.classes["A2"], r.classes["B1"]
    s1, s2 = r.students["s1"], r.students["s2"]
    principal, head = a["principal"], a["teacher"]
    # only the school's committee, for its own school: another school's class opens nothing
    with pytest.raises(NotFound):
        services.reviews_open_bulk(actor=principal, classes=[a1, b1], origin=WEB)
    with pytest.raises(Forbidden):  # a guardian of one of its pupils
        services.reviews_open_bulk(actor=a["parent"], classes=[a1], origin=WEB)
    assert not TermReview.objects.exists()
    rev_a1, rev_a2 = services.reviews_open_bulk(actor=principal, classes=[a1, a2], origin=WEB)
    assert (rev_a1.school_class_id, rev_a2.school_class_id) == (a1.pk, a2.pk)
    assert {x.state for x in (rev_a1, rev_a2)} == {ReviewState.SELECTING}
    opened = AuditEvent.objects.get(action="growth.review_open")
    assert (opened.target_type, opened.target_id) == ("school", str(r.schools["A"].pk))
    # a class that has its review keeps it; nothing new, nothing audited
    assert services.reviews_open_bulk(actor=principal, classes=[a1], origin=WEB)[0].pk == rev_a1.pk
    assert AuditEvent.objects.filter(action="growth.review_open").count() == 1

    # the 班主任's part: the sheet with one comment missing, then the publicity
    levels = {(s.pk, d): "B" for s in (s1, s2) for d in DIMS}
    services.class_sheet_save(actor=head, review=rev_a1, levels=levels, comments={s1.pk: "认真。"}, origin=WEB)
    services.review_publish(actor=head, review=rev_a1, origin=WEB, today=MON, notify=False)
    after = MON + dt.timedelta(days=9)
    # all or none: a class not published yet, the publicity running, a comment missing, not the school
    with pytest.raises(ZhijiaoError, match="流程不能跳过"):
        services.reviews_archive_bulk(actor=principal, reviews=[rev_a1, rev_a2], origin=WEB, today=after)
    with pytest.raises(ZhijiaoError, match="公示期尚未结束"):
        services.reviews_archive_bulk(actor=principal, reviews=[rev_a1], origin=WEB, today=MON)
    with pytest.raises(ZhijiaoError, match="教师评语未填写"):
        services.reviews_archive_bulk(actor=principal, reviews=[rev_a1], origin=WEB, today=after)
    with pytest.raises(Forbidden):
        services.reviews_archive_bulk(actor=head, reviews=[rev_a1], origin=WEB, today=after)
    assert TermReview.objects.get(pk=rev_a1.pk).state == ReviewState.PUBLISHED
    assert not AuditEvent.objects.filter(action__in=["growth.review_audit", "growth.review_archive"]).exists()

    services.class_sheet_save(actor=head, review=rev_a1, levels={}, comments={s2.pk: "友善。"}, origin=WEB)
    n = services.reviews_archive_bulk(actor=principal, reviews=[rev_a1], origin=WEB, today=after, note=" 同意归档 ")
    assert n == 1
    done = TermReview.objects.get(pk=rev_a1.pk)
    assert done.state == ReviewState.ARCHIVED and done.version == 4 and done.audit_note == "同意归档"
    assert done.published_by_id == head.pk and done.audited_by_id == done.archived_by_id == principal.pk
    assert done.audited_at and done.archived_at
    notes = GrowthVersion.objects.filter(entity="review", entity_id=done.pk).order_by("version")
    assert [(v.version, v.note) for v in notes] == [(1, "开启"), (2, "公示"), (3, "审核通过"), (4, "归档")]
    assert notes.last().data["state"] == "archived"
    for action in ("growth.review_audit", "growth.review_archive"):
        event = AuditEvent.objects.get(action=action)
        assert event.target_type == "school" and event.actor_id == principal.pk
    # archived: a second close finds it out of order
    with pytest.raises(ZhijiaoError, match="流程不能跳过"):
        services.reviews_archive_bulk(actor=principal, reviews=[rev_a1], origin=WEB, today=after)


def test_the_publisher_cannot_close_their_own_publicity(term_region):
    r = term_region
    principal = r.accounts["principal"]
    (review,) = services.reviews_open_bulk(actor=principal, classes=[r.classes["A1"]], origin=WEB)
    services.review_publish(actor=principal, review=review, origin=WEB, today=MON, notify=False)
    with pytest.raises(ZhijiaoError, match="职责分离"):
        services.reviews_archive_bulk(actor=principal, reviews=[review], origin=WEB, today=MON + dt.timedelta(days=9))
