"""The statement write path's SQL, written once from the models' metadata and run through the connection's cursor.

A single statement POSTed costs a handful of small queries; building each through the ORM (a queryset, its
compiler, ``bulk_create``'s machinery, a savepoint) cost several times what the database spends on it (decision
``0057-lrs-write-path``). The statements here are plain parametrised SQL (PostgreSQL and SQLite ≥ 3.35 both take
``INSERT … RETURNING`` and ``ON CONFLICT … DO NOTHING``), the table and column names taken from the models, and
every value converted by its model field for the connection (UUIDs as text on SQLite, JSON as ``jsonb`` on
PostgreSQL, times as the backend stores them), so the rows are byte for byte what the ORM would have written. They
run through ``connection.cursor()``, so query logging and the tests' query assertions see them, inside the
caller's transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Field, JSONField, Model

from zhijiao.xapi.models import Activity, Statement, StatementLink, StatementMember

# rows per INSERT: far below SQLite's 32,766 bound parameters and PostgreSQL's 65,535
_CHUNK = 500


def _field(model: type[Model], name: str) -> Field:
    return model._meta.get_field(name)  # type: ignore[return-value]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


_SQL: dict[tuple[Any, ...], str] = {}


def _sql(kind: str, count: int, build: Callable[[int], str]) -> str:
    """The SQL text of ``kind`` for ``count`` values, built once per database vendor (quoting names costs more
    than running a small query)."""
    key = (connection.vendor, kind, count)
    text = _SQL.get(key)
    if text is None:
        if len(_SQL) > 4096:  # batches of every size seen: keep the table bounded
            _SQL.clear()
        text = _SQL[key] = build(count)
    return text


def _table(model: type[Model]) -> str:
    return _q(model._meta.db_table)


def _col(model: type[Model], name: str) -> str:
    return _q(_field(model, name).column)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


_STATEMENT_COLUMNS = (
    "statement_id",
    "data",
    "app",
    "stored",
    "actor_ifi",
    "verb_id",
    "activity_id",
    "registration",
    "ref_id",
    "is_voiding",
    "voided",
    "learner",
)
_STATEMENT_FIELDS = [_field(Statement, name) for name in _STATEMENT_COLUMNS]
_UUID = _field(Statement, "statement_id")
_DATA = cast(JSONField, _field(Statement, "data"))
_ACTIVITY_DATA = cast(JSONField, _field(Activity, "data"))


def _json(value: Any) -> Any:
    """A JSON column as read (text on SQLite; PostgreSQL's ``jsonb`` comes as text too, as Django configures it)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def uuid_db(value: Any) -> Any:
    """A statement id as the connection stores it (text without dashes on SQLite, ``uuid`` on PostgreSQL)."""
    return _UUID.get_db_prep_value(value, connection)


def _uuid_str(value: Any) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _seen_sql(count: int) -> str:
    table, sid, ref = _table(Statement), _col(Statement, "statement_id"), _col(Statement, "ref_id")
    marks = _marks(count)
    return (
        f"SELECT {sid}, {_col(Statement, 'app')}, {_col(Statement, 'data')}, 0 FROM {table} "  # noqa: S608
        f"WHERE {sid} IN ({marks}) "
        f"UNION ALL SELECT {ref}, NULL, NULL, 1 FROM {table} "
        f"WHERE {_col(Statement, 'is_voiding')} = %s AND {_col(Statement, 'app')} = %s AND {ref} IN ({marks})"
    )


@dataclass
class Existing:
    statement_id: str
    app_id: int
    data: dict[str, Any]


def statements_seen(*, ids: Sequence[str], app_id: int) -> tuple[dict[str, Existing], set[str]]:
    """One query for a batch about to be stored: the statements already stored under these ids, and the ids (of
    these) that a voiding statement of ``app_id`` stored earlier names (a voiding statement may come first)."""
    if not ids:
        return {}, set()
    sql = _sql("seen", len(ids), _seen_sql)
    values = [uuid_db(i) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, True, app_id, *values])
        found = cursor.fetchall()
    existing: dict[str, Existing] = {}
    voided: set[str] = set()
    for statement_id, owner, data, is_ref in found:
        if is_ref:
            voided.add(_uuid_str(statement_id))
        else:
            key = _uuid_str(statement_id)
            existing[key] = Existing(key, owner, _json(data))
    return existing, voided


