"""A diagnostic, not one of bench/run.py's figures: how fast the writers' SQL itself goes on this machine.

bench_writers measures soptui's services (8 processes: create a client, finish a call, save a roll call) and
stays under its goal on 2 cores. This script records the exact statements those services send on SQLite (one
process, the real code path), then replays them from N processes with almost no Python around them: the same
statements in the same transactions, the same file lock for the turn (soptui.core.writers_turn), the same
pragmas, the audit row chained to the last one with a SHA-256 as the services do. New rows' ids are carried to
the later statements that use them; a version condition is dropped so every UPDATE really writes.

If the replay goes well past the goal while the services do not, the gap is the Python around each write, not
the database or the machine. Usage: python3 bench/writers_ceiling.py [PxT] [--postgresql]   (default 8x300)

--postgresql does the same on the bench's PostgreSQL cluster (bench/pg_cluster.py, fsync on, as `bench_writers
--full`): the statements are recorded at psycopg's cursor, one set per writer (each writer its own client, call
and club session, as in bench_writers, so no two writers wait on each other's records), and replayed through
psycopg with the same round trips: BEGIN with the writers' locks in one, the audit function and COMMIT in one
pipeline, the advisory locks keyed by the replayed records' new ids.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

_VERSION_CONDITION = re.compile(r' AND "version" = \?$')
_AUDIT_INSERT = 'INSERT INTO "audit_log"'


def _operation(login: str, work: dict, state: dict, kind: str) -> None:
    """One operation of the writers' mix through the services, as bench_writers runs it: a client, a call
    (start, details, finish) or a roll call marking present and absent in turn."""
    from soptui.services import calls, clients
    from soptui.services import groups as g
    from soptui.services.calls import CallOutcome

    state["i"] += 1
    if kind == "client":
        data = clients.ClientData(last_name="Новикова", first_name=f"{login}-{state['i']}", patronymic="Петровна")
        clients.create_client(data)
    elif kind == "call":
        call_id = calls.start_call(
            "01", work["client"], "representative", work["representative"], "+79120000000", purpose="нагрузка"
        )
        calls.set_details(call_id, channel="phone", ground="client_request")
        calls.finish_call(call_id, CallOutcome("done", summary="поговорили", talk_seconds=120))
    else:
        state["present"] = not state["present"]
        present = state["present"]
        g.save_roll_call(work["session"], {work["client"]: (present, "" if present else "болеет")})


def record(target: str) -> list[tuple[str, list]]:
    """The statements of a client, a call, a roll call marking present and one marking absent (after 400 ops of
    warm-up, so that recorded ids are not small numbers a version or a flag could equal)."""
    import peewee
    import writers_workload as ww

    from soptui.core import clock, session
    from soptui.services import auth
    from soptui.services.store import open_store

    ids = ww.setup(target, 8)
    login, work = next(iter(ids["plan"].items()))
    clock.set_fixed(ww.FIXED_NOW)
    open_store(target)
    session.set_actor(auth.sign_in(login, ww.PASSWORD))
    state = {"present": False, "i": 0}

    def op(kind: str) -> None:
        _operation(login, work, state, kind)

    for i in range(400):
        op(("client", "call", "roll")[i % 3])
    if state["present"]:
        op("roll")  # the next roll call recorded marks present, the one after it absent
    log: list = []
    execute, commit, begin = peewee.Database.execute_sql, peewee.Database.commit, peewee.SqliteDatabase.begin

    def traced_execute(self, sql, params=None, *a, **k):
        cursor = execute(self, sql, params, *a, **k)
        new_id = cursor.lastrowid if sql.lstrip().upper().startswith("INSERT") else None
        if not sql.startswith("PRAGMA"):
            log.append((sql, list(params or ()), new_id))
        return cursor

    def traced_begin(self, *a, **k):
        log.append(("BEGIN IMMEDIATE", [], None))
        return begin(self, *a, **k)

    def traced_commit(self):
        log.append(("COMMIT", [], None))
        return commit(self)

    peewee.Database.execute_sql, peewee.Database.commit = traced_execute, traced_commit
    peewee.SqliteDatabase.begin = traced_begin
    ops = []
    try:
        for kind in ("client", "call", "roll", "roll"):
            log.clear()
            op(kind)
            ops.append((kind, list(log)))
    finally:
        peewee.Database.execute_sql, peewee.Database.commit = execute, commit
        peewee.SqliteDatabase.begin = begin
    from soptui.db.connection import db

    db.obj.close()
    db.initialize(None)
    return ops


def replay(target: str, ops: list, transactions: int, start_at: float, queue) -> None:
    conn = sqlite3.connect(target, isolation_level=None, timeout=10, check_same_thread=False)
    for pragma in ("journal_mode=wal", "foreign_keys=1", "synchronous=normal", "cache_size=-16000"):
        conn.execute("PRAGMA " + pragma)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    turn = os.open(f"{target}-writers", os.O_RDWR | os.O_CREAT, 0o600)
    plans = []
    for _kind, statements in ops:
        plan = []
        for sql, params, new_id in statements:
            if _VERSION_CONDITION.search(sql):
                sql, params = _VERSION_CONDITION.sub("", sql), params[:-1]
            plan.append((sql, params, new_id))
        plans.append(plan)
    order = [plans[0], plans[1], plans[2], plans[0], plans[1], plans[3]]
    ids: dict[int, int] = {}
    latencies = []
    mine = f"{os.getpid()}-"
    while time.time() < start_at:
        time.sleep(0.005)
    cpu = time.process_time()
    for i in range(transactions):
        began = time.perf_counter()
        last_hash, fresh = "", set()
        for sql, params, new_id in order[i % 6]:
            if sql == "BEGIN IMMEDIATE":
                fcntl.flock(turn, fcntl.LOCK_EX)
                conn.execute(sql)
                fresh = set()
                continue
            if sql == "COMMIT":
                conn.execute(sql)
                fcntl.flock(turn, fcntl.LOCK_UN)
                continue
            values = [
                ids.get(v, v) if type(v) is int else (mine + str(i) if type(v) is str and v.startswith("w0-") else v)
                for v in params
            ]
            if sql.startswith(_AUDIT_INSERT):  # chained as the services chain it: previous hash, then its digest
                values[6] = last_hash
                values[7] = hashlib.sha256(json.dumps(values, ensure_ascii=False, default=str).encode()).hexdigest()
            cursor = conn.execute(sql, values)
            rows = cursor.fetchall()
            if sql.startswith("SELECT row_hash"):
                last_hash = rows[0][0] if rows else ""
            if new_id is not None and new_id not in fresh:  # the first row of a statement: the id others use
                ids[new_id] = cursor.lastrowid
                fresh.add(new_id)
        latencies.append(time.perf_counter() - began)
    queue.put({"latencies": latencies, "cpu": time.process_time() - cpu})


_PG_LOCK_KEY = re.compile(r"pg_advisory_xact_lock\((\d+), (\d+)\)")
_PG_VERSION_CONDITION = re.compile(r' AND "version" = %s$')


def record_postgresql(url: str, processes: int) -> list[list]:
    """For each of `processes` writers, the statements of a client, a call, a roll call marking present and one
    marking absent, as psycopg's cursor received them, after 150 operations of warm-up per writer."""
    import psycopg
    import writers_workload as ww

    from soptui.core import clock, session
    from soptui.services import auth
    from soptui.services.store import open_store

    ids = ww.setup(url, processes)
    clock.set_fixed(ww.FIXED_NOW)
    open_store(url)
    log: list = []
    execute = psycopg.Cursor.execute

    def traced_execute(self, query, params=None, **kw):
        cursor = execute(self, query, params, **kw)
        new_id = None
        if "RETURNING" in str(query) and self.pgresult is not None and self.pgresult.ntuples:
            new_id = int(self.pgresult.get_value(0, 0))
        log.append((str(query), list(params) if params is not None else None, new_id))
        return cursor

    per_writer = []
    for login, work in ids["plan"].items():
        session.set_actor(auth.sign_in(login, ww.PASSWORD))
        state = {"present": False, "i": 0}

        def op(kind: str, login=login, work=work, state=state) -> None:
            _operation(login, work, state, kind)

        for i in range(150):
            op(("client", "call", "roll")[i % 3])
        if state["present"]:
            op("roll")
        ops = []
        psycopg.Cursor.execute = traced_execute
        try:
            for kind in ("client", "call", "roll", "roll"):
                log.clear()
                op(kind)
                ops.append(list(log))
        finally:
            psycopg.Cursor.execute = execute
        per_writer.append(ops)
    session.set_actor(None)
    from soptui.db.connection import db

    db.obj.close()
    db.initialize(None)
    return per_writer


