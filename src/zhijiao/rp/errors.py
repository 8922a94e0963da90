"""Why a sign-in or a logout token was refused: stable codes, Chinese messages."""

from __future__ import annotations

from zhijiao.core.errors import ErrorCode


class RpError(ErrorCode):
    # Messages, not secrets (ruff S105 reads "TOKEN" in the names as a password).
    RP_PROVIDER_UNREACHABLE = "无法连接智教统一身份认证服务，请稍后再试"
    RP_PROVIDER_METADATA = "智教统一身份认证服务的配置信息无效"
    RP_STATE_MISMATCH = "登录请求已失效或不是从本应用发起的，请重新登录"
    RP_AUTHORIZATION_DENIED = "智教没有授权本应用登录"
    RP_TOKEN_REQUEST = "换取令牌失败，请重新登录"  # noqa: S105
    RP_ID_TOKEN_INVALID = "身份令牌（ID Token）校验未通过"  # noqa: S105
    RP_USERINFO = "读取用户信息失败"
    RP_LOGOUT_TOKEN_INVALID = "注销令牌（Logout Token）校验未通过"  # noqa: S105


class RpFailure(Exception):
    """A refused sign-in or logout token: the code, and a detail for the log (never shown raw to users)."""

    def __init__(self, error: RpError, detail: str = "") -> None:
        self.error = error
        self.detail = detail
        super().__init__(f"{error.code}: {detail}" if detail else error.code)
