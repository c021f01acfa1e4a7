"""The audit log is append-only and tamper-evident (152-FZ: who saw and changed whose file).

Append-only: triggers refuse UPDATE and DELETE on `audit_log` (SQLite and PostgreSQL).
Tamper-evident: each row stores the hash of the previous row and its own hash over its content and that
previous hash, so editing, deleting or inserting a row by hand breaks the chain at that row;
`soptui audit verify` names the first broken row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import peewee as pw

from soptui.db import models as m

GENESIS = "0" * 64
_PG_LOCK_KEY = 7_120_152  # advisory lock id: one appender at a time keeps the chain linear on PostgreSQL

_SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
_PG_GUARDS = [
    "CREATE OR REPLACE FUNCTION soptui_audit_append_only() RETURNS trigger AS $$ "
    # integrity_constraint_violation: peewee raises IntegrityError, as SQLite's RAISE(ABORT) gives
    "BEGIN RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation'; "
    "END $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION soptui_audit_append_only()",
]


def audit_guards_installed(database: pw.Database) -> bool:
    """The append-only triggers of this release are in place (nothing to re-create at open)."""
    if isinstance(database, pw.PostgresqlDatabase):
        row = database.execute_sql(
            "SELECT pg_get_functiondef(p.oid) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgname = 'audit_log_append_only' AND NOT t.tgisinternal"
        ).fetchone()
        return row is not None and "integrity_constraint_violation" in row[0]
    names = {
        r[0]
        for r in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    }
    return {"audit_log_no_update", "audit_log_no_delete"} <= names


def install_audit_guards(database: pw.Database) -> None:
    """Create the triggers that refuse UPDATE and DELETE on the audit log (idempotent)."""
    statements = _PG_GUARDS if isinstance(database, pw.PostgresqlDatabase) else _SQLITE_GUARDS
    for sql in statements:
        database.execute_sql(sql)


def _at_text(at: dt.datetime | str) -> str:
    if isinstance(at, str):  # SQLite may hand back text for rows written by older code
        at = dt.datetime.fromisoformat(at)
    return at.isoformat(sep=" ", timespec="microseconds")


def row_digest(prev_hash: str, at, staff_id, action: str, table: str, record_id, changes: str) -> str:
    """The hash of one audit row: its content and the previous row's hash, in a fixed canonical form."""
    content = json.dumps(
        [prev_hash, _at_text(at), staff_id, action, table, record_id, changes],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


_LAST = "SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1"


def _last_hash(database: pw.Database) -> str:
    if isinstance(database, pw.PostgresqlDatabase):
        # one round trip, two statements: the lock is taken by the first, and the second (its own snapshot
        # under READ COMMITTED) reads the last row after it; the writers' lock is held meanwhile, so every
        # trip here made the others wait (issue 14: 8 writers)
        row = database.execute_sql(f"SELECT pg_advisory_xact_lock(%s); {_LAST}", (_PG_LOCK_KEY,)).fetchone()
    else:
        row = database.execute_sql(_LAST).fetchone()
    return (row[0] if row else "") or GENESIS


def append(at: dt.datetime, staff_id: int | None, action: str, table: str, record_id, changes: str) -> None:
    """Insert one chained row; call inside the write transaction of the change it records."""
    database = m.AuditLog._meta.database
    if not database.in_transaction():  # reading the last hash and appending must be one unit
        from soptui.db.connection import write_transaction

        with write_transaction():
            return append(at, staff_id, action, table, record_id, changes)
    from soptui.db import prepared

    prev = _last_hash(database)
    prepared.insert(
        m.AuditLog,
        dict(
            at=at,
            staff=staff_id,
            action=action,
            table=table,
            record_id=record_id,
            changes=changes,
            prev_hash=prev,
            row_hash=row_digest(prev, at, staff_id, action, table, record_id, changes),
        ),
    )


def rechain_unhashed() -> None:
    """Chain rows written before v3 (empty hashes) in id order. Runs in the migration, before the triggers."""
    prev = GENESIS
    query = m.AuditLog.select().order_by(m.AuditLog.id)
    for row in query.iterator():
        digest = row_digest(prev, row.at, row.staff_id, row.action, row.table, row.record_id, row.changes)
        m.AuditLog.update(prev_hash=prev, row_hash=digest).where(m.AuditLog.id == row.id).execute()
        prev = digest


@dataclass(frozen=True)
class ChainReport:
    rows: int
    first_broken_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify() -> ChainReport:
    """Walk the whole log in id order; the first row whose links or content do not match is reported."""
    prev = GENESIS
    count = 0
    for row in m.AuditLog.select().order_by(m.AuditLog.id).iterator():
        count += 1
        if row.prev_hash != prev:
            return ChainReport(count, row.id, "ссылка на предыдущую запись не совпадает (запись удалена или вставлена)")
        digest = row_digest(prev, row.at, row.staff_id, row.action, row.table, row.record_id, row.changes)
        if row.row_hash != digest:
            return ChainReport(count, row.id, "содержимое записи изменено")
        prev = digest
    return ChainReport(count, None)
