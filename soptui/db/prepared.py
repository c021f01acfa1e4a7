"""Prepared SQL for the hot paths: a row by its id, an INSERT of one row (issue 14 point 7, 8 writers).

Peewee builds the SQL of every query anew, column by column: a whole-row read of a 45-column table cost about
0.9 ms of Python, the same read with its SQL text kept about 0.1 ms. The text depends only on the model, the
columns and the engine (quoting, placeholder, RETURNING), never on the values, so it is built once per
(model, columns, engine class) and kept for the life of the process; the values still go through each field's
`db_value` (the control-character refusal of `models.CharField`/`TextField` included) and `python_value`.
"""

from __future__ import annotations

from typing import Any

import peewee as pw

from soptui.db.connection import db

_SELECT: dict[tuple, tuple[str, tuple]] = {}
_INSERT: dict[tuple, tuple[str, tuple]] = {}


def _engine() -> type | None:
    return type(db.obj) if db.obj is not None else None


def clear() -> None:
    """Forget every kept SQL text (tests; a schema change in a running process would call it too)."""
    for kept in (_SELECT, _INSERT, _QUERIES, _UPDATE, _INSERT_MANY):
        kept.clear()


def _select_sql(model: type[pw.Model], engine: type) -> tuple[str, tuple]:
    key = (model, engine)
    kept = _SELECT.get(key)
    if kept is None:
        fields = tuple(model._meta.sorted_fields)
        sql, _params = model.select(*fields).where(model._meta.primary_key == 0).sql()
        kept = _SELECT[key] = (sql, tuple((f.name, f.python_value) for f in fields))
    return kept


def get(model: type[pw.Model], record_id: int) -> pw.Model | None:
    """The row with this primary key as a model instance (as `model.get_or_none(model.id == record_id)`), or None."""
    engine = _engine()
    if engine is None or type(record_id) is not int:  # anything unusual goes the ordinary way
        return pw.Model.get_or_none.__func__(model, model._meta.primary_key == record_id)
    sql, columns = _select_sql(model, engine)
    row = model._meta.database.execute_sql(sql, (record_id,)).fetchone()
    if row is None:
        return None
    instance = model(__no_default__=1)  # as peewee's row wrapper builds it, the fields' data set at once
    instance.__data__ = {
        name: (value if value is None else convert(value)) for (name, convert), value in zip(columns, row)
    }
    return instance


def _insert_sql(model: type[pw.Model], names: tuple[str, ...], engine: type) -> str:
    key = (model, names, engine)
    sql = _INSERT.get(key)
    if sql is None:
        database = db.obj
        meta = model._meta
        columns = ", ".join(f'"{meta.fields[n].column_name}"' for n in names)
        marks = ", ".join([database.param] * len(names))
        sql = f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({marks})'
        if database.returning_clause:
            sql += f' RETURNING "{meta.primary_key.column_name}"'
        sql = _INSERT[key] = sql
    return sql


def insert(model: type[pw.Model], values: dict[str, Any]) -> pw.Model:
    """INSERT one row (the model's defaults for the fields not given, as `model.create` does) and return the
    instance as `model.create` would, without building the statement again or reading the row back."""
    meta = model._meta
    engine = _engine()
    unknown = [n for n in values if n not in meta.fields]
    if engine is None or unknown or meta.composite_key or not meta.auto_increment:
        return model.create(**values)
    row = meta.get_default_dict()
    row.update(values)
    row.pop(meta.primary_key.name, None)
    names = tuple(sorted(row))
    sql = _insert_sql(model, names, engine)
    params = [meta.fields[n].db_value(row[n]) for n in names]
    cursor = meta.database.execute_sql(sql, params)
    new_id = cursor.fetchone()[0] if db.obj.returning_clause else cursor.lastrowid
    instance = model(__no_default__=1, **row)
    instance._pk = new_id
    instance._dirty.clear()
    return instance


_QUERIES: dict[tuple, str] = {}


def execute(key: str, build, params: tuple):
    """Run a fixed-shape query whose SQL is kept under `key`: `build()` makes it once per engine with
    placeholder values, `params` are the real ones in the same order as the query's own parameters."""
    engine = _engine()
    if engine is None:
        return db.execute_sql(*build().sql())  # pragma: no cover - an unbound store fails the ordinary way
    sql = _QUERIES.get((key, engine))
    if sql is None:
        sql = _QUERIES[(key, engine)] = build().sql()[0]
    return db.execute_sql(sql, params)


_UPDATE: dict[tuple, str] = {}


