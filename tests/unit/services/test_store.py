"""The store: schema versions, refusing bad files, optimistic locking, audit, concurrency."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sqlite3

import peewee
import pytest

from soptui.db import CURRENT_VERSION, StoreError, open_store
from soptui.db import models as m
from soptui.db import store as st
from soptui.db.connection import db, write_transaction
from soptui.db.migrations import stored_version


def _close():
    if db.obj is not None:
        db.obj.close()
    db.initialize(None)


def test_fresh_store_is_at_current_version(tmp_path):
    database = open_store(tmp_path / "a.db")
    try:
        assert stored_version(database) == CURRENT_VERSION
        assert CURRENT_VERSION >= 2
        assert set(t._meta.table_name for t in m.ALL_MODELS) <= set(database.get_tables())
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        _close()


def test_version_1_store_is_upgraded_keeping_data(tmp_path):
    path = tmp_path / "old.db"
    database = open_store(path)
    m.Staff.create(
        last_name="Иванова", first_name="Марина", position="social_work_specialist", login="ivanova", password_hash="x"
    )
    _close()
    # Make it look like a release-1 store: no v2 column, version 1 recorded.
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE staff DROP COLUMN idle_lock_minutes")
    con.execute("ALTER TABLE phone_call DROP COLUMN feedback_text")
    con.execute("ALTER TABLE group_session DROP COLUMN report_seconds")
    con.execute("ALTER TABLE phone_call DROP COLUMN ground")
    con.execute("ALTER TABLE phone_call DROP COLUMN client_session_at")
    con.execute("DELETE FROM schema_version WHERE version > 1")
    con.commit()
    con.close()
    database = open_store(path)
    try:
        assert stored_version(database) == CURRENT_VERSION
        assert "idle_lock_minutes" in {c.name for c in database.get_columns("staff")}
        assert "feedback_text" in {c.name for c in database.get_columns("phone_call")}  # v5
        assert "report_seconds" in {c.name for c in database.get_columns("group_session")}  # v5
        call_columns = {c.name for c in database.get_columns("phone_call")}
        assert {"ground", "client_session_at"} <= call_columns  # v6
        assert m.Staff.get(m.Staff.login == "ivanova").last_name == "Иванова"
    finally:
        _close()


def test_newer_store_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_store(path)
    m.SchemaVersion.create(version=CURRENT_VERSION + 5)
    _close()
    with pytest.raises(StoreError, match="более новой версией"):
        open_store(path)
    _close()


def test_not_a_database_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("это не база данных\n" * 100, encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="не является базой данных"):
        open_store(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (tmp_path / "notes.db-wal").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="только для чтения"):
            open_store(folder / "x.db")
    finally:
        folder.chmod(0o700)


def test_unknown_url_scheme_is_refused():
    with pytest.raises(StoreError, match="Неизвестный тип базы данных «mysql»"):
        open_store("mysql://user@localhost/soptui")


def test_sqlite_url(tmp_path):
    database = open_store(f"sqlite:///{tmp_path}/u.db")
    try:
        assert (tmp_path / "u.db").exists()
        assert stored_version(database) == CURRENT_VERSION
    finally:
        _close()


def test_versioned_update_detects_conflict_and_audits(store, actor):
    with write_transaction():
        client = st.create(m.Client, last_name="Петров", first_name="Иван", name_key="петров иван")
    opened_a = st.row_dict(m.Client.get_by_id(client.id))
    opened_b = dict(opened_a)
    with write_transaction():
        st.update_versioned(m.Client, client.id, opened_a["version"], {"address": "ул. Мира, 1"}, original=opened_a)
    with pytest.raises(st.ConflictError) as err:
        with write_transaction():
            st.update_versioned(
                m.Client, client.id, opened_b["version"], {"address": "ул. Ленина, 2"}, original=opened_b
            )
    assert err.value.changed["address"] == ("", "ул. Мира, 1")
    assert m.Client.get_by_id(client.id).address == "ул. Мира, 1"
    assert m.Client.get_by_id(client.id).version == 2
    entries = list(m.AuditLog.select().where(m.AuditLog.table == "client").order_by(m.AuditLog.id))
    assert [e.action for e in entries] == ["create", "update"]
    assert json.loads(entries[1].changes)["address"] == ["", "ул. Мира, 1"]
    assert entries[1].staff_id == actor.id
    with write_transaction():
        st.delete(m.Client, client.id)
    with pytest.raises(st.RecordGone):
        with write_transaction():
            st.update_versioned(m.Client, client.id, 2, {"address": "x"})


def _increment_worker(path: str, times: int, queue) -> None:
    from soptui.db import models as m
    from soptui.db.connection import write_transaction
    from soptui.services.store import open_store

    open_store(path)
    errors = 0
    for _ in range(times):
        try:
            with write_transaction():
                inst = m.Institution.get()
                m.Institution.update(idle_lock_minutes=inst.idle_lock_minutes + 1).where(
                    m.Institution.id == inst.id
                ).execute()
        except peewee.OperationalError:
            errors += 1
    queue.put(errors)


def test_read_then_write_from_four_processes(tmp_path):
    """BEGIN IMMEDIATE: concurrent read-then-write units neither fail nor lose updates."""
    path = str(tmp_path / "c.db")
    open_store(path)
    m.Institution.create(full_name="Учреждение", idle_lock_minutes=0)
    _close()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_increment_worker, args=(path, 25, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    errors = sum(queue.get(timeout=5) for _ in procs)
    assert errors == 0
    open_store(path)
    try:
        assert m.Institution.get().idle_lock_minutes == 100
    finally:
        _close()
