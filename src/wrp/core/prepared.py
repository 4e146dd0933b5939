"""`Prepared`: a queryset of a fixed shape whose SQL is compiled once per process, each call binding its own values.

Django compiles a queryset into SQL on every evaluation: the joins, the select list, each lookup, each annotation's
subquery. For the statements every page of a kind asks — the case found by its address, with what the page joins
and flags — that compilation was the largest part of their CPU (the case page's case lookup: 1.7 ms compiling
against 0.2 ms reading its row, 2026-12-04), while the SQL it produces never changes, only the values bound to it.

`Prepared(build, public_id=str, user=int)` calls `build` once per database with stand-in values of those types (int,
str, date or datetime), compiles what it returns, and notes where each stand-in landed among the statement's
parameters. Each `rows(...)` then binds the given values there, runs the statement and turns the rows into model
instances the way Django's own iterator does (converters, the rows joined by `select_related`, annotations), or into
dicts for a `values()` queryset. What `build` returns must depend on its arguments only (not on the clock, the
language or a user beyond what is passed), must evaluate to model rows or `values()` dicts (no `values_list()`, no
related manager's own queryset), and must pass each argument into the SQL as it is (an equality, a comparison or
`in`, not `icontains`; a day or a moment as Django adapts it for the database): a stand-in not found among the
parameters is an error at the first call, not a wrong answer — unless the argument is named in `unused`, one that
`build` may leave out of the statement (a role whose visibility does not depend on the user's id: bound where the
statement has it, ignored where it has not). A `build` that gives `none()` (or a filter that can match nothing)
gives no rows for any values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

R = TypeVar("R")  # what a row is made into: a model instance, or a dict of a values() queryset

# Stand-ins no query holds as a constant of its own: an id far below any key, a string of private-use marks, a day
# and a moment early in the year 1
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda index: -7_340_032_000_001 - index,
    str: lambda index: f"\ue000wrp-prepared-{index}\ue000",
    date: lambda index: date(1, 2, 3) + timedelta(days=index),
    datetime: lambda index: datetime(1, 2, 3, 4, 5, 6, tzinfo=UTC) + timedelta(microseconds=index),
}
# How the database's driver is given a value of each kind, as Django's lookups adapt it (SQLite takes days and moments
# as text; PostgreSQL as they are)
_ADAPT: dict[type, Callable[[Any, Any], Any]] = {
    date: lambda connection, value: connection.ops.adapt_datefield_value(value),
    datetime: lambda connection, value: connection.ops.adapt_datetimefield_value(value),
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position among the params, argument name)
    converters: tuple[tuple[int, list[Any], Any], ...]  # (column, converters, expression)
    names: tuple[str, ...] = ()  # values(): each row a dict of these
    model: type[Model] = Model  # else each row an instance of this model
    fields: slice = field(default_factory=lambda: slice(0))  # the model's own columns in a row
    attnames: tuple[str, ...] = ()
    populators: tuple[Any, ...] = ()  # select_related: Django's RelatedPopulator, one per joined model
    annotations: tuple[tuple[str, int], ...] = ()  # (attribute, column)


_NOTHING = _Compiled(sql="", params=(), slots=(), converters=())  # the statement of a queryset that can have no rows


class Prepared(Generic[R]):
    """A queryset's SQL compiled once per database; `rows(**values)` runs it with these values bound."""

    def __init__(self, build: Callable[..., QuerySet[Any, R]], /, *, unused: tuple[str, ...] = (),
                 **kinds: type) -> None:
        unknown = sorted(name for name, kind in kinds.items() if kind not in _STAND_INS)
        if unknown:
            raise TypeError(f"a Prepared argument is an int, a str, a date or a datetime, not {unknown}")
        if not set(unused) <= kinds.keys():
            raise TypeError(f"Prepared: unused {sorted(set(unused) - kinds.keys())} are not arguments")
        self._build = build
        self._kinds = kinds
        self._unused = frozenset(unused)
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *, using: str = "default", **values: Any) -> list[R]:
        """What the queryset `build(**values)` would give (model instances, or dicts of a values() queryset), in its
        order."""
        if values.keys() != self._kinds.keys():
            raise TypeError(f"Prepared takes {sorted(self._kinds)}, was given {sorted(values)}")
        for name, value in values.items():
            if type(value) is not self._kinds[name]:
                raise TypeError(f"Prepared argument {name} is a {self._kinds[name].__name__}, not {type(value)}")
        compiled = self._compiled.get(using) or self._compile(using)
        if compiled is _NOTHING:
            return []
        connection = connections[using]
        params = list(compiled.params)
        for position, name in compiled.slots:
            adapt = _ADAPT.get(self._kinds[name])
            params[position] = adapt(connection, values[name]) if adapt else values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if compiled.converters:
            fetched = [self._converted(compiled, row, connection) for row in fetched]
        if compiled.names:
            return [dict(zip(compiled.names, row, strict=True)) for row in fetched]  # type: ignore[misc]
        return [self._instance(compiled, row, using) for row in fetched]

    def first(self, *, using: str = "default", **values: Any) -> R | None:
        found = self.rows(using=using, **values)
        return found[0] if found else None

    @staticmethod
    def _converted(compiled: _Compiled, row: tuple[Any, ...], connection: Any) -> tuple[Any, ...]:
        """The row's values as Python's (JSON, encrypted ID numbers, dates), as the compiler's results_iter does."""
        values = list(row)
        for column, converters, expression in compiled.converters:
            value = values[column]
            for converter in converters:
                value = converter(value, expression, connection)
            values[column] = value
        return tuple(values)

    @staticmethod
    def _instance(compiled: _Compiled, row: tuple[Any, ...], using: str) -> R:
        """One row as ModelIterable makes it (django/db/models/query.py), from what was worked out once."""
        instance = compiled.model.from_db(using, list(compiled.attnames), row[compiled.fields])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for attribute, column in compiled.annotations:
            setattr(instance, attribute, row[column])
        return instance  # type: ignore[return-value]

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            connection = connections[using]
            stand_ins = {name: _STAND_INS[kind](index) for index, (name, kind) in enumerate(self._kinds.items())}
            queryset = self._build(**stand_ins).using(using)
            if queryset._iterable_class not in (ModelIterable, ValuesIterable) or queryset._known_related_objects:
                raise TypeError("Prepared makes model rows or values() dicts of a plain queryset (no values_list(), "
                                "no related manager)")
            compiler = queryset.query.get_compiler(using=using)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # none(), or a filter that matches nothing whatever the values
                self._compiled[using] = _NOTHING
                return _NOTHING
            sent = {name: _ADAPT[self._kinds[name]](connection, stand_in) if self._kinds[name] in _ADAPT else stand_in
                    for name, stand_in in stand_ins.items()}  # as the driver is given each stand-in
            slots = tuple((position, name) for position, param in enumerate(params)
                          for name, stand_in in sent.items() if type(param) is type(stand_in) and param == stand_in)
            missing = sorted(set(stand_ins) - self._unused - {name for _position, name in slots})
            if missing:
                raise ValueError(f"Prepared: {missing} did not reach the SQL unchanged; bind them with an equality")
            select = compiler.select
            columns = [expression for expression, _sql, _alias in select[: compiler.col_count]]
            converters = tuple((column, converters, expression) for column, (converters, expression)
                               in compiler.get_converters(columns).items())
            if queryset._iterable_class is ValuesIterable:
                query = queryset.query
                compiled = _Compiled(sql=sql, params=tuple(params), slots=slots, converters=converters,
                                     names=(*query.extra_select, *query.values_select, *query.annotation_select))
            else:
                klass_info = compiler.klass_info
                own = klass_info["select_fields"]
                compiled = _Compiled(
                    sql=sql, params=tuple(params), slots=slots, converters=converters,
                    model=klass_info["model"],
                    fields=slice(own[0], own[-1] + 1),
                    attnames=tuple(column[0].target.attname for column in select[own[0]: own[-1] + 1]),
                    populators=tuple(get_related_populators(klass_info, select, using)),
                    annotations=tuple(compiler.annotation_col_map.items()),
                )
            self._compiled[using] = compiled
            return compiled


