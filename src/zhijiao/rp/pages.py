"""The sample app's two pages, as plain HTML strings (escaped here, in one place)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from zhijiao.rp.sessions import Session

TZ = ZoneInfo("Asia/Shanghai")
TIME_CLAIMS = {"exp", "iat", "auth_time", "updated_at"}
CLAIM_LABELS = {
    "sub": "用户标识（对本平台稳定，不含个人信息）",
    "name": "姓名",
    "preferred_username": "用户名",
    "roles": "角色与范围",
    "school_code": "学校标识码",
    "school_name": "学校",
    "class": "班级",
    "phone_number": "手机号",
    "iss": "签发方",
    "aud": "受众（本应用的 client_id）",
    "azp": "授权方",
    "exp": "过期时间",
    "iat": "签发时间",
    "auth_time": "登录时间",
    "nonce": "防重放随机数",
    "sid": "智教会话标识",
    "at_hash": "访问令牌摘要",
    "acr": "认证级别",
    "amr": "认证方式",
    "jti": "令牌编号",
}
# Identity first, then the token's own bookkeeping.
CLAIM_ORDER = list(CLAIM_LABELS)
NOTICES = {
    "local": ("ok", "你已退出示例应用，并在智教退出登录。"),
    "provider": ("warn", "你已在智教退出登录，示例应用的会话已随之结束（后端注销）。"),
}


def _time(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, tz=UTC).astimezone(TZ)
        return f'{moment:%Y-%m-%d %H:%M:%S} <span class="muted">（北京时间，{int(value)}）</span>'
    return escape(str(value))


def _role(item: Any) -> str:
    if not isinstance(item, dict):
        return escape(str(item))
    label = escape(str(item.get("role_label") or item.get("role") or ""))
    where = escape(str(item.get("scope_name") or ""))
    code = escape(str(item.get("scope_code") or ""))
    scope = f'{where}<span class="muted">（{code}）</span>' if code else where
    return f'<span class="pill">{label}</span> {scope}'


def claim_value(name: str, value: Any) -> str:
    if name in TIME_CLAIMS:
        return _time(value)
    if name == "roles" and isinstance(value, list):
        return '<ul class="roles">' + "".join(f"<li>{_role(item)}</li>" for item in value) + "</ul>"
    if isinstance(value, dict) and {"name"} <= value.keys():
        extra = f'<span class="muted">（{escape(str(value.get("id", "")))}）</span>' if value.get("id") else ""
        return escape(str(value["name"])) + extra
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return " ".join(f"<code>{escape(str(v))}</code>" for v in value)
    if isinstance(value, list | dict):
        return f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"
    if name in {"sub", "sid", "nonce", "at_hash", "aud", "azp", "jti"}:
        return f"<code>{escape(str(value))}</code>"
    return escape(str(value))


def claims_table(claims: dict[str, Any]) -> str:
    names = sorted(claims, key=lambda n: (CLAIM_ORDER.index(n) if n in CLAIM_ORDER else len(CLAIM_ORDER), n))
    rows = "".join(
        f'<tr><th scope="row"><code>{escape(n)}</code></th><td class="label">{escape(CLAIM_LABELS.get(n, ""))}</td>'
        f"<td>{claim_value(n, claims[n])}</td></tr>"
        for n in names
    )
    return (
        '<table class="claims"><thead><tr><th>声明</th><th>含义</th><th>值</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def resources_card(resources: list[dict[str, Any]] | None) -> str:
    """What the app read from Zhijiao's resource centre with the access token (scope resources:read)."""
    if resources is None:
        return ""
    if not resources:
        rows = '<p class="muted">资源中心里暂时没有你可以看到的资源。</p>'
    else:
        body = "".join(
            f'<tr><th scope="row">{escape(str(r.get("title", "")))}</th>'
            f'<td><span class="pill">{escape(str(r.get("type_name", "")))}</span></td>'
            f"<td>{escape(str(r.get('stage_name', '')))}{escape(str(r.get('subject_name', '')))}</td>"
            f'<td class="label">{escape(str(r.get("author", "")))}</td></tr>'
            for r in resources
        )
        rows = (
            '<table class="claims"><thead><tr><th>资源</th><th>类型</th><th>学段学科</th><th>作者</th></tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
    return f"""<section class="card">
  <h2>资源中心 <span class="badge">resources:read</span></h2>
  <p class="muted small">本应用用访问令牌调用智教资源中心接口（/api/v1/resources），以你的身份读取，\
只能看到你在资源中心本来就能看到的资源。</p>
  {rows}
</section>"""


def _layout(body: str, *, title: str, user: str = "") -> str:
    account = (
        f'<div class="who"><span class="avatar">{escape(user[:1])}</span>{escape(user)}'
        '<form method="post" action="/logout"><button class="btn ghost" type="submit">退出</button></form></div>'
        if user
        else ""
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · 示例应用</title>
<link rel="stylesheet" href="/static/rp.css">
</head>
<body>
<header class="bar">
  <div class="brand"><span class="logo">示</span><div><strong>示例应用</strong>
  <small>接入智教统一身份认证的第三方应用演示</small></div></div>
  {account}
</header>
<main>{body}</main>
<footer>示例应用通过 OpenID Connect（授权码模式 + PKCE）接入智教；本页面只用于演示，不保存任何数据。</footer>
</body>
</html>
"""


def home_page(session: Session, *, error: str = "") -> str:
    notice = ""
    if error:
        notice = f'<div class="notice bad" role="alert">登录没有完成：{escape(error)}</div>'
    elif session.ended in NOTICES:
        kind, text = NOTICES[session.ended]
        notice = f'<div class="notice {kind}" role="status">{escape(text)}</div>'
    if session.signed_in is None:
        return _layout(
            f"""{notice}
<section class="card hero">
  <span class="logo big">示</span>
  <h1>欢迎使用示例应用</h1>
  <p>本应用不单独设账号：点击下方按钮，转到智教统一身份认证登录，\
登录后回到这里，并显示智教提供给本应用的身份信息。</p>
  <a class="btn primary" href="/login">使用智教账号登录</a>
  <p class="muted small">当前未登录</p>
</section>""",
            title="未登录",
        )
    signed_in = session.signed_in
    name = str(signed_in.userinfo.get("name") or signed_in.claims.get("name") or signed_in.claims["sub"])
    userinfo = (
        claims_table(signed_in.userinfo) if signed_in.userinfo else '<p class="muted">智教未提供用户信息端点。</p>'
    )
    return _layout(
        f"""{notice}
<section class="card welcome">
  <h1>你好，{escape(name)}</h1>
  <p class="muted">你已通过智教统一身份认证登录示例应用。下面是智教签发给本应用的身份令牌声明，\
以及用访问令牌读取的用户信息；本应用只能看到你授权的范围。</p>
</section>
<section class="card">
  <h2>身份令牌（ID Token）声明 <span class="badge">签名已校验</span></h2>
  {claims_table(signed_in.claims)}
</section>
<section class="card">
  <h2>用户信息（UserInfo）</h2>
  {userinfo}
</section>
{resources_card(signed_in.resources)}""",
        title="已登录",
        user=name,
    )


def error_page(message: str) -> str:
    return _layout(
        f"""<section class="card hero"><h1>出错了</h1><p>{escape(message)}</p>
<a class="btn primary" href="/">返回首页</a></section>""",
        title="出错了",
    )
