"""Checks of a database target that need no ORM, so the first screen paints fast.

`precheck()` refuses, before the UI starts and without touching the file, a
target that is not a soptui SQLite database, cannot be written, has an unknown
URL scheme, or was written by a newer soptui.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

SQLITE_HEADER = b"SQLite format 3\x00"
KNOWN_SCHEMES = {"sqlite", "postgres", "postgresql"}
# The newest schema this soptui knows; soptui.db.migrations checks it matches its migrations.
SCHEMA_VERSION = 7


class StoreError(Exception):
    """A database that cannot be opened; the message is one Russian sentence for the user."""


def default_data_dir() -> Path:
    """The user's data directory for soptui."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("soptui", appauthor=False))


def default_db_path(demo: bool = False) -> Path:
    return default_data_dir() / ("demo.db" if demo else "soptui.db")


def sqlite_path(target: str) -> Path | None:
    """The file of a SQLite target (plain path or sqlite:/// URL), None for a server URL."""
    parsed = urlparse(target)
    if not parsed.scheme or len(parsed.scheme) == 1:  # plain path, or a Windows drive letter
        return Path(target).expanduser()
    scheme = parsed.scheme.split("+")[0]
    if scheme not in KNOWN_SCHEMES:
        raise StoreError(
            f"Неизвестный тип базы данных «{parsed.scheme}»: используйте sqlite:///путь или postgresql://…"
        )
    if scheme == "sqlite":
        # As playhouse.db_url: sqlite:///rel.db is relative, sqlite:////abs/x.db is absolute.
        return Path(parsed.path[1:] if not parsed.netloc else parsed.netloc + parsed.path)
    return None


def check_sqlite_file(path: Path) -> None:
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
            parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Не удаётся создать папку «{parent}» для базы данных.") from exc
    # WAL needs to create -wal and -shm files next to the database.
    if not os.access(parent, os.W_OK):
        raise StoreError(f"Папка «{parent}» доступна только для чтения: базу данных открыть нельзя.")


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# Messages about modes tightened in this process, shown once (CLI: stderr; app: a notice after sign-in).
TIGHTENED: list[str] = []


def make_private(path: Path, mode: int) -> bool:
    """Give a file or folder holding personal data no group/other access; True if it was looser."""
    try:
        current = path.stat().st_mode & 0o777
    except OSError:
        return False
    if current & 0o077 == 0:
        return False
    try:
        os.chmod(path, mode)
    except OSError:
        return False
    return True


def secure_store_files(path: Path) -> list[str]:
    """Folder 0700, database, -wal and -shm 0600 whatever the umask; report what was looser, once."""
    fixed = []
    if path.parent != Path(path.anchor) and make_private(path.parent, PRIVATE_DIR):
        fixed.append(str(path.parent))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and make_private(file, PRIVATE_FILE):
            fixed.append(str(file))
    if fixed:
        message = "Права доступа были шире допустимого и исправлены (только владелец): " + ", ".join(fixed)
        if message not in TIGHTENED:
            TIGHTENED.append(message)
    return fixed


def newer_schema_message(version: int) -> str:
    return (
        f"База данных создана более новой версией soptui (схема {version}, "
        f"эта программа знает до {SCHEMA_VERSION}): обновите soptui."
    )


def precheck(target: str) -> bool:
    """Validate a target before the UI starts; True if it is a SQLite store with staff accounts."""
    path = sqlite_path(target)
    if path is None:
        return True  # a server database is checked when it is opened
    check_sqlite_file(path)
    if not path.exists() or path.stat().st_size == 0:
        return False
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "schema_version" in tables:
                version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
                if version is not None and version > SCHEMA_VERSION:
                    raise StoreError(newer_schema_message(version))
            return "staff" in tables and con.execute("SELECT 1 FROM staff LIMIT 1").fetchone() is not None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Файл «{path}» не является базой данных soptui (SQLite).") from exc
