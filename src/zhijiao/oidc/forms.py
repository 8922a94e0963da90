"""The registry's form: parses what an administrator typed; the rules are in ``services``."""

from __future__ import annotations

from django import forms

from zhijiao.access.roles import Role

# Service errors name a field by its Chinese label; the form shows them under that field.
FIELD_BY_LABEL = {
    "应用名称": "name",
    "简介": "description",
    "图标": "logo",
    "应用入口": "home_url",
    "回调地址": "redirect_uris",
    "注销后跳转地址": "post_logout_redirect_uris",
    "后端注销地址": "backchannel_logout_uri",
    "可用角色": "allowed_roles",
}
CLIENT_TYPES = [
    ("confidential", "机密客户端：有服务端，能保管密钥（大多数网站）"),
    ("public", "公开客户端：单页应用或手机应用，不能保管密钥，须使用 PKCE"),
]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class AppForm(forms.Form):
    name = forms.CharField(label="应用名称", max_length=64)
    description = forms.CharField(label="简介", max_length=200, required=False)
    logo = forms.FileField(
        label="图标",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="删除现有图标", required=False)
    home_url = forms.CharField(label="应用入口", max_length=500, required=False)
    redirect_uris = forms.CharField(label="回调地址", widget=forms.Textarea(attrs={"rows": 3}))
    post_logout_redirect_uris = forms.CharField(
        label="注销后跳转地址", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    backchannel_logout_uri = forms.CharField(label="后端注销地址", max_length=500, required=False)
    client_type = forms.ChoiceField(
        label="客户端类型", choices=CLIENT_TYPES, initial="confidential", widget=forms.RadioSelect
    )
    trusted = forms.BooleanField(label="受信任应用（跳过授权确认页）", required=False)
    allowed_roles = forms.MultipleChoiceField(
        label="可用角色", choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    schools = forms.TypedMultipleChoiceField(label="可用学校", coerce=int, required=False)
    divisions = forms.MultipleChoiceField(label="可用区域", required=False)

    def __init__(self, *args, school_choices=(), division_choices=(), editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schools"].choices = [(s.pk, s.name) for s in school_choices]  # type: ignore[attr-defined]
        self.fields["divisions"].choices = [(d.code, d.name) for d in division_choices]  # type: ignore[attr-defined]
        if editing:
            del self.fields["client_type"]  # fixed at registration: a new type needs a new client
        else:
            del self.fields["remove_logo"]

    def service_kwargs(self, *, schools, divisions) -> dict:
        """Keyword arguments for ``app_register`` / ``app_update`` from the cleaned data."""
        data = self.cleaned_data
        kwargs = {
            "name": data["name"],
            "description": data["description"],
            "home_url": data["home_url"],
            "redirect_uris": _lines(data["redirect_uris"]),
            "post_logout_redirect_uris": _lines(data["post_logout_redirect_uris"]),
            "backchannel_logout_uri": data["backchannel_logout_uri"],
            "trusted": data["trusted"],
            "allowed_roles": data["allowed_roles"],
            "schools": [s for s in schools if s.pk in set(data["schools"])],
            "divisions": [d for d in divisions if d.code in set(data["divisions"])],
            "logo": data.get("logo") or None,
        }
        if "client_type" in self.fields:
            kwargs["public"] = data["client_type"] == "public"
        if "remove_logo" in self.fields:
            kwargs["remove_logo"] = data["remove_logo"]
        return kwargs

    def add_service_error(self, exc) -> None:
        """Show a service's ZhijiaoError under its field (or above the form)."""
        field = FIELD_BY_LABEL.get(exc.field or "")
        if field and field in self.fields:
            message = exc.error.message + (f"（{exc.detail}）" if exc.detail else "")
            self.add_error(field, message)
        else:
            self.add_error(None, exc.message)

    @staticmethod
    def initial_for(app) -> dict:
        application = app.application
        return {
            "name": application.name,
            "description": app.description,
            "home_url": app.home_url,
            "redirect_uris": "\n".join(application.redirect_uris.split()),
            "post_logout_redirect_uris": "\n".join(application.post_logout_redirect_uris.split()),
            "backchannel_logout_uri": app.backchannel_logout_uri,
            "trusted": application.skip_authorization,
            "allowed_roles": list(app.allowed_roles or []),
            "schools": [s.pk for s in app.allowed_schools.all()],
            "divisions": [d.code for d in app.allowed_divisions.all()],
        }
