"""Backups you can trust: written to a temporary file, verified, then renamed into place.

A failed or corrupt source never replaces a good backup: the copy is checked (`PRAGMA integrity_check` on
SQLite, `pg_restore --list` of a `pg_dump` archive on PostgreSQL) before it takes the place of anything. A
folder target keeps dated copies (`soptui-ДАТА_ВРЕМЯ.db`, `.dump` on PostgreSQL) with rotation: the newest
copy of each of the last 7 days with a copy and of each of the last 4 weeks. Copies are 0600, folders 0700.
`restore` checks the file, keeps a safety copy of the current database beside it and restores.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from soptui.core.storecheck import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    SCHEMA_VERSION,
    SQLITE_HEADER,
    _os_reason,
    backup_folder,
    last_backup_note,
    latest_backup,
    make_private,
    own_folder,
)

KEEP_DAILY = 7
KEEP_WEEKLY = 4
NAME_RE = re.compile(r"^soptui-(\d{4}-\d{2}-\d{2})_(\d{6})\.(db|dump)$")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int  # SQLite pages copied (0 for a PostgreSQL archive)
    integrity: str  # "ok": the copy was verified before it was put in place
    removed: tuple[Path, ...] = ()  # older dated copies rotated out


class BackupError(Exception):
    """Backup or restore failed; the message is one Russian sentence. Nothing was replaced."""


# --- where a copy goes ----------------------------------------------------------------------------------


def dated_name(now: dt.datetime, suffix: str = ".db") -> str:
    return f"soptui-{now:%Y-%m-%d_%H%M%S}{suffix}"


def resolve_target(target: str | os.PathLike, now: dt.datetime, suffix: str = ".db") -> tuple[Path, bool]:
    """(the file to write, whether it is a dated copy in a folder). Nothing is created here.

    A folder (existing, or named with a trailing slash) gets a dated copy; a missing folder is an error, never
    a file named after it. A file's folder must exist.
    """
    text = os.fspath(target)
    path = Path(text).expanduser()
    if path.is_dir():
        # a folder of copies of personal data: the owner's alone, if it is the user's own; a shared one (/tmp,
        # a colleague's, root's) keeps its modes: `backup /tmp` closed /tmp to every other program and user
        # (the copy itself is 0600 either way)
        if own_folder(path):
            make_private(path, PRIVATE_DIR)
        return path / dated_name(now, suffix), True
    if text.endswith(("/", os.sep)):
        raise BackupError(f"Папка для резервных копий «{path}» не существует.")
    if not path.parent.is_dir():
        raise BackupError(f"Папка «{path.parent}» не существует: резервную копию записать некуда.")
    _refuse_foreign_file(path, suffix)
    return path, False


def _refuse_foreign_file(path: Path, suffix: str) -> None:
    """A named file is replaced only if it holds an earlier soptui copy (or nothing): `backup notes.txt` must not
    destroy the notes, and `backup /dev/null` replaced the device node for the whole machine."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BackupError(f"Не удалось проверить файл «{path}»: {_os_reason(exc)}.") from exc
    if not stat.S_ISREG(info.st_mode):
        raise BackupError(
            f"«{path}» — не обычный файл (ссылка, устройство или канал): резервная копия туда не пишется. "
            "Укажите папку для копий или новое имя файла."
        )
    if info.st_size == 0 or _holds_soptui_copy(path, suffix):
        return
    raise BackupError(
        f"Файл «{path}» уже есть, и в нём не резервная копия soptui: он не будет перезаписан. "
        "Укажите папку для копий или новое имя файла."
    )


def _holds_soptui_copy(path: Path, suffix: str) -> bool:
    """Whether an existing file is a soptui copy (its tables are there; not its integrity: that is restore's)."""
    if suffix == ".dump":
        try:
            with path.open("rb") as fh:
                if fh.read(5) != b"PGDMP":
                    return False
            listing = _run_pg([_pg_tool("pg_restore"), "--list", str(path)], "Проверка прежней копии").stdout
        except (OSError, BackupError):
            return False
        return " schema_version " in listing
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return False
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            found = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False
    return found is not None


