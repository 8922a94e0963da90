"""A pupil under the consent age sees on each app card that a guardian must agree first (portal and home)."""

from __future__ import annotations

import pytest

from zhijiao.audit.services import Origin
from zhijiao.oidc.selectors import apps_for
from zhijiao.org.models import Division
from zhijiao.privacy.selectors import apps_awaiting_guardian, minor_consent_missing
from zhijiao.privacy.services import consent_grant, consent_policy_set
from zhijiao.privacy.tests.conftest import make_app
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db
WEB = Origin(channel="web", ip="10.1.2.3")
NOTE = "需家长同意后使用"


def test_app_cards_say_a_guardian_must_agree_first(client, region, app):
    other = make_app("Reading")
    consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)
    pupil = region.accounts["student"]
    assert {a.pk for a in apps_for(actor=pupil)} >= {app.pk, other.pk}
    login_as(client, pupil)
    for url in ("/apps/", "/"):
        html = client.get(url).content.decode()
        assert html.count(NOTE) >= 2 and "孩子的数据授权" in html and "等待家长同意" in html

    consent_grant(actor=region.accounts["parent"], student=region.students["s1"], app=app, origin=WEB)
    awaiting = apps_awaiting_guardian(account=pupil, apps=apps_for(actor=pupil))
    assert awaiting == {a.pk for a in apps_for(actor=pupil) if minor_consent_missing(account=pupil, app=a)}
    assert app.pk not in awaiting and other.pk in awaiting
    html = client.get("/apps/").content.decode()
    assert html.count('class="badge badge-orange">需家长同意后使用') == len(awaiting)


def test_no_note_without_the_policy_or_for_other_roles(client, region, app):
    login_as(client, region.accounts["student"])
    assert NOTE not in client.get("/apps/").content.decode()  # no policy: nothing to wait for
    consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)
    login_as(client, region.accounts["teacher"])
    assert NOTE not in client.get("/apps/").content.decode()
