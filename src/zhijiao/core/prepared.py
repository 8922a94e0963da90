"""Querysets compiled to SQL once and run many times: the hot read paths' queries without the ORM's compile cost.

Django compiles a queryset to SQL afresh every time it runs it; for a small query on an indexed column the
compilation (joins, select list, lookups, converters) costs ten to twenty times the database's own work. A
:class:`Prepared` query is written as an ordinary queryset whose variable values are named parameters; it is
compiled on first use (per database connection's vendor), and each later run substitutes the values into the
compiled parameters, executes the SQL through the connection's cursor (so query logging and test assertions still
see it) and builds the rows exactly as the queryset would: model instances with their ``select_related`` objects,
or ``values_list`` tuples, through the same field converters.

Only scalar parameters (``int``, ``str``) can be named; anything else (lists, the shape of a filter) is part of the
compiled query, so a query whose shape varies is prepared per shape in a :class:`PreparedCache` under a key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable, get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# Placeholder values the query is compiled with, one per named parameter, found again in the compiled parameters.
# Integers stay inside every integer column's range (Django turns an out-of-range lookup into "no rows").
_INT_MARK = 1_987_650_001
_STR_MARK = "\x01zhijiao-prepared-{}\x01"
_LIMIT, _OFFSET = 1_987_659_001, 1_987_659_002


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    converters: dict[int, tuple[list[Callable], Any]]
    # model rows only
    model: type[Model] | None
    init_list: list[str]
    model_slice: tuple[int, int]
    populators: list[Any]
    annotations: dict[str, int]


class Prepared(Generic[M]):
    """A queryset (``build(**params)``) compiled once; run with :meth:`all`, :meth:`first` or :meth:`rows`.

    ``params`` (or keywords) name the parameters and their types (``int`` or ``str``). ``paged``: the query (not
    sliced itself) takes ``limit`` and ``offset`` on every run, as parameters of a ``LIMIT … OFFSET …`` clause.
    ``counting``: the query's rows are counted (``rows()`` gives one row, the count), as ``QuerySet.count()`` would."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        paged: bool = False,
        counting: bool = False,
        params: Mapping[str, type] | None = None,
        **named: type,
    ) -> None:
        params = {**(params or {}), **named}
        for name, kind in params.items():
            if kind not in (int, str):
                raise TypeError(f"parameter {name}: only int and str can be prepared")
        self._build = build
        self._params = params
        self._paged = paged
        self._counting = counting
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _marks(self) -> dict[str, Any]:
        marks: dict[str, Any] = {}
        for i, (name, kind) in enumerate(self._params.items()):
            marks[name] = _INT_MARK + i if kind is int else _STR_MARK.format(i)
        return marks

    def _compile(self, alias: str) -> _Compiled:
        marks = self._marks()
        queryset = self._build(**marks)
        if self._counting:
            queryset = queryset.order_by().values_list("pk")
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a filter that can match nothing (an empty scope): no SQL to run
            return _Compiled("", (), (), {}, None, [], (0, 0), [], {})
        if self._counting:
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608  # compiled SQL, values stay parameters
        if self._paged:
            if queryset.query.is_sliced:
                raise ValueError("a paged prepared query takes its limit and offset on each run: do not slice it")
            sql, params = f"{sql} LIMIT %s OFFSET %s", (*params, _LIMIT, _OFFSET)
        by_value = {value: name for name, value in marks.items()}
        if self._paged:
            by_value |= {_LIMIT: "limit", _OFFSET: "offset"}
        slots = tuple((i, by_value[p]) for i, p in enumerate(params) if _hashable(p) and p in by_value)
        missing = (set(marks) | ({"limit", "offset"} if self._paged else set())) - {name for _, name in slots}
        if missing:
            raise ValueError(f"prepared parameters not found in the compiled query: {sorted(missing)}")
        select = compiler.select
        converters = {} if self._counting else compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])
        model, init_list, model_slice, populators, annotations = None, [], (0, 0), [], {}
        if queryset._iterable_class is not ValuesListIterable and not self._counting:
            klass_info = compiler.klass_info
            model = klass_info["model"]
            fields = klass_info["select_fields"]
            model_slice = (fields[0], fields[-1] + 1)
            init_list = [f[0].target.attname for f in select[model_slice[0] : model_slice[1]]]
            populators = get_related_populators(klass_info, select, alias)
            annotations = dict(compiler.annotation_col_map or {})
        return _Compiled(sql, tuple(params), slots, converters, model, init_list, model_slice, populators, annotations)

    def _get(self, alias: str) -> _Compiled:
        key = (alias, connections[alias].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compiled[key] = self._compile(alias)
        return compiled

    def _execute(self, alias: str, values: dict[str, Any]) -> tuple[_Compiled, list[list[Any]]]:
        compiled = self._get(alias)
        expected = self._params | ({"limit": int, "offset": int} if self._paged else {})
        if values.keys() != expected.keys():
            raise TypeError(f"expected parameters {sorted(expected)}, got {sorted(values)}")
        if not compiled.sql:
            return compiled, [[0]] if self._counting else []
        params = list(compiled.params)
        for position, name in compiled.slots:
            value = values[name]
            if not isinstance(value, expected[name]) or isinstance(value, bool):
                raise TypeError(f"parameter {name}: expected {expected[name].__name__}")
            params[position] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        if compiled.converters:
            for row in rows:
                for position, (functions, expression) in compiled.converters.items():
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
        return compiled, rows

    def convert(self, row: Any, *, using: str = "default") -> tuple[Any, ...]:
        """A row of the same columns read some other way (``INSERT … RETURNING``), through this query's converters."""
        compiled = self._get(using)
        connection = connections[using]
        values = list(row)
        for position, (functions, expression) in compiled.converters.items():
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        return tuple(values)

    def rows(self, *, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """The result rows as tuples (a ``values_list`` query's rows as the queryset gives them)."""
        _, rows = self._execute(using, values)
        return [tuple(row) for row in rows]

    def all(self, *, using: str = "default", **values: Any) -> list[M]:
        """Model instances, with their ``select_related`` objects, as iterating the queryset gives them."""
        compiled, rows = self._execute(using, values)
        if not rows:
            return []
        if compiled.model is None:
            raise TypeError("a values_list query has no model rows: use rows()")
        start, end = compiled.model_slice
        result = []
        for row in rows:
            obj = compiled.model.from_db(using, compiled.init_list, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            result.append(obj)
        return result  # type: ignore[return-value]

    def first(self, *, using: str = "default", **values: Any) -> M | None:
        found = self.all(using=using, **values)
        return found[0] if found else None


def _hashable(value: Any) -> bool:
    return isinstance(value, (int, str))


class PreparedCache:
    """Prepared queries by a key, for queries whose shape varies (a scope's filter): the most recent ``size``."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, Prepared] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        key: Hashable,
        build: Callable[..., QuerySet],
        params: Mapping[str, type] | None = None,
        *,
        paged: bool = False,
        counting: bool = False,
    ) -> Prepared:
        with self._lock:
            prepared = self._entries.get(key)
            if prepared is not None:
                self._entries.move_to_end(key)
                return prepared
            prepared = self._entries[key] = Prepared(build, paged=paged, counting=counting, params=params)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
            return prepared

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
