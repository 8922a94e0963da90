"""The LRS over HTTP (Django test client): statements, voiding, app isolation, documents and their ETags,
attachments, versions and credentials."""

from __future__ import annotations

import hashlib
import json
import uuid

from zhijiao.xapi.http import multipart_build, multipart_parse
from zhijiao.xapi.tests.conftest import Lrs, statement


def _post(lrs: Lrs, *items: dict) -> list[str]:
    response = lrs.send("POST", "statements", json.dumps(list(items)))
    assert response.status_code == 200, response.content
    return response.json()


def test_about_needs_no_credentials_nor_version(client) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"] == ["1.0.3", "2.0.0"]


def test_version_header_is_required_and_negotiated(lrs: Lrs) -> None:
    response = lrs.client.get("/xapi/statements", HTTP_AUTHORIZATION=lrs.headers()["HTTP_AUTHORIZATION"])
    assert response.status_code == 400
    assert response["X-Experience-API-Version"] == "2.0.0"  # the credential's version
    assert lrs.get("statements", HTTP_X_EXPERIENCE_API_VERSION="1.1.0").status_code == 400
    assert lrs.get("statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.1")["X-Experience-API-Version"] == "1.0.3"
    assert lrs.get("statements", HTTP_X_EXPERIENCE_API_VERSION="2.0")["X-Experience-API-Version"] == "2.0.0"


