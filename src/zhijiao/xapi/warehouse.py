"""The learning record store's statements as the warehouse table ``learning_statements``.

Registered in ``XapiConfig.ready()`` through the core hook ``core.warehouse_sources`` (analytics sits below this
app and never imports it; decision 0052-warehouse-statements). Each snapshot reads every statement that stands —
voided statements and the voiding statements themselves are left out, erased ones are gone from the store — in one
SQL query, flattens the JSON (verb, object activity, result, registration) and places each learner's account at
the school and class the registry has for its person at that moment. The table is rebuilt in full each snapshot:
a statement voided or erased since the last one must disappear from the new day's copy; 100,000 statements
take about 4 seconds on a loaded 2-core machine (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.conf import settings

from zhijiao.core.bulk import fetch_frame
from zhijiao.identity.models import Account
from zhijiao.oidc.models import RegisteredApp
from zhijiao.org.models import School
from zhijiao.people.models import Student
from zhijiao.xapi.models import Statement
from zhijiao.xapi.platform import VERB_WORDS
from zhijiao.xapi.records import _lang

TABLE = "learning_statements"
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_COLUMNS = {
    "statement_id": pl.String,
    "stored": pl.String,
    "timestamp": pl.String,
    "day": pl.String,
    "app": pl.String,
    "verb_id": pl.String,
    "verb": pl.String,
    "activity_id": pl.String,
    "activity_type": pl.String,
    "activity_name": pl.String,
    "success": pl.Boolean,
    "completion": pl.Boolean,
    "score_scaled": pl.Float64,
    "duration_s": pl.Float64,
    "registration": pl.String,
    "learner_id": pl.Int64,
}


def duration_seconds(value: Any) -> float | None:
    """ISO 8601 duration (``PT1H2M3.5S``, ``P1DT2H``) → seconds; None when absent or not understood."""
    if not isinstance(value, str):
        return None
    m = _DURATION.match(value)
    if not m or value in ("P", "PT"):
        return None
    d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


def _verb_word(verb_id: str, display: Any) -> str:
    """The verb in Chinese: the statement's own Chinese display, else the platform's vocabulary, else any display,
    else the IRI's last segment."""
    if isinstance(display, dict):
        for key in ("zh-CN", "zh", "zh-Hans"):
            if display.get(key):
                return str(display[key])
    return VERB_WORDS.get(verb_id) or _lang(display) or verb_id.rstrip("/").rsplit("/", 1)[-1]


def _day(value: Any, zone: ZoneInfo) -> str:
    try:
        return datetime.fromisoformat(str(value)).astimezone(zone).strftime("%Y-%m-%d")
    except ValueError:
        return ""


def _flat(data: dict[str, Any], app: str, learner_id: int | None, zone: ZoneInfo) -> tuple[Any, ...]:
    verb = data.get("verb") or {}
    verb_id = str(verb.get("id", ""))
    obj = data.get("object") or {}
    is_activity = obj.get("objectType", "Activity") == "Activity"
    definition = (obj.get("definition") or {}) if is_activity else {}
    result = data.get("result") or {}
    score = result.get("score") or {}
    scaled = score.get("scaled")
    timestamp = data.get("timestamp") or data.get("stored") or ""
    return (
        str(data.get("id", "")),
        str(data.get("stored", "")),
        str(timestamp),
        _day(timestamp, zone),
        app,
        verb_id,
        _verb_word(verb_id, verb.get("display")),
        str(obj.get("id", "")) if is_activity else "",
        str(definition.get("type", "")),
        _lang(definition.get("name")),
        result.get("success") if isinstance(result.get("success"), bool) else None,
        result.get("completion") if isinstance(result.get("completion"), bool) else None,
        float(scaled) if isinstance(scaled, int | float) and not isinstance(scaled, bool) else None,
        duration_seconds(result.get("duration")),
        str((data.get("context") or {}).get("registration", "")),
        learner_id,
    )


def _statements() -> pl.DataFrame:
    """Every standing statement, flattened (without its place in the registry)."""
    apps = {a.pk: str(a.application.name) for a in RegisteredApp.objects.select_related("application")}
    zone = ZoneInfo(settings.TIME_ZONE)
    sql = (
        f"SELECT app_id, learner_id, data FROM {Statement._meta.db_table} "  # noqa: S608
        "WHERE voided = FALSE AND is_voiding = FALSE ORDER BY id"
    )
    raw = fetch_frame(sql, [], {"app_id": pl.Int64, "learner_id": pl.Int64, "data": pl.String})
    rows = [
        _flat(json.loads(data) if isinstance(data, str) else data, apps.get(app_id, ""), learner_id, zone)
        for app_id, learner_id, data in raw.iter_rows()
    ]
    return pl.DataFrame(rows, schema=_COLUMNS, orient="row")


def _places() -> pl.DataFrame:
    """Each learner account's person and, for a pupil, their school and class in the registry now."""
    sql = (
        "SELECT a.id, a.person_id, st.id, st.school_id, s.code, s.division_id, st.school_class_id "  # noqa: S608
        f"FROM {Account._meta.db_table} a LEFT JOIN {Student._meta.db_table} st ON st.person_id = a.person_id "
        f"LEFT JOIN {School._meta.db_table} s ON s.id = st.school_id "
        f"WHERE a.id IN (SELECT DISTINCT learner_id FROM {Statement._meta.db_table} WHERE learner_id IS NOT NULL)"
    )
    schema = {
        "learner_id": pl.Int64,
        "person_id": pl.Int64,
        "student_id": pl.Int64,
        "school_id": pl.Int64,
        "school_code": pl.String,
        "division_code": pl.String,
        "class_id": pl.Int64,
    }
    return fetch_frame(sql, [], schema)


def learning_statements(school_year: int) -> pl.DataFrame:
    """The ``learning_statements`` table of a snapshot (``school_year`` is not needed: places are today's)."""
    del school_year
    frame = _statements().join(_places(), on="learner_id", how="left")
    return frame.with_columns(pl.col("school_code", "division_code").fill_null(""))
