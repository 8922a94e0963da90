"""API tokens: scopes stored on issue, checked per caller, and issued from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import ApiToken
from zhijiao.identity.services import api_scope_allows, api_scope_require, api_token_create, api_token_get

pytestmark = pytest.mark.django_db


def test_scopes_default_to_registry_read_and_are_stored_in_a_stable_order(region):
    token, _ = api_token_create(account=region.accounts["bureau"], name="默认")
    assert token.scopes == ["registry:read"]
    token, _ = api_token_create(
        account=region.accounts["bureau"], name="交换", scopes=["exchange:pull", "exchange:push", "exchange:pull"]
    )
    assert ApiToken.objects.get(pk=token.pk).scopes == ["exchange:push", "exchange:pull"]
    with pytest.raises(ZhijiaoError) as exc:
        api_token_create(account=region.accounts["bureau"], name="错", scopes=["exchange:all"])
    assert exc.value.code == "IDENTITY_SCOPE_UNKNOWN"


def test_scope_checks_for_tokens_and_sessions(region):
    _, raw = api_token_create(account=region.accounts["teacher"], name="推送", scopes=["exchange:push"])
    token = api_token_get(raw)
    assert token is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert api_scope_allows(actor=token.account, token=token, scope="exchange:push")
    assert not api_scope_allows(actor=token.account, token=token, scope="registry:read")
    # sessions: the exchange scopes follow whether the account manages registry data
    assert api_scope_allows(actor=region.accounts["principal"], token=None, scope="exchange:pull")
    assert not api_scope_allows(actor=region.accounts["teacher"], token=None, scope="exchange:pull")
    assert api_scope_allows(actor=region.accounts["teacher"], token=None, scope="registry:read")
    with pytest.raises(ZhijiaoError) as exc:
        api_scope_require(actor=region.accounts["teacher"], token=None, scope="exchange:push")
    assert (exc.value.status, exc.value.code) == (403, "IDENTITY_SCOPE_MISSING")


def test_last_use_is_recorded_to_the_minute_not_on_every_request(region):
    from datetime import timedelta

    from django.utils import timezone

    token, raw = api_token_create(account=region.accounts["bureau"], name="频繁")
    api_token_get(raw)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api_token_get(raw)  # within the minute: the row is not written again
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    stale = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    api_token_get(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > stale


def test_revoked_and_expired_tokens_do_not_authenticate(region):
    from datetime import timedelta

    from django.utils import timezone

    _, raw = api_token_create(account=region.accounts["bureau"], name="过期", expires_at=timezone.now() - timedelta(1))
    assert api_token_get(raw) is None
    token, raw = api_token_create(account=region.accounts["bureau"], name="吊销")
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert api_token_get(raw) is None


def test_command_issues_scoped_tokens(region):
    out = StringIO()
    call_command("api_token", "bureau", "--scope", "exchange:push", "--scope", "exchange:pull", "--json", stdout=out)
    issued = json.loads(out.getvalue())
    assert issued["scopes"] == ["exchange:push", "exchange:pull"]
    assert api_token_get(issued["token"]).scopes == ["exchange:push", "exchange:pull"]
    with pytest.raises(CommandError, match="exchange:everything"):
        call_command("api_token", "bureau", "--scope", "exchange:everything", stdout=StringIO())