def statements_void(*, ids: Iterable[str], app_id: int) -> None:
    """Mark the statements of ``app_id`` with these ids voided (voiding statements themselves are never voided)."""
    values = [uuid_db(i) for i in ids]
    if not values:
        return
    sql = (
        f"UPDATE {_table(Statement)} SET {_col(Statement, 'voided')} = %s "  # noqa: S608
        f"WHERE {_col(Statement, 'statement_id')} IN ({_marks(len(values))}) "
        f"AND {_col(Statement, 'app')} = %s AND {_col(Statement, 'is_voiding')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *values, app_id, False])


def _insert_sql(count: int) -> str:
    columns = ", ".join(_q(f.column) for f in _STATEMENT_FIELDS)
    one = f"({_marks(len(_STATEMENT_FIELDS))})"
    return (
        f"INSERT INTO {_table(Statement)} ({columns}) VALUES {', '.join([one] * count)} "  # noqa: S608
        f"RETURNING {_col(Statement, 'id')}"
    )


def statements_insert(rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert statement rows (``_STATEMENT_COLUMNS`` as keys, model values) and return their primary keys in order.
    A statement id already stored raises the database's ``IntegrityError``."""
    out: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        params: list[Any] = []
        for row in chunk:
            for name, field in zip(_STATEMENT_COLUMNS, _STATEMENT_FIELDS, strict=True):
                value = row[name]
                params.append(None if value is None else field.get_db_prep_save(value, connection))
        sql = _sql("insert", len(chunk), _insert_sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            out.extend(int(r[0]) for r in cursor.fetchall())
    return out


def _links_sql(count: int) -> str:
    names = ", ".join(_col(StatementLink, n) for n in ("statement", "kind", "value", "direct"))
    return f"INSERT INTO {_table(StatementLink)} ({names}) VALUES {', '.join(['(%s, %s, %s, %s)'] * count)}"  # noqa: S608


def links_insert(links: Sequence[tuple[int, str, str, bool]]) -> None:
    """Insert (statement pk, kind, value, direct) rows of ``StatementLink``."""
    for start in range(0, len(links), _CHUNK):
        chunk = links[start : start + _CHUNK]
        sql = _sql("links", len(chunk), _links_sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for link in chunk for v in link])


def _members_sql(count: int) -> str:
    names = ", ".join(_col(StatementMember, n) for n in ("statement", "learner", "role"))
    return f"INSERT INTO {_table(StatementMember)} ({names}) VALUES {', '.join(['(%s, %s, %s)'] * count)}"  # noqa: S608


def members_insert(members: Sequence[tuple[int, int, str]]) -> None:
    """Insert (statement pk, account id, role) rows of ``StatementMember``."""
    for start in range(0, len(members), _CHUNK):
        chunk = members[start : start + _CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(_sql("members", len(chunk), _members_sql), [v for member in chunk for v in member])


def _activities_sql(count: int) -> str:
    aid = _col(Activity, "activity_id")
    return f"SELECT {aid}, {_col(Activity, 'data')} FROM {_table(Activity)} WHERE {aid} IN ({_marks(count)})"  # noqa: S608


def activities_get(ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored definitions (``data``) of these activity ids, by id."""
    if not ids:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        sql = _sql("activities", len(chunk), _activities_sql)
        with connection.cursor() as cursor:
            cursor.execute(sql, list(chunk))
            for activity_id, data in cursor.fetchall():
                out[activity_id] = _json(data)
    return out


def activities_insert(new: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Insert (id, definition) rows in the given order; one another request has just inserted is left alone."""
    aid = _col(Activity, "activity_id")
    for start in range(0, len(new), _CHUNK):
        chunk = new[start : start + _CHUNK]
        sql = (
            f"INSERT INTO {_table(Activity)} ({aid}, {_col(Activity, 'data')}) "  # noqa: S608
            f"VALUES {', '.join(['(%s, %s)'] * len(chunk))} ON CONFLICT ({aid}) DO NOTHING"
        )
        params: list[Any] = []
        for activity_id, data in chunk:
            params += [activity_id, _ACTIVITY_DATA.get_db_prep_save(data, connection)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def activities_update(changed: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Lock the rows in the given order (PostgreSQL; SQLite's writer holds the whole database), then update them."""
    if not changed:
        return
    aid, table = _col(Activity, "activity_id"), _table(Activity)
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            cursor.execute(
                f"SELECT {_col(Activity, 'id')} FROM {table} WHERE {aid} IN ({_marks(len(changed))}) "  # noqa: S608
                f"ORDER BY {aid} FOR UPDATE",
                [a for a, _ in changed],
            )
            cursor.fetchall()
        for activity_id, data in changed:
            cursor.execute(
                f"UPDATE {table} SET {_col(Activity, 'data')} = %s WHERE {aid} = %s",  # noqa: S608
                [_ACTIVITY_DATA.get_db_prep_save(data, connection), activity_id],
            )
