"""Inserting many rows at once for the scale data set (`wrp.demo.scale`): ids taken beforehand from the table's own
sequence, so rows of other tables can point at them before anything is written, then one `COPY … FROM STDIN` per
table on PostgreSQL (hundreds of thousands of rows a second) or batched `INSERT`s elsewhere.

Rows are plain tuples of Python values in the order of the columns named (attnames: `unit_id`, not `unit`). Nothing
here runs `save()`: `auto_now` fields take the values given, which is the point — the scale data set is a history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import JSONField, Model

BATCH = 2000  # rows per INSERT statement where there is no COPY


class Dumped(str):
    """A JSON column's value already serialised (a template's large JSON, shared by thousands of rows)."""

    @classmethod
    def of(cls, value: Any) -> Dumped:
        return cls(json.dumps(value, ensure_ascii=False))


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys of the model's table, never handed out again."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite has one writer at a time: the ids after the largest are free until this transaction ends.
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        first = int(cursor.fetchone()[0]) + 1
    return list(range(first, first + count))


def insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert the rows (values in the order of `columns`, attnames); returns how many."""
    fields = [model._meta.get_field(_field_name(model, column)) for column in columns]
    names = [str(field.column) for field in fields]  # type: ignore[union-attr]
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        return _copy(table, names, fields, rows)
    return _insert_batches(table, names, fields, rows)


def _field_name(model: type[Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.name
    raise LookupError(f"{model.__name__} has no column {attname}")


def _copy(table: str, names: list[str], fields: list[Any], rows: Iterable[Sequence[Any]]) -> int:
    json_at = [index for index, field in enumerate(fields) if isinstance(field, JSONField)]
    quoted = ", ".join(f'"{name}"' for name in names)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for index in json_at:
                        value = row[index]
                        row[index] = value if isinstance(value, Dumped) else json.dumps(value, ensure_ascii=False)
                copy.write_row(row)
                count += 1
    return count


def _insert_batches(table: str, names: list[str], fields: list[Any], rows: Iterable[Sequence[Any]]) -> int:
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join(["%s"] * len(names))
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
    batch: list[list[Any]] = []
    count = 0
    with connection.cursor() as cursor:
        for row in rows:
            batch.append([str(value) if isinstance(value, Dumped) else field.get_db_prep_save(value, connection)
                          for field, value in zip(fields, row, strict=True)])
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
