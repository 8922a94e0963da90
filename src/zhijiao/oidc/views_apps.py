"""Pages of the app registry (应用管理, /apps/registry/) and the portal (我的应用, /apps/).

URL names start with ``apps`` (the portal) or ``app-`` (the registry): the navigation marks its item by them.
A client secret is rendered straight into the response of the POST that made it (never stored in plain text,
not even in the session) with ``Cache-Control: no-store``, so it is seen once.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from oauth2_provider.settings import oauth2_settings

from zhijiao.access.roles import Role
from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.oidc import selectors, services
from zhijiao.oidc.forms import AppForm
from zhijiao.oidc.guardian import apps_awaiting_guardian

REGISTRY_CRUMB = ("应用管理", "/apps/registry/")
ROLE_LABELS = dict(Role.choices)


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    apps = selectors.apps_for(actor=request.user)
    awaiting = apps_awaiting_guardian(account=request.user, apps=apps)
    return render(request, "oidc/portal.html", {"apps": apps, "awaiting_guardian": awaiting})


@login_required
def app_logo(request: HttpRequest, pk: int) -> FileResponse:
    app = selectors.app_get_for_user(actor=request.user, pk=pk)
    if not app.logo:
        raise Http404
    content_type = mimetypes.guess_type(app.logo.name)[0] or "application/octet-stream"
    response = FileResponse(app.logo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def registry_list(request: HttpRequest) -> HttpResponse:
    apps = list(selectors.app_list(actor=request.user))
    rows = [{"app": app, "who": _who(app)} for app in apps]
    return render(
        request,
        "oidc/registry_list.html",
        {
            "rows": rows,
            "active_count": sum(1 for a in apps if a.is_active),
            "breadcrumbs": [(REGISTRY_CRUMB[0], None)],
        },
    )


def _who(app) -> dict:
    """Who may use the app, in words, for the list."""
    roles = [ROLE_LABELS.get(r, r) for r in app.allowed_roles or []]
    nodes = [d.name for d in app.allowed_divisions.all()] + [s.name for s in app.allowed_schools.all()]
    return {"roles": roles, "nodes": nodes}


def _form(request: HttpRequest, *, app=None) -> tuple[AppForm, list, list]:
    schools = list(selectors.app_school_choices(actor=request.user))
    divisions = selectors.app_division_choices(actor=request.user)
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = AppForm(
        *data,
        initial=AppForm.initial_for(app) if app and not data else None,
        school_choices=schools,
        division_choices=divisions,
        editing=app is not None,
    )
    return form, schools, divisions


def _form_page(request: HttpRequest, form: AppForm, schools, divisions, *, app=None) -> HttpResponse:
    chosen_schools = {str(v) for v in (form["schools"].value() or [])}
    chosen_divisions = {str(v) for v in (form["divisions"].value() or [])}
    chosen_roles = {str(v) for v in (form["allowed_roles"].value() or [])}
    crumbs = [REGISTRY_CRUMB, (app.application.name if app else "登记应用", None)]
    return render(
        request,
        "oidc/registry_form.html",
        {
            "form": form,
            "app": app,
            "roles": Role.choices,
            "chosen_roles": chosen_roles,
            "schools": [(s, str(s.pk) in chosen_schools) for s in schools],
            "divisions": [(d, d.code in chosen_divisions) for d in divisions],
            "issuer": _issuer(request),
            "chosen_school_count": len(chosen_schools),
            "chosen_division_count": len(chosen_divisions),
            "breadcrumbs": crumbs,
        },
        status=400 if request.method == "POST" else 200,
    )


def _issuer(request: HttpRequest) -> str:
    """The provider's issuer: ZHIJIAO_OIDC_ISSUER when set (behind a proxy), else this request's origin."""
    return (oauth2_settings.OIDC_ISS_ENDPOINT or request.build_absolute_uri("/")).rstrip("/")


def _secret_page(request: HttpRequest, app, secret: str | None, *, created: bool) -> HttpResponse:
    response = render(
        request,
        "oidc/registry_secret.html",
        {
            "app": app,
            "secret": secret,
            "created": created,
            "issuer": _issuer(request),
            "breadcrumbs": [REGISTRY_CRUMB, (app.application.name, f"/apps/registry/{app.pk}/"), ("客户端凭据", None)],
        },
    )
    add_never_cache_headers(response)  # the secret must not sit in any cache
    return response


@login_required
def registry_new(request: HttpRequest) -> HttpResponse:
    form, schools, divisions = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            app, secret = services.app_register(
                actor=request.user,
                origin=Origin.from_request(request),
                **form.service_kwargs(schools=schools, divisions=divisions),
            )
        except ZhijiaoError as exc:
            form.add_service_error(exc)
        else:
            return _secret_page(request, app, secret, created=True)
    return _form_page(request, form, schools, divisions)


@login_required
def registry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.app_get_for_admin(actor=request.user, pk=pk)
    form, schools, divisions = _form(request, app=app)
    if request.method == "POST" and form.is_valid():
        try:
            services.app_update(
                actor=request.user,
                app=app,
                origin=Origin.from_request(request),
                **form.service_kwargs(schools=schools, divisions=divisions),
            )
        except ZhijiaoError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, f"已保存“{app.application.name}”的登记信息。")
            return redirect("app-registry")
    return _form_page(request, form, schools, divisions, app=app)


@login_required
@require_POST
def registry_secret(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.app_get_for_admin(actor=request.user, pk=pk)
    try:
        secret = services.app_secret_reset(actor=request.user, app=app, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        messages.error(request, exc.message)
        return redirect("app-edit", pk=app.pk)
    return _secret_page(request, app, secret, created=False)


@login_required
@require_POST
def registry_active(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.app_get_for_admin(actor=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    services.app_set_active(actor=request.user, app=app, active=active, origin=Origin.from_request(request))
    name = app.application.name
    messages.success(request, f"已启用“{name}”。" if active else f"已停用“{name}”，其已签发的令牌均已失效。")
    return redirect(f"/apps/registry/{app.pk}/" if request.POST.get("next") == "edit" else "/apps/registry/")
