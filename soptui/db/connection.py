"""Opening the store: SQLite file by default, any peewee URL via SOPTUI_DATABASE."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import peewee

db = peewee.DatabaseProxy()

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10
KNOWN_SCHEMES = {"sqlite", "postgres", "postgresql"}


class StoreError(Exception):
    """A database that cannot be opened; the message is one Russian sentence for the user."""


def default_data_dir() -> Path:
    """The user's data directory for soptui (created on demand)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("soptui", appauthor=False))


def default_db_path(demo: bool = False) -> Path:
    return default_data_dir() / ("demo.db" if demo else "soptui.db")


def _check_sqlite_file(path: Path) -> None:
    """Refuse, without touching it, a file that is not a SQLite database or cannot be written."""
    if path.is_dir():
        raise StoreError(f"«{path}» — это папка, а не файл базы данных.")
    if path.exists():
        if path.stat().st_size > 0:
            try:
                with path.open("rb") as fh:
                    header = fh.read(16)
            except OSError as exc:
                raise StoreError(f"Не удаётся прочитать файл «{path}»: {exc.strerror}.") from exc
            if header != SQLITE_HEADER:
                raise StoreError(f"Файл «{path}» не является базой данных soptui (SQLite).")
        if not os.access(path, os.W_OK):
            raise StoreError(f"Нет прав на запись в файл базы данных «{path}».")
        parent = path.parent
    else:
        parent = path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Не удаётся создать папку «{parent}» для базы данных.") from exc
    # WAL needs to create -wal and -shm files next to the database.
    if not os.access(parent, os.W_OK):
        raise StoreError(f"Папка «{parent}» доступна только для чтения: базу данных открыть нельзя.")


def open_sqlite(path: str | os.PathLike) -> peewee.Database:
    """Open (creating if missing) a SQLite store at path with WAL, foreign keys and a busy timeout."""
    path = Path(path).expanduser()
    _check_sqlite_file(path)
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
    try:
        database.connect()
        database.execute_sql("PRAGMA schema_version").fetchone()
    except peewee.DatabaseError as exc:
        database.close()
        raise StoreError(f"Файл «{path}» не является базой данных soptui (SQLite).") from exc
    return database


def open_url(url: str) -> peewee.Database:
    """Open a store from a URL (sqlite:///path, postgresql://user@host/db) or a plain path."""
    parsed = urlparse(url)
    if not parsed.scheme or len(parsed.scheme) == 1:  # plain path, or a Windows drive letter
        return open_sqlite(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme not in KNOWN_SCHEMES:
        raise StoreError(
            f"Неизвестный тип базы данных «{parsed.scheme}»: используйте sqlite:///путь или postgresql://…"
        )
    if scheme == "sqlite":
        # As playhouse.db_url: sqlite:///rel.db is relative, sqlite:////abs/x.db is absolute.
        return open_sqlite(parsed.path[1:] if not parsed.netloc else parsed.netloc + parsed.path)
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
