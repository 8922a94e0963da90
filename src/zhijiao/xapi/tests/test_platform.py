"""The platform speaks xAPI: a resource view, play (with progress) and download become statements, from the same
event as the resource centre's usage rows; actors map to accounts; the minors' consent rule for third-party apps."""

from __future__ import annotations

import json
from datetime import date

import pytest
from huey.contrib.djhuey import HUEY

from zhijiao.audit.services import Origin
from zhijiao.org.models import Division
from zhijiao.privacy.services import consent_grant, consent_policy_set
from zhijiao.resources.models import UsageEvent, UsageKind
from zhijiao.resources.tests.conftest import make_published
from zhijiao.resources.usage import usage_record
from zhijiao.xapi.learners import actor_for, home_page
from zhijiao.xapi.models import Statement
from zhijiao.xapi.platform import (
    EXT_PROGRESS,
    VERB_COMPLETED,
    VERB_DOWNLOADED,
    VERB_PLAYED,
    VERB_PROGRESSED,
    VERB_VIEWED,
    ext_usage,
)
from zhijiao.xapi.services import PLATFORM_APP
from zhijiao.xapi.tests.conftest import statement

WEB = Origin(channel="web", ip="10.0.0.1")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"


@pytest.fixture
def jobs_inline(monkeypatch):
    monkeypatch.setattr(HUEY, "immediate", True)


def _platform_statements():
    return list(Statement.objects.filter(app__application__name=PLATFORM_APP).order_by("pk"))


def test_view_play_and_download_become_statements_from_the_same_event(
    region, jobs_inline, django_capture_on_commit_callbacks
):
    a = region.accounts
    r = make_published(a)
    with django_capture_on_commit_callbacks(execute=True):
        view = usage_record(actor=a["student"], resource=r, kind=UsageKind.VIEW)
    with django_capture_on_commit_callbacks(execute=True):
        usage_record(actor=a["student"], resource=r, kind=UsageKind.PLAY, play_id="p1", progress=0.1)
    with django_capture_on_commit_callbacks(execute=True):
        usage_record(actor=a["student"], resource=r, kind=UsageKind.PLAY, play_id="p1", progress=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        usage_record(actor=a["student"], resource=r, kind=UsageKind.PLAY, play_id="p1", progress=0.3)  # no raise
    with django_capture_on_commit_callbacks(execute=True):
        usage_record(actor=a["student"], resource=r, kind=UsageKind.PLAY, play_id="p1", progress=1)
    with django_capture_on_commit_callbacks(execute=True):
        download = usage_record(actor=a["student"], resource=r, kind=UsageKind.DOWNLOAD)

    rows = _platform_statements()
    assert [s.verb_id for s in rows] == [VERB_VIEWED, VERB_PLAYED, VERB_PROGRESSED, VERB_COMPLETED, VERB_DOWNLOADED]
    assert all(s.learner_id == a["student"].pk for s in rows)
    view_st = rows[0].data
    assert view_st["actor"] == actor_for(a["student"])  # account{homePage = issuer, name = sub}
    assert view_st["actor"]["account"]["homePage"] == home_page()
    assert view_st["object"]["id"] == f"{home_page()}/resources/{r.pk}/"
    assert view_st["object"]["definition"]["name"]["zh-CN"] == r.title
    assert view_st["authority"]["name"] == PLATFORM_APP
    assert view_st["context"]["extensions"][ext_usage()] == view.pk  # the usage row it came from
    assert rows[4].data["context"]["extensions"][ext_usage()] == download.pk
    assert [s.data.get("result", {}).get("extensions", {}).get(EXT_PROGRESS) for s in rows[1:4]] == [10, 50, 100]
    assert rows[3].data["result"]["completion"] is True
    play = UsageEvent.objects.get(play_id="p1")
    assert play.progress == 1 and {s.data["context"]["extensions"][ext_usage()] for s in rows[1:4]} == {play.pk}


def test_a_redelivered_event_is_the_same_statement_and_anonymous_visitors_have_none(
    region, jobs_inline, django_capture_on_commit_callbacks
):
    from zhijiao.core.learning_events import learning_deliver
    from zhijiao.xapi.platform import platform_statements_write

    a = region.accounts
    r = make_published(a)
    captured = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        usage_record(actor=a["student"], resource=r, kind=UsageKind.VIEW)
        usage_record(actor=None, resource=r, kind=UsageKind.VIEW, visitor="v1")
    assert len(callbacks) == 2
    monkey_events = []
    import zhijiao.core.learning_events as le

    le._subscribers["test.capture"] = captured.append
    try:
        for cb in callbacks:
            cb()
    finally:
        le._subscribers.pop("test.capture")
    monkey_events.extend(captured)
    assert len(monkey_events) == 2
    assert platform_statements_write(monkey_events) == 0  # already written by the subscriber, anonymous skipped
    learning_deliver(monkey_events[0])
    assert len(_platform_statements()) == 1


def test_a_failing_subscriber_never_fails_the_page(region, monkeypatch, django_capture_on_commit_callbacks):
    import zhijiao.core.learning_events as le

    def boom(event):
        raise RuntimeError("queue down")

    monkeypatch.setitem(le._subscribers, "xapi-platform", boom)
    a = region.accounts
    r = make_published(a)
    with django_capture_on_commit_callbacks(execute=True):
        assert usage_record(actor=a["student"], resource=r, kind=UsageKind.DOWNLOAD) is not None
    assert UsageEvent.objects.filter(kind=UsageKind.DOWNLOAD).count() == 1


# ------------------------------------------------------------------ actors and consent at the LRS


def test_actors_of_platform_accounts_are_mapped_and_others_flagged(region, lrs):
    student = region.accounts["student"]
    body = json.dumps([statement(actor=actor_for(student)), statement()])
    assert lrs.send("POST", "statements", body).status_code == 200
    mapped, unknown = Statement.objects.order_by("pk")
    assert mapped.learner_id == student.pk
    assert unknown.learner_id is None  # kept, flagged (未对应账号)


@pytest.fixture
def policy_on(region):
    return consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)


