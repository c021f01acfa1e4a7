"""The store: connection, models, migrations and audited write primitives."""

from __future__ import annotations

import os

from soptui.db.connection import (
    StoreError,
    bind,
    checkpoint,
    db,
    default_db_path,
    is_sqlite,
    open_url,
    write_transaction,
)
from soptui.db.migrations import CURRENT_VERSION, ensure_schema


def open_store(url_or_path: str | os.PathLike | None = None, demo: bool = False, create: bool = True):
    """Open, bind and migrate the store; precedence: argument, SOPTUI_DATABASE, default file.

    `create=False`: a SQLite file whose folder is missing is refused instead of created (a typo in --db)."""
    target = url_or_path or os.environ.get("SOPTUI_DATABASE") or default_db_path(demo)
    database = open_url(str(target), create)
    bind(database)
    try:
        ensure_schema(database)
    except StoreError:
        database.close()
        raise
    if is_sqlite():
        checkpoint()  # what an upgrade wrote goes into the store file (the automatic checkpoint is off)
    return database


__all__ = ["StoreError", "CURRENT_VERSION", "db", "open_store", "write_transaction", "bind"]
