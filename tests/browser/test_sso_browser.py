"""Single sign-on as a person sees it: headless Chromium signs in to the sample app through Zhijiao's login page,
and out again; signing out of Zhijiao ends the sample app's session through back-channel logout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhijiao.rp.tests.live import Live, live_sso

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]

pytestmark = [
    pytest.mark.slow,  # a real browser against a live server
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    ),
]


@pytest.fixture
def live(transactional_db, live_server, tmp_path) -> Iterator[Live]:
    yield from live_sso(live_server_url=live_server.url, tmp_path=tmp_path)


@pytest.fixture
def page(live):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 860})
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def sign_in(page, live: Live, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live.rp}/")
    page.get_by_role("link", name="使用智教账号登录").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live.zhijiao)}/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", live.password)
    page.press("input[name=password]", "Enter")
    expect(page.get_by_text("请求使用你的智教账号登录")).to_be_visible()  # the consent page (not a trusted app)
    page.click("button[name=allow]")
    expect(page).to_have_url(f"{live.rp}/")


def test_chromium_signs_in_to_the_sample_app_through_zhijiao_and_out_again(live, page):
    from playwright.sync_api import expect

    sign_in(page, live, "teacher")
    expect(page.get_by_role("heading", name="你好，王老师")).to_be_visible()
    claims = page.locator("table.claims").first

    def claim(name: str):
        return claims.locator("tr", has=page.locator("th", has_text=re.compile(rf"^{name}$")))

    expect(claim("aud")).to_contain_text(live.client.client_id)
    expect(claim("name")).to_contain_text("王老师")
    expect(claim("sid")).not_to_be_empty()
    expect(page.locator("table.claims").nth(1)).to_contain_text("教师")  # userinfo: the roles

    page.get_by_role("button", name="退出").click()
    if page.url.startswith(live.zhijiao):  # Zhijiao may ask to confirm the logout
        page.click("button[name=allow]")
    expect(page).to_have_url(f"{live.rp}/")
    expect(page.get_by_role("link", name="使用智教账号登录")).to_be_visible()
    expect(page.get_by_text("你已退出示例应用")).to_be_visible()

    page.goto(f"{live.zhijiao}/")  # Zhijiao's own session has ended too
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_signing_out_of_zhijiao_ends_the_sample_app_session_by_back_channel(live, page):
    from playwright.sync_api import expect

    sign_in(page, live, "parent")
    expect(page.get_by_role("heading", name="你好，陈妈妈")).to_be_visible()

    page.goto(f"{live.zhijiao}/")
    page.locator("form[action='/accounts/logout/'] button:visible").first.click()  # Zhijiao's 退出登录
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    page.goto(f"{live.rp}/")  # no click at the sample app: Zhijiao told it directly
    expect(page.get_by_text("后端注销")).to_be_visible()
    expect(page.get_by_role("link", name="使用智教账号登录")).to_be_visible()
    assert live.app.sessions.signed_in_count() == 0
