"""Today for a department of 15 staff and 5,000 clients (issue 14 point 7): the real Today service.

The store is the demo centre built with 5,000 clients by the demo builder (the service layer), then turned
into one big department: 12 more specialists join the first department (15 staff), every client moves
there and is assigned to one of them in turn, and the day's work is multiplied by COPIES (reminders,
calls, referrals and patronage visits with their staff and acts are copied with raw SQL onto other clients
and staff). The result is cached in the bench cache folder while the schema and the demo are unchanged.

Measured: `agenda.collect()` — everything Today shows — for the head of that department (who sees all 15
people's items) and for one specialist, median of RUNS after a warm-up. On PostgreSQL (--full) the same
store is copied by the migrate-to code into a scratch database of a private cluster and measured there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

N_CLIENTS = 5_000
STAFF = 15
COPIES = 8
RUNS = 15
TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 9, 0)
PASSWORD = "demo2026"
OFFSET = 1_000_000  # ids of the copies: id + k * OFFSET


def _cache_path() -> Path:
    from platformdirs import user_cache_dir

    from soptui.core.storecheck import SCHEMA_VERSION

    root = HERE.parent / "soptui"
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION} {N_CLIENTS} {STAFF} {COPIES}".encode())
    for f in sorted((root / "demo").glob("*.py")) + [root / "db" / "models.py", Path(__file__)]:
        digest.update(f.read_bytes())
    folder = Path(user_cache_dir("soptui-bench", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"today-{N_CLIENTS}-{digest.hexdigest()[:16]}.db"


def _columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _copy(conn, table: str, k: int, staff: list[int], shift_refs: tuple[str, ...] = ()) -> None:
    """Copy every original row of table once more (copy k): other clients, other staff, fresh ids."""
    cols = _columns(conn, table)
    exprs = []
    n = len(staff)
    case = " ".join(f"WHEN {i} THEN {sid}" for i, sid in enumerate(staff))
    for c in cols:
        if c == "id" or c in shift_refs:
            exprs.append(f'CASE WHEN "{c}" IS NULL THEN NULL ELSE "{c}" + {k * OFFSET} END')
        elif c == "client_id":
            exprs.append(f'CASE WHEN "{c}" IS NULL THEN NULL ELSE (("{c}" - 1 + {k * 613}) % {N_CLIENTS}) + 1 END')
        elif c in ("staff_id", "assigned_staff_id"):
            exprs.append(f'CASE WHEN "{c}" IS NULL THEN NULL ELSE CASE ("{c}" + {k}) % {n} {case} END END')
        else:
            exprs.append(f'"{c}"')
    where = "id < ?" if "id" in cols else f"{shift_refs[0]} < ?"
    names = ", ".join(f'"{c}"' for c in cols)
    conn.execute(f'INSERT INTO "{table}" ({names}) SELECT {", ".join(exprs)} FROM "{table}" WHERE {where}', (OFFSET,))


def build(path: Path) -> dict:
    from soptui.core import clock, session
    from soptui.db import models as m
    from soptui.db.connection import db
    from soptui.demo import build_demo
    from soptui.services import auth
    from soptui.services.store import open_store

    clock.set_fixed(NOW)
    open_store(path)
    ctx = build_demo(n_clients=N_CLIENTS, today=TODAY)
    dep = ctx.departments[0]
    dep_name = m.Department.get_by_id(dep).name
    have = [s.id for s in m.Staff.select().where((m.Staff.department == dep) & (m.Staff.role == "specialist"))]
    for i in range(STAFF - len(have) - 1):  # the head of the department is one of the 15
        have.append(
            auth.add_user(
                f"spec{i}", PASSWORD, "Сотрудникова", "Мария", f"№{i}", "social_work_specialist", "specialist", dep_name
            )
        )
    session.set_actor(None)
    head = m.Staff.get(m.Staff.login == "head")
    m.Staff.update(department=dep).where(m.Staff.id == head.id).execute()
    staff = have
    conn = db.connection()
    conn.execute("BEGIN")
    conn.execute("UPDATE client SET department_id = ?", (dep,))
    case = " ".join(f"WHEN {i} THEN {sid}" for i, sid in enumerate(staff))
    conn.execute(f"UPDATE client SET assigned_staff_id = CASE id % {len(staff)} {case} END")
    for k in range(1, COPIES):
        _copy(conn, "referral", k, staff)
        _copy(conn, "phone_call", k, staff, ("referral_id",))
        _copy(conn, "reminder", k, staff, ("call_id",))
        _copy(conn, "patronage_visit", k, staff, ("referral_id",))
        _copy(conn, "visit_staff", k, staff, ("visit_id",))
        _copy(conn, "visit_act", k, staff, ("visit_id",))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    counts = {
        t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("reminder", "phone_call", "patronage_visit", "referral")
    }
    db.close()
    clock.set_fixed(None)
    return counts


def cached_store() -> tuple[Path, str]:
    path = _cache_path()
    if path.exists():
        return path, "reused"
    for old in path.parent.glob(f"today-{N_CLIENTS}-*"):
        old.unlink()
    t = time.perf_counter()
    tmp = path.with_suffix(".part")
    for leftover in path.parent.glob(tmp.name + "*"):
        leftover.unlink()
    build(tmp)
    shutil.move(tmp, path)
    return path, f"{time.perf_counter() - t:.0f} s"


def measure(target) -> dict:
    """Median and max of agenda.collect() for the head of the department and for one specialist."""
    from soptui.core import clock, session
    from soptui.db.connection import db
    from soptui.services import agenda, auth
    from soptui.services.store import open_store

    clock.set_fixed(NOW)
    open_store(target)
    result = {}
    try:
        for who in ("head", "ivanova"):
            actor = auth.sign_in(who, PASSWORD)
            session.set_actor(actor)
            items = agenda.collect(actor, TODAY)  # warm-up
            times, cpu = [], []
            for _ in range(RUNS):
                t, c = time.perf_counter(), time.process_time()
                items = agenda.collect(actor, TODAY)
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
            result[who] = {
                "median": statistics.median(times),
                "max": max(times),
                "cpu": statistics.median(cpu),
                "items": len(items),
            }
            session.set_actor(None)
    finally:
        session.set_actor(None)
        db.close()
        db.initialize(None)
        clock.set_fixed(None)
    return result


def lines(engine: str, figures: dict, gen: str) -> list[str]:
    head, spec = figures["head"], figures["ivanova"]
    return [
        f"today_{engine}_department_head_median: {head['median']:.0f} ms (goal <= 100 ms; {STAFF} staff, "
        f"{N_CLIENTS} clients, {head['items']} items, max {head['max']:.0f} ms, CPU of this process "
        f"{head['cpu']:.0f} ms; store {gen})",
        f"today_{engine}_specialist_median: {spec['median']:.0f} ms (goal <= 100 ms; {spec['items']} items, "
        f"max {spec['max']:.0f} ms, CPU {spec['cpu']:.0f} ms)",
    ]


def run(full: bool = False) -> list[str]:
    path, gen = cached_store()
    work = Path(str(path) + ".run.db")  # sign-ins and audit rows go to a copy: the cached store stays as built
    shutil.copyfile(path, work)
    try:
        out = lines("sqlite", measure(work), gen)
    finally:
        for f in work.parent.glob(work.name + "*"):
            f.unlink()
    if full:
        out += run_postgresql(path)
    return out


def run_postgresql(path: Path) -> list[str]:
    """The same store on PostgreSQL: copied by `soptui migrate-to`'s own code into a fresh database."""
    import pg_cluster

    from soptui.db.connection import db
    from soptui.services import backup
    from soptui.services.store import open_store

    cluster = pg_cluster.cached_cluster()
    if cluster is None:
        return ["today_postgresql: skipped (no PostgreSQL server programs; goal <= 100 ms)"]
    try:
        url = cluster.fresh_database("bench_today")
        source = open_store(path)
        try:
            backup.migrate_to(source, url)
        finally:
            db.close()
            db.initialize(None)
        return lines("postgresql", measure(url), "copied by migrate-to")
    finally:
        cluster.stop()


if __name__ == "__main__":
    for line in run(full="--full" in sys.argv):
        print(line)
