"""Opening the store: SQLite file by default, any peewee URL via SOPTUI_DATABASE."""

from __future__ import annotations

import contextvars
import itertools
import os
import random
import sys
import time
from pathlib import Path

import peewee

from soptui.core.storecheck import (  # noqa: F401 (re-exported)
    StoreBusy,
    StoreError,
    announce_busy,
    check_sqlite_file,
    damaged_message,
    default_db_path,
    secure_store_files,
    sqlite_path,
)
from soptui.core.writers_turn import writers_turn

db = peewee.DatabaseProxy()

BUSY_TIMEOUT_S = 10
# A write that finds the database locked by another program waits BUSY_TIMEOUT_S, says «База занята,
# повторяю…» and tries again, this many times in all, then gives up with StoreBusy (a Russian sentence).
BUSY_ATTEMPTS = 6
# quick_check at open stops after this long on a large file (integrity_check runs in full before each backup).
QUICK_CHECK_SECONDS = 2.0
# PostgreSQL: a write transaction takes this transaction-level advisory lock first, so writers queue as
# SQLite's BEGIN IMMEDIATE makes them: read-then-write inside a transaction sees no concurrent writer, which
# keeps version checks exact (no spurious conflicts), unique checks race-free and deadlocks impossible.
# A write scoped to its records (write_transaction(scope=...): a new client, a call, a roll call) takes it
# shared instead, plus an exclusive lock per record, always in the same order: such writes run side by side
# unless they touch the same client, call or session, and none runs beside an unscoped one. Their audit rows
# are chained last, under the chain's own lock (soptui.db.audit_chain), so no lock is ever awaited after it.
PG_WRITE_LOCK = 0x50505455  # "SOPTU"


def open_sqlite(path: str | os.PathLike, create: bool = True) -> peewee.Database:
    """Open a SQLite store at path (creating it, and its folder if `create`) with WAL, foreign keys and a busy
    timeout; a damaged file (PRAGMA quick_check, bounded in time) is refused with the last good backup named."""
    path = Path(path).expanduser()
    check_sqlite_file(path, create)
    database = peewee.SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_S,
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_S * 1000,
            "synchronous": "normal",
            # 4 MB of pages per connection. Each of Textual's worker threads keeps a connection of its own (peewee's
            # are per thread), so with 16 MB the registry on 100,000 clients held 148 MB at its peak (goal 150);
            # with 4 MB it held 87 MB, the OS page cache serving the rest at no cost measured (bench: search,
            # Today, the journal the same; 1M keystroke median 1.4 -> 1.6 ms; 8 writers 623-738 -> 848-873 tx/s).
            "cache_size": -4000,
            # the WAL is copied back into the file after every CHECKPOINT_EVERY write transactions, once the
            # writer has let the next one go (see _WriteTransaction): SQLite's automatic checkpoint ran inside
            # the commit, so every writer waited for its disk flushes. (Kept as a safety net at a higher
            # threshold, it ran after every commit once the WAL was past it: p99 55 -> 125 ms.) Bulk writes
            # outside write transactions are followed by a checkpoint of their own (open_store, the demo).
            "wal_autocheckpoint": 0,
        },
        check_same_thread=False,
    )
    old_umask = os.umask(0o077)  # SQLite creates the file, -wal and -shm: private whatever the caller's umask
    try:
        database.connect()
        database.execute_sql("PRAGMA schema_version").fetchone()
        problem = quick_check(database)
    except peewee.OperationalError as exc:
        database.close()
        if is_busy_error(exc):
            raise StoreBusy(path) from exc
        raise StoreError(damaged_message(path)) from exc
    except peewee.DatabaseError as exc:
        database.close()
        if path.stat().st_size < 100:  # not even a header's worth: some other file
            raise StoreError(f"Файл «{path}» не является базой данных soptui (SQLite).") from exc
        raise StoreError(damaged_message(path)) from exc
    finally:
        os.umask(old_umask)
    if problem:
        database.close()
        raise StoreError(damaged_message(path, "проверка целостности не прошла"))
    secure_store_files(path)
    return database


