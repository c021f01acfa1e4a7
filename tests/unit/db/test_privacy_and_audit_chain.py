"""Personal data stays private on disk, and the audit log is append-only and tamper-evident (issue 10)."""

from __future__ import annotations

import os
import sqlite3
import stat

import peewee
import pytest

from soptui.core import clock, storecheck
from soptui.db import audit_chain, store
from soptui.db import models as m
from soptui.db.connection import db, open_sqlite, write_transaction
from soptui.services.backup import backup_sqlite
from soptui.services.store import open_store


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_store_is_private_whatever_the_umask(tmp_path, loose_umask):
    target = tmp_path / "data" / "soptui.db"
    database = open_store(target)
    try:
        with write_transaction():
            store.audit("test", "", None)  # a write: SQLite creates -wal and -shm now
        assert _mode(target.parent) == 0o700
        for name in ("soptui.db", "soptui.db-wal", "soptui.db-shm"):
            assert _mode(target.parent / name) == 0o600, name
    finally:
        database.close()
        db.initialize(None)


def test_looser_modes_found_at_start_are_tightened_and_reported(tmp_path, loose_umask):
    target = tmp_path / "shared" / "soptui.db"
    database = open_store(target)
    database.close()
    db.initialize(None)
    os.chmod(target, 0o644)
    os.chmod(target.parent, 0o755)
    storecheck.TIGHTENED.clear()
    database = open_sqlite(target)
    database.close()
    assert _mode(target) == 0o600 and _mode(target.parent) == 0o700
    assert len(storecheck.TIGHTENED) == 1 and str(target) in storecheck.TIGHTENED[0]
    assert "исправлены" in storecheck.TIGHTENED[0]


@pytest.mark.sqlite_only
def test_a_store_in_a_shared_folder_leaves_the_folder_open_to_others(tmp_path, loose_umask):
    """A store opened in /tmp (sticky, everyone's): its files become 0600, the folder stays 1777 — once soptui
    made /tmp 0700 and the machine's other programs (PostgreSQL's initdb among them) lost it."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    target = shared / "store.db"
    storecheck.TIGHTENED.clear()
    database = open_sqlite(target)
    database.close()
    assert _mode(target) == 0o600
    assert shared.stat().st_mode & 0o7777 == 0o1777


@pytest.mark.sqlite_only
def test_backup_is_private(store, tmp_path, loose_umask):
    (tmp_path / "copies").mkdir()  # a missing folder is refused, never made (issue 14)
    result = backup_sqlite(tmp_path / "test.db", tmp_path / "copies" / "b.db")
    assert result.integrity == "ok" and _mode(result.path) == 0o600


def _write_some(n: int = 3) -> None:
    with write_transaction():
        for i in range(n):
            store.audit("view", "client", i, {"note": f"x{i}"})


def test_audit_log_refuses_update_and_delete(store):
    _write_some()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        m.AuditLog.update(action="edited").execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        m.AuditLog.delete().execute()
    assert m.AuditLog.select().count() == 3


def _tamper(tmp_path, sqlite_trigger: str, sql: str) -> None:
    """Drop the guard and change the log behind soptui's back: in the file (SQLite) or on the server."""
    if isinstance(db.obj, peewee.PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        db.execute_sql(sql)
        return
    con = sqlite3.connect(tmp_path / "test.db")
    con.execute(f"DROP TRIGGER {sqlite_trigger}")
    con.execute(sql)
    con.commit()
    con.close()


def test_chain_verifies_and_names_the_first_edited_row(store, tmp_path):
    _write_some(5)
    report = audit_chain.verify()
    assert report.ok and report.rows == 5
    ids = [r.id for r in m.AuditLog.select().order_by(m.AuditLog.id)]
    # someone with file (or database owner's) access drops the trigger and edits the third row
    _tamper(tmp_path, "audit_log_no_update", f"UPDATE audit_log SET changes = '{{}}' WHERE id = {ids[2]}")
    report = audit_chain.verify()
    assert not report.ok and report.first_broken_id == ids[2] and "изменено" in report.reason


def test_chain_names_the_row_after_a_deleted_one(store, tmp_path):
    _write_some(4)
    ids = [r.id for r in m.AuditLog.select().order_by(m.AuditLog.id)]
    _tamper(tmp_path, "audit_log_no_delete", f"DELETE FROM audit_log WHERE id = {ids[1]}")
    report = audit_chain.verify()
    assert report.first_broken_id == ids[2] and "удалена" in report.reason


def test_awkward_text_chains_alike_on_both_engines(store):
    """The rows go to PostgreSQL's chain function as one JSON text: quotes, backslashes, line breaks, Cyrillic,
    characters beyond the basic plane and missing ids must come out as Python hashed them."""
    awkward = ['"кавычки" и \\обратные\\ косые', "строка\nвторая\tтаб", "смайлик 🙂 и ё", "", '{"json": [1, 2]}']
    with write_transaction():  # five rows of one transaction: one call of the chain function
        for n, text in enumerate(awkward):
            audit_chain.append(clock.now(), None, "update", "client", n if n % 2 else None, text)
    rows = list(m.AuditLog.select().order_by(m.AuditLog.id))
    assert [r.record_id for r in rows] == [None, 1, None, 3, None]
    assert [r.changes for r in rows] == awkward
    report = audit_chain.verify()
    assert report.ok and report.rows == 5
