"""Patronage benchmark (SOP 04): the week planner of a department of 15 staff with 300 visits.

Builds a temp SQLite store (15 visiting staff, 300 clients, 300 visits in one week,
some joint, some overlapping so conflicts are computed), then times the real
planner screen in a headless Textual app switching between two such weeks (query the week, compute
conflicts in a thread worker), fill the days × staff grid and paint the screen
(the compositor update Pilot.pause() forces, without its wait for an idle CPU,
which measures the machine rather than the planner). Median of the runs.

    python bench/bench_patronage.py
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

STAFF = 15
VISITS = 300
RUNS = 15
MONDAY = dt.date(2026, 11, 23)


def _build(folder: Path):
    from soptui.core import clock
    from soptui.db import models as m
    from soptui.db.connection import write_transaction
    from soptui.services import auth
    from soptui.services.store import open_store

    clock.set_fixed(dt.datetime(2026, 11, 25, 10, 30))
    open_store(folder / "bench.db")
    rng = random.Random(4)
    positions = ["social_work_specialist", "psychologist", "nurse", "social_pedagogue"]
    dep = "Отделение дневного пребывания"
    staff = [
        auth.add_user(
            f"s{i:02d}", "bench2026", f"Сотрудник{i:02d}", "Анна", "Игоревна", positions[i % 4], "specialist", dep
        )
        for i in range(STAFF)
    ]
    dep_id = m.Staff.get_by_id(staff[0]).department_id
    with write_transaction():
        clients = [
            m.Client.create(
                last_name=f"Клиентов{i:03d}",
                first_name="Илья",
                patronymic="Сергеевич",
                name_key=f"клиентов{i:03d}",
                department=dep_id,
                address=f"ул. Ленина, д. {i}",
                remote_territory=i % 3 == 0,
            ).id
            for i in range(VISITS)
        ]
        n = 0
        for s_index, sid in enumerate(staff * 2):  # two full weeks: the runs switch between them
            week = dt.timedelta(days=7) if n >= VISITS else dt.timedelta()
            s_index %= STAFF
            for day in range(5):
                for slot in range(4):
                    start = dt.datetime.combine(MONDAY + week + dt.timedelta(days=day), dt.time(10 + 2 * slot, 0))
                    if rng.random() < 0.1:
                        start += dt.timedelta(minutes=30)  # some overlap with the next visit
                    v = m.PatronageVisit.create(
                        client=clients[n % VISITS],
                        planned_start=start,
                        address="ул. Ленина",
                        transport_needed=n % 3 == 0,
                        status=rng.choice(["planned", "planned", "done"]),
                        kind=rng.choice(["primary", "planned"]),
                    )
                    m.VisitStaff.create(visit=v, staff=sid)
                    if rng.random() < 0.15:
                        m.VisitStaff.create(visit=v, staff=staff[(s_index + 1) % STAFF])
                    n += 1
    assert m.PatronageVisit.select().count() == 2 * VISITS
    return auth.sign_in("s00", "bench2026")


async def _measure(actor) -> tuple[list[float], list[float], int, int]:
    from soptui.app import make_app
    from soptui.core import session
    from soptui.screens.patronage.planner import PatronageScreen
    from soptui.widgets.planner_grid import PlannerGrid

    app = make_app("Учреждение", "КЦСОН")
    times, cpu = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.actor = actor
        session.set_actor(actor)
        screen = PatronageScreen()
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        for run_no in range(RUNS):
            started, cpu_started = time.perf_counter(), time.process_time()
            screen.action_week(1 if run_no % 2 == 0 else -1)  # another week: every text on screen changes
            await app.workers.wait_for_complete()  # query, conflicts, grid filled (call_from_thread)
            await pilot._wait_for_screen()  # every pending message handled
            app.screen._on_timer_update()  # the compositor lays out and paints the screen now
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            await pilot.pause()  # settle before the next run (not timed: it only waits for idle CPU)
        grid = screen.query_one("#planner", PlannerGrid)
        shown = len({v.id for row in grid.rows for cell in row.cells for v in cell})
        rows = len(grid.rows)
    return times, cpu, shown, rows


def run() -> list[str]:
    from soptui.db.connection import db

    with tempfile.TemporaryDirectory() as tmp:
        actor = _build(Path(tmp))
        try:
            times, cpu, shown, rows = asyncio.run(_measure(actor))
        finally:
            db.close()
    assert shown == VISITS and rows == STAFF, (shown, rows)
    median = statistics.median(times) * 1000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return [
        f"patronage_week_render_median: {median:.0f} ms (goal <= 100 ms)",
        f"patronage_week_render_max: {max(times) * 1000:.0f} ms ({STAFF} staff, {VISITS} visits a week, {RUNS} runs)",
        f"patronage_week_render_cpu_median: {statistics.median(cpu) * 1000:.0f} ms (CPU time of the "
        f"process, all threads; load average {load:.1f} on {os.cpu_count()} CPUs while measuring)",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
