"""Copying a whole store between engines, and a digest of every table to prove two stores hold the same rows.

Rows are read and written through the models (each engine's column types converted by peewee: SQLite's 0/1
become PostgreSQL booleans, its text dates timestamps), in foreign-key order, with their ids; the digest of a
table is its row count and a SHA-256 over its rows in primary-key order, each value in one engine-neutral form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import peewee as pw

from soptui.db import models as m

BATCH = 500


def ordered_models() -> list[type[pw.Model]]:
    """Every model, each after the tables it points to."""
    return list(pw.sort_models(m.ALL_MODELS))


def _neutral(value) -> str:
    if value is None:
        return "\x01"  # not the text "None"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 9))
    return str(value)


def _rows(model: type[pw.Model]):
    fields = model._meta.sorted_fields
    order = [model._meta.primary_key] if model._meta.primary_key else fields
    return model.select(*fields).order_by(*order).tuples().iterator()


def _pages(model: type[pw.Model], source: pw.Database):
    """The rows of a table in pages of BATCH (by primary key, so memory stays small on a large store)."""
    pk = model._meta.primary_key
    if not isinstance(pk, (pw.AutoField, pw.IntegerField)):
        with source.bind_ctx([model], bind_refs=False, bind_backrefs=False):
            rows = list(_rows(model))
        for start in range(0, len(rows), BATCH):
            yield rows[start : start + BATCH]
        return
    index = model._meta.sorted_fields.index(pk)
    last = None
    while True:
        with source.bind_ctx([model], bind_refs=False, bind_backrefs=False):
            query = model.select(*model._meta.sorted_fields).order_by(pk)
            if last is not None:
                query = query.where(pk > last)
            rows = list(query.limit(BATCH).tuples())
        if not rows:
            return
        last = rows[-1][index]
        yield rows


def table_digests(database: pw.Database) -> dict[str, tuple[int, str]]:
    """{table: (rows, sha256 of the rows)} for every soptui table of `database`."""
    models = ordered_models()
    result = {}
    with database.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        for model in models:
            digest = hashlib.sha256()
            count = 0
            for row in _rows(model):
                digest.update("\x02".join(_neutral(v) for v in row).encode("utf-8", "surrogatepass"))
                digest.update(b"\x03")
                count += 1
            result[model._meta.table_name] = (count, digest.hexdigest())
    return result


def copy_rows(
    source: pw.Database, target: pw.Database, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every row of every table from source to target (whose schema exists and holds only what a fresh
    schema holds; its schema-version rows are replaced by the source's). Runs in one transaction of the target."""
    models = ordered_models()
    copied: dict[str, int] = {}
    with target.atomic(), m.copying_rows():
        for model in models:
            name = model._meta.table_name
            if model is m.SchemaVersion:
                # the target was created at the same version, but its rows say when *it* was created: the
                # source's own rows (when each version was applied to it) replace them, or the proof fails
                with target.bind_ctx([model], bind_refs=False, bind_backrefs=False):
                    model.delete().execute()
            fields = model._meta.sorted_fields
            count = 0
            for rows in _pages(model, source):
                with target.bind_ctx([model], bind_refs=False, bind_backrefs=False):
                    model.insert_many(rows, fields=fields).execute()
                count += len(rows)
            copied[name] = count
            if progress is not None:
                progress(name, len(rows))
        if isinstance(target, pw.PostgresqlDatabase):
            for model in models:
                pk = model._meta.primary_key
                if isinstance(pk, pw.AutoField):
                    table = model._meta.table_name
                    target.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{pk.column_name}'), "
                        f"COALESCE(MAX({pk.column_name}), 1), MAX({pk.column_name}) IS NOT NULL) FROM {table}"
                    )
    return copied
