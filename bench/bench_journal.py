"""Журнал benchmark: a year of a large centre's service log in a temp SQLite file.

20,000 clients, 200,000 service entries over 12 months (about 17,000 a month),
6,000 referrals, 30,000 calls, 10,000 visits, 200,000 audit-log rows. Measures
the first and a deep page of a month's log (head and specialist), the totals,
the head's audit summary, an audit-log page and printing one specialist's month.

    python bench/bench_journal.py
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

N_CLIENTS = 20_000
N_SERVICES = 200_000
N_AUDIT = 200_000
PASSWORD = "bench2026"
YEAR_START = dt.date(2025, 12, 1)


def generate(path: Path, seed: int = 11) -> dict:
    from soptui import demo
    from soptui.core.text import fold
    from soptui.db import models as m
    from soptui.db.connection import db, write_transaction
    from soptui.services import auth
    from soptui.services.store import open_store

    open_store(path)
    rng = random.Random(seed)
    with write_transaction():
        deps = [m.Department.create(name=name, short_name=short).id for name, short in demo.DEPARTMENTS]
    staff = []
    for i in range(12):
        staff.append(
            auth.add_user(
                f"s{i}",
                PASSWORD,
                "Сотрудникова",
                f"Мария{i}",
                "Ивановна",
                "social_work_specialist",
                "specialist",
                demo.DEPARTMENTS[i % 3][0],
            )
        )
    auth.add_user("head", PASSWORD, "Кузнецова", "Татьяна", "Николаевна", "head", "head", demo.DEPARTMENTS[0][0])
    staff_dep = {sid: deps[i % 3] for i, sid in enumerate(staff)}
    now = dt.datetime(2026, 11, 25, 10, 0).isoformat(" ")
    clients = []
    for cid in range(1, N_CLIENTS + 1):
        last, first, patr = demo.person(rng, rng.random() < 0.5, elder=cid % 3 == 0)
        clients.append((cid, last, first, patr, fold(f"{last} {first} {patr}"), deps[cid % 3], now, now, now))
    kinds = {
        "01": "Телефонный звонок законному представителю ребенка",
        "02": "Организация звонка родственникам через специальное приложение",
        "03": "Телефонный звонок с целью установления первичного контакта с клиентом",
        "04": "Социальный патронаж (плановый (повторный))",
        "05": "Проведение занятий в группах взаимоподдержки, клубах общения",
    }
    services = []
    for _ in range(N_SERVICES):
        sop = rng.choice(list(kinds))
        sid = rng.choice(staff)
        services.append(
            (
                YEAR_START + dt.timedelta(days=rng.randrange(365)),
                rng.randrange(1, N_CLIENTS + 1),
                sid,
                sop,
                kinds[sop],
                1,
                rng.choice((35, 45, 95, 110)),
                "manual",
                now,
                now,
            )
        )
    audit = [
        (
            dt.datetime(2025, 12, 1) + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
            rng.choice(staff),
            rng.choice(("view", "view", "update", "create", "login")),
            "client",
            rng.randrange(1, N_CLIENTS + 1),
            "",
        )
        for _ in range(N_AUDIT)
    ]
    refs, calls, visits = [], [], []
    for _ in range(6000):
        received = dt.datetime(2025, 12, 1, 9) + dt.timedelta(days=rng.randrange(360), minutes=rng.randrange(480))
        due = received.date() + dt.timedelta(days=5)
        contacted = received + dt.timedelta(days=rng.randrange(8)) if rng.random() < 0.8 else None
        refs.append(
            (
                rng.randrange(1, N_CLIENTS + 1),
                received,
                "prevention_request",
                due,
                due,
                contacted,
                bool(contacted and contacted.date() > due),
                rng.choice(staff),
                now,
                now,
            )
        )
    for _ in range(30000):
        ended = dt.datetime(2025, 12, 1, 9) + dt.timedelta(days=rng.randrange(360), minutes=rng.randrange(480))
        calls.append(
            (
                rng.choice(("01", "02", "03")),
                rng.randrange(1, N_CLIENTS + 1),
                rng.choice(staff),
                "finished",
                "done",
                ended,
                ended,
                600,
                now,
                now,
            )
        )
    for _ in range(10000):
        when = dt.datetime(2025, 12, 1, 10) + dt.timedelta(days=rng.randrange(360))
        visits.append((rng.randrange(1, N_CLIENTS + 1), when, "done", when, now, now))
    with write_transaction():
        cur = db.cursor()
        cur.executemany(
            "INSERT INTO client (id, last_name, first_name, patronymic, name_key, department_id, "
            "status_changed_at, created_at, updated_at, version, category, status, status_reason, "
            "address, remote_territory, ipra_number, notes) "
            "VALUES (?,?,?,?,?,?,?,?,?,1,'child','served','','',0,'','')",
            clients,
        )
        cur.executemany(
            "INSERT INTO service_entry (date, client_id, staff_id, sop, service_kind, units, minutes, "
            "source_type, created_at, updated_at, version, note, prep_minutes, work_minutes, doc_minutes, "
            "norm_minutes, late_reason) VALUES (?,?,?,?,?,?,?,?,?,?,1,'',0,0,0,0,'')",
            services,
        )
        cur.executemany(
            'INSERT INTO audit_log (at, staff_id, action, "table", record_id, changes, prev_hash, row_hash) '
            "VALUES (?,?,?,?,?,?,'','')",
            audit,
        )
        cur.executemany(
            "INSERT INTO referral (client_id, received_at, ground, registration_due, first_contact_due, "
            "first_contact_at, first_contact_late, assigned_staff_id, created_at, updated_at, version, "
            "source_body, summary, intake_log, closed, registration_late_reason) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,1,'','','reception',0,'')",
            refs,
        )
        cur.executemany(
            "INSERT INTO phone_call (sop, client_id, staff_id, state, outcome, started_at, ended_at, "
            "talk_seconds, created_at, updated_at, version, callee_name, phone_number, direction, "
            "notice_state, prep_seconds, doc_seconds, step_id, branch, purpose, summary, agreements, "
            "notes, off_hours_reason, state_json, feedback_text, ground_note, notice_skip_reason, "
            "notice_off_hours_reason, client_session_every_days, channel, ground, meeting_place) VALUES (?,?,?,?,?,?,?,?,?,?,1,'','','outgoing','',"
            "0,0,'','','','','','','','','','','','',0,'phone','client_request','')",
            calls,
        )
        cur.executemany(
            "INSERT INTO patronage_visit (client_id, planned_start, status, completed_at, created_at, "
            "updated_at, version, kind, ground, purpose, prep_minutes, work_minutes, "
            "completion_minutes, address, transport_needed, status_reason, late_reason, "
            "documents_to_prepare, methods, problem_areas, findings, rights_explained, effectiveness, "
            "actual_prep_seconds, actual_work_seconds, actual_completion_seconds) "
            "VALUES (?,?,?,?,?,?,1,'planned','ipra','',60,40,10,'',0,'','','','','','','','',0,0,0)",
            visits,
        )
    db.execute_sql("ANALYZE")
    return {"spec": staff[0], "spec_dep": staff_dep[staff[0]]}


def _time(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> list[str]:
    from soptui.core import clock, session
    from soptui.db.connection import db
    from soptui.services import auth, journal

    clock.set_fixed(dt.datetime(2026, 11, 25, 10, 30))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        info = generate(Path(tmp) / "bench.db")
        gen = time.perf_counter() - started
        head = auth.sign_in("head", PASSWORD)
        spec = auth.sign_in("s0", PASSWORD)
        session.set_actor(head)
        month = journal.JournalFilters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
        total = journal.totals(month, head).entries
        lines = [f"journal_generate: {gen:.1f} s ({N_SERVICES} services, {N_AUDIT} audit rows)"]
        lines.append(
            f"journal_page_first_ms: {_time(lambda: journal.service_page(month, 0, 50, head)):.1f} ms "
            f"(goal < 150 ms; month of {total} entries, page + count + sums)"
        )
        deep = (total // 50 - 1) * 50
        lines.append(
            f"journal_page_last_ms: {_time(lambda: journal.service_page(month, deep, 50, head)):.1f} ms "
            f"(goal < 300 ms; offset {deep})"
        )
        lines.append(
            f"journal_page_specialist_ms: "
            f"{_time(lambda: journal.service_page(month, 0, 50, spec)):.1f} ms (goal < 150 ms; "
            f"department scope)"
        )
        lines.append(
            f"journal_totals_by_staff_sop_ms: "
            f"{_time(lambda: (journal.totals_by_staff(month, head), journal.totals_by_sop(month, head))):.1f}"
            f" ms (goal < 300 ms)"
        )
        lines.append(
            f"journal_audit_summary_ms: "
            f"{_time(lambda: journal.audit_summary(month.start, month.end, actor=head), 3):.1f} ms "
            f"(goal < 1000 ms; month)"
        )
        af = journal.AuditFilters(month.start, month.end)
        lines.append(
            f"journal_audit_log_page_ms: {_time(lambda: journal.audit_page(af, 0, 50, head)):.1f} ms (goal < 200 ms)"
        )
        from soptui.forms import service_log
        from soptui.services import printing

        mine = journal.JournalFilters(month.start, month.end, staff_id=info["spec"])
        started = time.perf_counter()
        report = journal.service_log_report(mine, head)
        data = printing.render(service_log, report)
        pdf_s = time.perf_counter() - started
        lines.append(
            f"journal_print_specialist_month_s: {pdf_s:.1f} s (goal < 10 s; "
            f"{len(report.rows)} rows, {len(data) // 1024} KiB)"
        )
        session.set_actor(None)
        db.close()
    clock.set_fixed(None)
    return lines


if __name__ == "__main__":
    for line in run():
        print(line)