def _check_writable_folder(folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(f"Нет прав на запись в папку «{folder}»: резервная копия не сделана.")


def _temp_beside(dest: Path) -> Path:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:  # /proc/ passes the access check and refuses the file
        raise BackupError(f"Не удалось записать резервную копию в папку «{dest.parent}»: {_os_reason(exc)}.") from exc
    os.close(fd)
    os.chmod(name, PRIVATE_FILE)
    return Path(name)


def _put_in_place(tmp: Path, dest: Path) -> None:
    """Atomically replace dest with the verified tmp, durable across a power cut."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    os.chmod(dest, PRIVATE_FILE)
    try:
        fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


# --- checking a SQLite file -----------------------------------------------------------------------------


def check_sqlite_copy(path: Path, full: bool = True) -> str:
    """ "ok", or what is wrong with a SQLite file as a soptui store (SQLite's first complaint, in its words)."""
    try:
        with path.open("rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "это не файл базы данных SQLite"
    except OSError as exc:
        return f"файл не читается: {_os_reason(exc)}"
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            result = con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                return "нарушена структура файла"
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "schema_version" not in tables:
                return "это не база данных soptui"
            version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
            if version > SCHEMA_VERSION:
                return f"копия сделана более новой версией soptui (схема {version})"
            return "ok"
        finally:
            con.close()
    except sqlite3.Error as exc:
        return _sqlite_reason(exc)


def _sqlite_reason(exc: sqlite3.Error) -> str:
    """SQLite's complaint in Russian (its own words are English)."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "база занята другой программой"
    if "malformed" in text or "corrupt" in text:
        return "файл повреждён"
    if "not a database" in text or "encrypted" in text:
        return "это не файл базы данных SQLite"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "нет доступа к файлу"
    if "disk" in text or "full" in text:
        return "ошибка записи на диск"
    return "ошибка SQLite"


# --- SQLite ---------------------------------------------------------------------------------------------


def backup_sqlite(source: Path, target: str | os.PathLike, now: dt.datetime | None = None) -> BackupResult:
    """Copy a live database with SQLite's online backup API while others keep working; verify; rename."""
    from soptui.core import clock

    now = now or clock.now()
    dest, dated = resolve_target(target, now)
    if dest.exists() and dest.resolve() == Path(source).resolve():
        raise BackupError("Копию нельзя записать поверх самой базы данных.")
    _check_writable_folder(dest.parent)
    tmp = _temp_beside(dest)
    try:
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, pages=256, sleep=0.005)  # small steps: writers wait only a moment at a time
                pages = dst.execute("PRAGMA page_count").fetchone()[0]
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
                src.close()
        except sqlite3.Error as exc:
            raise BackupError(
                f"Не удалось прочитать базу данных для копии ({_sqlite_reason(exc)}): прежние копии не тронуты."
            ) from exc
        verdict = check_sqlite_copy(tmp)  # integrity_check of what was read: a damaged source fails here
        if verdict != "ok":
            raise BackupError(
                f"База данных не прошла проверку целостности ({verdict}): копия не сохранена, прежние копии не "
                "тронуты. Восстановите базу из последней исправной копии: soptui restore ФАЙЛ."
            )
        _put_in_place(tmp, dest)
    except OSError as exc:
        raise BackupError(f"Не удалось записать резервную копию в «{dest}»: {_os_reason(exc)}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    _note_last_backup(Path(source), dest)
    removed = rotate(dest.parent) if dated else ()
    return BackupResult(dest, pages, "ok", removed)


def _note_last_backup(source: Path, dest: Path) -> None:
    """Remember the verified copy beside the store: a damaged store's message names it."""
    note = last_backup_note(source)
    try:
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(str(dest.resolve()))
    except OSError:
        pass  # the store's folder is read-only to this user: the backup folder is still searched


# --- PostgreSQL -----------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise BackupError(f"Не найдена программа {name} (пакет postgresql-client): резервная копия не сделана.")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A connection string without the password, and the environment carrying it (not on a command line)."""
    from soptui.db.connection import load_psycopg

    load_psycopg()  # kept out of SQLite sessions (soptui/__init__)
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = password
    return make_conninfo(**{k: str(v) for k, v in params.items()}), env


def _run_pg(args: list[str], what: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = None
    if url is not None:
        dsn, env = _libpq(url)
        args = [*args, f"--dbname={dsn}"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=3600, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{what}: программа {Path(args[0]).name} не выполнилась.") from exc
    if done.returncode != 0:
        raise BackupError(f"{what}: {Path(args[0]).name} завершилась с ошибкой (код {done.returncode}).")
    return done


def backup_postgresql(url: str, target: str | os.PathLike, now: dt.datetime | None = None) -> BackupResult:
    """pg_dump in the custom format to a temporary file, checked with pg_restore --list, then renamed."""
    from soptui.core import clock

    now = now or clock.now()
    dest, dated = resolve_target(target, now, ".dump")
    _check_writable_folder(dest.parent)
    tmp = _temp_beside(dest)
    try:
        _run_pg([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp)], "Копия не сделана", url)
        listing = _run_pg([_pg_tool("pg_restore"), "--list", str(tmp)], "Копия не прошла проверку").stdout
        if "TABLE DATA" not in listing or " schema_version " not in listing:
            raise BackupError("Копия не прошла проверку: в ней нет таблиц soptui. Прежние копии не тронуты.")
        _put_in_place(tmp, dest)
    except OSError as exc:
        raise BackupError(f"Не удалось записать резервную копию в «{dest}»: {_os_reason(exc)}.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    removed = rotate(dest.parent) if dated else ()
    return BackupResult(dest, 0, "ok", removed)


# --- rotation -------------------------------------------------------------------------------------------


def rotate(folder: Path, keep_daily: int = KEEP_DAILY, keep_weekly: int = KEEP_WEEKLY) -> tuple[Path, ...]:
    """Keep the newest dated copy of each of the last `keep_daily` days and `keep_weekly` ISO weeks."""
    copies: list[tuple[dt.datetime, Path]] = []
    for path in folder.iterdir():
        match = NAME_RE.match(path.name)
        if match and path.is_file():
            copies.append((dt.datetime.strptime(match[1] + match[2], "%Y-%m-%d%H%M%S"), path))
    copies.sort(reverse=True)  # newest first
    keep: set[Path] = set()
    days: list[dt.date] = []
    weeks: list[tuple[int, int]] = []
    for when, path in copies:
        day, week = when.date(), when.isocalendar()[:2]
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(path)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.append(week)
            keep.add(path)
    removed = []
    for _, path in copies:
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return tuple(removed)


def latest_copy(folder: Path) -> Path | None:
    """The newest dated copy in a folder, or None."""
    return latest_backup(folder)


# --- restore --------------------------------------------------------------------------------------------


def restore_sqlite(database: Path, source: Path, now: dt.datetime | None = None) -> Path:
    """Check source, keep a safety copy of the current database beside it, copy source in; the safety copy."""
    from soptui.core import clock

    now = now or clock.now()
    source, database = Path(source).expanduser(), Path(database).expanduser()
    if not source.is_file():
        raise BackupError(f"Файл копии «{source}» не найден.")
    verdict = check_sqlite_copy(source)
    if verdict != "ok":
        raise BackupError(f"Копия «{source}» не прошла проверку ({verdict}): база данных не тронута.")
    safety = database.with_name(f"{database.stem}.before-restore-{now:%Y-%m-%d_%H%M%S}{database.suffix or '.db'}")
    if database.exists():
        _check_writable_folder(database.parent)
        try:
            _safety_copy(database, safety)
        except (OSError, sqlite3.Error) as exc:
            raise BackupError(
                f"Не удалось сохранить текущую базу перед восстановлением: {_describe(exc)}. Ничего не изменено."
            ) from exc
    else:
        safety = None
    try:
        result = _copy_into_live(source, database)
    except sqlite3.Error:
        # a damaged current file the backup API cannot write into: replace the file itself (nobody can be
        # using a store that does not open), its -wal and -shm with it
        try:
            tmp = _temp_beside(database)
            try:
                shutil.copyfile(source, tmp)
                for extra in ("-wal", "-shm"):
                    database.with_name(database.name + extra).unlink(missing_ok=True)
                _put_in_place(tmp, database)
            finally:
                tmp.unlink(missing_ok=True)
            result = check_sqlite_copy(database)
        except OSError as exc:
            raise BackupError(
                f"Восстановление не удалось ({_os_reason(exc)}); прежняя база сохранена в «{safety}»."
            ) from exc
    if result != "ok":
        raise BackupError(f"После восстановления база не прошла проверку ({result}); прежняя — в «{safety}».")
    os.chmod(database, PRIVATE_FILE)
    return safety or database


def _copy_into_live(source: Path, database: Path) -> str:
    """Write source's pages into the store with the backup API: other sessions see the restored store as one
    change (or wait for it), the WAL is handled, and nothing half-copied is ever seen."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    old_umask = os.umask(0o077)
    try:
        dst = sqlite3.connect(database, timeout=30)
    finally:
        os.umask(old_umask)
    try:
        src.backup(dst)
        return "ok" if dst.execute("PRAGMA integrity_check").fetchone()[0] == "ok" else "нарушена структура файла"
    finally:
        dst.close()
        src.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return _os_reason(exc)
    if isinstance(exc, sqlite3.Error):
        return _sqlite_reason(exc)
    return "ошибка"


def _safety_copy(database: Path, safety: Path) -> None:
    """A copy of the current database, even a damaged one (then byte for byte, with its WAL)."""
    try:
        src = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(safety)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error:
        safety.unlink(missing_ok=True)
        shutil.copyfile(database, safety)
        wal = database.with_name(database.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, safety.with_name(safety.name + "-wal"))
            os.chmod(safety.with_name(safety.name + "-wal"), PRIVATE_FILE)
    os.chmod(safety, PRIVATE_FILE)


def restore_postgresql(url: str, source: Path, safety_folder: Path, now: dt.datetime | None = None) -> Path:
    """Check the archive, pg_dump the current database into safety_folder, then pg_restore in one transaction."""
    source = Path(source).expanduser()
    if not source.is_file():
        raise BackupError(f"Файл копии «{source}» не найден.")
    listing = _run_pg([_pg_tool("pg_restore"), "--list", str(source)], f"Копия «{source}» не прошла проверку").stdout
    if " schema_version " not in listing:
        raise BackupError(f"Копия «{source}» не прошла проверку: это не копия базы soptui. База данных не тронута.")
    from soptui.core import clock

    now = now or clock.now()
    safety_folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    safety = backup_postgresql(url, safety_folder / f"before-restore-{now:%Y-%m-%d_%H%M%S}.dump").path
    _run_pg(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
        ],
        f"Восстановление не удалось (база не изменена; текущая сохранена в «{safety}»)",
        url,
    )
    return safety


# --- the daily automatic copy ---------------------------------------------------------------------------


def default_folder(database_path: Path | None) -> Path:
    """Where automatic copies go: SOPTUI_BACKUP_DIR, else `backups` beside the database (or in the data folder)."""
    return backup_folder(database_path)


def daily_due(folder: Path, today: dt.date) -> bool:
    """True if no dated copy of today is in the folder yet and today is a working day."""
    from soptui.domain import workdays

    if not workdays.is_working_day(today):
        return False
    latest = latest_copy(folder)
    return latest is None or not latest.name.startswith(f"soptui-{today:%Y-%m-%d}_")


def daily_backup(database, now: dt.datetime | None = None) -> BackupResult | None:
    """The automatic copy at the first start of a working day (None if one was made today already)."""
    from soptui.core import clock

    now = now or clock.now()
    path = database_file(database)
    folder = default_folder(path)
    if not daily_due(folder, now.date()):
        return None
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return backup(database, folder, now)  # which closes the folder to others if it is the user's own


def database_file(database) -> Path | None:
    """The file of an open SQLite store (None for a server database)."""
    import peewee

    if isinstance(database, peewee.SqliteDatabase):
        return Path(database.database)
    return None


def database_url(database) -> str:
    """A libpq connection string of an open PostgreSQL store (for pg_dump and pg_restore)."""
    from soptui.db.connection import load_psycopg

    load_psycopg()
    from psycopg.conninfo import make_conninfo

    params = {k: str(v) for k, v in database.connect_params.items() if v is not None and not callable(v)}
    params.pop("prefer_psycopg3", None)
    return make_conninfo(dbname=database.database, **params)


def backup(database, target: str | os.PathLike, now: dt.datetime | None = None) -> BackupResult:
    """Back up the open store (either engine) to a file or a folder."""
    path = database_file(database)
    if path is not None:
        return backup_sqlite(path, target, now)
    return backup_postgresql(database_url(database), target, now)


# --- moving a centre to PostgreSQL ----------------------------------------------------------------------


class MigrateError(Exception):
    """The move to PostgreSQL was refused or failed; one Russian sentence. The SQLite store is untouched."""


def migrate_to(database, url: str) -> list[str]:
    """Copy the open SQLite store into an empty PostgreSQL database, then prove it: per table, the row count
    and a SHA-256 of the rows must match. Everything is written in one transaction of the target."""
    from soptui.core.storecheck import StoreError, sqlite_path
    from soptui.db import transfer
    from soptui.db.connection import bind, open_url
    from soptui.db.migrations import ensure_schema

    source = database_file(database)
    if source is None:
        raise MigrateError("Переносить в PostgreSQL можно только базу SQLite (--db путь/к/файлу.db).")
    try:
        if sqlite_path(url) is not None:
            raise MigrateError("Укажите базу PostgreSQL: postgresql://пользователь@сервер/база.")
    except StoreError as exc:
        raise MigrateError(str(exc)) from exc
    verdict = check_sqlite_copy(source)
    if verdict != "ok":
        raise MigrateError(f"База SQLite не прошла проверку целостности ({verdict}): перенос не начат.")
    try:
        target = open_url(url)
    except StoreError as exc:
        raise MigrateError(str(exc)) from exc
    try:
        existing = target.get_tables()
        if existing:
            raise MigrateError(
                f"База PostgreSQL «{target.database}» не пустая (таблиц: {len(existing)}): перенос выполняется "
                "только в пустую базу. Ничего не изменено."
            )
        with database.atomic():  # one snapshot of the source for the copy and its digests
            with target.atomic():
                bind(target)
                try:
                    ensure_schema(target)
                finally:
                    bind(database)
                transfer.copy_rows(database, target)
            theirs = transfer.table_digests(database)
        ours = transfer.table_digests(target)
    finally:
        target.close()
    lines, wrong = [], []
    for table, (count, digest) in theirs.items():
        moved = ours.get(table)
        same = moved == (count, digest)
        if not same:
            wrong.append(table)
        lines.append(f"{table}: {count} строк, sha256 {digest[:16]}… {'совпадает' if same else 'НЕ СОВПАДАЕТ'}")
    if wrong:
        raise MigrateError(
            "После переноса не совпали таблицы: " + ", ".join(wrong) + ". Исходная база SQLite не изменена; "
            "базу PostgreSQL очистите перед новой попыткой."
        )
    return lines


def restore(database, source: str | os.PathLike) -> Path:
    """Restore the open store (either engine) from a copy; returns the safety copy of what it held."""
    path = database_file(database)
    if path is not None:
        return restore_sqlite(path, Path(source))
    return restore_postgresql(database_url(database), Path(source), backup_folder(None))
