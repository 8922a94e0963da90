"""The exchange API end to end: push through the intake pipeline, pull the change feed, scopes and rate limits."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches

from zhijiao.core.feed import feed_position
from zhijiao.identity.models import ApiToken
from zhijiao.identity.services import api_token_create
from zhijiao.intake.models import ImportBatch
from zhijiao.intake.spec import SPECS
from zhijiao.people.models import Guardianship, Student
from zhijiao.testing import login_as, make_id

pytestmark = pytest.mark.django_db
PUSH = "/api/v1/exchange/students/records"
PULL = "/api/v1/exchange/changes"
H = {f.key: f.header for f in SPECS["students"].fields}


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    caches["default"].clear()
    yield
    caches["default"].clear()


def student(name: str, born: date, seq: int, *, school="3420112001", grade="三年级", klass="1", **extra) -> dict:
    """A pushed student record keyed by field keys, as a client program would send it."""
    number = make_id("420112", born, seq, "1")
    record = {
        "name": name,
        "sex": "男",
        "birth_date": born.isoformat(),
        "ethnicity": "汉族",
        "id_number": number,
        "student_no": f"G{number}",
        "school_code": school,
        "grade": grade,
        "class_no": klass,
        "enrolled_on": "2024-09",
        "guardian_name": f"{name[0]}爸爸",
        "guardian_relation": "父亲",
        "guardian_phone": "13900001234",
    }
    record.update(extra)
    return record


def bad_checksum(record: dict) -> dict:
    number = record["id_number"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    return {**record, "id_number": wrong, "student_no": f"G{wrong}"}


def token(region, username: str, *scopes: str) -> dict:
    _, raw = api_token_create(account=region.accounts[username], name="测试接入", scopes=scopes or None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def push(client, auth: dict, records: list[dict], kind: str = "students"):
    return client.post(
        f"/api/v1/exchange/{kind}/records", {"records": records}, content_type="application/json", **auth
    )


def three_records() -> list[dict]:
    """Two good students and, in the middle, one whose ID number has a wrong check digit (in Chinese headers)."""
    wang = student("王小明", date(2018, 3, 5), 61)
    li = {H[k]: v for k, v in bad_checksum(student("李小红", date(2018, 5, 6), 62)).items()}
    zhao = student("赵小刚", date(2018, 7, 7), 63, klass="2")
    return [wang, li, zhao]


# ------------------------------------------------------------------------------------------- round trip
def test_push_pull_round_trip(client, region):
    auth = token(region, "bureau", "exchange:push", "exchange:pull")
    cursor = feed_position()

    response = push(client, auth, three_records())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == {"rows_in": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [r["status"] for r in body["results"]] == ["created", "rejected", "created"]
    assert [r["index"] for r in body["results"]] == [0, 1, 2]
    rejected = body["results"][1]
    assert "CORE_ID_CHECKSUM" in {e["code"] for e in rejected["errors"]}
    assert {e["field"] for e in rejected["errors"] if e["code"] == "CORE_ID_CHECKSUM"} == {"身份证件号"}
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert (batch.channel, batch.actor, batch.created, batch.rejected) == ("api", region.accounts["bureau"], 2, 1)

    wang = Student.objects.get(person__name="王小明")
    zhao = Student.objects.get(person__name="赵小刚")
    assert (wang.school_class, zhao.school_class) == (region.classes["A1"], region.classes["A2"])
    links = {g.student_id: g for g in Guardianship.objects.filter(student__in=[wang, zhao])}
    assert set(links) == {wang.pk, zhao.pk}

    # the feed since the cursor holds exactly the two new students and the guardianships the push created
    feed = client.get(PULL, {"cursor": cursor}, **auth).json()
    assert {(i["kind"], i["id"]) for i in feed["items"]} == {
        ("students", wang.pk),
        ("students", zhao.pk),
        ("guardianships", links[wang.pk].pk),
        ("guardianships", links[zhao.pk].pk),
    }
    seqs = [i["seq"] for i in feed["items"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert (feed["next_cursor"], feed["has_more"]) == (seqs[-1], False)
    row = next(i["data"] for i in feed["items"] if i["id"] == wang.pk and i["kind"] == "students")
    number = wang.person.id_number
    assert row["name"] == "王小明" and row["class_id"] == region.classes["A1"].pk and row["school_id"] == wang.school_id
    assert row["id_number"] == f"{number[:4]}**********{number[-4:]}"  # masked as in the registry list
    assert row["student_no"] == f"G{number[:4]}**********{number[-4:]}"
    guardian = next(
        i["data"] for i in feed["items"] if i["kind"] == "guardianships" and i["data"]["student_id"] == wang.pk
    )
    assert guardian == {
        "id": links[wang.pk].pk,
        "student_id": wang.pk,
        "name": "王爸爸",
        "relation": "父亲",
        "is_legal_guardian": True,
        "is_primary_contact": True,
        "phone": "139****1234",
    }

    # the same push again changes nothing, and the feed stays where it was
    again = push(client, auth, three_records()).json()
    assert [r["status"] for r in again["results"]] == ["unchanged", "rejected", "unchanged"]
    assert again["summary"] == {"rows_in": 3, "created": 0, "updated": 0, "unchanged": 2, "rejected": 1}
    quiet = client.get(PULL, {"cursor": feed["next_cursor"]}, **auth).json()
    assert quiet == {"items": [], "next_cursor": feed["next_cursor"], "has_more": False}


def test_updates_are_attributed_per_record(client, region):
    auth = token(region, "bureau", "exchange:push", "exchange:pull")
    wang, _, zhao = three_records()
    push(client, auth, [wang, zhao])
    cursor = feed_position()

    moved = {**wang, "class_no": "2"}  # a field change: ChangeRecord rows with the row's source
    new_guardian = {**zhao, "guardian_name": "赵妈妈", "guardian_relation": "母亲", "guardian_phone": "13700007777"}
    same = student("孙小美", date(2018, 9, 9), 64)
    body = push(client, auth, [same, moved, new_guardian]).json()
    assert [r["status"] for r in body["results"]] == ["created", "updated", "updated"]
    assert body["summary"] == {"rows_in": 3, "created": 1, "updated": 2, "unchanged": 0, "rejected": 0}
    assert Student.objects.get(person__name="王小明").school_class == region.classes["A2"]

    feed = client.get(PULL, {"cursor": cursor, "kinds": "students"}, **auth).json()
    assert [i["data"]["name"] for i in feed["items"]] == ["孙小美", "王小明", "赵小刚"]


def test_records_the_pipeline_cannot_place_are_rejected_by_the_api(client, region):
    auth = token(region, "bureau", "exchange:push")
    good = student("周小龙", date(2018, 4, 4), 65)
    body = push(
        client,
        auth,
        [
            {"": None, "name": " "},  # nothing to import
            {**good, "备注": "转自外省"},  # an unknown field: imported, with a warning
            {**student("吴小燕", date(2018, 2, 2), 66), "姓名": "吴晓燕"},  # one field under two names, two values
            {"name": "钱小多"},  # required fields missing: the pipeline's own row error
        ],
    ).json()
    assert [r["status"] for r in body["results"]] == ["rejected", "created", "rejected", "rejected"]
    assert body["results"][0]["errors"][0]["code"] == "INTAKE_EXCHANGE_RECORD_EMPTY"
    assert body["results"][1]["warnings"] == [
        {"code": "INTAKE_EXCHANGE_FIELD_UNKNOWN", "field": "备注", "message": "备注：不是该数据类型的字段，已忽略"}
    ]
    assert body["results"][2]["errors"][0]["code"] == "INTAKE_EXCHANGE_FIELD_CONFLICT"
    assert "INTAKE_REQUIRED" in {e["code"] for e in body["results"][3]["errors"]}
    assert body["summary"] == {"rows_in": 4, "created": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    assert ImportBatch.objects.get(pk=body["batch"]).rows_in == 2  # only what reached the pipeline


def test_request_level_errors(client, region):
    auth = token(region, "bureau", "exchange:push", "exchange:pull")
    assert push(client, auth, []).json()["code"] == "INTAKE_EXCHANGE_NO_RECORDS"
    unknown = push(client, auth, [{"name": "x"}], kind="pets")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "INTAKE_KIND_UNKNOWN")
    too_many = push(client, auth, [{"name": "x"}] * 5001)
    assert (too_many.status_code, too_many.json()["code"]) == (413, "INTAKE_EXCHANGE_TOO_MANY")
    assert client.get(PULL, {"kinds": "students,pets"}, **auth).json()["code"] == "INTAKE_EXCHANGE_KINDS_UNKNOWN"
    assert client.get(PULL, {"limit": 0}, **auth).status_code == 400
    assert client.get(PULL, {"cursor": -1}, **auth).status_code == 400
    assert not ImportBatch.objects.exists()


def test_pull_pages_with_limit_and_cursor(client, region):
    auth = token(region, "bureau", "exchange:push", "exchange:pull")
    cursor = feed_position()
    push(client, auth, [r for r in three_records() if "name" in r])  # 2 students + 2 guardianships
    seen, pages = [], 0
    while True:
        page = client.get(PULL, {"cursor": cursor, "limit": 3}, **auth).json()
        pages += 1
        seen += [i["seq"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == 2 and len(seen) == 4 and seen == sorted(set(seen))


# ------------------------------------------------------------------------------------------- scopes
def test_token_without_the_scope_is_refused(client, region):
    registry_only = token(region, "bureau")  # default scope: registry:read
    response = push(client, registry_only, three_records())
    assert response.status_code == 403
    assert response.json()["code"] == "IDENTITY_SCOPE_MISSING"
    assert "exchange:push" in response.json()["message"]
    assert client.get(PULL, **registry_only).status_code == 403
    assert not Student.objects.filter(person__name="王小明").exists()

    push_only = token(region, "bureau", "exchange:push")
    assert client.get(PULL, **push_only).json()["code"] == "IDENTITY_SCOPE_MISSING"
    refused = client.get("/api/v1/students", **push_only)  # registry reads need registry:read
    assert (refused.status_code, refused.json()["code"]) == (403, "IDENTITY_SCOPE_MISSING")
    assert client.get("/api/v1/students", **registry_only).status_code == 200


def test_tokens_from_before_scopes_read_the_registry_only(client, region):
    headers = token(region, "bureau")
    ApiToken.objects.update(scopes=[])
    assert client.get("/api/v1/schools", **headers).status_code == 200
    assert client.get(PULL, **headers).status_code == 403


def test_sessions_need_to_manage_data(client, region):
    login_as(client, region.accounts["teacher"])
    response = push(client, {}, three_records())
    assert (response.status_code, response.json()["code"]) == (403, "IDENTITY_SCOPE_MISSING")
    assert client.get(PULL).status_code == 403
    login_as(client, region.accounts["principal"])
    assert push(client, {}, three_records()).json()["summary"]["created"] == 2
    assert client.get(PULL).status_code == 200


def test_a_token_for_an_account_that_manages_nothing_cannot_push(client, region):
    auth = token(region, "teacher", "exchange:push")
    response = push(client, auth, three_records())
    assert (response.status_code, response.json()["code"]) == (403, "CORE_FORBIDDEN")


def test_school_admin_pulls_and_pushes_only_their_school(client, region):
    bureau = token(region, "bureau", "exchange:push", "exchange:pull")
    in_a = student("钱小一", date(2018, 3, 3), 71)
    in_b = student("钱小二", date(2019, 3, 3), 72, school="3420112002", grade="二年级")
    assert [r["status"] for r in push(client, bureau, [in_a, in_b]).json()["results"]] == ["created", "created"]
    city = token(region, "city", "exchange:push")
    in_c = student("钱小三", date(2019, 4, 4), 73, school="3420102001", grade="二年级")
    assert push(client, city, [in_c]).json()["summary"]["created"] == 1

    principal = token(region, "principal", "exchange:push", "exchange:pull")
    items = client.get(PULL, **principal).json()["items"]
    a = Student.objects.get(person__name="钱小一")
    school_a = region.schools["A"]
    assert {(i["kind"], i["id"]) for i in items} == {
        ("schools", school_a.pk),
        *[("classes", region.classes[k].pk) for k in ("A1", "A2")],
        *[("students", s.pk) for s in (region.students["s1"], region.students["s2"], region.students["s3"], a)],
        *[("staff", region.staff[k].pk) for k in ("teacher", "head", "principal")],
        *[("guardianships", g.pk) for g in Guardianship.objects.filter(student__school=school_a)],
    }
    assert Guardianship.objects.filter(student__school=school_a).count() == 2  # s1's mother, 钱小一's father

    bureau_view = {(i["kind"], i["data"].get("name")) for i in client.get(PULL, **bureau).json()["items"]}
    students = {n for k, n in bureau_view if k == "students"}
    assert students == {"学生s1", "学生s2", "学生s3", "学生s4", "钱小一", "钱小二"}  # not s5 or 钱小三: 江岸区

    into_b = push(client, principal, [student("钱小四", date(2019, 5, 5), 74, school="3420112002", grade="二年级")])
    result = into_b.json()["results"][0]
    assert result["status"] == "rejected"
    assert "INTAKE_SCHOOL_OUT_OF_SCOPE" in {e["code"] for e in result["errors"]}


# ------------------------------------------------------------------------------------------- rate limit
def test_rate_limit_returns_429_with_retry_after(client, region, settings):
    settings.ZHIJIAO_EXCHANGE_RATE = 3
    auth = token(region, "bureau", "exchange:pull")
    other = token(region, "admin", "exchange:pull")
    assert [client.get(PULL, **auth).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(PULL, **auth)
    assert refused.status_code == 429
    assert refused.json()["code"] == "INTAKE_RATE_LIMITED"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert client.get(PULL, **other).status_code == 200  # counted per token


def test_rate_limit_window_resets(monkeypatch):
    from zhijiao.config.settings import _env_positive_int
    from zhijiao.intake.ratelimit import RateLimited, rate_limit_hit

    for n in (1, 2):
        assert rate_limit_hit(bucket="t", client="c", limit=2, now=120.0) == n
    with pytest.raises(RateLimited) as exc:
        rate_limit_hit(bucket="t", client="c", limit=2, now=150.5)
    assert exc.value.retry_after == 30  # the window 120–180 ends in 29.5 s
    assert rate_limit_hit(bucket="t", client="c", limit=2, now=180.0) == 1
    monkeypatch.setenv("ZHIJIAO_EXCHANGE_RATE", "lots")
    assert _env_positive_int("ZHIJIAO_EXCHANGE_RATE", 120) == 120
    monkeypatch.setenv("ZHIJIAO_EXCHANGE_RATE", "30")
    assert _env_positive_int("ZHIJIAO_EXCHANGE_RATE", 120) == 30


# ------------------------------------------------------------------------------------------- openapi
def test_openapi_documents_both_endpoints(client, region):
    schema = client.get("/api/v1/openapi.json").json()
    push_op = schema["paths"]["/api/v1/exchange/{kind}/records"]["post"]
    pull_op = schema["paths"]["/api/v1/exchange/changes"]["get"]
    assert push_op["summary"].startswith("推送记录") and pull_op["summary"].startswith("拉取变更")
    body = push_op["requestBody"]["content"]["application/json"]
    assert "schema" in body and body["example"]["records"]
    assert push_op["responses"]["200"]["content"]["application/json"]["example"]["summary"]["created"] == 1
    assert pull_op["responses"]["200"]["content"]["application/json"]["example"]["items"]
    assert pull_op["responses"]["429"]["content"]["application/json"]["example"]["code"] == "INTAKE_RATE_LIMITED"


def test_pull_query_count_does_not_grow_with_the_page(client, region, django_assert_max_num_queries):
    auth = token(region, "bureau", "exchange:push", "exchange:pull")
    push(client, auth, [student(f"孙{'甲乙丙丁戊己'[n]}", date(2018, 3, 1 + n), 80 + n) for n in range(6)])
    with django_assert_max_num_queries(9):  # auth (2), grants, school year, one per kind
        body = client.get(PULL, **auth).json()
    assert len(body["items"]) > 20
