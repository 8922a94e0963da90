"""公示 → notices (core hook ``core.growth_events``, subscriber in spaces): when a class's selections go into
publicity, its guardians and its teachers get a notice naming the last day for objections; a rolled-back
publication sends nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from zhijiao.audit.services import Origin
from zhijiao.growth import services
from zhijiao.spaces.models import Notice, NoticeReceipt

pytestmark = pytest.mark.django_db
WEB = Origin(channel="web")
MON = dt.date(2026, 11, 16)  # a Monday: 5 working days end on Friday the 20th


def test_publishing_tells_guardians_and_teachers_until_when(term_region, django_capture_on_commit_callbacks):
    r = term_region
    review = services.review_open(actor=r.accounts["teacher"], school_class=r.classes["A1"], origin=WEB)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_publish(actor=r.accounts["teacher"], review=review, origin=WEB, today=MON)
    notices = list(Notice.objects.filter(school_class=r.classes["A1"]).order_by("recipients"))
    assert [n.recipients for n in notices] == ["guardians", "staff"]
    assert all("11月20日" in n.body and "异议" in n.body and n.sender_id == r.accounts["teacher"].pk for n in notices)
    # s1's mother is a guardian in A1: she has the guardians' notice
    assert NoticeReceipt.objects.filter(notice=notices[0], account=r.accounts["parent"]).exists()


def test_a_rolled_back_publication_sends_nothing(term_region, django_capture_on_commit_callbacks):
    r = term_region
    review = services.review_open(actor=r.accounts["teacher"], school_class=r.classes["A1"], origin=WEB)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.review_publish(actor=r.accounts["teacher"], review=review, origin=WEB, today=MON)
        transaction.set_rollback(True)
    assert not Notice.objects.exists()


def test_a_publicity_entered_after_the_fact_sends_nothing(term_region, django_capture_on_commit_callbacks):
    r = term_region
    review = services.review_open(actor=r.accounts["teacher"], school_class=r.classes["A1"], origin=WEB)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_publish(
            actor=r.accounts["teacher"], review=review, origin=WEB, today=MON, notify=False
        )
    assert review.state == "published" and not Notice.objects.filter(school_class=r.classes["A1"]).exists()
