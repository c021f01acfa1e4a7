"""`soptui migrate-to postgresql://…` (issue 14 point 5): an SQLite store copied into an empty PostgreSQL database,
proved table by table (row count and SHA-256 of the rows); a non-empty target is refused and left as it was.
Runs on the PostgreSQL pass (SOPTUI_TEST_DATABASE), where the suite has a server to copy into."""

from __future__ import annotations

import pytest

from soptui.core import session
from soptui.db import transfer
from soptui.db.connection import db, open_url
from soptui.services.store import open_store

from conftest import FIXED_NOW, ON_POSTGRESQL

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="needs a PostgreSQL server (SOPTUI_TEST_DATABASE)")


@pytest.fixture
def sqlite_source(tmp_path):
    from soptui.demo import build_demo

    path = tmp_path / "centre.db"
    database = open_store(path)
    build_demo(n_clients=12, today=FIXED_NOW.date())
    session.set_actor(None)
    # text a person pasted with a NUL and control characters: stored without the NUL on both engines
    database.execute_sql("UPDATE client SET notes = ? WHERE id = (SELECT MIN(id) FROM client)", ("до\x1b[2Jпосле",))
    # a real store was created (and upgraded) long before it moves: its schema versions carry those times,
    # which the copy must keep (the target's own rows, written at the move, failed the proof)
    database.execute_sql("UPDATE schema_version SET applied_at = '2025-01-10 08:00:00'")
    yield path
    database.close()
    db.initialize(None)


@pytest.fixture
def empty_pg(pg_scratch):
    name = pg_scratch.create("migrate_target")
    yield pg_scratch.url_of(name)
    pg_scratch.drop(name)


def test_migrate_copies_every_row_and_proves_it(sqlite_source, empty_pg, capsys):
    from soptui.__main__ import main

    source_digests = transfer.table_digests(db.obj)
    assert main(["--db", str(sqlite_source), "migrate-to", empty_pg]) == 0
    out = capsys.readouterr().out
    assert "совпадают" in out and "НЕ СОВПАДАЕТ" not in out and "client: 12 строк" in out
    target = open_url(empty_pg)
    try:
        assert transfer.table_digests(target) == source_digests
        # the copy is a working store: new rows get fresh ids after the copied ones
        max_id = target.execute_sql("SELECT MAX(id) FROM client").fetchone()[0]
        nextval = target.execute_sql("SELECT nextval(pg_get_serial_sequence('client', 'id'))").fetchone()[0]
        assert nextval == max_id + 1
    finally:
        target.close()
    # and it opens as a store, its audit chain intact and its sign-ins working
    from soptui.db import audit_chain
    from soptui.services import auth

    db.obj.close()
    moved = open_store(empty_pg)
    try:
        assert audit_chain.verify().ok
        assert auth.sign_in("head", "demo2026").role == "head"
    finally:
        moved.close()
        db.initialize(None)


def test_migrate_refuses_a_non_empty_target(sqlite_source, empty_pg, capsys):
    from soptui.__main__ import main

    target = open_url(empty_pg)
    target.execute_sql("CREATE TABLE keep_me (x int)")
    target.execute_sql("INSERT INTO keep_me VALUES (1)")
    target.close()
    assert main(["--db", str(sqlite_source), "migrate-to", empty_pg]) == 2
    err = capsys.readouterr().err
    assert "не пустая" in err and "Ничего не изменено" in err
    target = open_url(empty_pg)
    try:
        assert target.get_tables() == ["keep_me"]
    finally:
        target.close()


def test_migrate_refuses_a_dead_port_in_russian(sqlite_source, capsys):
    from soptui.__main__ import main

    assert main(["--db", str(sqlite_source), "migrate-to", "postgresql://soptui@127.0.0.1:1/x"]) == 2
    err = capsys.readouterr().err
    assert "сервер не отвечает" in err and "could not" not in err and "Traceback" not in err
