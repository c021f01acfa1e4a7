"""Opening the store: SQLite file by default, any peewee URL via SOPTUI_DATABASE."""

from __future__ import annotations

import os
from pathlib import Path

import peewee

from soptui.core.storecheck import StoreError, check_sqlite_file, default_db_path, secure_store_files, sqlite_path  # noqa: F401 (re-exported)

db = peewee.DatabaseProxy()

BUSY_TIMEOUT_S = 10


def open_sqlite(path: str | os.PathLike) -> peewee.Database:
    """Open (creating if missing) a SQLite store at path with WAL, foreign keys and a busy timeout."""
    path = Path(path).expanduser()
    check_sqlite_file(path)
    database = peewee.SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_S,
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_S * 1000,
            "synchronous": "normal",
            "cache_size": -16000,
        },
        check_same_thread=False,
    )
    old_umask = os.umask(0o077)  # SQLite creates the file, -wal and -shm: private whatever the caller's umask
    try:
        database.connect()
        database.execute_sql("PRAGMA schema_version").fetchone()
    except peewee.DatabaseError as exc:
        database.close()
        raise StoreError(f"Файл «{path}» не является базой данных soptui (SQLite).") from exc
    finally:
        os.umask(old_umask)
    secure_store_files(path)
    return database


def open_url(url: str) -> peewee.Database:
    """Open a store from a URL (sqlite:///path, postgresql://user@host/db) or a plain path."""
    path = sqlite_path(url)
    if path is not None:
        return open_sqlite(path)
    from playhouse.db_url import connect  # only for server databases: keeps start-up light

    try:
        database = connect(url)
        database.connect()
    except Exception as exc:  # driver missing, server down, bad credentials
        raise StoreError(f"Не удаётся подключиться к базе данных PostgreSQL: {exc}".strip()) from exc
    return database


def bind(database: peewee.Database) -> peewee.Database:
    """Point every model at database."""
    db.initialize(database)
    return database


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)


def write_transaction():
    """A write unit of work: BEGIN IMMEDIATE on SQLite so read-then-write never deadlocks."""
    if is_sqlite():
        return db.atomic("IMMEDIATE")
    return db.atomic()