def quick_check(database: peewee.SqliteDatabase, seconds: float = QUICK_CHECK_SECONDS, every: int = 20000) -> str:
    """SQLite's first complaint about the file's structure ("" if none), within `seconds` (a huge file is then
    passed as far as it was read: integrity_check in full runs before each backup)."""
    import sqlite3

    conn = database.connection()
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, every)  # every N VM steps
    try:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc):
            raise
        if time.monotonic() <= deadline:
            # not the deadline: Ctrl+C came while SQLite read, and SQLite turned it into «interrupted» (a handler's
            # exception only stops the statement), so the command went on as if the file were fine
            raise KeyboardInterrupt from None
        return ""
    finally:
        conn.set_progress_handler(None, 0)
    return "" if result == "ok" else str(result)


def is_busy_error(exc: BaseException) -> bool:
    """SQLite's «database is locked / busy», PostgreSQL's lock timeout: another program holds the write lock."""
    text = str(exc).lower()
    return isinstance(exc, peewee.OperationalError) and ("locked" in text or "busy" in text or "lock timeout" in text)


def load_psycopg():
    """PostgreSQL's driver, psycopg 3, imported now (soptui/__init__ keeps it out until a PostgreSQL store is
    opened) and handed to peewee as if it had been importable all along. ImportError if it is not installed."""
    if "psycopg" in sys.modules and sys.modules["psycopg"] is None:
        del sys.modules["psycopg"]
    import psycopg
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    if getattr(peewee, "psycopg", None) is None:  # what peewee's own import would have set
        peewee.psycopg, peewee.TransactionStatus, peewee.Json_pg3, peewee.Jsonb_pg3 = (
            psycopg,
            TransactionStatus,
            Json,
            Jsonb,
        )
        adapter = peewee.Psycopg3Adapter
        adapter.txn_idle = TransactionStatus.IDLE
        adapter.txn_inerror = TransactionStatus.INERROR
        adapter.txn_unknown = TransactionStatus.UNKNOWN
    return psycopg


def open_url(url: str, create: bool = True) -> peewee.Database:
    """Open a store from a URL (sqlite:///path, postgresql://user@host/db) or a plain path."""
    path = sqlite_path(url)
    if path is not None:
        return open_sqlite(path, create)
    try:
        load_psycopg()
    except ImportError:
        pass  # psycopg2 may be there; if no driver is, connect() below says so in Russian
    from playhouse.db_url import connect  # only for server databases: keeps start-up light

    try:
        database = connect(url, connect_timeout=10, prefer_psycopg3=True)
    except Exception as exc:  # noqa: BLE001 - a URL peewee cannot read
        raise StoreError(
            "Адрес базы данных PostgreSQL записан неверно: postgresql://пользователь@сервер/база."
        ) from exc
    try:
        database.connect()
    except ImportError as exc:
        raise StoreError("Для PostgreSQL нужен драйвер: python3 -m pip install 'soptui[postgresql]'.") from exc
    except Exception as exc:  # server down, bad credentials: the driver's words are English, ours are not
        raise StoreError(pg_connect_message(exc, database)) from exc
    return database


def pg_connect_message(exc: BaseException, database) -> str:
    """One Russian sentence for a failed PostgreSQL connection (the driver's own text is English)."""
    text = str(exc).lower()
    params = getattr(database, "connect_params", {}) or {}
    where = f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"
    name = getattr(database, "database", "")
    if "password" in text or "authentication" in text:
        why = "неверный пользователь или пароль"
    elif "does not exist" in text and "database" in text:
        why = f"базы «{name}» на сервере нет"
    elif "does not exist" in text and "role" in text:
        why = "такого пользователя на сервере нет"
    elif "refused" in text or "could not connect" in text or "timeout" in text or "timed out" in text:
        why = "сервер не отвечает (проверьте адрес, порт и что PostgreSQL запущен)"
    elif "could not translate host name" in text or "name or service not known" in text:
        why = "имя сервера не найдено"
    else:
        why = "сервер отказал в подключении"
    return f"Не удаётся подключиться к базе данных PostgreSQL на {where}: {why}."


def bind(database: peewee.Database) -> peewee.Database:
    """Point every model at database."""
    db.initialize(database)
    return database


def is_sqlite() -> bool:
    return isinstance(db.obj, peewee.SqliteDatabase)


def peewee_errors():
    """The driver's errors as peewee's (what the rest of soptui catches), around direct use of the driver."""
    return peewee.__dict__["__exception_wrapper__"]


