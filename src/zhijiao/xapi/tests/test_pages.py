"""Who reads learning records through the platform, and the administrators' LRS pages: credentials, the statement
browser, lawful deletion (tombstone, audited), export, retention."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.oidc.models import RegisteredApp
from zhijiao.testing import login_as
from zhijiao.xapi import operate
from zhijiao.xapi.learners import actor_for
from zhijiao.xapi.models import Credential, Erasure, Statement
from zhijiao.xapi.tests.conftest import statement

WEB = Origin(channel="web", ip="10.0.0.1")


def client_for(username: str) -> Client:
    client = Client()
    login_as(client, username)
    return client


def _slug(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def _write(lrs, account, *, verb="http://adlnet.gov/expapi/verbs/completed", name="分数的意义 练习", **extra) -> str:
    body = statement(
        actor=actor_for(account),
        verb={"id": verb, "display": {"zh-CN": "完成"}},
        object={"id": f"http://example.com/act/{_slug(name)}", "definition": {"name": {"zh-CN": name}}},
        **extra,
    )
    res = lrs.send("POST", "statements", json.dumps(body))
    assert res.status_code == 200, res.content
    return res.json()[0]


@pytest.fixture
def records(region, lrs):
    """Statements about s1 (the 家长's child, A1, the 'student' account) and s3 (A2) written by an app."""
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.testing import PASSWORD

    s3 = account_create(username="pupil3", password=PASSWORD, person=region.persons["s3"])
    role_grant(account=s3, role="student", school_class=region.classes["A2"])
    ids = {
        "s1": _write(lrs, region.accounts["student"], result={"score": {"scaled": 0.9}, "duration": "PT12M"}),
        "s3": _write(lrs, s3, name="古诗两首 朗读"),
    }
    return ids, s3


def test_a_learner_reads_their_own_records_in_plain_words(region, records):
    page = client_for("student").get("/records/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "我的学习记录" in text and "分数的意义 练习" in text and "得分 90%" in text and "用时 12分钟" in text
    assert "古诗两首" not in text  # another pupil's
    export = client_for("student").get("/records/export/")
    assert export["Content-Disposition"].startswith("attachment;")
    assert [s["id"] for s in json.loads(export.content)] == [records[0]["s1"]]


def test_a_guardian_reads_their_childs_records_only(region, records):
    parent = client_for("parent")
    assert parent.get("/records/").status_code == 302  # lands on the first child's records
    s1, s3 = region.students["s1"], region.students["s3"]
    page = parent.get(f"/records/student/{s1.pk}/")
    assert page.status_code == 200 and "分数的意义 练习" in page.content.decode()
    assert parent.get(f"/records/student/{s3.pk}/").status_code == 404
    export = parent.get(f"/records/student/{s1.pk}/export/")
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment;")


def test_a_teacher_sees_only_their_classes(region, records):
    s1, s3 = region.students["s1"], region.students["s3"]
    teacher = client_for("teacher")  # teaches A1
    assert teacher.get(f"/records/student/{s1.pk}/").status_code == 200
    assert teacher.get(f"/records/student/{s3.pk}/").status_code == 404
    assert teacher.get(f"/records/student/{s1.pk}/export/").status_code == 404  # pages, not exports
    cls = teacher.get(f"/records/class/{region.classes['A1'].pk}/")
    assert cls.status_code == 200 and "学生s1" in cls.content.decode() and "学生s3" not in cls.content.decode()
    assert teacher.get(f"/records/class/{region.classes['A2'].pk}/").status_code == 404
    head = client_for("head")  # 班主任 of A2
    assert head.get(f"/records/student/{s3.pk}/").status_code == 200
    assert client_for("nobody").get(f"/records/student/{s1.pk}/").status_code == 404
    assert client_for("principal").get(f"/records/student/{s1.pk}/").status_code == 404


def test_voided_statements_stop_appearing(region, records, lrs):
    ids, _ = records
    void = {
        "actor": {"mbox": "mailto:app@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": ids["s1"]},
    }
    assert lrs.send("POST", "statements", json.dumps(void)).status_code == 200
    assert "分数的意义" not in client_for("student").get("/records/").content.decode()


def test_the_admin_pages_mask_learners_and_filter(region, records):
    admin = client_for("admin")
    home = admin.get("/lrs/")
    assert home.status_code == 200 and "学习应用甲" in home.content.decode()
    page = admin.get("/lrs/statements/")
    text = page.content.decode()
    assert page.status_code == 200 and "学***" in text and "学生s1" not in text  # masked
    student = region.accounts["student"]
    only = admin.get(f"/lrs/statements/?learner={student.pk}").content.decode()
    assert "分数的意义" in only and "古诗两首" not in only
    by_verb = admin.get("/lrs/statements/?verb=http://adlnet.gov/expapi/verbs/voided").content.decode()
    assert "没有符合条件的学习记录" in by_verb
    for username in ("teacher", "student", "parent", "nobody"):
        assert client_for(username).get("/lrs/").status_code in (403, 404)


def test_credentials_are_issued_once_and_revoked_with_audit(region, lrs):
    admin = client_for("admin")
    app = RegisteredApp.objects.get(application__name="学习应用甲")
    shown = admin.post(f"/lrs/apps/{app.pk}/credentials/")
    assert shown.status_code == 200 and "密钥只显示这一次" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert "密钥只显示这一次" not in admin.get("/lrs/").content.decode()  # once
    new = Credential.objects.filter(app=app).order_by("-pk").first()
    assert admin.post(f"/lrs/credentials/{new.pk}/revoke/").status_code == 302
    new.refresh_from_db()
    assert not new.is_active
    assert AuditEvent.objects.filter(action="xapi.credential_issue").count() == 1
    assert AuditEvent.objects.filter(action="xapi.credential_revoke").count() == 1
    assert client_for("teacher").post(f"/lrs/apps/{app.pk}/credentials/").status_code == 403


def test_lawful_deletion_leaves_a_tombstone_and_the_statements_are_gone_everywhere(region, records, lrs):
    ids, _ = records
    student = region.accounts["student"]
    with pytest.raises(ZhijiaoError) as refused:
        operate.learner_erase(actor=region.accounts["admin"], account_id=student.pk, reason="", origin=WEB)
    assert refused.value.field == "删除依据"
    with pytest.raises(ZhijiaoError):
        operate.learner_erase(actor=region.accounts["teacher"], account_id=student.pk, reason="申请第1号", origin=WEB)
    assert Statement.objects.filter(learner=student).count() == 1

    admin = client_for("admin")
    res = admin.post(f"/lrs/learners/{student.pk}/erase/", {"reason": "个人信息删除申请第 2026-031 号"})
    assert res.status_code == 302
    assert not Statement.objects.filter(learner=student).exists()
    tomb = Erasure.objects.get()
    assert tomb.count == 1 and tomb.statement_ids == [ids["s1"]] and tomb.learner_label == "学***"
    event = AuditEvent.objects.get(action="xapi.learner_erase")
    assert "学生s1" not in event.target_label
    assert lrs.get("statements", {"statementId": ids["s1"]}).status_code == 404
    assert lrs.get("statements", {"voidedStatementId": ids["s1"]}).status_code == 404
    assert "分数的意义" not in client_for("student").get("/records/").content.decode()
    assert Statement.objects.filter(statement_id=ids["s3"]).exists()  # other learners untouched


def test_admin_export_is_an_audited_download(region, records):
    student = region.accounts["student"]
    res = client_for("admin").get(f"/lrs/learners/{student.pk}/export/")
    assert res.status_code == 200 and res["Content-Disposition"].startswith("attachment;")
    assert res["Content-Type"].startswith("application/json")
    assert len(json.loads(res.content)) == 1
    assert AuditEvent.objects.filter(action="xapi.learner_export").count() == 1


def test_retention_removes_old_statements_of_that_app_only(region, records, other_lrs):
    ids, _ = records
    other = _write(other_lrs, region.accounts["student"], name="另一个应用")
    app = RegisteredApp.objects.get(application__name="学习应用甲")
    admin = client_for("admin")
    bad = admin.post(f"/lrs/apps/{app.pk}/retention/", {"months": "两年"}, follow=True)
    assert "保留月数" in bad.content.decode()
    assert admin.post(f"/lrs/apps/{app.pk}/retention/", {"months": "6"}).status_code == 302
    Statement.objects.update(stored=timezone.now() - timedelta(days=200))
    out = StringIO()
    call_command("xapi", "retention", stdout=out)
    assert "删除 2 条" in out.getvalue()
    assert set(Statement.objects.values_list("statement_id", flat=True).iterator()) == {__import__("uuid").UUID(other)}
    assert AuditEvent.objects.filter(action="xapi.retention_apply").count() == 1
    assert AuditEvent.objects.filter(action="xapi.retention_set").count() == 1
    assert ids


def test_the_system_administrator_runs_the_apps_but_reads_no_statements(region, records):
    """三员分立: the 系统管理员 issues credentials and sets retention (the home page), but browsing, exporting and
    erasing a learner's statements are the platform administrator's (personal data)."""
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.org.models import Division
    from zhijiao.testing import PASSWORD

    sysadmin = account_create(username="sysadmin-x", password=PASSWORD)
    role_grant(account=sysadmin, role="system_admin", division=Division.objects.get(pk="420112"))
    client = client_for("sysadmin-x")
    home = client.get("/lrs/")
    assert home.status_code == 200 and "学习应用甲" in home.content.decode()
    assert "浏览学习记录" not in home.content.decode()
    student = region.accounts["student"]
    assert client.get("/lrs/statements/").status_code == 403
    assert client.get(f"/lrs/learners/{student.pk}/export/").status_code == 403
    erase = client.post(f"/lrs/learners/{student.pk}/erase/", {"reason": "家长依法申请删除"})
    assert erase.status_code == 403
    assert Statement.objects.filter(learner=student).exists()