def replay_postgresql(url: str, ops: list, transactions: int, start_at: float, queue) -> None:
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    plans = []
    for statements in ops:
        plan = []
        for sql, params, new_id in statements:
            if params is not None and _PG_VERSION_CONDITION.search(sql):
                sql, params = _PG_VERSION_CONDITION.sub("", sql), params[:-1]
            plan.append((sql, params, new_id))
        plans.append(plan)
    order = [plans[0], plans[1], plans[2], plans[0], plans[1], plans[3]]
    ids: dict[int, int] = {}

    def mapped(v):
        if type(v) is int:
            return ids.get(v, v)
        if type(v) is list:
            return [ids.get(x, x) if type(x) is int else x for x in v]
        return v

    latencies = []
    while time.time() < start_at:
        time.sleep(0.005)
    cpu = time.process_time()
    for i in range(transactions):
        began = time.perf_counter()
        plan = order[i % 6]
        fresh: set = set()
        j = 0
        while j < len(plan):
            sql, params, new_id = plan[j]
            if sql.startswith("BEGIN"):
                conn.execute(
                    _PG_LOCK_KEY.sub(lambda m: f"pg_advisory_xact_lock({m[1]}, {ids.get(int(m[2]), m[2])})", sql)
                )
            elif j + 1 < len(plan) and plan[j + 1][0] == "COMMIT":  # the audit rows and the COMMIT: one pipeline
                with conn.pipeline():
                    cursor = conn.cursor()
                    cursor.execute(sql, [mapped(v) for v in params or ()])
                    cursor.execute("COMMIT")
                j += 1
            else:
                cursor = conn.execute(sql, None if params is None else [mapped(v) for v in params])
                if new_id is not None and new_id not in fresh:
                    ids[new_id] = cursor.fetchone()[0]
                    fresh.add(new_id)
            j += 1
        latencies.append(time.perf_counter() - began)
    conn.close()
    queue.put({"latencies": latencies, "cpu": time.process_time() - cpu})