class _BeginLocked(peewee._transaction):
    """A PostgreSQL transaction whose BEGIN carries the writers' locks (one round trip for both)."""

    def __init__(self, database: peewee.Database, locks_sql: str):
        super().__init__(database)
        self.locks_sql = locks_sql
        self.committed = False  # the audit rows went with the COMMIT (audit_chain.write_pending)

    def commit(self, begin=True):
        if self.committed and not begin:
            self.db._run_commit_callbacks()
            return
        super().commit(begin)

    def _begin(self):
        try:
            with peewee_errors():  # lock timeout: busy
                self.db.cursor().execute(f"BEGIN; {self.locks_sql}")
        except BaseException:
            try:  # the transaction began and its lock statement failed: nothing was done, end it
                self.db.cursor().execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - the connection itself is gone: the error above says why
                pass
            raise


class _WriteTransaction:
    """BEGIN IMMEDIATE on SQLite, BEGIN + the writers' advisory lock on PostgreSQL. A database held by another
    program is waited for BUSY_TIMEOUT_S, announced («База занята, повторяю…») and tried again, BUSY_ATTEMPTS
    times in all, then refused with StoreBusy. Only the start is repeated: nothing of the body has run yet."""

    def __init__(self, scope=None):
        self.inner = None
        self.scope = None if scope is None else sorted({(SCOPE_KINDS[kind], int(key)) for kind, key in scope})

    def __enter__(self):
        sqlite = is_sqlite()
        if db.in_transaction():  # nested: a savepoint inside the writer's own transaction
            if self.scope is None and _HELD.get() is not None and _HELD.get() != "all":
                # the outer transaction took only its own records' locks: a write needing everyone's cannot
                # be added to it (taking the whole lock now could deadlock): the caller must ask for it first
                raise RuntimeError("a write needing the writers' whole lock nested in a scoped one")
            self.inner = db.atomic()
            pending = _AUDIT.get()
            self.inner.audit_mark = None if pending is None else len(pending)
            return self.inner.__enter__()
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                self.inner = self._begin(sqlite, self.scope)
                self.inner.held = _HELD.set("all" if sqlite or self.scope is None else "scope")
                self.inner.audit = _AUDIT.set([])
                return self.inner.entered  # the transaction itself, as `with db.atomic() as tx` gives
            except peewee.OperationalError as exc:
                if not is_busy_error(exc):
                    raise
                if attempt == BUSY_ATTEMPTS:
                    raise StoreBusy(getattr(db.obj, "database", "")) from exc
                announce_busy(attempt)
        raise AssertionError("unreachable")

    @staticmethod
    def _begin(sqlite: bool, scope):
        wait_ms = int(BUSY_TIMEOUT_S * 1000)
        if sqlite:
            # SQLite's own busy handler sleeps 25-100 ms between tries once a wait goes on: with 8 writers the
            # lock was often free while they slept (p99 over a second). The start is tried every 1-3 ms here
            # for the same BUSY_TIMEOUT_S; the statements inside keep the ordinary busy timeout.
            # Before that, soptui's own writers queue on a file lock (writers_turn): the kernel wakes the next
            # one the moment the lock is let go, where polling left the database idle between transactions.
            deadline = time.monotonic() + BUSY_TIMEOUT_S  # read each time: settings and tests may change it
            turn = writers_turn(getattr(db.obj, "database", ""), BUSY_TIMEOUT_S)
            db.execute_sql("PRAGMA busy_timeout = 0")
            try:
                while True:
                    try:
                        inner = db.atomic("IMMEDIATE")
                        inner.entered = inner.__enter__()
                        inner.turn, turn = turn, None  # let go after the commit (or rollback)
                        inner.sqlite_outer = True
                        return inner
                    except peewee.OperationalError as exc:
                        if not is_busy_error(exc) or time.monotonic() >= deadline:
                            raise
                        time.sleep(0.001 + random.random() * 0.002)
            finally:
                db.execute_sql(f"PRAGMA busy_timeout = {wait_ms}")
                if turn is not None:  # the transaction did not start: the next writer's turn
                    turn.release()
        # BEGIN and the locks in one round trip: they are held from here to the commit, so every trip before the
        # body's own statements made each writer wait longer for the others (issue 14: 8 writers). The lock
        # timeout is set for the waits of this statement only (evaluated left to right) and reset after them.
        # Only integers of this module go into the text, so it needs no parameters.
        if scope is None:  # everyone's: no other writer runs meanwhile
            locks = f"pg_advisory_xact_lock({PG_WRITE_LOCK:d})"
        else:  # shared with other scoped writers, then each of its records' own, in one fixed order
            locks = ", ".join(
                [f"pg_advisory_xact_lock_shared({PG_WRITE_LOCK:d})"]
                + [f"pg_advisory_xact_lock({kind:d}, {key:d})" for kind, key in scope]
            )
        inner = _BeginLocked(
            db.obj,
            f"SELECT set_config('lock_timeout', '{wait_ms:d}', true), {locks}, set_config('lock_timeout', '0', true)",
        )
        inner.entered = inner.__enter__()
        return inner

    def __exit__(self, exc_type, exc, tb):
        inner = self.inner
        if not hasattr(inner, "audit"):  # a savepoint: the audit rows of a rolled-back one go with it
            if exc_type is not None and getattr(inner, "audit_mark", None) is not None:
                del _AUDIT.get()[inner.audit_mark :]
            return inner.__exit__(exc_type, exc, tb)
        try:
            pending = _AUDIT.get()
            if exc_type is None and pending:
                try:
                    # last of all, so the chain's lock is held the least; on PostgreSQL the COMMIT goes with them
                    if _audit_writer[0](pending, commit=isinstance(inner, _BeginLocked)):
                        inner.committed = True
                except BaseException:
                    inner.__exit__(*sys.exc_info())  # rolls the whole change back
                    raise
            return inner.__exit__(exc_type, exc, tb)
        finally:
            _AUDIT.reset(inner.audit)
            held = getattr(inner, "held", None)
            if held is not None:
                _HELD.reset(held)
            turn = getattr(self.inner, "turn", None)
            if turn is not None:
                turn.release()
            if getattr(self.inner, "sqlite_outer", False) and next(_WRITES) % CHECKPOINT_EVERY == 0:
                checkpoint()


