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

from soptui.db import connection
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
    # A write transaction's audit rows chained and inserted in one round trip (write_pending). The chain's lock
    # is taken first, and the read of the last link after it (a VOLATILE function's statement: its own
    # snapshot under READ COMMITTED) sees every row committed before the lock was granted. Each row's hash is
    # row_digest's: SHA-256 of the JSON array [previous hash, at, staff, action, table, record id, changes],
    # whose part after the previous hash (the row's last element, `tail`) Python writes, so both sides hash the
    # very same text. The rows come as one JSON text (a JSON array of [at, staff, action, table, record id,
    # changes, tail]): the driver sends one string, where seven arrays cost it 2.7 times the client's CPU.
    "DROP FUNCTION IF EXISTS soptui_audit_append(timestamp[], int[], text[], text[], int[], text[], text[])",
    "CREATE OR REPLACE FUNCTION soptui_audit_append_rows(rows_json text) RETURNS void AS $$ "
    "DECLARE prev text; h text; r json; "
    f"BEGIN PERFORM pg_advisory_xact_lock({_PG_LOCK_KEY}); "
    f"prev := COALESCE(NULLIF((SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1), ''), '{GENESIS}'); "
    "FOR r IN SELECT value FROM json_array_elements(rows_json::json) LOOP "
    "h := encode(sha256(convert_to('[\"' || prev || '\",' || (r->>6), 'UTF8')), 'hex'); "
    'INSERT INTO audit_log (at, staff_id, action, "table", record_id, changes, prev_hash, row_hash) '
    "VALUES ((r->>0)::timestamp, (r->>1)::int, r->>2, r->>3, (r->>4)::int, r->>5, prev, h); "
    "prev := h; END LOOP; END $$ LANGUAGE plpgsql VOLATILE",
]


def audit_guards_installed(database: pw.Database) -> bool:
    """The append-only triggers of this release are in place (nothing to re-create at open)."""
    if isinstance(database, pw.PostgresqlDatabase):
        row = database.execute_sql(
            "SELECT pg_get_functiondef(p.oid) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgname = 'audit_log_append_only' AND NOT t.tgisinternal"
        ).fetchone()
        head = database.execute_sql("SELECT 1 FROM pg_proc WHERE proname = 'soptui_audit_append_rows'").fetchone()
        return row is not None and "integrity_constraint_violation" in row[0] and head is not None
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
    row = database.execute_sql(_LAST).fetchone()
    return (row[0] if row else "") or GENESIS


def _content_tail(at, staff_id, action: str, table: str, record_id, changes: str) -> str:
    """row_digest's JSON text after its first element (the previous hash): `"at",staff,...]`."""
    return json.dumps(
        [_at_text(at), staff_id, action, table, record_id, changes], ensure_ascii=False, separators=(",", ":")
    )[1:]


_COLUMNS = ("at", "staff", "action", "table", "record_id", "changes", "prev_hash", "row_hash")


def append(at: dt.datetime, staff_id: int | None, action: str, table: str, record_id, changes: str) -> None:
    """Chain one row; call inside the write transaction of the change it records. In a soptui write
    transaction the row is kept and written just before the commit (write_pending), with the others of it."""
    database = m.AuditLog._meta.database
    pending = connection.pending_audit()
    if pending is not None and database.in_transaction():
        pending.append((at, staff_id, action, table, record_id, changes))
        return
    if not database.in_transaction():  # reading the last hash and appending must be one unit
        from soptui.db.connection import write_transaction

        # an audit row alone (a file viewed, a sign-in, a printout): no rule of any record is read, so on
        # PostgreSQL it runs beside other scoped writes; the chain's own lock keeps the log one chain
        with write_transaction(scope=[]):
            return append(at, staff_id, action, table, record_id, changes)
    write_pending([(at, staff_id, action, table, record_id, changes)])


def write_pending(rows: list[tuple], commit: bool = False) -> bool:
    """Insert these rows (at, staff_id, action, table, record_id, changes) in order, chained after the last
    row of the log, in one statement. Call inside the write transaction, as the last thing before its commit.

    `commit`: on PostgreSQL (psycopg 3) the COMMIT is sent with them, in one pipeline, and True returned: the
    chain's lock is then held only while the server works, never while this process waits for the CPU to send
    its COMMIT (8 writers on 2 cores: a quarter of the time went there)."""
    from soptui.db import prepared

    database = m.AuditLog._meta.database
    if isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase):  # the models' proxy, or a database
        # the chain's lock, the last link and the rows in one round trip (soptui_audit_append_rows)
        params = [
            json.dumps(
                [[_at_text(r[0]), *r[1:], _content_tail(*r)] for r in rows], ensure_ascii=False, separators=(",", ":")
            )
        ]
        if commit and prepared.binary_arrays():  # psycopg 3: the COMMIT goes in the same pipeline
            conn = database.connection()
            with connection.peewee_errors(), conn.pipeline():
                cursor = conn.cursor()
                cursor.execute(_PG_APPEND, params)
                cursor.execute("COMMIT")
            return True
        database.execute_sql(_PG_APPEND, params)
        return False
    prev = _last_hash(database)
    values = []
    for at, staff_id, action, table, record_id, changes in rows:
        digest = row_digest(prev, at, staff_id, action, table, record_id, changes)
        values.append((at, staff_id, action, table, record_id, changes, prev, digest))
        prev = digest
    prepared.insert_many(m.AuditLog, _COLUMNS, values)
    return False


_PG_APPEND = "SELECT soptui_audit_append_rows(%s)"


connection._audit_writer[0] = write_pending  # the write transaction calls it before its commit


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