def update_versioned(model: type[pw.Model], record_id: int, expected_version: int, values: dict[str, Any]) -> int:
    """UPDATE one row WHERE id = record_id AND version = expected_version; returns the number of rows changed.
    `values` are field names (not column names) with their new values, the version among them."""
    meta = model._meta
    engine = _engine()
    if engine is None or any(n not in meta.fields for n in values):
        return (
            model.update(**values)
            .where((meta.primary_key == record_id) & (model.version == expected_version))
            .execute()
        )
    names = tuple(values)
    key = (model, names, engine)
    sql = _UPDATE.get(key)
    if sql is None:
        param = db.obj.param
        sets = ", ".join(f'"{meta.fields[n].column_name}" = {param}' for n in names)
        sql = _UPDATE[key] = (
            f'UPDATE "{meta.table_name}" SET {sets} WHERE "{meta.primary_key.column_name}" = {param} '
            f'AND "{meta.fields["version"].column_name}" = {param}'
        )
    params = [meta.fields[n].db_value(values[n]) for n in names]
    params += [record_id, expected_version]
    return meta.database.execute_sql(sql, params).rowcount


_INSERT_MANY: dict[tuple, str] = {}
_PG_TYPES = {"AUTO": "integer", "BIGAUTO": "bigint", "INT": "integer", "BIGINT": "bigint", "VARCHAR": "text"}


def binary_arrays() -> bool:
    """The store is PostgreSQL through psycopg 3, whose `%b` sends a list as a binary array (no text escaping)."""
    return type(getattr(db.obj, "_adapter", None)).__name__ == "Psycopg3Adapter"


def _pg_type(field: pw.Field) -> str:
    kind = field.field_type
    return _PG_TYPES.get(kind) or db.obj.field_types.get(kind, kind).lower()


def insert_many(model: type[pw.Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    """One INSERT of several rows, each a tuple of values for `names` (no defaults applied: give every column
    that has no database default)."""
    if not rows:
        return
    meta = model._meta
    engine = _engine()
    if engine is None or any(n not in meta.fields for n in names):
        model.insert_many([dict(zip(names, r)) for r in rows]).execute()
        return
    fields = [meta.fields[n] for n in names]
    if binary_arrays():
        # PostgreSQL: one statement text for any number of rows (columns as arrays, unnest()): a VALUES list per
        # row count was parsed anew by the driver past its 4 kB cache and prepared anew by the server
        key = (model, names, "unnest", engine)
        sql = _INSERT_MANY.get(key)
        if sql is None:
            columns = ", ".join(f'"{meta.fields[n].column_name}"' for n in names)
            arrays = ", ".join(f"%b::{_pg_type(f)}[]" for f in fields)
            sql = _INSERT_MANY[key] = f'INSERT INTO "{meta.table_name}" ({columns}) SELECT * FROM unnest({arrays})'
        meta.database.execute_sql(sql, [[f.db_value(r[i]) for r in rows] for i, f in enumerate(fields)])
        return
    key = (model, names, len(rows), engine)
    sql = _INSERT_MANY.get(key)
    if sql is None:
        columns = ", ".join(f'"{meta.fields[n].column_name}"' for n in names)
        one = "(" + ", ".join([db.obj.param] * len(names)) + ")"
        sql = _INSERT_MANY[key] = f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ' + ", ".join([one] * len(rows))
    params = [f.db_value(v) for r in rows for f, v in zip(fields, r)]
    meta.database.execute_sql(sql, params)


def rows(model: type[pw.Model], **equal: Any) -> list[pw.Model]:
    """Whole rows WHERE each given field equals its value, in id order, as model instances (the kept-SQL
    form of `model.select().where(model.a == x, model.b == y).order_by(model.id)`)."""
    meta = model._meta
    engine = _engine()
    names = tuple(equal)
    if engine is None or any(n not in meta.fields for n in names):
        query = model.select().order_by(meta.primary_key)
        if equal:
            query = query.where(*[getattr(model, n) == v for n, v in equal.items()])
        return list(query)
    key = ("rows", model, names)
    sql = _QUERIES.get((key, engine))
    fields = tuple(meta.sorted_fields)
    if sql is None:
        query = model.select(*fields).order_by(meta.primary_key)
        if names:
            query = query.where(*[getattr(model, n) == 0 for n in names])
        sql = _QUERIES[(key, engine)] = query.sql()[0]
    params = [meta.fields[n].db_value(v) for n, v in equal.items()]
    out = []
    for row in meta.database.execute_sql(sql, params).fetchall():
        instance = model(__no_default__=1)
        instance.__data__ = {
            f.name: (value if value is None else f.python_value(value)) for f, value in zip(fields, row)
        }
        out.append(instance)
    return out
