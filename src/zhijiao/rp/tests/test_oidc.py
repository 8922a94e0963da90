"""The sample app's token checks: what it must refuse, over real HTTP discovery and JWKS."""

from __future__ import annotations

import hashlib
import time
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from zhijiao.rp.errors import RpError, RpFailure
from zhijiao.rp.oidc import PendingLogin
from zhijiao.rp.tests.conftest import CLIENT_ID, new_key


def _at_now(over: dict) -> dict:
    """Time claims in the parameters are offsets from now (parameters are built long before a test runs)."""
    now = int(time.time())
    return {k: now + v if k in ("iat", "exp") and isinstance(v, int) else v for k, v in over.items()}


def _refused(call, error: RpError) -> str:
    with pytest.raises(RpFailure) as info:
        call()
    assert info.value.error is error
    return info.value.detail


def test_a_good_id_token_passes_and_its_claims_come_back(issuer, provider):
    claims = provider.id_token_validate(issuer.sign(issuer.id_token_claims()), nonce="n-1")
    assert claims["sub"] == "subject-1" and claims["name"] == "王老师" and claims["sid"] == "sid-1"


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"nonce": "another"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"aud": "another-client"}, "aud"),
        ({"iss": "http://evil.example"}, "iss"),
        ({"exp": -3600}, "exp"),
        ({"iat": 3600}, "future"),
        ({"sub": None}, "sub"),
        ({"aud": [CLIENT_ID, "another-client"]}, "azp"),
    ],
)
def test_id_tokens_with_a_wrong_claim_are_refused(issuer, provider, over, why):
    detail = _refused(
        lambda: provider.id_token_validate(issuer.sign(issuer.id_token_claims(**_at_now(over))), nonce="n-1"),
        RpError.RP_ID_TOKEN_INVALID,
    )
    assert why in detail


def test_several_audiences_pass_when_azp_names_this_client(issuer, provider):
    token = issuer.sign(issuer.id_token_claims(aud=[CLIENT_ID, "other"], azp=CLIENT_ID))
    assert provider.id_token_validate(token, nonce="n-1")["azp"] == CLIENT_ID


def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(issuer, provider):
    forged = issuer.sign(issuer.id_token_claims(), key=new_key())
    _refused(lambda: provider.id_token_validate(forged, nonce="n-1"), RpError.RP_ID_TOKEN_INVALID)


def test_symmetric_and_unsigned_tokens_are_refused(issuer, provider):
    # HS256 with the client secret: anyone holding the secret could mint identities.
    secret = OctKey.import_key(provider.config.client_secret)
    hs256 = jwt.encode({"alg": "HS256"}, issuer.id_token_claims(), secret)
    _refused(lambda: provider.id_token_validate(hs256, nonce="n-1"), RpError.RP_ID_TOKEN_INVALID)
    _, payload, _ = issuer.sign(issuer.id_token_claims()).split(".")
    unsigned = urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=") + f".{payload}."
    _refused(lambda: provider.id_token_validate(unsigned, nonce="n-1"), RpError.RP_ID_TOKEN_INVALID)


def test_a_rotated_key_is_fetched_once_when_a_token_names_it(issuer, provider):
    provider.id_token_validate(issuer.sign(issuer.id_token_claims()), nonce="n-1")
    assert issuer.jwks_fetches == 1
    provider.id_token_validate(issuer.sign(issuer.id_token_claims()), nonce="n-1")
    assert issuer.jwks_fetches == 1  # cached
    provider._cache.keys_fetched_at -= 10  # the refetch guard allows one every few seconds
    issuer.keys.append(new_key())  # the provider rotates: a new active key, the old one still published
    assert provider.id_token_validate(issuer.sign(issuer.id_token_claims()), nonce="n-1")["sub"] == "subject-1"
    assert issuer.jwks_fetches == 2


def test_at_hash_must_match_the_access_token(issuer, provider):
    digest = hashlib.sha256(b"the-access-token").digest()
    at_hash = urlsafe_b64encode(digest[:16]).decode().rstrip("=")
    token = issuer.sign(issuer.id_token_claims(at_hash=at_hash))
    assert provider.id_token_validate(token, nonce="n-1", access_token="the-access-token")["at_hash"] == at_hash
    _refused(
        lambda: provider.id_token_validate(token, nonce="n-1", access_token="another-token"),
        RpError.RP_ID_TOKEN_INVALID,
    )


