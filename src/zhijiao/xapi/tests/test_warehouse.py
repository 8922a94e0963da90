"""The statements in the warehouse (``learning_statements``) and the 学习活动 panel of the statistics pages."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from zhijiao.analytics.engine import engine
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.warehouse import SCHEMAS, table_path
from zhijiao.testing import login_as
from zhijiao.xapi.learners import actor_for
from zhijiao.xapi.tests.conftest import statement
from zhijiao.xapi.warehouse import duration_seconds, learning_statements

REG = "6a1b9d3e-2f4c-4c1e-9a52-0d6f3b8e7a10"


@pytest.fixture(autouse=True)
def warehouse(settings, tmp_path):
    settings.ZHIJIAO_WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.ZHIJIAO_WAREHOUSE_KEEP = 0
    engine().forget()
    yield
    engine().forget()


def _post(lrs, body) -> str:
    res = lrs.send("POST", "statements", json.dumps(body))
    assert res.status_code == 200, res.content
    return res.json()[0]


@pytest.fixture
def written(region, lrs):
    """A pupil of class A1 completes a lesson (score, duration, registration), views another, and an unknown
    actor and a voided statement are stored too."""
    pupil = actor_for(region.accounts["student"])
    done = _post(
        lrs,
        statement(
            actor=pupil,
            timestamp="2026-11-18T23:30:00Z",  # 07:30 on the 19th in Beijing
            object={
                "id": "http://example.com/act/fractions",
                "definition": {"name": {"zh-CN": "分数的意义"}, "type": "http://adlnet.gov/expapi/activities/lesson"},
            },
            result={"success": True, "completion": True, "score": {"scaled": 0.85}, "duration": "PT12M30S"},
            context={"registration": REG},
        ),
    )
    viewed = _post(
        lrs,
        statement(
            actor=pupil,
            timestamp="2026-11-19T08:00:00+08:00",
            verb={"id": "http://id.tincanapi.com/verb/viewed", "display": {"en-US": "viewed"}},
        ),
    )
    stranger = _post(lrs, statement(timestamp="2026-11-19T09:00:00+08:00"))
    gone = _post(lrs, statement(actor=pupil, timestamp="2026-11-19T10:00:00+08:00"))
    voiding = _post(
        lrs,
        statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"zh-CN": "作废"}},
            object={"objectType": "StatementRef", "id": gone},
        ),
    )
    return {"done": done, "viewed": viewed, "stranger": stranger, "gone": gone, "voiding": voiding}


def test_the_flattened_table_has_the_schema_and_one_row_per_standing_statement(region, written):
    frame = learning_statements(2026)
    ids = set(frame["statement_id"])
    assert ids == {written["done"], written["viewed"], written["stranger"]}  # voided and voiding left out
    rows = {r["statement_id"]: r for r in frame.to_dicts()}
    done = rows[written["done"]]
    assert {k: done[k] for k in SCHEMAS["learning_statements"] if k not in ("stored", "learner_id", "person_id")} == {
        "statement_id": written["done"],
        "timestamp": "2026-11-18T23:30:00Z",
        "day": "2026-11-19",
        "app": "学习应用甲",
        "verb_id": "http://adlnet.gov/expapi/verbs/completed",
        "verb": "完成",
        "activity_id": "http://example.com/act/fractions",
        "activity_type": "http://adlnet.gov/expapi/activities/lesson",
        "activity_name": "分数的意义",
        "success": True,
        "completion": True,
        "score_scaled": 0.85,
        "duration_s": 750.0,
        "registration": REG,
        "student_id": region.persons["s1"].student.pk,
        "school_id": region.schools["A"].pk,
        "school_code": "3420112001",
        "division_code": "420112",
        "class_id": region.classes["A1"].pk,
    }
    assert done["learner_id"] == region.accounts["student"].pk
    assert done["person_id"] == region.persons["s1"].pk
    assert done["stored"].startswith("20")
    # a verb without Chinese display takes the platform's word; a statement without result has nulls
    viewed = rows[written["viewed"]]
    assert (viewed["verb"], viewed["success"], viewed["duration_s"]) == ("浏览了", None, None)
    # an actor the platform does not know: kept, placed nowhere
    stranger = rows[written["stranger"]]
    assert (stranger["learner_id"], stranger["school_code"], stranger["class_id"]) == (None, "", None)


def test_durations_in_seconds():
    assert duration_seconds("PT1H2M3.5S") == 3723.5
    assert duration_seconds("P1DT1H") == 90000.0
    assert duration_seconds("PT") is None and duration_seconds("12 分钟") is None and duration_seconds(None) is None


def test_each_snapshot_writes_the_table(region, written):
    snapshot = snapshot_take(day=date(2026, 11, 20))
    assert snapshot.rows["learning_statements"] == 3
    stored = pl.read_parquet(table_path(snapshot.path, "learning_statements"))
    assert stored.columns == list(SCHEMAS["learning_statements"])


def test_the_learning_panel_counts_per_class_and_per_school_and_names_no_pupil(client, region, written):
    snapshot_take(day=date(2026, 11, 20))
    login_as(client, "principal")
    page = client.get("/analytics/3420112001/")
    assert page.status_code == 200
    panel = page.context["learning"]
    assert (panel["statements"], panel["learners"], panel["hours"], panel["days"]) == (2, 1, 0.2, 1)
    assert panel["daily"] == [{"day": "2026-11-19", "learners": 1, "statements": 2, "hours": 0.2}]
    assert {v["verb"]: v["statements"] for v in panel["verbs"]} == {"完成": 1, "浏览了": 1}
    assert [(c["name"], c["statements"], c["learners"], c["completed"]) for c in panel["children"]] == [
        ("三年级（1）班", 2, 1, 1)
    ]
    html = page.content.decode()
    assert "学习活动" in html and 'id="chart-learning"' in html
    assert region.persons["s1"].name not in html

    login_as(client, "bureau")
    district = client.get("/analytics/420112/").context["learning"]
    assert [(c["name"], c["statements"], c["learners"]) for c in district["children"]] == [("东西湖区第一小学", 2, 1)]
    assert region.persons["s1"].name not in client.get("/analytics/420112/").content.decode()


def test_the_panel_is_scoped_to_the_node(client, region, written):
    snapshot_take(day=date(2026, 11, 20))
    login_as(client, "bureau")
    other = client.get("/analytics/3420112002/")  # the district's other school: none of these statements
    assert other.context["learning"]["statements"] == 0
    assert "本次快照中还没有学生的学习记录" in other.content.decode()
    login_as(client, "principal")  # a school's administrator reads neither the district nor another school
    assert client.get("/analytics/420112/").status_code == 404
    assert client.get("/analytics/3420112002/").status_code == 404
