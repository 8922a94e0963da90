"""Error codes of the app registry (Chinese messages shown to administrators)."""

from __future__ import annotations

from zhijiao.core.errors import ErrorCode


class RegistryError(ErrorCode):
    APP_NAME_REQUIRED = "请填写应用名称"
    APP_NAME_TAKEN = "已有同名的接入应用"
    APP_NAME_LONG = "应用名称不能超过 64 个字"
    APP_DESCRIPTION_LONG = "简介不能超过 200 个字"
    APP_REDIRECT_REQUIRED = "至少填写一个回调地址"
    APP_URI_INVALID = "地址须为以 http:// 或 https:// 开头的完整地址，且不含空格和 # 片段"
    APP_URI_HTTPS = "除 localhost 和 127.0.0.1 外，地址必须使用 https://"
    APP_URI_LONG = "地址不能超过 500 个字符"
    APP_ROLE_UNKNOWN = "未知的角色"
    APP_LOGO_TYPE = "图标须为 PNG、JPEG、GIF 或 WebP 图片"
    APP_LOGO_SIZE = "图标不能超过 512 KB"
    APP_PUBLIC_NO_SECRET = "公开客户端没有密钥，无需重置"  # noqa: S105  (a message, not a secret)
