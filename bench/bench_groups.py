"""Groups benchmark (SOP 05): the monthly attendance sheet PDF for 25 participants × 8 sessions.

Builds a temp SQLite store with one club (Mon/Wed, November 2026: 8 sessions after the
4 November holiday), 25 members and a saved roll-call for every session, then times the
whole print path (query the sheet from the store, lay out the PDF, write the file) and,
for reference, saving a 25-person roll-call with its service log entries.

    python bench/bench_groups.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PARTICIPANTS = 25
RUNS = 15


def _build(folder: Path) -> tuple[int, list[int], list[int]]:
    from soptui.core import clock
    from soptui.db import models as m
    from soptui.db.connection import write_transaction
    from soptui.domain.groups import Slot
    from soptui.services import auth
    from soptui.services import groups as g
    from soptui.services.store import open_store

    clock.set_fixed(dt.datetime(2026, 11, 30, 18, 0))
    open_store(folder / "bench.db")
    leader = auth.add_user("leader", "bench2026", "Морозова", "Анна", "Игоревна", "social_pedagogue")
    rng = random.Random(5)
    with write_transaction():
        clients = [
            m.Client.create(
                last_name=f"Участник{i:02d}",
                first_name=rng.choice(["Анна", "Илья", "Олег"]),
                patronymic="Сергеевич",
                name_key=f"участник{i:02d}",
                status="served",
                birth_date=dt.date(2012, 1, 1) + dt.timedelta(days=i * 37),
                consent_date=dt.date(2026, 10, 1),  # SOP 05: a client without consent joins only with a reason
            ).id
            for i in range(PARTICIPANTS)
        ]
    club = g.save_club(
        g.ClubData(
            name="Клуб общения «Родничок»",
            room="каб. 104",
            capacity=30,
            start_date=dt.date(2026, 11, 1),
            end_date=dt.date(2026, 11, 30),
            leader_ids=[leader],
            programme=[(f"Тема {i}", "цель") for i in range(1, 9)],
            slots=[Slot(0, "15:00", "16:00"), Slot(2, "15:00", "16:00")],
        )
    )
    for c in clients:
        g.add_member(club, c, dt.date(2026, 11, 1))
    sessions = [s.id for s in g.club_sessions(club)]
    assert len(sessions) == 8, len(sessions)
    for sid in sessions[:-1]:
        g.save_roll_call(sid, {c: (rng.random() < 0.8, "") for c in clients}, staff_id=leader)
    return club, sessions, clients


def run() -> list[str]:
    from soptui.db.connection import db
    from soptui.services import access
    from soptui.services import groups as g

    # every service call is authorized: the bench works as the head of the centre
    with tempfile.TemporaryDirectory() as tmp, access.acting_as(access.centre_actor(None)):
        folder = Path(tmp)
        club, sessions, clients = _build(folder)
        g.print_attendance_sheet(club, 2026, 11, folder)  # warm-up: imports fpdf2, loads fonts
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            path = g.print_attendance_sheet(club, 2026, 11, folder)
            times.append(time.perf_counter() - started)
        sheet = g.attendance_sheet(club, 2026, 11)
        assert len(sheet.rows) == PARTICIPANTS and len(sheet.dates) == 8 and path.stat().st_size > 0
        saves = []
        rng = random.Random(9)
        for _ in range(RUNS):
            marks = {c: (rng.random() < 0.8, "") for c in clients}
            started = time.perf_counter()
            g.save_roll_call(sessions[-1], marks)
            saves.append(time.perf_counter() - started)
        db.close()
    return [
        f"attendance_sheet_pdf_median: {statistics.median(times):.3f} s (goal <= 0.3 s)",
        f"attendance_sheet_pdf_max: {max(times):.3f} s ({PARTICIPANTS} participants × 8 sessions, {RUNS} runs)",
        f"rollcall_save_25_median: {statistics.median(saves) * 1000:.0f} ms (25 marks with service log entries)",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)