def main_postgresql(shape: str) -> str:
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tools")]
    import pg_cluster

    processes, transactions = map(int, shape.lower().split("x"))
    cluster = pg_cluster.cached_cluster()
    if cluster is None:
        return "writers_sql_only_postgresql: skipped (no PostgreSQL server programs)"
    try:
        url = cluster.fresh_database("bench_writers_ceiling")
        per_writer = record_postgresql(url, processes)
        tx_per_s, p99, cpu = _run_replays(replay_postgresql, [(url, ops, transactions) for ops in per_writer])
    finally:
        cluster.stop()
    return (
        f"writers_sql_only_postgresql_fsync_on_{processes}x{transactions}: {tx_per_s:.0f} tx/s, p99 {p99:.0f} ms, "
        f"client CPU {cpu:.2f} ms per transaction (the same SQL as bench_writers --full through psycopg, almost no "
        f"Python around it)"
    )


def _run_replays(target, args: list[tuple]) -> tuple[float, float, float]:
    """Start one process per args at once; (transactions per second, p99 ms, CPU ms per transaction)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 1.5
    procs = [ctx.Process(target=target, args=(*a, start_at, queue)) for a in args]
    for p in procs:
        p.start()
    results = [queue.get(timeout=600) for _ in procs]
    finished = time.time()
    for p in procs:
        p.join(60)
    latencies = sorted(x for r in results for x in r["latencies"])
    total = len(latencies)
    return (
        total / (finished - start_at),
        latencies[int(total * 0.99)] * 1000,
        sum(r["cpu"] for r in results) * 1000 / total,
    )


def main(shape: str) -> str:
    processes, transactions = map(int, shape.lower().split("x"))
    with tempfile.TemporaryDirectory() as folder:
        target = str(Path(folder) / "ceiling.db")
        ops = record(target)
        tx_per_s, p99, cpu = _run_replays(replay, [(target, ops, transactions)] * processes)
    return (
        f"writers_sql_only_{processes}x{transactions}: {tx_per_s:.0f} tx/s, p99 {p99:.0f} ms, CPU {cpu:.2f} ms per "
        f"transaction (the same SQL as bench_writers, almost no Python around it)"
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shape = args[0] if args else "8x300"
    print(main_postgresql(shape) if "--postgresql" in sys.argv else main(shape))
