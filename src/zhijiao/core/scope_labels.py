"""Permission scopes (权限范围) and what each one means in plain Chinese, stated once.

Two kinds of scope share one list of words:

* **sign-in scopes** an app asks for through OpenID Connect (:data:`OIDC_SCOPES`): the consent screen shows each
  one's ``title`` and ``detail``, and ``OAUTH2_PROVIDER["SCOPES"]`` in the settings is built from them;
* **API scopes** a bearer token or a signed-in app may hold (:data:`API_SCOPES`): the token command's help and the
  "需要 …" error detail show the ``title``.

``resources:read`` and ``resources:write`` are both. This module imports nothing from Django (the settings read
it), so any layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["API_SCOPES", "OIDC_SCOPES", "SCOPE_LABELS", "ScopeLabel", "api_scope_titles", "oidc_scope_titles"]


@dataclass(frozen=True, slots=True)
class ScopeLabel:
    title: str  # what is granted, as the person asked reads it (读取你的姓名)
    detail: str = ""  # one more line on the consent screen


SCOPE_LABELS: dict[str, ScopeLabel] = {
    # sign-in (OpenID Connect) scopes: the claims each releases are in oidc.claims.SCOPE_CLAIMS
    "openid": ScopeLabel("使用智教账号登录", "应用只会得到一个随机编号来识别你，不含姓名、证件号等信息"),
    "profile": ScopeLabel("读取你的姓名", "姓名和登录账号名"),
    "roles": ScopeLabel("读取你的角色和所属学校", "如教师、学生、家长，以及所在的区域、学校或班级"),
    "school": ScopeLabel("读取你所在的学校和班级", "学校名称、学校标识码和班级"),
    "phone": ScopeLabel("读取你的手机号码", "仅当你登记过手机号时提供"),
    # API scopes (no claims): see identity.services (tokens) and oidc.api_auth (apps acting as the person)
    "registry:read": ScopeLabel("读取学校、班级、学生与教职工名册"),
    "exchange:push": ScopeLabel("通过数据交换接口推送记录（导入）"),
    "exchange:pull": ScopeLabel("通过数据交换接口拉取变更"),
    "resources:read": ScopeLabel("检索、查看和下载资源中心的资源", "仅限你在资源中心本来就能看到的资源"),
    "resources:write": ScopeLabel("以你的名义在资源中心上传资源、评分和评论", "上传的资源仍须经过学校和区教育局审核"),
    # the learning record store (zhijiao.xapi): an app records and reads back what the person did in it
    "xapi:write": ScopeLabel("记录你在本应用中的学习过程", "如完成的练习、观看的视频，保存在智教的学习记录库"),
    "xapi:read": ScopeLabel("读取本应用为你记录的学习过程", "只限本应用自己写入的学习记录"),
}

# The scopes an app may ask for at sign-in, in the order the consent screen lists them.
OIDC_SCOPES: tuple[str, ...] = (
    "openid",
    "profile",
    "roles",
    "school",
    "phone",
    "resources:read",
    "resources:write",
    "xapi:write",
    "xapi:read",
)
# The scopes a bearer token may hold (tokens without any hold registry:read only).
API_SCOPES: tuple[str, ...] = ("registry:read", "exchange:push", "exchange:pull", "resources:read", "resources:write")


def oidc_scope_titles() -> dict[str, str]:
    """``{scope: title}`` of the sign-in scopes (``OAUTH2_PROVIDER["SCOPES"]``)."""
    return {name: SCOPE_LABELS[name].title for name in OIDC_SCOPES}


def api_scope_titles() -> dict[str, str]:
    """``{scope: title}`` of the API scopes (``identity.services.API_SCOPES``)."""
    return {name: SCOPE_LABELS[name].title for name in API_SCOPES}