def test_the_authorization_request_carries_state_nonce_and_an_s256_challenge(issuer, provider):
    pending = provider.login_start()
    url = urlsplit(pending.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{issuer.url}/o/authorize/"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["state"] == pending.state and query["nonce"] == pending.nonce
    assert query["scope"].split() == ["openid", "profile", "roles", "school", "resources:read"]
    assert query["code_challenge_method"] == "S256"
    expected = urlsafe_b64encode(hashlib.sha256(pending.code_verifier.encode()).digest()).decode().rstrip("=")
    assert query["code_challenge"] == expected
    assert pending.state != provider.login_start().state


def test_a_callback_with_another_state_or_issuer_is_refused_before_any_token_request(issuer, provider):
    pending = PendingLogin(url="", state="s-1", nonce="n-1", code_verifier="v" * 64)
    _refused(
        lambda: provider.login_finish(pending=pending, params={"state": "s-2", "code": "c"}), RpError.RP_STATE_MISMATCH
    )
    _refused(
        lambda: provider.login_finish(pending=pending, params={"state": "s-1", "code": "c", "iss": "http://evil"}),
        RpError.RP_STATE_MISMATCH,
    )
    _refused(
        lambda: provider.login_finish(pending=pending, params={"state": "s-1", "error": "access_denied"}),
        RpError.RP_AUTHORIZATION_DENIED,
    )


def test_the_end_session_url_carries_the_hint_and_the_registered_return_address(issuer, provider):
    url = provider.end_session_url(id_token="the.id.token", state="x")
    assert url is not None and url.startswith(f"{issuer.url}/o/logout/?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query == {
        "id_token_hint": "the.id.token",
        "post_logout_redirect_uri": "http://127.0.0.1:8761/",
        "client_id": CLIENT_ID,
        "state": "x",
    }


# ---------------------------------------------------------------------- back-channel logout tokens


def test_a_good_logout_token_passes(issuer, provider):
    claims = provider.logout_token_validate(issuer.sign(issuer.logout_claims(), typ="logout+jwt"))
    assert claims["sid"] == "sid-1" and claims["sub"] == "subject-1"


@pytest.mark.parametrize(
    ("over", "why"),
    [
        ({"nonce": "n-1"}, "nonce"),
        ({"events": None}, "events"),
        ({"events": {"http://example.com/other-event": {}}}, "events"),
        ({"sub": None, "sid": None}, "neither sub nor sid"),
        ({"aud": "another-client"}, "aud"),
        ({"iss": "http://evil.example"}, "iss"),
        ({"iat": None}, "iat"),
        ({"iat": -3600, "exp": 60}, "iat too old"),
        ({"jti": None}, "jti"),
        ({"exp": -600}, "exp"),
    ],
)
def test_logout_tokens_with_a_wrong_claim_are_refused(issuer, provider, over, why):
    token = issuer.sign(issuer.logout_claims(**_at_now(over)), typ="logout+jwt")
    assert why in _refused(lambda: provider.logout_token_validate(token), RpError.RP_LOGOUT_TOKEN_INVALID)


def test_a_logout_token_is_accepted_once(issuer, provider):
    token = issuer.sign(issuer.logout_claims(), typ="logout+jwt")
    provider.logout_token_validate(token)
    assert "replayed" in _refused(lambda: provider.logout_token_validate(token), RpError.RP_LOGOUT_TOKEN_INVALID)


def test_an_id_token_is_not_a_logout_token(issuer, provider):
    token = issuer.sign(issuer.id_token_claims())
    _refused(lambda: provider.logout_token_validate(token), RpError.RP_LOGOUT_TOKEN_INVALID)
    forged = issuer.sign(issuer.logout_claims(), key=new_key(), typ="logout+jwt")
    _refused(lambda: provider.logout_token_validate(forged), RpError.RP_LOGOUT_TOKEN_INVALID)
    wrong_typ = issuer.sign(issuer.logout_claims(), typ="at+jwt")
    assert "typ" in _refused(lambda: provider.logout_token_validate(wrong_typ), RpError.RP_LOGOUT_TOKEN_INVALID)
