"""`Prepared`: a queryset of a fixed shape whose SQL is compiled once per process, each call binding its own values.

Django compiles a queryset into SQL on every evaluation: the joins, the select list, each lookup, each annotation's
subquery. For the statements every page of a kind asks — the case found by its address, with what the page joins
and flags — that compilation was the largest part of their CPU (the case page's case lookup: 1.7 ms compiling
against 0.2 ms reading its row, 2026-12-04), while the SQL it produces never changes, only the values bound to it.

`Prepared(build, public_id=str, user=int)` calls `build` once per database with stand-in values of those types (int,
str, date, datetime, or `Prefix`: a string whose start the statement matches), compiles what it returns, and notes
where each stand-in landed among the statement's parameters. Each `rows(...)` then binds the given values there, runs
the statement and turns the rows into model instances the way Django's own iterator does (converters, the rows joined
by `select_related`, annotations), or into dicts for a `values()` queryset. What `build` returns must depend on its
arguments only (not on the clock, the language or a user beyond what is passed), must evaluate to model rows or
`values()` dicts (no `values_list()`, no related manager's own queryset), and must pass each argument into the SQL as
it is (an equality, a comparison, `in`, or `startswith` of a `Prefix`; not `icontains`; a day or a moment as Django
adapts it for the database): a stand-in not found among the parameters is an error at the first call, not a wrong
answer — unless the argument is named in `unused`, one that `build` may leave out of the statement (a role whose
visibility does not depend on the user's id: bound where the statement has it, ignored where it has not). A `build`
that gives `none()` (or a filter that can match nothing) gives no rows for any values.
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


class Prefix(str):
    """An argument of a `Prepared` that its `build` matches the start of (`field__startswith=value`): bound as the
    `LIKE` pattern Django makes of it (its `%` and `_` escaped, then `%`)."""


# Stand-ins, two sets (0 and 1) of different values: each within the range of every integer column (Django leaves out a
# lookup of an integer beyond its column's range: an id of -7e12 made a year's `=` match nothing), a string of
# private-use marks, a day and a moment early in the year 1. The statement is compiled with each set: a parameter is
# an argument's only where it is that argument's stand-in in both, so that a constant of the query that happens to
# equal a stand-in is never taken for it.
_STAND_INS: dict[type, Callable[[int, int], Any]] = {
    int: lambda index, which: 23_000 + 4_000 * which + index,
    str: lambda index, which: f"\ue000wrp-prepared-{which}-{index}\ue000",
    Prefix: lambda index, which: f"\ue000wrp-prepared-{which}-{index}\ue000",
    date: lambda index, which: date(1, 2, 3) + timedelta(days=index + 1_000 * which),
    datetime: lambda index, which: datetime(1, 2, 3, 4, 5, 6, tzinfo=UTC) + timedelta(microseconds=index,
                                                                                   days=which),
}
# How the database's driver is given a value of each kind, as Django's lookups adapt it (SQLite takes days and moments
# as text; PostgreSQL as they are)
_ADAPT: dict[type, Callable[[Any, Any], Any]] = {
    date: lambda connection, value: connection.ops.adapt_datefield_value(value),
    datetime: lambda connection, value: connection.ops.adapt_datetimefield_value(value),
    Prefix: lambda connection, value: f"{connection.ops.prep_for_like_query(value)}%",  # django.db.models.lookups
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # (position among the params, argument name, the driver's type it is wrapped in there, as psycopg's Int2 of a
    # small integer column, or None)
    slots: tuple[tuple[int, str, type | None], ...]
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
            raise TypeError(f"a Prepared argument is an int, a str, a Prefix, a date or a datetime, not {unknown}")
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
        for position, name, wrapped in compiled.slots:
            adapt = _ADAPT.get(self._kinds[name])
            value = adapt(connection, values[name]) if adapt else values[name]
            params[position] = wrapped(value) if wrapped else value
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

    def _compiled_with(self, using: str, which: int) -> tuple[Any, Any, str | None, Any, dict[str, Any]]:
        """The queryset built of stand-in set `which`, its compiler, SQL and parameters (None, None for a statement
        that can have no rows), and each stand-in as the driver is given it."""
        connection = connections[using]
        stand_ins = {name: _STAND_INS[kind](index, which) for index, (name, kind) in enumerate(self._kinds.items())}
        queryset = self._build(**stand_ins).using(using)
        if queryset._iterable_class not in (ModelIterable, ValuesIterable) or queryset._known_related_objects:
            raise TypeError("Prepared makes model rows or values() dicts of a plain queryset (no values_list(), "
                            "no related manager)")
        compiler = queryset.query.get_compiler(using=using)
        sent = {name: _ADAPT[self._kinds[name]](connection, stand_in) if self._kinds[name] in _ADAPT else stand_in
                for name, stand_in in stand_ins.items()}
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return queryset, compiler, None, None, sent
        return queryset, compiler, sql, params, sent

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            compiled_as = [self._compiled_with(using, which) for which in (0, 1)]
            if any(sql is None for _queryset, _compiler, sql, _params, _sent in compiled_as):
                if not all(sql is None for _queryset, _compiler, sql, _params, _sent in compiled_as):
                    raise ValueError("Prepared: whether the statement can have rows depends on the values")
                self._compiled[using] = _NOTHING  # none(), or a filter that matches nothing whatever the values
                return _NOTHING
            (queryset, compiler, sql, params, sent), (_queryset, _compiler, other_sql, other_params, other_sent) = (
                compiled_as)
            if sql != other_sql or len(params) != len(other_params):
                raise ValueError("Prepared: the statement's SQL depends on the values; build it of its arguments only")
            slots = tuple((position, name, None if type(param) is type(sent[name]) else type(param))
                          for position, (param, other) in enumerate(zip(params, other_params, strict=True))
                          for name in sent if _same(param, sent[name]) and _same(other, other_sent[name]))
            missing = sorted(set(sent) - self._unused - {name for _position, name, _wrapped in slots})
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


def _same(param: Any, stand_in: Any) -> bool:
    """Whether a parameter is the stand-in (or the driver's wrapper of it: psycopg's Int2 is an int)."""
    return isinstance(param, type(stand_in)) and param == stand_in


class PreparedEach(Generic[R]):
    """Statements of one shape with a list of ids in them (`unit_id IN (…)`, whose SQL has one parameter per id): a
    `Prepared` for each length of the list, made at its first use, `build(ids, **values)` its queryset. A list longer
    than `LONGEST` — the most rows a page lists (the API's `limit` up to 100) — is read through Django each time."""

    LONGEST = 100

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
