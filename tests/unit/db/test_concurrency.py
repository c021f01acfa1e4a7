"""Concurrency on both engines (issue 14 point 2): many processes writing at once lose nothing and fail nothing,
and a database held by another program is waited for, announced and retried, then refused in Russian.

The suite runs 4 processes × 30 transactions on the engine under test (SOPTUI_TEST_DATABASE); bench/run.py
runs the 8 × 500 figure on each engine.
"""

from __future__ import annotations

import pytest
from writers_workload import check, run

from soptui.core import storecheck
from soptui.db import connection
from soptui.db.connection import db, write_transaction

from conftest import ON_POSTGRESQL

PROCESSES, TRANSACTIONS = 4, 30


def test_writers_at_once_lose_nothing_and_fail_nothing(scratch_target):
    outcome = run(scratch_target, PROCESSES, TRANSACTIONS)
    assert outcome["errors"] == []
    assert sum(sum(r["counts"].values()) for r in outcome["results"]) == PROCESSES * TRANSACTIONS
    assert check(scratch_target, outcome) == []


def test_a_writer_killed_outright_is_an_error_not_a_half_hour_wait():
    """A worker that ends without its report (a signal, the OOM killer) is reported within seconds."""
    import multiprocessing
    import os
    import time

    from writers_workload import _reports

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    killed = ctx.Process(target=os._exit, args=(9,))
    killed.start()
    began = time.monotonic()
    results = _reports(queue, [killed], {"w0"}, limit_s=60)
    killed.join(10)
    assert results == [{"login": "w0", "errors": ["ended without a report"], "latencies": [], "counts": {}}]
    assert time.monotonic() - began < 10


def _hold_the_write_lock():
    """Another program takes the write lock and keeps it: SQLite's BEGIN EXCLUSIVE, or soptui's writers' lock
    on PostgreSQL (what a long write of another soptui holds)."""
    if ON_POSTGRESQL:
        import psycopg2

        params = dict(db.obj.connect_params, dbname=db.obj.database)
        other = psycopg2.connect(**params)
        other.cursor().execute("SELECT pg_advisory_lock(%s)", (connection.PG_WRITE_LOCK,))
        return other
    import sqlite3

    other = sqlite3.connect(db.obj.database, timeout=1, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_a_busy_database_is_announced_retried_and_then_refused_in_russian(store, monkeypatch):
    from soptui.db import models as m

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(connection, "BUSY_ATTEMPTS", 3)
    said: list[int] = []
    monkeypatch.setattr(storecheck, "BUSY_HOOKS", [said.append])
    other = _hold_the_write_lock()
    try:
        with pytest.raises(storecheck.StoreBusy, match="занята другой программой"):
            with write_transaction():
                m.CalendarYear.create(year=2031, decree="x")
        assert said == [1, 2]  # «База занята, повторяю…» before each new attempt
    finally:
        other.rollback() if not ON_POSTGRESQL else None
        other.close()
    # once the other program lets go, the same write goes through
    with write_transaction():
        m.CalendarYear.create(year=2031, decree="x")
    assert m.CalendarYear.select().where(m.CalendarYear.year == 2031).count() == 1


def test_a_lock_released_during_the_retries_lets_the_write_through(store, monkeypatch):
    import threading

    from soptui.db import models as m

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.setattr(connection, "BUSY_ATTEMPTS", 20)
    said: list[int] = []
    monkeypatch.setattr(storecheck, "BUSY_HOOKS", [said.append])
    other = _hold_the_write_lock()

    def release():
        if not ON_POSTGRESQL:
            other.rollback()
        other.close()

    timer = threading.Timer(1.0, release)
    timer.start()
    with write_transaction():
        m.CalendarYear.create(year=2032, decree="y")
    timer.join()
    assert said and m.CalendarYear.select().where(m.CalendarYear.year == 2032).count() == 1
