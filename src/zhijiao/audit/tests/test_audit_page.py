"""The audit administrator's page: who may read it, its filters, the chain status box and the export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.selectors import CHAIN_STATUS_KEY, AuditFilters, audit_event_list
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant
from zhijiao.org.models import Division
from zhijiao.testing import PASSWORD, login_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_chain_status():
    cache.delete(CHAIN_STATUS_KEY)
    yield
    cache.delete(CHAIN_STATUS_KEY)


@pytest.fixture
def auditor(region) -> Account:
    account = account_create(username="auditor", password=PASSWORD)
    role_grant(account=account, role=Role.AUDIT_ADMIN)
    return account


@pytest.fixture
def events(region, monkeypatch):
    """A small log: sign-ins from two addresses, a failure, an unmasked view; the first a week old (written then,
    so the chain stays intact)."""
    teacher, parent = region.accounts["teacher"], region.accounts["parent"]
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(days=7))
    made = [
        audit_record(
            actor=teacher,
            action="auth.login",
            origin=Origin("web", "10.0.0.5"),
            target=Target("account", str(teacher.pk), "teacher"),
        )
    ]
    monkeypatch.setattr(timezone, "now", real_now)
    made += [
        audit_record(
            actor=None,
            action="auth.login_failed",
            origin=Origin("web", "192.168.1.9"),
            target=Target("account", "", "teacher"),
        ),
        audit_record(
            actor=teacher,
            action="person.view_pii",
            origin=Origin("web", "10.0.0.5"),
            target=Target("student", str(region.students["s1"].pk), "学生s1 G4201"),
            fields=["id_number", "phone"],
        ),
        audit_record(
            actor=parent,
            action="auth.login",
            origin=Origin("api", "10.0.9.1"),
            target=Target("account", str(parent.pk), '=HYPERLINK("x")'),
        ),
    ]
    return made


def _page(client, **params) -> str:
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def _ids(actor, **filters) -> set[int]:
    return set(audit_event_list(actor=actor, filters=AuditFilters(**filters)).values_list("pk", flat=True))


def test_only_audit_and_platform_admins_read_the_log(client, region, auditor):
    for username in ("principal", "bureau", "inspector", "teacher", "parent"):
        login_as(client, username)
        assert client.get("/audit/").status_code == 403, username
        assert client.get("/audit/export.csv").status_code == 403, username
        assert client.get("/audit/export.xlsx").status_code == 403, username
        assert client.get("/audit/chain/").status_code == 403, username
    for account in (auditor, region.accounts["admin"]):
        login_as(client, account)
        assert client.get("/audit/").status_code == 200
    assert not AuditEvent.objects.filter(action="audit.export").exists()  # refused exports leave no record


def test_filters(region, auditor, events):
    login, failed, view, api_login = (e.pk for e in events)
    today = timezone.localdate()
    assert _ids(auditor) >= {login, failed, view, api_login}
    assert _ids(auditor, since=today) & {login, failed, view, api_login} == {failed, view, api_login}
    assert _ids(auditor, until=today - timedelta(days=1)) & {login, failed, view, api_login} == {login}
    assert _ids(auditor, account="teach") == {login, view}
    assert _ids(auditor, action="person.view_pii") == {view}
    assert _ids(auditor, action="group:auth") == {login, failed, api_login}
    assert _ids(auditor, result="failure") == {failed}
    assert failed not in _ids(auditor, result="success")
    assert _ids(auditor, ip="10.0.0.") == {login, view}
    assert _ids(auditor, target="学生s1") == {view}
    assert _ids(auditor, target=str(region.students["s1"].pk)) == {view}


def test_the_page_shows_rows_with_chinese_labels_and_filters(client, region, auditor, events):
    login_as(client, auditor)
    html = _page(client, result="failure")
    assert "登录失败" in html and "192.168.1.9" in html and "失败" in html
    assert "10.0.0.5" not in html
    html = _page(client, action="person.view_pii")
    assert "查看未脱敏个人信息" in html and "身份证号、手机号" in html and "学生s1" in html
    assert 'value="person.view_pii" selected' in html
    assert "/audit/export.csv?action=person.view_pii" in html


def test_the_auditor_reads_labels_not_action_codes(client, region, auditor, events):
    login_as(client, auditor)
    html = _page(client)
    assert "登录成功" in html and "查看未脱敏个人信息" in html
    # the code is only a tooltip (title) and an option value, never text on the page
    text = re.sub(r"<[^>]+>", " ", html)
    for code in ("auth.login", "auth.login_failed", "person.view_pii"):
        assert code not in text
    assert "（auth.login）" not in html


def test_pages_of_fifty(client, region, auditor):
    for i in range(60):
        audit_record(actor=None, action="auth.login_failed", origin=Origin(), target=Target("account", "", f"u{i}"))
    login_as(client, auditor)
    first, second = _page(client), _page(client, page=2)
    assert "第 1 / 2 页" in first
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 >= 10


def test_chain_status_box_intact_then_tampered(client, region, auditor, events):
    login_as(client, auditor)
    html = client.get("/audit/chain/").content.decode()
    assert "哈希链完整 — 已校验" in html and str(AuditEvent.objects.count()) in html
    AuditEvent.objects.filter(pk=events[2].pk).update(target_label="别人")
    assert "哈希链完整" in client.get("/audit/chain/").content.decode()  # a recent walk is reused …
    html = client.get("/audit/chain/", {"fresh": "1"}).content.decode()  # … until the auditor asks again
    assert "哈希链校验失败" in html and f"#{events[2].pk}" in html and "哈希链完整" not in html
    assert "哈希链校验失败" in client.get("/audit/chain/").content.decode()
    assert 'hx-get="/audit/chain/"' in _page(client)  # the page loads the box after itself


def test_csv_export_has_the_filtered_rows_and_is_audited(client, region, auditor, events):
    login_as(client, auditor)
    response = client.get("/audit/export.csv", {"ip": "10.0.0."})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["时间", "账号", "来源IP", "操作", "操作代码"]
    assert sorted(r[4] for r in rows[1:]) == ["auth.login", "person.view_pii"]
    view = next(r for r in rows[1:] if r[4] == "person.view_pii")
    assert view[1] == "teacher" and view[2] == "10.0.0.5" and view[3] == "查看未脱敏个人信息"
    assert view[8] == "成功" and view[9] == "身份证号、手机号"
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == auditor and export.fields == ["csv"] and "导出 2 条" in export.target_label
    assert "ip=10.0.0." in export.target_label


def test_csv_export_defuses_formulas(client, region, auditor, events):
    login_as(client, auditor)
    body = b"".join(client.get("/audit/export.csv", {"ip": "10.0.9.1"}).streaming_content).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(body)))[1]
    assert row[7] == '\'=HYPERLINK("x")'


def test_xlsx_export_opens_and_matches_the_filters(client, region, auditor, events):
    login_as(client, region.accounts["admin"])
    response = client.get("/audit/export.xlsx", {"action": "group:auth", "ip": "1"})
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    for read_only in (True, False):  # openpyxl's two readers parse the sheet differently
        book = load_workbook(io.BytesIO(body), read_only=read_only)
        assert book.sheetnames == ["审计日志"]
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0][0] == "时间" and len(rows) == 4
        assert sorted(r[4] for r in rows[1:]) == ["auth.login", "auth.login", "auth.login_failed"]
        assert {r[8] for r in rows[1:] if r[4] == "auth.login_failed"} == {"失败"}
        assert next(r for r in rows[1:] if r[2] == "10.0.9.1")[7] == '=HYPERLINK("x")'  # a string, not a formula
    assert AuditEvent.objects.filter(action="audit.export", fields=["xlsx"]).count() == 1


def test_export_does_not_include_its_own_record(client, region, auditor, events):
    login_as(client, auditor)
    body = b"".join(client.get("/audit/export.csv").streaming_content).decode("utf-8-sig")
    assert "audit.export" not in body
    second = b"".join(client.get("/audit/export.csv").streaming_content).decode("utf-8-sig")
    assert second.count("audit.export") == 1


def test_a_division_audit_admin_reads_the_events_of_its_subtree(region, events):
    local = account_create(username="dxh-auditor", password=PASSWORD)
    role_grant(account=local, role=Role.AUDIT_ADMIN, division=Division.objects.get(pk="420112"))
    login, failed, view, _parent_login = (e.pk for e in events)
    # the teacher works in 东西湖区 (a school grant there) and the failed sign-in names that account;
    # the parent holds no node, so their events stay with the platform-wide auditors
    assert _ids(local) == {login, failed, view}


def test_the_page_costs_the_same_queries_for_any_number_of_rows(client, region, auditor, django_assert_max_num_queries):
    login_as(client, auditor)
    for i in range(60):
        audit_record(actor=auditor, action="auth.login", origin=Origin(), target=Target("account", str(i), f"u{i}"))
    with django_assert_max_num_queries(12):
        _page(client)
    with django_assert_max_num_queries(12):
        _page(client, result="failure", action="group:auth", since=timezone.localdate().isoformat())
