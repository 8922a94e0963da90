from __future__ import annotations

import pytest

from zhijiao.xapi.services import duration_comparable
from zhijiao.xapi.tests.conftest import statement
from zhijiao.xapi.validation import Invalid, parse_timestamp, statement_check


@pytest.mark.parametrize(
    "change",
    [
        {"actor": {"mbox": "mailto:a@b.c", "openid": "http://openid.example.com/a"}},  # two identifiers
        {"actor": {"objectType": "Group"}},  # an anonymous group without members
        {"verb": {"id": "completed"}},  # not an IRI
        {"verb": {"id": "http://x.y/v", "display": {"not a tag": "x"}}},
        {"result": {"score": {"scaled": 1.5}}},
        {"result": {"score": {"raw": 5, "min": 6, "max": 10}}},
        {"result": {"duration": "1 hour"}},
        {"timestamp": "2026-12-06T08:00:00-00:00"},
        {"context": {"registration": "not-a-uuid"}},
        {"object": {"objectType": "StatementRef", "id": "nope"}},
        {"version": "0.9"},
    ],
)
def test_invalid(change: dict) -> None:
    with pytest.raises(Invalid):
        statement_check(statement(**change), v2=False)


def test_context_agents_are_2_0_only() -> None:
    agents = [{"objectType": "contextAgent", "agent": {"mbox": "mailto:t@example.com"}}]
    statement_check(statement(context={"contextAgents": agents}), v2=True)
    with pytest.raises(Invalid):
        statement_check(statement(context={"contextAgents": agents}), v2=False)


def test_timestamps_and_durations() -> None:
    assert parse_timestamp("2026-12-06T08:00:00.123456+08:00") is not None
    assert parse_timestamp("2026-02-30T08:00:00Z") is None
    assert duration_comparable("P1DT12H36M0.1237S") == duration_comparable("P1DT12H36M0.12S")
