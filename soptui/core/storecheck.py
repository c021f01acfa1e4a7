"""Checks of a database target that need no ORM, so the first screen paints fast.

`precheck()` refuses, before the UI starts and without touching the file, a
target that is not a soptui SQLite database, cannot be written, has an unknown
URL scheme, or was written by a newer soptui.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import urlparse

SQLITE_HEADER = b"SQLite format 3\x00"
KNOWN_SCHEMES = {"sqlite", "postgres", "postgresql"}
# The newest schema this soptui knows; soptui.db.migrations checks it matches its migrations.
SCHEMA_VERSION = 10


class StoreError(Exception):
    """A database that cannot be opened; the message is one Russian sentence for the user."""


class StoreBusy(StoreError):
    """Another program held the database locked through every retry of a write."""

    def __init__(self, target: object = ""):
        where = f" «{target}»" if target else ""
        super().__init__(
            f"База данных{where} занята другой программой: запись не выполнена после нескольких попыток. "
            "Попробуйте ещё раз позже."
        )


# Called (with the attempt number) when a write finds the database busy and is about to retry; the app
# registers one that shows «База занята, повторяю…», the command line one that prints it.
BUSY_HOOKS: list = []
BUSY_NOTICE = "База занята, повторяю…"


def announce_busy(attempt: int) -> None:
    for hook in list(BUSY_HOOKS):
        try:
            hook(attempt)
        except Exception:  # noqa: BLE001 - a notice must never break the write it is about
            pass


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


def _os_reason(exc: OSError) -> str:
    """An OS error in Russian (the driver's and the OS's own words are English)."""
    import errno

    return {
        errno.EACCES: "нет прав доступа",
        errno.EPERM: "нет прав доступа",
        errno.EROFS: "файловая система только для чтения",
        errno.ENOSPC: "нет места на диске",
        errno.ENOENT: "нет такого файла или папки",
        errno.ENOTDIR: "часть пути — не папка",
        errno.ELOOP: "слишком много символических ссылок",
        errno.ENAMETOOLONG: "слишком длинное имя",
    }.get(exc.errno or 0, "ошибка файловой системы")


def check_sqlite_file(path: Path, create: bool = True) -> None:
    """Refuse, without touching it, a file that is not a SQLite database or cannot be written.

    A missing store (and its missing folder) is created only with `create` (the default data folder,
    `--create`); otherwise it is an error: a typo in --db must not leave an empty store behind.
    """
    try:
        _check_sqlite_file(path, create)
    except OSError as exc:  # an unreadable folder on the way: stat() itself is refused
        raise StoreError(f"Нет доступа к «{path}»: {_os_reason(exc)}.") from exc


def _check_sqlite_file(path: Path, create: bool) -> None:
    if path.is_dir():
        raise StoreError(f"«{path}» — это папка, а не файл базы данных.")
    if path.exists():
        if path.stat().st_size > 0:
            try:
                with path.open("rb") as fh:
                    header = fh.read(16)
            except OSError as exc:
                raise StoreError(f"Не удаётся прочитать файл «{path}»: {_os_reason(exc)}.") from exc
            if header != SQLITE_HEADER:
                raise StoreError(f"Файл «{path}» не является базой данных soptui (SQLite).")
        if not os.access(path, os.R_OK | os.W_OK):
            raise StoreError(f"Нет прав на чтение и запись файла базы данных «{path}».")
        parent = path.parent
    else:
        parent = path.parent
        if not parent.is_dir():
            if parent.exists():
                raise StoreError(f"«{parent}» — не папка: базу данных создать негде.")
            if not create:
                raise StoreError(
                    f"Папка «{parent}» не существует: проверьте путь к базе данных "
                    "(или добавьте --create, чтобы создать папку и новую пустую базу)."
                )
            try:
                parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"Не удаётся создать папку «{parent}» для базы данных: {_os_reason(exc)}.") from exc
        elif not create:  # a typo in --db made a new empty store beside the real one, and signed nobody in
            raise StoreError(
                f"Базы данных «{path}» нет: проверьте путь к базе данных "
                "(или добавьте --create, чтобы создать новую пустую базу)."
            )
    # WAL needs to create -wal and -shm files next to the database.
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"Папка «{parent}» недоступна для записи: базу данных открыть нельзя.")


# --- backups: where the copies are, for the message about a damaged store ----------------------------------

BACKUP_NAME_PREFIX = "soptui-"


def backup_folder(database_path: Path | None) -> Path:
    """Where automatic copies go: SOPTUI_BACKUP_DIR, else `backups` beside the database (or in the data folder)."""
    configured = os.environ.get("SOPTUI_BACKUP_DIR")
    if configured:
        return Path(configured).expanduser()
    if database_path is not None:
        return Path(database_path).parent / "backups"
    return default_data_dir() / "backups"


def latest_backup(folder: Path) -> Path | None:
    """The newest dated copy (soptui-ГГГГ-ММ-ДД_ЧЧММСС.db or .dump) in a folder, or None."""
    import re

    pattern = re.compile(r"^soptui-\d{4}-\d{2}-\d{2}_\d{6}\.(db|dump)$")
    try:
        names = sorted((p.name for p in folder.iterdir() if pattern.match(p.name)), reverse=True)
    except OSError:
        return None
    return folder / names[0] if names else None


def last_backup_note(database_path: Path) -> Path:
    """Beside a SQLite store: the path of its last verified backup (written by services/backup.py)."""
    return Path(database_path).with_name(Path(database_path).name + ".last-backup")


def last_good_backup(path: Path) -> Path | None:
    """The newest verified copy of a store: the one its last backup noted, or the newest in the backup folder."""
    found = []
    try:
        noted = Path(last_backup_note(path).read_text(encoding="utf-8").strip())
        if noted.is_file():
            found.append(noted)
    except (OSError, ValueError):
        pass
    latest = latest_backup(backup_folder(path))
    if latest is not None:
        found.append(latest)
    try:
        return max(found, key=lambda p: p.stat().st_mtime) if found else None
    except OSError:
        return found[0]


def damaged_message(path: Path, detail: str = "") -> str:
    """The damaged-store sentence: what, the last good copy and the command that restores it."""
    latest = last_good_backup(path)
    what = f"База данных «{path}» повреждена" + (f" ({detail})" if detail else "") + "."
    if latest is None:
        return what + f" Резервных копий в «{backup_folder(path)}» нет: обратитесь к администратору."
    return what + f" Последняя исправная резервная копия: «{latest}». Восстановить: soptui --db {path} restore {latest}"


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


def own_folder(folder: Path) -> bool:
    """A folder that is the user's own: not shared by design (sticky like /tmp) and owned by this user.

    A store opened in /tmp (or a shared folder) must not close that folder to everyone else: once it did,
    and every other program on the machine lost /tmp. Its files are still made private (0600).
    """
    if folder == Path(folder.anchor):  # the file system's root is never a folder of ours to close
        return False
    try:
        st = folder.stat()
    except OSError:
        return False
    return not st.st_mode & stat.S_ISVTX and st.st_uid == os.geteuid()


def secure_store_files(path: Path) -> list[str]:
    """Folder 0700, database, -wal and -shm 0600 whatever the umask; report what was looser, once."""
    fixed = []
    if own_folder(path.parent) and make_private(path.parent, PRIVATE_DIR):
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


def precheck(target: str, create: bool = True) -> bool:
    """Validate a target before the UI starts; True if it is a SQLite store with staff accounts."""
    path = sqlite_path(target)
    if path is None:
        return True  # a server database is checked when it is opened
    check_sqlite_file(path, create)
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
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(busy_message(path)) from exc
        raise StoreError(damaged_message(path)) from exc
    except sqlite3.DatabaseError as exc:
        raise StoreError(damaged_message(path)) from exc


def busy_message(path) -> str:
    return str(StoreBusy(path))
