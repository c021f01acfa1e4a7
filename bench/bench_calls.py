"""Calls benchmark: script loading, progress saves, finishing a call, the phone log and its PDF.

A temp SQLite store with the demo data plus 2,000 finished calls in one month, so the
period log has a realistic size for a busy department.

    python bench/bench_calls.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

N_CALLS = 2000


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def run() -> list[str]:
    from soptui.core import clock, session
    from soptui.db import models as m
    from soptui.db.connection import db, write_transaction
    from soptui.demo import build_demo
    from soptui.domain.calls import scripts as callscripts
    from soptui.services import auth, calls
    from soptui.services.store import open_store

    lines: list[str] = []
    # scripts: load and validate all three (done before every call starts)
    times = []
    for _ in range(20):
        callscripts._PARSED.clear()  # parse and validate each time (a started call reuses the parsed script)
        started = time.perf_counter()
        callscripts.load_all()
        times.append(time.perf_counter() - started)
    lines.append(f"calls_script_load_all: {_ms(statistics.median(times))} ms (goal <= 50 ms)")

    tmp = tempfile.TemporaryDirectory()
    clock.set_fixed(dt.datetime(2026, 11, 25, 10, 30))
    try:
        database = open_store(Path(tmp.name) / "bench.db")
        build_demo(n_clients=300, today=dt.date(2026, 11, 25))
        actor = auth.sign_in("ivanova", "demo2026")
        session.set_actor(actor)
        # a family of her own: a specialist may call only the clients she may see
        rep = (
            m.Representative.select()
            .join(m.ContactPoint)
            .switch(m.Representative)
            .join(m.Client)
            .where((m.ContactPoint.channel == "phone") & (m.Client.assigned_staff == actor.id))
            .first()
        )
        phone = m.ContactPoint.get(m.ContactPoint.representative == rep.id).value
        with write_transaction():
            rows = []
            for i in range(N_CALLS):
                moment = dt.datetime(2026, 11, 2 + i % 23, 9 + i % 8, i % 60)
                rows.append(
                    dict(
                        sop="01",
                        client=rep.client_id,
                        staff=actor.id,
                        representative=rep.id,
                        callee_name="Бенчмарк Анна Петровна (мать)",
                        phone_number=phone,
                        state="finished",
                        started_at=moment,
                        ended_at=moment,
                        talk_seconds=600,
                        outcome="done",
                        summary="обсудили ход реабилитации " * 3,
                        agreements="Периодичность контактов: раз в неделю.",
                    )
                )
            for chunk in range(0, len(rows), 200):
                m.PhoneCall.insert_many(rows[chunk : chunk + 200]).execute()

        call_id = calls.start_call("03", rep.client_id, "representative", rep.id, phone)
        state = {
            "step": "clarify",
            "notes": [f"10:3{i % 10} [Уточняем] заметка {i}" for i in range(30)],
            "timers": {"phases": {"prep": 600.0, "call": 300.0}},
        }
        times = []
        for _ in range(50):
            started = time.perf_counter()
            calls.save_progress(
                call_id, state, "clarify", "", "\n".join(state["notes"]), 600, 300, 0, talk_started=True
            )
            times.append(time.perf_counter() - started)
        lines.append(f"calls_save_progress_p50: {_ms(statistics.median(times))} ms (goal <= 20 ms)")

        calls.skip_notice(call_id, "номер городской")  # SOP 03 п. 5: the notice or its reason before finishing
        started = time.perf_counter()
        calls.finish_call(
            call_id,
            calls.CallOutcome(
                "agrees",
                summary="согласна",
                visit_at=dt.datetime(2026, 12, 8, 14, 0),  # a free slot in the demo visit schedule
                documents=["паспорт законного представителя"],
            ),
        )
        lines.append(f"calls_finish_call: {_ms(time.perf_counter() - started)} ms (goal <= 100 ms)")

        started = time.perf_counter()
        entries = calls.phone_log(dt.date(2026, 11, 1), dt.date(2026, 11, 30), actor)
        lines.append(
            f"calls_phone_log_month_{len(entries)}_rows: {_ms(time.perf_counter() - started)} ms (goal <= 500 ms)"
        )

        started = time.perf_counter()
        calls.list_calls(actor, limit=200)
        lines.append(f"calls_list_page_200: {_ms(time.perf_counter() - started)} ms (goal <= 100 ms)")

        from soptui.forms import call_form, phone_log
        from soptui.services import printing

        started = time.perf_counter()
        printing.render(call_form, calls.call_form_data(call_id))
        lines.append(
            f"calls_form_pdf: {_ms(time.perf_counter() - started)} ms (goal <= 1500 ms, includes loading fpdf2)"
        )
        started = time.perf_counter()
        log = calls.PhoneLog("ГАУ СО «КЦСОН»", dt.date(2026, 11, 1), dt.date(2026, 11, 30), "", tuple(entries[:200]))
        data = printing.render(phone_log, log)
        lines.append(
            f"calls_log_pdf_200_rows: {(time.perf_counter() - started):.2f} s ({len(data) // 1024} KiB; goal <= 10 s)"
        )
    finally:
        session.set_actor(None)
        clock.set_fixed(None)
        try:
            database.close()
        except Exception:
            pass
        db.initialize(None)
        tmp.cleanup()
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