def test_credentials_are_required(lrs: Lrs, client) -> None:
    assert client.get("/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="2.0.0").status_code == 401
    wrong = Lrs(client=client, key=lrs.key, secret="not-the-secret")
    assert wrong.get("statements").status_code == 401


def test_post_get_and_put_a_statement(lrs: Lrs) -> None:
    [sid] = _post(lrs, statement())
    response = lrs.get("statements", {"statementId": sid})
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == sid and data["verb"]["display"] == {"zh-CN": "完成"}
    assert data["authority"]["account"]["homePage"] == "urn:zhijiao:apps"
    assert {"stored", "timestamp", "version"} <= set(data)
    assert "X-Experience-API-Consistent-Through" in response

    put_id = str(uuid.uuid4())
    assert lrs.send("PUT", f"statements?statementId={put_id}", json.dumps(statement())).status_code == 204
    # statements are immutable: the same statement again is fine, another one under the id is a conflict
    assert lrs.send("PUT", f"statements?statementId={put_id}", json.dumps(statement())).status_code == 204
    changed = statement(result={"success": True})
    assert lrs.send("PUT", f"statements?statementId={put_id}", json.dumps(changed)).status_code == 409

    listed = lrs.get("statements", {"verb": "http://adlnet.gov/expapi/verbs/completed"}).json()
    assert {s["id"] for s in listed["statements"]} == {sid, put_id}
    assert listed["more"] == ""


def test_invalid_statements_are_refused(lrs: Lrs) -> None:
    bad = statement()
    bad["actor"] = {"mbox": "pupil@example.com"}  # not a mailto: IRI
    assert lrs.send("POST", "statements", json.dumps(bad)).status_code == 400
    assert lrs.send("POST", "statements", json.dumps(statement(extra=1))).status_code == 400
    duplicate_key = '{"actor": {"mbox": "mailto:a@b.c"}, "actor": {"mbox": "mailto:a@b.c"}}'
    assert lrs.send("POST", "statements", duplicate_key).status_code == 400


def test_paging_with_more(lrs: Lrs) -> None:
    _post(lrs, *[statement() for _ in range(3)])
    first = lrs.get("statements", {"limit": 2}).json()
    assert len(first["statements"]) == 2 and first["more"].startswith("/xapi/statements?more=")
    second = lrs.client.get(first["more"], **lrs.headers()).json()
    assert len(second["statements"]) == 1 and second["more"] == ""


def test_voiding(lrs: Lrs) -> None:
    [target] = _post(lrs, statement())
    voiding = {
        "actor": {"mbox": "mailto:teacher@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": target},
    }
    [void_id] = _post(lrs, voiding)
    assert lrs.get("statements", {"statementId": target}).status_code == 404
    assert lrs.get("statements", {"voidedStatementId": target}).json()["id"] == target
    ids = [s["id"] for s in lrs.get("statements").json()["statements"]]
    assert target not in ids and void_id in ids
    # a voiding statement must target a statement
    wrong = dict(voiding, object={"id": "http://example.com/a"})
    assert lrs.send("POST", "statements", json.dumps(wrong)).status_code == 400


def test_an_app_cannot_read_another_apps_statements(lrs: Lrs, other_lrs: Lrs) -> None:
    [sid] = _post(lrs, statement())
    assert other_lrs.get("statements", {"statementId": sid}).status_code == 404
    assert other_lrs.get("statements").json()["statements"] == []
    agent = json.dumps({"mbox": "mailto:pupil@example.com"})
    assert other_lrs.get("statements", {"agent": agent}).json()["statements"] == []
    # nor void them
    voiding = {
        "actor": {"mbox": "mailto:x@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": sid},
    }
    _post(other_lrs, voiding)
    assert lrs.get("statements", {"statementId": sid}).status_code == 200
    # nor read its documents
    params = "activityId=http://example.com/a&profileId=p"
    assert lrs.send("PUT", f"activities/profile?{params}", "{}", HTTP_IF_NONE_MATCH="*").status_code == 204
    assert other_lrs.get(f"activities/profile?{params}").status_code == 404


def test_document_concurrency(lrs: Lrs) -> None:
    url = "activities/profile?activityId=http://example.com/a&profileId=settings"
    # a profile PUT names its precondition
    assert lrs.send("PUT", url, '{"a": 1}').status_code == 400
    assert lrs.send("PUT", url, '{"a": 1}', HTTP_IF_NONE_MATCH="*").status_code == 204
    got = lrs.get(url)
    etag = got["ETag"]
    assert etag == '"' + hashlib.sha1(b'{"a": 1}', usedforsecurity=False).hexdigest() + '"'
    assert lrs.send("PUT", url, '{"a": 2}', HTTP_IF_NONE_MATCH="*").status_code == 412
    assert lrs.send("PUT", url, '{"a": 2}').status_code == 409
    assert lrs.send("PUT", url, '{"a": 2}', HTTP_IF_MATCH='"0000"').status_code == 412
    assert lrs.send("PUT", url, '{"a": 2}', HTTP_IF_MATCH=etag).status_code == 204
    assert lrs.get(url).json() == {"a": 2}
    # POST merges JSON objects
    assert lrs.send("POST", url, '{"b": 3}').status_code == 204
    assert lrs.get(url).json() == {"a": 2, "b": 3}
    assert lrs.send("DELETE", url, "").status_code == 204
    assert lrs.get(url).status_code == 404


def test_state_documents(lrs: Lrs) -> None:
    agent = json.dumps({"mbox": "mailto:pupil@example.com"})
    base = f"activities/state?activityId=http://example.com/a&agent={agent}"
    assert lrs.send("PUT", f"{base}&stateId=s1", "hello", content_type="text/plain").status_code == 204
    assert lrs.send("PUT", f"{base}&stateId=s2", '{"x": 1}').status_code == 204
    assert sorted(lrs.get(base).json()) == ["s1", "s2"]
    assert lrs.get(f"{base}&stateId=s1").content == b"hello"
    # merging into a document that is not JSON is refused
    assert lrs.send("POST", f"{base}&stateId=s1", '{"y": 2}').status_code == 400
    assert lrs.send("DELETE", base, "").status_code == 204
    assert lrs.get(base).json() == []


def test_attachments_round_trip(lrs: Lrs) -> None:
    content = "学习笔记".encode()
    sha2 = hashlib.sha256(content).hexdigest()
    item = statement(
        attachments=[
            {
                "usageType": "http://example.com/attachment/notes",
                "display": {"zh-CN": "笔记"},
                "contentType": "text/plain; charset=utf-8",
                "length": len(content),
                "sha2": sha2,
            }
        ]
    )
    body, boundary = multipart_build(json.dumps(item).encode(), [(sha2, "text/plain; charset=utf-8", content)])
    response = lrs.send("POST", "statements", body, content_type=f"multipart/mixed; boundary={boundary}")
    assert response.status_code == 200, response.content
    [sid] = response.json()
    got = lrs.get("statements", {"statementId": sid, "attachments": "true"})
    assert got["Content-Type"].startswith("multipart/mixed")
    parts = multipart_parse(got["Content-Type"], got.content)
    assert json.loads(parts[0].body)["id"] == sid
    assert parts[1].body == content and parts[1].headers["x-experience-api-hash"] == sha2
    # an attachment without its data (and no fileUrl) is refused
    assert lrs.send("POST", "statements", json.dumps(item)).status_code == 400


def test_alternate_request_syntax_is_1_0_3_only(lrs: Lrs) -> None:
    from urllib.parse import urlencode

    form = urlencode(
        {
            "Authorization": lrs.headers()["HTTP_AUTHORIZATION"],
            "X-Experience-API-Version": "1.0.3",
            "verb": "http://adlnet.gov/expapi/verbs/completed",
        }
    )
    response = lrs.client.post(
        "/xapi/statements?method=GET", data=form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "statements" in response.json()
    form2 = form.replace("1.0.3", "2.0.0")
    response = lrs.client.post(
        "/xapi/statements?method=GET", data=form2, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_forged_more_token_is_refused_or_scoped(lrs: Lrs, other_lrs: Lrs) -> None:
    import base64

    _post(lrs, statement(), statement())
    first = lrs.get("statements", {"limit": 1}).json()
    # another app following the first app's token sees only its own statements
    assert other_lrs.client.get(first["more"], **other_lrs.headers()).json()["statements"] == []
    forged = base64.urlsafe_b64encode(b'{"q": {"since": "yesterday"}, "limit": 5, "offset": 0, "format": "exact"}')
    assert lrs.get("statements", {"more": forged.decode()}).status_code == 400
    assert lrs.get("statements", {"more": "not-base64!"}).status_code == 400


def _signed(item: dict, alg: str) -> tuple[bytes, str]:
    from jwcrypto import jwk, jws

    key = jwk.JWK.generate(kty="RSA", size=2048) if alg.startswith("RS") else jwk.JWK.generate(kty="oct", size=256)
    token = jws.JWS(json.dumps(item).encode())
    token.add_signature(key, alg=alg, protected=json.dumps({"alg": alg}))
    signature = token.serialize(compact=True).encode()
    sha2 = hashlib.sha256(signature).hexdigest()
    signed = dict(item)
    signed["attachments"] = [
        {
            "usageType": "http://adlnet.gov/expapi/attachments/signature",
            "display": {"zh-CN": "签名"},
            "contentType": "application/octet-stream",
            "length": len(signature),
            "sha2": sha2,
        }
    ]
    return multipart_build(json.dumps(signed).encode(), [(sha2, "application/octet-stream", signature)])


def test_signed_statements(lrs: Lrs) -> None:
    item = statement(id=str(uuid.uuid4()))
    body, boundary = _signed(item, "RS256")
    response = lrs.send("POST", "statements", body, content_type=f"multipart/mixed; boundary={boundary}")
    assert response.status_code == 200, response.content
    body, boundary = _signed(statement(id=str(uuid.uuid4())), "HS256")  # only RS256/384/512
    response = lrs.send("POST", "statements", body, content_type=f"multipart/mixed; boundary={boundary}")
    assert response.status_code == 400
