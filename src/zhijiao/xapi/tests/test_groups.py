"""Group actors: a Group's members that are platform accounts are mapped (StatementMember), so a group's statements
show where each member's statements are read, fall under the minors' consent rule, and go with a lawful deletion;
``agent`` queries keep the spec's matching (members only with ``related_agents``). And the write path's rows."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhijiao.audit.services import Origin
from zhijiao.org.models import Division
from zhijiao.privacy.services import consent_grant, consent_policy_set, consent_withdraw
from zhijiao.xapi import operate, records
from zhijiao.xapi.learners import actor_for
from zhijiao.xapi.models import Activity, Statement, StatementLink, StatementMember
from zhijiao.xapi.tests.conftest import statement
from zhijiao.xapi.tests.test_pages import client_for

WEB = Origin(channel="web", ip="10.0.0.1")
OUTSIDER = {"objectType": "Agent", "mbox": "mailto:visitor@example.com"}


def _group(*members, identified: bool = True) -> dict:
    group = {"objectType": "Group", "name": "第三学习小组", "member": list(members)}
    if identified:
        group["mbox"] = "mailto:group-3@example.com"
    return group


def _post(lrs, body) -> str:
    res = lrs.send("POST", "statements", json.dumps(body))
    assert res.status_code == 200, res.content
    return res.json()[0]


def test_a_groups_statement_is_mapped_to_its_members_and_read_on_their_records(region, lrs):
    student = region.accounts["student"]
    sid = _post(
        lrs,
        statement(
            actor=_group(actor_for(student), OUTSIDER),
            object={"id": "http://example.com/act/group-poem", "definition": {"name": {"zh-CN": "小组朗读古诗"}}},
        ),
    )
    row = Statement.objects.get(statement_id=sid)
    assert row.learner_id is None  # the actor is the group, not one account
    assert list(StatementMember.objects.values_list("statement_id", "learner_id", "role")) == [
        (row.pk, student.pk, "actor")
    ]
    page = client_for("student").get("/records/")
    assert page.status_code == 200 and "小组朗读古诗" in page.content.decode()
    export = client_for("student").get("/records/export/")
    assert sid in export.content.decode()
    # the teacher of the pupil's class counts it for the pupil
    pupils = records.class_pupils(actor=region.accounts["teacher"], class_id=region.classes["A1"].pk)
    counted = {p.pk: n for p, n, _latest in pupils}
    assert counted[region.students["s1"].pk] == 1


def test_anonymous_groups_as_object_and_team_map_their_members_once(region, lrs):
    student, parent = region.accounts["student"], region.accounts["parent"]
    sid = _post(
        lrs,
        statement(
            actor=actor_for(parent),
            verb={"id": "http://adlnet.gov/expapi/verbs/mentored", "display": {"zh-CN": "辅导"}},
            object=_group(actor_for(student), identified=False),
            context={"team": _group(actor_for(student), actor_for(parent), identified=False)},
        ),
    )
    row = Statement.objects.get(statement_id=sid)
    assert row.learner_id == parent.pk
    members = set(StatementMember.objects.filter(statement=row).values_list("learner_id", "role"))
    assert members == {(student.pk, "object"), (parent.pk, "context")}  # each account once, its first role


def test_agent_queries_match_members_only_with_related_agents(region, lrs):
    student = region.accounts["student"]
    group = _group(actor_for(student), OUTSIDER)
    sid = _post(lrs, statement(actor=group))
    own = _post(lrs, statement(actor=actor_for(student)))

    def ids(agent, **params):
        res = lrs.get("statements", {"agent": json.dumps(agent), **params})
        assert res.status_code == 200, res.content
        return {s["id"] for s in res.json()["statements"]}

    assert ids(actor_for(student)) == {own}  # a member is not the actor (xAPI: Agents equal by their IFI)
    assert ids(actor_for(student), related_agents="true") == {own, sid}
    assert ids(OUTSIDER, related_agents="true") == {sid}
    assert ids({"objectType": "Group", "mbox": group["mbox"]}) == {sid}  # an identified group by its own IFI


@pytest.fixture
def policy_on(region):
    return consent_policy_set(actor=None, division=Division.objects.get(pk="4201"), require_app_consent=True)


def test_a_group_naming_an_under_14_needs_the_guardians_consent(region, policy_on, lrs):
    from zhijiao.oidc.models import RegisteredApp

    student = region.accounts["student"]  # under 14
    body = statement(actor=_group(actor_for(student), OUTSIDER))
    res = lrs.send("POST", "statements", json.dumps(body))
    assert res.status_code == 403 and res.json()["error"] == "XAPI_CONSENT"
    assert not Statement.objects.exists()

    app = RegisteredApp.objects.get(application__name="学习应用甲")
    consent = consent_grant(actor=region.accounts["parent"], student=region.students["s1"], app=app, origin=WEB)
    sid = _post(lrs, body)
    assert lrs.get("statements", {"statementId": sid}).status_code == 200
    consent_withdraw(actor=region.accounts["parent"], consent_id=consent.pk, origin=WEB)
    assert lrs.get("statements", {"statementId": sid}).status_code == 403
    listed = lrs.get("statements")
    assert listed.status_code == 200 and listed.json()["statements"] == []


def test_a_members_lawful_deletion_removes_the_groups_statements(region, lrs):
    student = region.accounts["student"]
    group_sid = _post(lrs, statement(actor=_group(actor_for(student), OUTSIDER)))
    other = _post(lrs, statement(actor=OUTSIDER))
    erasure = operate.learner_erase(
        actor=region.accounts["admin"], account_id=student.pk, reason="个人信息删除申请第 7 号", origin=WEB
    )
    assert erasure.statement_ids == [group_sid]
    assert not StatementMember.objects.exists()
    assert list(Statement.objects.values_list("statement_id", flat=True)) == [uuid.UUID(other)]


def test_one_statement_is_stored_in_a_few_plain_queries_with_the_rows_the_orm_reads(db, lrs):
    body = statement(
        id=str(uuid.uuid4()),
        context={
            "registration": str(uuid.uuid4()),
            "contextActivities": {"parent": [{"id": "http://example.com/act/lesson"}]},
        },
    )
    _post(lrs, statement())  # the credential's app, compiled queries, the activity seen once
    with CaptureQueriesContext(connection) as captured:
        _post(lrs, body)
    sqls = [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    # credential, already stored / voided before, the statement, its links, activities read, one new activity
    assert len(sqls) == 6, sqls
    row = Statement.objects.get(statement_id=body["id"])
    assert str(row.registration) == body["context"]["registration"]
    assert row.actor_ifi == "mbox:mailto:pupil@example.com" and row.activity_id == body["object"]["id"]
    assert row.data["id"] == body["id"]
    assert row.stored.isoformat().replace("+00:00", "Z")[:19] == row.data["stored"][:19]
    assert not row.voided and not row.is_voiding
    links = set(StatementLink.objects.filter(statement=row).values_list("kind", "value", "direct"))
    assert ("activity", "http://example.com/act/lesson", False) in links
    assert Activity.objects.get(activity_id="http://example.com/act/lesson").data == {
        "objectType": "Activity",
        "id": "http://example.com/act/lesson",
    }
    # the same statement again: nothing new; other content under its id: 409
    assert lrs.send("POST", "statements", json.dumps(body)).status_code == 200
    assert Statement.objects.filter(statement_id=body["id"]).count() == 1
    changed = {**body, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    assert lrs.send("POST", "statements", json.dumps(changed)).status_code == 409
