"""等级与评语 for a whole class in one write (``class_sheet_save``): the class page's form and the demo use it.
All or none, one version and one audit event, only the class's leaders, closed once the review is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.growth import services
from zhijiao.growth.models import GrowthVersion, ReviewState, TermLevel, TermStatement
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db
WEB = Origin(channel="web")
MON = dt.date(2026, 11, 2)
DIMS = ("c1", "c2", "c3", "c4", "c5")


def test_the_whole_class_in_one_write_then_closed_after_the_audit(term_region):
    r = term_region
    head, s1, s2 = r.accounts["teacher"], r.students["s1"], r.students["s2"]
    review = services.review_open(actor=head, school_class=r.classes["A1"], origin=WEB)
    levels = {(s.pk, d): "B" for s in (s1, s2) for d in DIMS}
    comments = {s1.pk: "认真踏实。", s2.pk: "乐于助人。"}
    assert services.class_sheet_save(actor=head, review=review, levels=levels, comments=comments, origin=WEB) == 12
    assert TermLevel.objects.filter(review=review).count() == 10
    assert TermStatement.objects.filter(review=review, kind="teacher").count() == 2
    assert AuditEvent.objects.filter(action="growth.sheet_save").count() == 1
    # a second save changes only what changed (and says so); a blank cell keeps what was there
    levels[(s1.pk, "c1")] = "A"
    levels[(s2.pk, "c2")] = ""
    assert services.class_sheet_save(actor=head, review=review, levels=levels, comments=comments, origin=WEB) == 1
    assert TermLevel.objects.get(review=review, student=s1, dimension="c1").level == "A"
    assert TermLevel.objects.get(review=review, student=s2, dimension="c2").level == "B"
    assert GrowthVersion.objects.filter(entity="sheet", entity_id=review.pk).count() == 2

    # all or none: a bad level, a pupil of another class, an outsider
    with pytest.raises(ZhijiaoError):
        services.class_sheet_save(actor=head, review=review, levels={(s1.pk, "c2"): "E"}, comments={}, origin=WEB)
    with pytest.raises(NotFound):
        services.class_sheet_save(
            actor=head, review=review, levels={(r.students["s4"].pk, "c1"): "A"}, comments={}, origin=WEB
        )
    with pytest.raises(NotFound):
        services.class_sheet_save(
            actor=r.accounts["parent"], review=review, levels={(s1.pk, "c2"): "A"}, comments={}, origin=WEB
        )
    assert TermLevel.objects.get(review=review, student=s1, dimension="c2").level == "B"

    services.review_publish(actor=head, review=review, origin=WEB, today=MON)
    review = services.review_audit(
        actor=r.accounts["principal"], review=review, origin=WEB, today=MON + dt.timedelta(days=9)
    )
    assert review.state == ReviewState.AUDITED
    with pytest.raises(ZhijiaoError):
        services.class_sheet_save(actor=head, review=review, levels={(s1.pk, "c1"): "C"}, comments={}, origin=WEB)


def test_the_class_page_saves_the_sheet(term_region):
    r = term_region
    head, s1 = r.accounts["teacher"], r.students["s1"]
    review = services.review_open(actor=head, school_class=r.classes["A1"], origin=WEB)
    client = Client()
    login_as(client, head)
    post = {f"l-{s1.pk}-{d}": "A" for d in DIMS} | {f"c-{s1.pk}": "积极向上。"}
    response = client.post(f"/growth/classes/{r.classes['A1'].pk}/levels/", post)
    assert response.status_code == 302
    assert TermLevel.objects.filter(review=review, student=s1, level="A").count() == 5
    assert TermStatement.objects.get(review=review, student=s1).text == "积极向上。"
