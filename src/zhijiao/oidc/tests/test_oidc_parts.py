"""The provider's parts without a live server: keys, the commands, session bookkeeping, and the rules the
authorization endpoint applies for the other apps (guardian consent, two-factor sign-in)."""

from __future__ import annotations

import json
import stat
import time
import uuid
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import Application

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.identity.middleware import LAST_SEEN_KEY
from zhijiao.oidc import keys
from zhijiao.oidc.backchannel import SID_KEY, sessions_expired_end
from zhijiao.oidc.claims import claims_for, subject_for
from zhijiao.oidc.models import AuthorizationContext, SessionLink
from zhijiao.oidc.services import app_register
from zhijiao.org.models import Division
from zhijiao.testing import login_as

REDIRECT = "http://127.0.0.1:8714/callback"


# ---------------------------------------------------------------------------------------------- keys
def test_first_key_is_made_private_and_rotation_keeps_the_recent_ones(tmp_path):
    directory = tmp_path / "oidc"
    first = keys.load_signing_keys(env_pem="", directory=directory)
    files = keys.key_files(directory)
    assert len(files) == 1 and first.inactive == ()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600 and stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert keys.load_signing_keys(env_pem="", directory=directory).active == first.active  # not made twice

    for _ in range(keys.RETIRED_KEPT + 1):
        time.sleep(0.001)
        keys.rotate(directory=directory)
    now = keys.load_signing_keys(env_pem="", directory=directory)
    assert len(keys.key_files(directory)) == keys.RETIRED_KEPT + 1
    assert now.active != first.active and first.active not in now.inactive
    assert len(now.inactive) == keys.RETIRED_KEPT
    # the environment's key wins; the files stay published for tokens signed before
    from_env = keys.load_signing_keys(env_pem=first.active, directory=directory)
    assert from_env.active.strip() == first.active.strip() and from_env.source == "env"
    assert now.active in from_env.inactive