def test_an_app_without_the_guardians_consent_may_not_write_or_read_an_under_14(region, policy_on, lrs):
    from zhijiao.oidc.models import RegisteredApp

    student = region.accounts["student"]  # born 2018: under 14
    assert region.students["s1"].person.birth_date == date(2018, 3, 2)
    res = lrs.send("POST", "statements", json.dumps(statement(actor=actor_for(student))))
    assert res.status_code == 403
    assert res.json()["error"] == "XAPI_CONSENT" and "consent" in res.json()["detail"]
    assert not Statement.objects.exists()

    app = RegisteredApp.objects.get(application__name="学习应用甲")
    consent = consent_grant(actor=region.accounts["parent"], student=region.students["s1"], app=app, origin=WEB)
    res = lrs.send("POST", "statements", json.dumps(statement(actor=actor_for(student))))
    assert res.status_code == 200
    sid = res.json()[0]
    assert lrs.get("statements", {"statementId": sid}).status_code == 200

    from zhijiao.privacy.services import consent_withdraw

    consent_withdraw(actor=region.accounts["parent"], consent_id=consent.pk, origin=WEB)
    assert lrs.get("statements", {"statementId": sid}).status_code == 403
    agent = json.dumps(actor_for(student))
    assert lrs.get("statements", {"agent": agent}).status_code == 403
    listed = lrs.get("statements")
    assert listed.status_code == 200 and listed.json()["statements"] == []  # left out of unfiltered lists


def test_an_app_cannot_read_another_apps_statements(region, lrs, other_lrs):
    student = region.accounts["student"]
    sid = lrs.send("POST", "statements", json.dumps(statement(actor=actor_for(student)))).json()[0]
    assert other_lrs.get("statements", {"statementId": sid}).status_code == 404
    assert other_lrs.get("statements").json()["statements"] == []
    assert lrs.get("statements", {"statementId": sid}).status_code == 200