CHECKPOINT_EVERY = 256  # write transactions of this process between two checkpoints (a few MB of WAL)
_WRITES = itertools.count(1)


def checkpoint() -> None:
    """Copy what the WAL holds back into the store file, without waiting for anyone (PASSIVE: readers and other
    writers go on; what a reader still needs is copied by a later checkpoint). Failing is harmless: the WAL
    simply keeps it until the next one."""
    try:
        db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except peewee.OperationalError:
        pass


def write_transaction(scope=None) -> _WriteTransaction:
    """A write unit of work: BEGIN IMMEDIATE on SQLite so read-then-write never deadlocks (and its equivalent,
    an advisory lock, on PostgreSQL); waits out and retries a busy database.

    `scope` (PostgreSQL only; SQLite has one writer at a time anyway): the records whose rules this write reads
    and relies on, as (kind, id) pairs of SCOPE_KINDS, e.g. [("client", 5)]; [] for a write that only adds rows
    of its own. Such a write runs beside other scoped writes of other records, waits for one of the same
    record, and never runs beside a write without a scope (which keeps everyone else out, as before). Give a
    scope only when every rule the body checks is about those records alone."""
    return _WriteTransaction(scope)


# Record kinds a write may be scoped to (see write_transaction): the first key of PostgreSQL's two-key
# advisory locks (a different key space from the writers' one-key lock).
SCOPE_KINDS = {"client": 1, "group_session": 2, "phone_call": 3}
# What the current write transaction holds on PostgreSQL: "all" (the writers' lock: nobody else writes),
# "scope" (only its records' locks), None (no write transaction). On SQLite always "all". A write needing the
# whole lock is refused inside a "scope" one (_WriteTransaction.__enter__).
_HELD: contextvars.ContextVar[str | None] = contextvars.ContextVar("soptui_writers_lock", default=None)


# The audit rows of the current write transaction, written just before it commits (soptui.db.audit_chain): the
# chain's next link needs the previous row's hash, and reading it takes the chain's lock until the commit.
_AUDIT: contextvars.ContextVar[list | None] = contextvars.ContextVar("soptui_audit_rows", default=None)


_audit_writer: list = [None]  # soptui.db.audit_chain.write_pending, set by that module (it imports this one)


def pending_audit() -> list | None:
    """The list collecting this write transaction's audit rows, or None outside one."""
    return _AUDIT.get()