class PreparedEach(Generic[R]):
    """Statements of one shape with a list of ids in them (`unit_id IN (…)`, whose SQL has one parameter per id): a
    `Prepared` for each length of the list, made at its first use, `build(ids, **values)` its queryset. A list longer
    than `LONGEST` is read through Django each time (its statements would not be asked often enough to keep)."""

    LONGEST = 16

    def __init__(self, build: Callable[..., QuerySet[Any, R]], /, *, unused: tuple[str, ...] = (),
                 **kinds: type) -> None:
        self._build, self._unused, self._kinds = build, unused, kinds
        self._by_length: dict[int, Prepared[R]] = {}

    def rows(self, ids: list[int], *, using: str = "default", **values: Any) -> list[R]:
        """What `build(ids, **values)` would give."""
        if len(ids) > self.LONGEST:
            return list(self._build(list(ids), **values).using(using))
        prepared = self._by_length.get(len(ids)) or self._by_length.setdefault(len(ids), self._prepared(len(ids)))
        return prepared.rows(using=using, **values, **{f"id_{index}": each for index, each in enumerate(ids)})

    def _prepared(self, length: int) -> Prepared[R]:
        names = [f"id_{index}" for index in range(length)]

        def build(**values: Any) -> QuerySet[Any, R]:
            return self._build([values.pop(name) for name in names], **values)

        return Prepared(build, unused=self._unused, **self._kinds, **dict.fromkeys(names, int))
