"""`Prepared`: a queryset of a fixed shape whose SQL is compiled once per process, each call binding its own values.

Django compiles a queryset into SQL on every evaluation: the joins, the select list, each lookup, each annotation's
subquery. For the statements every page of a kind asks — the case found by its address, with what the page joins
and flags — that compilation was the largest part of their CPU (the case page's case lookup: 1.7 ms compiling
against 0.2 ms reading its row, 2026-12-04), while the SQL it produces never changes, only the values bound to it.

`Prepared(build, public_id=str, user=int)` calls `build` once per database with stand-in values of those types,
compiles what it returns, and notes where each stand-in landed among the statement's parameters. Each `rows(...)`
then binds the given values there, runs the statement and turns the rows into model instances the way Django's own
iterator does (converters, the rows joined by `select_related`, annotations). What `build` returns must depend on
its arguments only (not on the clock, the language or a user beyond what is passed), must evaluate to model rows
(no `values()`, no `none()`, no related manager's own queryset), and must pass each argument unchanged into the SQL
(an equality or `in`, not `icontains`): a stand-in not found among the parameters is an error at the first call, not
a wrong answer — unless the argument is named in `unused`, one that `build` may leave out of the statement (a role
whose visibility does not depend on the user's id: bound where the statement has it, ignored where it has not). A
`build` that gives `none()` (or a filter that can match nothing) gives no rows for any values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

M = TypeVar("M", bound=Model)

# Stand-ins no query holds as a constant of its own: an id far below any key, a string of private-use marks
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda index: -7_340_032_000_001 - index,
    str: lambda index: f"\ue000wrp-prepared-{index}\ue000",
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position among the params, argument name)
    model: type[Model]
    fields: slice  # the model's own columns in a row
    attnames: list[str]
    populators: list[Any]  # select_related: Django's RelatedPopulator, one per joined model
    annotations: tuple[tuple[str, int], ...]  # (attribute, column)
    converters: tuple[tuple[int, list[Any], Any], ...]  # (column, converters, expression)


_NOTHING = _Compiled(sql="", params=(), slots=(), model=Model, fields=slice(0), attnames=[], populators=[],
                     annotations=(), converters=())  # the statement of a queryset that can have no rows


class Prepared(Generic[M]):
    """A queryset's SQL compiled once per database; `rows(**values)` runs it with these values bound."""

    def __init__(self, build: Callable[..., QuerySet[M]], /, *, unused: tuple[str, ...] = (), **kinds: type) -> None:
        unknown = sorted(name for name, kind in kinds.items() if kind not in _STAND_INS)
        if unknown:
            raise TypeError(f"a Prepared argument is an int or a str, not {unknown}")
        if not set(unused) <= kinds.keys():
            raise TypeError(f"Prepared: unused {sorted(set(unused) - kinds.keys())} are not arguments")
        self._build = build
        self._kinds = kinds
        self._unused = frozenset(unused)
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *, using: str = "default", **values: Any) -> list[M]:
        """The model instances the queryset `build(**values)` would give, in its order."""
        if values.keys() != self._kinds.keys():
            raise TypeError(f"Prepared takes {sorted(self._kinds)}, was given {sorted(values)}")
        for name, value in values.items():
            if type(value) is not self._kinds[name]:
                raise TypeError(f"Prepared argument {name} is a {self._kinds[name].__name__}, not {type(value)}")
        compiled = self._compiled.get(using) or self._compile(using)
        if compiled is _NOTHING:
            return []
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return [self._instance(compiled, row, connection, using) for row in fetched]

    def first(self, *, using: str = "default", **values: Any) -> M | None:
        found = self.rows(using=using, **values)
        return found[0] if found else None

    @staticmethod
    def _instance(compiled: _Compiled, row: tuple[Any, ...], connection: Any, using: str) -> M:
        """One row as ModelIterable makes it (django/db/models/query.py), from what was worked out once."""
        if compiled.converters:
            row = list(row)  # type: ignore[assignment]
            for column, converters, expression in compiled.converters:
                value = row[column]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[column] = value  # type: ignore[index]
        instance = compiled.model.from_db(using, compiled.attnames, row[compiled.fields])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for attribute, column in compiled.annotations:
            setattr(instance, attribute, row[column])
        return instance  # type: ignore[return-value]

    def _compile(self, using: str) -> _Compiled:
        with self._lock:
            if using in self._compiled:
                return self._compiled[using]
            stand_ins = {name: _STAND_INS[kind](index) for index, (name, kind) in enumerate(self._kinds.items())}
            queryset = self._build(**stand_ins).using(using)
            if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:
                raise TypeError("Prepared makes model rows of a plain queryset (no values(), no related manager)")
            compiler = queryset.query.get_compiler(using=using)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # none(), or a filter that matches nothing whatever the values
                self._compiled[using] = _NOTHING
                return _NOTHING
            slots = tuple((position, name) for position, param in enumerate(params)
                          for name, stand_in in stand_ins.items() if type(param) is type(stand_in) and param == stand_in)
            missing = sorted(set(stand_ins) - self._unused - {name for _position, name in slots})
            if missing:
                raise ValueError(f"Prepared: {missing} did not reach the SQL unchanged; bind them with an equality")
            select, klass_info = compiler.select, compiler.klass_info
            own = klass_info["select_fields"]
            columns = [expression for expression, _sql, _alias in select[: compiler.col_count]]
            compiled = _Compiled(
                sql=sql,
                params=tuple(params),
                slots=slots,
                model=klass_info["model"],
                fields=slice(own[0], own[-1] + 1),
                attnames=[column[0].target.attname for column in select[own[0]: own[-1] + 1]],
                populators=get_related_populators(klass_info, select, using),
                annotations=tuple(compiler.annotation_col_map.items()),
                converters=tuple((column, converters, expression) for column, (converters, expression)
                                 in compiler.get_converters(columns).items()),
            )
            self._compiled[using] = compiled
            return compiled
