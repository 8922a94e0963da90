"""The words for each permission scope are stated once (core.scope_labels): the OIDC provider's settings, the
consent screen, the API token scopes and the claims all use the same list and the same titles (issue 13)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from zhijiao.core.scope_labels import API_SCOPES, OIDC_SCOPES, SCOPE_LABELS, api_scope_titles, oidc_scope_titles
from zhijiao.identity import services as identity_services
from zhijiao.oidc.claims import SCOPE_CLAIMS
from zhijiao.oidc.views import AuthorizeView

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_scope_has_one_plain_chinese_title():
    assert set(SCOPE_LABELS) == set(OIDC_SCOPES) | set(API_SCOPES)
    for name, label in SCOPE_LABELS.items():
        assert CHINESE.search(label.title), name
        assert ":" not in label.title and name not in label.title  # no scope names shown to people


@pytest.mark.django_db
def test_the_provider_settings_the_consent_screen_and_the_tokens_say_the_same():
    assert settings.OAUTH2_PROVIDER["SCOPES"] == oidc_scope_titles()
    assert api_scope_titles() == identity_services.API_SCOPES
    tokens = ["registry:read", "exchange:push", "exchange:pull", "resources:read", "resources:write"]
    assert list(identity_services.API_SCOPES) == tokens
    # a scope both an app and a token may hold reads the same in both places
    for name in set(OIDC_SCOPES) & set(API_SCOPES):
        assert settings.OAUTH2_PROVIDER["SCOPES"][name] == identity_services.API_SCOPES[name]
    # every scope that releases claims is a sign-in scope with words for the consent screen
    assert set(SCOPE_CLAIMS) <= set(OIDC_SCOPES)
    items = AuthorizeView()._screen(None, list(OIDC_SCOPES))["scope_items"]
    assert [(i["title"], i["detail"]) for i in items] == [
        (SCOPE_LABELS[s].title, SCOPE_LABELS[s].detail) for s in OIDC_SCOPES
    ]
