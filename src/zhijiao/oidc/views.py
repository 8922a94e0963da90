"""The provider's endpoints: django-oauth-toolkit's views with Zhijiao's rules around them.

* :class:`AuthorizeView` — the registry decides who may use an app (a Chinese page otherwise, no code),
  a guardian's consent for young pupils, ``prompt``/``max_age``/``id_token_hint``, S256-only PKCE, and a
  Chinese consent screen remembered per app (skipped for trusted apps). The login page stays ours.
* :class:`DiscoveryView` — DOT's metadata plus back-channel logout, ``acr`` values and S256 only.
* :class:`IntrospectView` — RFC 7662 for an authenticated client's own tokens, naming ``sub``, not the username.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from urllib.parse import parse_qsl, urlencode, urlparse

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.compat import login_not_required
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView, RPInitiatedLogoutView
from oauthlib.common import Request

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.scope_labels import SCOPE_LABELS, ScopeLabel
from zhijiao.oidc.backchannel import CARRY_KEY, REAUTH_ATTR, session_auth_time, session_sid
from zhijiao.oidc.claims import SCOPE_CLAIMS, account_for_subject, subject_for, supported_claims
from zhijiao.oidc.guardian import guardian_consent_missing
from zhijiao.oidc.models import Consent, RegisteredApp
from zhijiao.oidc.selectors import app_allowed
from zhijiao.oidc.validators import ACR_PASSWORD, ACR_TWO_FACTOR, CONTEXT_HEADER, id_token_claims

Application = get_application_model()


def _label(scope: str) -> ScopeLabel:
    """What a scope means to the person asked, in plain words (the consent screen)."""
    return SCOPE_LABELS.get(scope) or ScopeLabel(scope)


DENIED_NOT_ALLOWED = "你的账号不在该应用的使用范围内，请联系学校或区教育局的管理员"
DENIED_INACTIVE = "该应用已停用或未在智教登记"
DENIED_MINOR = "需要监护人同意后才能使用该应用"


def _amr(request: HttpRequest) -> list[str]:
    verified = getattr(request.user, "is_verified", None)
    return ["pwd", "otp"] if callable(verified) and verified() else ["pwd"]


def _without(url: str, *names: str) -> str:
    parsed = urlparse(url)
    query = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k not in names]
    return parsed._replace(query=urlencode(query)).geturl()


class AuthorizeView(AuthorizationView):
    template_name = "oidc/authorize.html"  # not DOT's name: its app comes first in INSTALLED_APPS

    # ------------------------------------------------------------------ GET: decide, ask, or answer
    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            # an unknown client or an unregistered redirect_uri: an error page here, never a redirect
            return self.error_response(error, application=None)
        application = Application.objects.get(client_id=credentials["client_id"])
        redirect_uri, state = credentials["redirect_uri"], credentials.get("state")

        refused = self._refusal(application, redirect_uri=redirect_uri, state=state)
        if refused is not None:
            return refused
        method = credentials.get("code_challenge_method")
        if credentials.get("code_challenge") and method != "S256":
            return self._error(application, redirect_uri, state, "invalid_request", "code_challenge_method 仅支持 S256")

        prompt = set(request.GET.get("prompt", "").split())
        silent = "none" in prompt
        hint = request.GET.get("id_token_hint")
        if hint:
            claims = id_token_claims(hint)
            if claims is None or claims.get("iss") != oauth2_settings.oidc_issuer(request):
                return self._error(application, redirect_uri, state, "invalid_request", "id_token_hint 无效")
            if account_for_subject(str(claims.get("sub", ""))) != request.user:
                return self._error(application, redirect_uri, state, "login_required", "当前登录的不是该用户")
        if "login" in prompt or self._too_old(request):
            if silent:
                return self._error(application, redirect_uri, state, "login_required")
            return self._reauthenticate(request)

        if "ui_locales" in credentials and isinstance(credentials["ui_locales"], list):
            credentials["ui_locales"] = " ".join(credentials["ui_locales"])
        if not ("consent" in prompt or self._needs_consent(application, scopes)):
            return self._answer(application, scopes, credentials)
        if silent:
            return self._error(application, redirect_uri, state, "consent_required")

        kwargs.update(
            application=application,
            client_id=credentials["client_id"],
            redirect_uri=redirect_uri,
            response_type=credentials["response_type"],
            state=state,
            scopes=scopes,
            scopes_descriptions=[_label(s).title for s in scopes],
        )
        for key in ("code_challenge", "code_challenge_method", "nonce"):
            if key in credentials:
                kwargs[key] = credentials[key]
        if "claims" in credentials:
            kwargs["claims"] = json.dumps(credentials["claims"])
        self.oauth2_data = kwargs
        kwargs["form"] = self.get_form(self.get_form_class())
        kwargs.update(self._screen(application, scopes))
        return self.render_to_response(self.get_context_data(**kwargs))

    # ------------------------------------------------------------------ POST: the person's answer
    def form_valid(self, form):
        application = Application.objects.filter(client_id=form.cleaned_data["client_id"]).first()
        redirect_uri = form.cleaned_data.get("redirect_uri", "")
        if application is None or not application.redirect_uri_allowed(redirect_uri):
            return render(self.request, "oidc/denied.html", {"message": DENIED_INACTIVE}, status=400)
        refused = self._refusal(application, redirect_uri=redirect_uri, state=form.cleaned_data.get("state"))
        if refused is not None:
            return refused
        allow = bool(form.cleaned_data.get("allow"))
        scopes = str(form.cleaned_data.get("scope", "")).split()
        if allow:
            consent, _ = Consent.objects.get_or_create(account=self.request.user, application=application)
            consent.scopes = sorted(set(consent.scopes) | set(scopes))
            consent.save()
        audit_record(
            actor=self.request.user,
            action="oidc.consent" if allow else "oidc.deny",
            origin=Origin.from_request(self.request, channel="oidc"),
            target=Target("oidc_app", application.client_id, application.name),
            fields=[s for s in scopes if s != "openid"],
        )
        return super().form_valid(form)

    def create_authorization_response(self, request, scopes, credentials, allow):
        # the token endpoint sees no session: the code carries the session's sid and how it signed in
        request.META[CONTEXT_HEADER] = json.dumps(
            {
                "sid": session_sid(request),
                "session_key": request.session.session_key or "",
                "auth_time": session_auth_time(request),
                "amr": _amr(request),
            }
        )
        return super().create_authorization_response(request, scopes, credentials, allow)

    # ------------------------------------------------------------------ rules
    def _refusal(self, application, *, redirect_uri: str, state: str | None) -> HttpResponse | None:
        """A page saying why the person may not use the app (and no code), or None when they may."""
        user = self.request.user
        registration = RegisteredApp.objects.filter(application=application).first()
        if registration is None or not registration.is_active:
            message = DENIED_INACTIVE
        elif not app_allowed(actor=user, app=registration):
            message = DENIED_NOT_ALLOWED
        elif guardian_consent_missing(account=user, app=registration):
            message = DENIED_MINOR
        else:
            return None
        audit_record(
            actor=user,
            action="oidc.denied",
            origin=Origin.from_request(self.request, channel="oidc"),
            target=Target("oidc_app", application.client_id, f"{application.name}：{message}"),
        )
        query = {"error": "access_denied", "error_description": message} | ({"state": state} if state else {})
        back = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(query)}"
        context = {"message": message, "application": application, "registration": registration, "back": back}
        return render(self.request, "oidc/denied.html", context, status=403)

    def _too_old(self, request: HttpRequest) -> bool:
        max_age = request.GET.get("max_age", "")
        if not max_age.isdigit():
            return False
        return time.time() - session_auth_time(request) > int(max_age)

    def _needs_consent(self, application, scopes: list[str]) -> bool:
        if application.skip_authorization:
            return False
        consent = Consent.objects.filter(account=self.request.user, application=application).first()
        return consent is None or not set(scopes) <= set(consent.scopes)

    def _reauthenticate(self, request: HttpRequest) -> HttpResponse:
        """Sign in again (prompt=login, max_age): the session's apps stay signed in when the same person returns."""
        carry = {"sid": session_sid(request), "account": request.user.pk}
        setattr(request, REAUTH_ATTR, True)
        logout(request)
        request.session[CARRY_KEY] = carry
        # the fresh sign-in satisfies both: without them the return trip would ask again
        back = _without(request.get_full_path(), "prompt", "max_age")
        return redirect_to_login(back, settings.LOGIN_URL)

    def _answer(self, application, scopes: list[str], credentials: dict) -> HttpResponse:
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _error(self, application, redirect_uri: str, state: str | None, error: str, description: str = ""):
        """An OpenID Connect error sent back to the (already validated) redirect URI."""
        query = {"error": error} | ({"error_description": description} if description else {})
        query |= {"state": state} if state else {}
        query["iss"] = oauth2_settings.oauth2_authorization_server_issuer(self.request)
        separator = "&" if "?" in redirect_uri else "?"
        return OAuth2ResponseRedirect(f"{redirect_uri}{separator}{urlencode(query)}", application.get_allowed_schemes())

    def _screen(self, application, scopes: list[str]) -> dict:
        registration = RegisteredApp.objects.filter(application=application).first()
        items = [{"scope": s, "title": _label(s).title, "detail": _label(s).detail} for s in scopes]
        return {"registration": registration, "scope_items": items, "claims_by_scope": SCOPE_CLAIMS}


