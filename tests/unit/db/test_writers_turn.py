"""soptui's writers on one SQLite file take turns on a file lock, and the WAL is copied back once the turn is let go
(issue 14 point 7: 8 writers). The turn is a queue in the kernel, never an unbounded wait, and it never replaces
SQLite's own lock: a store held by another program is still announced and refused in Russian."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time

import pytest

from soptui.core import storecheck
from soptui.core.writers_turn import writers_turn
from soptui.db import connection
from soptui.db import models as m
from soptui.db.connection import db, write_transaction
from soptui.services.store import open_store


@pytest.fixture
def sqlite_store(tmp_path):
    """A SQLite store of its own on either pass: the turn and the WAL are SQLite's."""
    path = tmp_path / "turns.db"
    database = open_store(str(path))
    yield str(path)
    database.close()
    db.initialize(None)


def test_a_second_writer_waits_in_the_queue_and_goes_as_soon_as_the_first_lets_go(tmp_path):
    path = str(tmp_path / "x.db")
    first = writers_turn(path, 5)
    assert first is not None
    got: dict = {}

    def second() -> None:
        began = time.monotonic()
        got["turn"] = writers_turn(path, 5)
        got["waited"] = time.monotonic() - began

    waiter = threading.Thread(target=second)
    waiter.start()
    time.sleep(0.3)
    assert "turn" not in got  # still waiting: the first writer has the turn
    first.release()
    waiter.join(5)
    assert got["turn"] is not None
    assert 0.25 <= got["waited"] < 2.0  # woken by the release, not by a timeout
    got["turn"].release()


def test_the_wait_for_a_turn_is_bounded_and_an_abandoned_wait_passes_the_turn_on(tmp_path):
    path = str(tmp_path / "x.db")
    hung = writers_turn(path, 5)  # a writer that keeps its turn (a stopped process, say)
    began = time.monotonic()
    assert writers_turn(path, 0.3) is None  # gave up: goes on to SQLite's own lock
    assert 0.25 <= time.monotonic() - began < 2.0
    hung.release()
    began = time.monotonic()
    after = writers_turn(path, 5)  # the abandoned waiter let its late turn go at once
    assert after is not None and time.monotonic() - began < 1.0
    after.release()
    after.release()  # releasing twice is harmless


def test_the_turn_file_is_private_whatever_the_umask(tmp_path):
    path = str(tmp_path / "x.db")
    old = os.umask(0o022)
    try:
        writers_turn(path, 1).release()
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path + "-writers").st_mode) == 0o600


def test_no_turn_where_the_file_cannot_be_made_and_writes_still_work(tmp_path):
    assert writers_turn(str(tmp_path / "no" / "such" / "x.db"), 1) is None
    assert writers_turn(":memory:", 1) is None


def test_a_soptui_writer_that_hangs_holding_the_store_is_waited_for_then_refused_in_russian(sqlite_store, monkeypatch):
    path = sqlite_store
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(connection, "BUSY_ATTEMPTS", 3)
    said: list[int] = []
    monkeypatch.setattr(storecheck, "BUSY_HOOKS", [said.append])
    hung_turn = writers_turn(path, 1)
    other = sqlite3.connect(path, timeout=1, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    began = time.monotonic()
    try:
        with pytest.raises(storecheck.StoreBusy, match="занята другой программой"):
            with write_transaction():
                m.CalendarYear.create(year=2031, decree="x")
        assert said == [1, 2]
        assert time.monotonic() - began < 5  # three bounded waits, not a hang
    finally:
        other.rollback()
        other.close()
        hung_turn.release()
    with write_transaction():  # once let go, the next write goes through
        m.CalendarYear.create(year=2031, decree="x")
    assert m.CalendarYear.get(m.CalendarYear.year == 2031).decree == "x"


def _rows_in_the_file_itself(path: str) -> int:
    """Rows of calendar_year in the store file, leaving out what is still only in the WAL."""
    other = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return other.execute("SELECT count(*) FROM calendar_year WHERE year >= 2040").fetchone()[0]
    finally:
        other.close()


def test_the_wal_is_copied_back_after_every_n_writes_once_the_turn_is_let_go(sqlite_store, monkeypatch):
    path = sqlite_store
    assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == 0  # never inside the commit
    connection.checkpoint()
    monkeypatch.setattr(connection, "CHECKPOINT_EVERY", 5)
    monkeypatch.setattr(connection, "_WRITES", iter(range(1, 100)))
    turn_free_at_checkpoint: list[bool] = []
    real_checkpoint = connection.checkpoint

    def checkpoint() -> None:
        probe = writers_turn(path, 0.05)  # the next writer could go already
        turn_free_at_checkpoint.append(probe is not None)
        if probe is not None:
            probe.release()
        real_checkpoint()

    monkeypatch.setattr(connection, "checkpoint", checkpoint)
    for n in range(4):
        with write_transaction():
            m.CalendarYear.create(year=2040 + n, decree="x")
    assert turn_free_at_checkpoint == [] and _rows_in_the_file_itself(path) == 0  # still only in the WAL
    with write_transaction():
        m.CalendarYear.create(year=2044, decree="x")
    assert turn_free_at_checkpoint == [True]
    assert _rows_in_the_file_itself(path) == 5


def test_opening_the_store_copies_back_what_bulk_writes_left_in_the_wal(sqlite_store):
    path = sqlite_store
    db.obj.close()
    bulk = sqlite3.connect(path)  # a bulk write outside write transactions (an upgrade, the demo)
    bulk.execute("PRAGMA wal_autocheckpoint = 0")
    bulk.executemany(
        "INSERT INTO calendar_year (year, decree, version, created_at, updated_at) VALUES (?, 'x', 1, '', '')",
        [(2040 + n,) for n in range(5)],
    )
    bulk.commit()
    try:
        assert _rows_in_the_file_itself(path) == 0  # only in the WAL while the bulk writer is still open
        open_store(path)
        assert _rows_in_the_file_itself(path) == 5
    finally:
        bulk.close()


def test_waits_for_a_turn_share_one_helper_thread_even_when_abandoned(tmp_path):
    """A thread started per wait cost more than the statements under 8 writers: one helper serves them all."""
    path = str(tmp_path / "x.db")
    hung = writers_turn(path, 5)
    try:
        for _ in range(3):
            assert writers_turn(path, 0.1) is None  # abandoned: the helper still waits for this one's turn
        helpers = [t for t in threading.enumerate() if t.name == "soptui-writers-turn"]
        assert len(helpers) == 1
    finally:
        hung.release()
    began = time.monotonic()
    after = writers_turn(path, 5)  # the abandoned turns were passed straight on
    assert after is not None and time.monotonic() - began < 1.0
    after.release()