def test_processes_starting_together_agree_on_the_first_key(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        loaded = list(pool.map(lambda _: keys.load_signing_keys(env_pem="", directory=tmp_path), range(4)))
    assert len({k.active for k in loaded}) == 1 and [f.name for f in tmp_path.iterdir()] == [keys.FIRST_KEY_NAME]


def test_oidc_keys_command_shows_and_refuses_to_rotate_an_env_key(settings):
    out = StringIO()
    call_command("oidc_keys", "show", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["active_kid"] == keys.kid(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"])
    settings.ZHIJIAO_OIDC_KEYS = keys.SigningKeys(active="x", inactive=(), source="env")
    with pytest.raises(Exception, match="ZHIJIAO_OIDC_KEY"):
        call_command("oidc_keys", "rotate")


# ---------------------------------------------------------------------------------------------- oidc-client
@pytest.mark.django_db
def test_oidc_client_create_prints_the_secret_once_and_stores_it_hashed():
    out = StringIO()
    call_command(
        "oidc_client", "create", "--name", "阅读平台", "--redirect-uri", REDIRECT, "--trusted", "--json", stdout=out
    )
    created = json.loads(out.getvalue())
    application = Application.objects.get(client_id=created["client_id"])
    assert created["client_secret"] and application.client_secret != created["client_secret"]
    assert check_password(created["client_secret"], application.client_secret)
    assert application.skip_authorization and application.registration.is_active

    out = StringIO()
    call_command(
        "oidc_client", "create", "--name", "移动端", "--redirect-uri", REDIRECT, "--public", "--json", stdout=out
    )
    public = json.loads(out.getvalue())
    assert set(public) == {"client_id"}

    out = StringIO()
    call_command("oidc_client", "list", "--json", stdout=out)
    listed = {row["name"]: row for row in json.loads(out.getvalue())}
    assert listed["阅读平台"]["trusted"] and listed["移动端"]["public"]


# ---------------------------------------------------------------------------------------------- claims
def test_sub_is_stable_and_opaque(region):
    student = region.accounts["student"]
    sub = subject_for(student)
    assert subject_for(student) == sub and uuid.UUID(sub)
    assert subject_for(region.accounts["teacher"]) != sub
    assert claims_for(account=student, scopes=["openid"]) == {"sub": sub}
    # a parent has no school of their own; no phone scope, no phone
    parent = claims_for(account=region.accounts["parent"], scopes=["openid", "profile", "school"])
    assert parent == {"sub": subject_for(region.accounts["parent"]), "name": "陈妈妈", "preferred_username": "parent"}


def test_a_head_teacher_gets_the_class_they_head(region):
    claims = claims_for(account=region.accounts["head"], scopes=["openid", "school", "phone", "roles"])
    assert claims["class"] == {"id": str(region.classes["A2"].pk), "name": region.classes["A2"].name}
    assert claims["phone_number"] == "13900000000"
    assert {r["role"] for r in claims["roles"]} == {"head_teacher", "teacher"}


# ---------------------------------------------------------------------------------------------- authorization rules
def _app(**extra):
    app, _ = app_register(
        actor=None, name=f"应用{uuid.uuid4().hex[:6]}", redirect_uris=[REDIRECT], trusted=True, **extra
    )
    return app


def _authorize(client, app, **extra):
    query = {"response_type": "code", "client_id": app.application.client_id, "redirect_uri": REDIRECT}
    return client.get("/o/authorize/?" + urlencode(query | {"scope": "openid", "state": "s"} | extra))


def _code(response) -> str:
    assert response.status_code == 302 and response["Location"].startswith(REDIRECT), response
    return parse_qs(urlparse(response["Location"]).query)["code"][0]


def test_a_young_pupil_needs_a_guardian_s_consent(client, region):
    from zhijiao.privacy.services import consent_grant, consent_policy_set

    app = _app()
    consent_policy_set(actor=None, division=Division.objects.get(pk="420112"), require_app_consent=True)
    login_as(client, "student")
    refused = _authorize(client, app)
    assert refused.status_code == 403 and "需要监护人同意后才能使用该应用" in refused.content.decode()
    assert "error=access_denied" in refused.content.decode()  # the way back to the app says so
    consent_grant(actor=region.accounts["parent"], student=region.students["s1"], app=app, origin=Origin())
    assert _code(_authorize(client, app))


def test_an_administrator_who_passed_totp_signs_in_with_two_factors(client, region):
    app = _app()
    login_as(client, "admin")  # the session passed the TOTP step
    code = _code(_authorize(client, app))
    context = AuthorizationContext.objects.get(grant__code=code)
    assert context.amr == ["pwd", "otp"] and context.sid == client.session[SID_KEY]


# ---------------------------------------------------------------------------------------------- session ends
def _link(app, account, session_key: str, sid: str) -> SessionLink:
    return SessionLink.objects.create(
        sid=sid,
        session_key=session_key,
        application=app.application,
        account=account,
        token_family=uuid.uuid4(),
        issuer="http://testserver",
        auth_time=timezone.now(),
    )


def test_the_idle_timeout_ends_the_session_for_its_apps(client, region, settings):
    app = _app()
    login_as(client, "student")
    session = client.session
    link = _link(app, region.accounts["student"], session.session_key, session[SID_KEY])
    session[LAST_SEEN_KEY] = int(time.time()) - settings.ZHIJIAO_IDLE_MINUTES * 60 - 5
    session.save()
    client.get("/")
    link.refresh_from_db()
    assert link.ended_at is not None


def test_the_sweep_ends_sessions_that_expired_or_sat_idle(client, region, settings):
    app = _app()
    student = region.accounts["student"]
    gone = _link(app, student, "no-such-session", "sid-gone")
    login_as(client, "student")
    session = client.session
    idle = _link(app, student, session.session_key, session[SID_KEY])
    session[LAST_SEEN_KEY] = int(time.time()) - settings.ZHIJIAO_IDLE_MINUTES * 60 - 5
    session.save()
    fresh_client = client.__class__()
    login_as(fresh_client, "teacher")
    fresh = _link(app, region.accounts["teacher"], fresh_client.session.session_key, fresh_client.session[SID_KEY])

    assert sessions_expired_end() == 2
    for link in (gone, idle, fresh):
        link.refresh_from_db()
    assert gone.ended_at and idle.ended_at and fresh.ended_at is None
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert sessions_expired_end(now=timezone.now() + timedelta(seconds=1)) == 0


def test_backchannel_delivery_failure_is_audited(region):
    from zhijiao.oidc.backchannel import DeliveryFailed, backchannel_logout_send

    app = _app(backchannel_logout_uri="http://127.0.0.1:9/nobody")
    with pytest.raises(DeliveryFailed):
        backchannel_logout_send(
            application_id=app.application_id, account_id=region.accounts["student"].pk, sid="s", issuer="http://x"
        )
    event = AuditEvent.objects.get(action="oidc.backchannel_logout_failed")
    assert event.actor_username == "student" and event.target_id == app.application.client_id