class DiscoveryView(ConnectDiscoveryInfoView):
    """``/.well-known/openid-configuration``: DOT's document plus what Zhijiao adds."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "response_modes_supported": ["query"],
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token", required=True),
                "introspection_endpoint": self._get_endpoint_url(request, "introspect", required=True),
                "claims_supported": supported_claims(),
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
                "acr_values_supported": [ACR_PASSWORD, ACR_TWO_FACTOR],
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "ui_locales_supported": ["zh-CN"],
            }
        )
        result = JsonResponse(data)
        result["Access-Control-Allow-Origin"] = "*"
        return result


class LogoutView(RPInitiatedLogoutView):
    """RP-initiated logout; ending the session (Django's ``logout``) tells the other apps via back-channel."""

    template_name = "oidc/logout_confirm.html"


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class IntrospectView(View):
    """RFC 7662 for confidential clients, about their own access tokens only."""

    def post(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        core = get_oauthlib_core()
        uri, http_method, body, headers = core._extract_params(request)
        oauth_request = Request(uri, http_method, body, headers)
        validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
        if not validator.authenticate_client(oauth_request):
            response = JsonResponse({"error": "invalid_client"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="zhijiao"'
            return response
        raw = request.POST.get("token", "")
        checksum = hashlib.sha256(raw.encode()).hexdigest()
        token = (
            get_access_token_model()
            .objects.select_related("user", "application")
            .filter(token_checksum=checksum, application=oauth_request.client)
            .first()
        )
        if token is None or not token.is_valid():
            return JsonResponse({"active": False})
        data = {
            "active": True,
            "token_type": "Bearer",
            "scope": token.scope,
            "client_id": token.application.client_id,
            "exp": int(calendar.timegm(token.expires.utctimetuple())),
            "iat": int(calendar.timegm(token.created.utctimetuple())),
            "iss": oauth2_settings.oidc_issuer(request),
        }
        if token.user is not None:
            data["sub"] = subject_for(token.user)
        return JsonResponse(data)
