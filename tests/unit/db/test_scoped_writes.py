"""Writes scoped to their records (issue 14 point 7: 8 writers on PostgreSQL) and the audit rows of a write
transaction, written just before its commit.

On PostgreSQL a scoped write runs beside the scoped writes of other records, waits for one of the same record,
and never runs beside an unscoped write (which keeps every other writer out, as before). On SQLite every write
has the database to itself, scoped or not. Either way the audit log stays one unbroken chain, and the audit rows
of what was rolled back (a savepoint, a failed transaction) are not written.
"""

from __future__ import annotations

import threading

import pytest

from soptui.core import storecheck
from soptui.db import audit_chain, connection
from soptui.db import models as m
from soptui.db import store as records
from soptui.db.connection import write_transaction

from conftest import ON_POSTGRESQL


def _actions() -> list[str]:
    return [r.action for r in m.AuditLog.select().order_by(m.AuditLog.id)]


def test_audit_rows_follow_their_transaction_and_its_savepoints(store):
    with write_transaction():
        records.audit("first", "t", 1)
        try:
            with write_transaction():  # a savepoint that is rolled back: its audit row goes with it
                m.CalendarYear.create(year=2041, decree="x")
                records.audit("undone", "t", 2)
                raise ValueError
        except ValueError:
            pass
        with write_transaction():  # a savepoint that holds
            records.audit("kept", "t", 3)
        records.audit("last", "t", 4)
        assert m.AuditLog.select().where(m.AuditLog.action == "first").count() == 0  # written at the commit
    with pytest.raises(ValueError):
        with write_transaction():
            records.audit("failed", "t", 5)
            raise ValueError
    assert _actions()[-3:] == ["first", "kept", "last"]
    assert "undone" not in _actions() and "failed" not in _actions()
    assert m.CalendarYear.select().where(m.CalendarYear.year == 2041).count() == 0
    assert audit_chain.verify().ok


class _Holder(threading.Thread):
    """Another workstation's write transaction, held open until `release()`."""

    def __init__(self, scope):
        super().__init__(daemon=True)
        self.scope, self.inside, self.done, self.error = scope, threading.Event(), threading.Event(), None

    def run(self):
        try:
            with write_transaction(scope=self.scope):
                records.audit("held", "t", 0)
                self.inside.set()
                self.done.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc
            self.inside.set()
        finally:
            connection.db.close()

    def release(self):
        self.done.set()
        self.join(30)
        assert self.error is None


def _goes_through(scope) -> bool:
    """A write with this scope is done at once (True), or finds the database busy (False)."""
    try:
        with write_transaction(scope=scope):
            records.audit("beside", "t", 0)
        return True
    except storecheck.StoreBusy:
        return False


@pytest.fixture
def quick_busy(monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(connection, "BUSY_ATTEMPTS", 1)


@pytest.mark.parametrize(
    "held, other, beside_on_postgresql",
    [
        ([("client", 1)], [("client", 2)], True),  # other records: side by side
        ([("client", 1)], [], True),  # a write of new rows only
        ([("client", 1), ("group_session", 7)], [("group_session", 7), ("client", 3)], False),  # one in common
        ([("client", 1)], None, False),  # an unscoped write waits for every scoped one
        (None, [("client", 2)], False),  # and keeps them all out
        (None, None, False),
    ],
)
def test_scoped_writes_run_beside_each_other_only_on_other_records(
    store, quick_busy, held, other, beside_on_postgresql
):
    holder = _Holder(held)
    holder.start()
    assert holder.inside.wait(10) and holder.error is None
    try:
        assert _goes_through(other) is (beside_on_postgresql and ON_POSTGRESQL)  # SQLite: one writer at a time
    finally:
        holder.release()
    assert _goes_through(other)  # once the other lets go
    assert audit_chain.verify().ok


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite: every write holds the whole database")
def test_a_write_needing_everyone_out_cannot_be_nested_in_a_scoped_one(store):
    with pytest.raises(RuntimeError, match="nested in a scoped one"):
        with write_transaction(scope=[("client", 1)]):
            with write_transaction():
                pass
    with write_transaction(scope=[("client", 1)]):
        with write_transaction(scope=[("client", 1)]):  # a scoped savepoint inside is fine
            records.audit("nested", "t", 1)
    assert _actions()[-1] == "nested"


def test_a_failing_audit_append_undoes_the_whole_write_and_the_store_goes_on(store, monkeypatch):
    """On PostgreSQL the audit rows and the COMMIT go in one pipeline: if the append fails, the write is rolled
    back (nothing of it stays), the error is peewee's as everywhere else, and the next write works."""
    import peewee

    if ON_POSTGRESQL:  # the server refuses the append: division by zero, with the rows' parameters given
        monkeypatch.setattr(audit_chain, "_PG_APPEND", audit_chain._PG_APPEND + " WHERE 1 / 0 = 1")
    else:
        monkeypatch.setattr(audit_chain, "_last_hash", lambda database: 1 / 0)
    with pytest.raises((peewee.DataError, peewee.ProgrammingError, peewee.OperationalError, ZeroDivisionError)):
        with write_transaction(scope=[]):
            m.CalendarYear.create(year=2042, decree="x")
            records.audit("create", "calendar_year", 2042)
    monkeypatch.undo()
    assert m.CalendarYear.select().where(m.CalendarYear.year == 2042).count() == 0
    with write_transaction(scope=[]):
        m.CalendarYear.create(year=2042, decree="y")
        records.audit("create", "calendar_year", 2042)
    assert m.CalendarYear.get(m.CalendarYear.year == 2042).decree == "y"
    assert _actions()[-1] == "create" and audit_chain.verify().ok


def test_postgresql_goes_through_psycopg_3_and_an_sqlite_session_never_loads_it(store):
    """psycopg 3 prepares repeated statements on the server and sends binary arrays (what the figures above rest
    on); it costs about 19 MB once imported, so a workstation on SQLite never imports it."""
    import subprocess
    import sys

    from soptui.db import prepared

    assert prepared.binary_arrays() is ON_POSTGRESQL
    probe = (
        "import sys, soptui.app, soptui.services.clients, soptui.services.calls, soptui.db.connection; "
        "print(sys.modules.get('psycopg') is None)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_an_audit_row_alone_runs_beside_scoped_writes(store, quick_busy):
    """A file viewed, a sign-in, a printout: an audit row on its own reads no record's rules, so on PostgreSQL it
    does not wait for the writes of a call or a roll call (every opened card wrote one through the whole lock)."""
    holder = _Holder([("client", 1)])
    holder.start()
    assert holder.inside.wait(10) and holder.error is None
    try:
        if ON_POSTGRESQL:
            records.audit("view", "client", 2)  # outside any transaction: its own, scoped to nothing
        else:
            with pytest.raises(storecheck.StoreBusy):
                records.audit("view", "client", 2)
    finally:
        holder.release()
    records.audit("view", "client", 3)
    views = [r.record_id for r in m.AuditLog.select().where(m.AuditLog.action == "view").order_by(m.AuditLog.id)]
    assert views == ([2, 3] if ON_POSTGRESQL else [3])
    assert audit_chain.verify().ok
