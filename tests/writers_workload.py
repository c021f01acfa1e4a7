"""N processes × M realistic transactions against one store (issue 14 point 2), for the suite and bench/run.py.

Each process signs in as its own specialist and repeats, in turn: create a client, finish a call (start +
finish with an outcome that writes the service log) and save a roll call of its club session (present and
absent alternately, so attendance rows and their service-log entries come and go). Every error is counted.
Afterwards `check()` says whether every row is present and the attendance ↔ service-entry rule holds:
exactly one service entry per present attendance, none for an absent one.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time

FIXED_NOW = dt.datetime(2026, 11, 25, 10, 30)
PASSWORD = "secret123"
DEPARTMENT = "Отделение дневного пребывания"


def setup(target: str, processes: int) -> dict:
    """A department with one specialist per process, a family each to call, a club with a past session each."""
    from soptui.core import clock, session
    from soptui.db import models as m
    from soptui.db.connection import db
    from soptui.domain.groups import Slot
    from soptui.services import access, auth, clients
    from soptui.services import groups as g
    from soptui.services.store import open_store

    clock.set_fixed(FIXED_NOW)
    session.set_actor(None)  # a test before may have left someone signed in
    open_store(target)
    logins = []
    for p in range(processes):
        login = f"w{p}"
        auth.add_user(login, PASSWORD, "Писарева", "Анна", f"№{p}", "social_work_specialist", "specialist", DEPARTMENT)
        logins.append(login)
    staff = {login: m.Staff.get(m.Staff.login == login).id for login in logins}
    dept = m.Staff.get_by_id(staff[logins[0]]).department_id
    plan = {}
    with access.acting_as(access.centre_actor(None)):
        club = g.save_club(
            g.ClubData(
                name="Клуб «Нагрузка»",
                kind="club",
                goal="общение",
                room="каб. 1",
                capacity=max(12, processes),
                start_date=dt.date(2026, 9, 1),
                end_date=dt.date(2026, 12, 25),
                leader_ids=list(staff.values()),
                programme=[("Знакомство", "Правила")],
                slots=[Slot(w, "15:00", "16:00") for w in (0, 1, 2, 3, 4)],
                department_id=dept,
            )
        )
        past = [s.id for s in g.club_sessions(club) if s.date < FIXED_NOW.date()]
        for p, login in enumerate(logins):
            client = clients.create_client(
                clients.ClientData(
                    last_name="Нагрузкина",
                    first_name="Вера",
                    patronymic=f"№{p}",
                    department_id=dept,
                    assigned_staff_id=staff[login],
                )
            )
            from soptui.db.connection import write_transaction

            with write_transaction():
                mother = m.Representative.create(
                    client=client, relation="мать", last_name="Нагрузкина", first_name="Ольга"
                )
                m.ContactPoint.create(representative=mother, channel="phone", value=f"+7912000{p:04d}")
            clients.reindex(client)
            g.add_member(club, client, dt.date(2026, 9, 1), reason="согласие на обработку данных оформляется")
            plan[login] = {"client": client, "representative": mother.id, "session": past[-1 - p]}
    session.set_actor(None)
    db.obj.close()
    db.initialize(None)
    return {"plan": plan, "club": club}


def worker(target: str, login: str, work: dict, transactions: int, start_at: float, queue) -> None:
    try:
        _work(target, login, work, transactions, start_at, queue)
    except BaseException as exc:  # a process that cannot start still reports, or the run would wait forever
        queue.put({"login": login, "errors": [f"start: {type(exc).__name__}: {exc}"], "latencies": [], "counts": {}})


def _work(target: str, login: str, work: dict, transactions: int, start_at: float, queue) -> None:
    from soptui.core import clock, session
    from soptui.services import auth, calls, clients
    from soptui.services import groups as g
    from soptui.services.calls import CallOutcome
    from soptui.services.store import open_store

    clock.set_fixed(FIXED_NOW)
    open_store(target)
    session.set_actor(auth.sign_in(login, PASSWORD))
    while time.time() < start_at:
        time.sleep(0.005)
    errors: list[str] = []
    latencies: list[float] = []
    counts = {"client": 0, "call": 0, "roll_call": 0}
    present = False
    for i in range(transactions):
        kind = ("client", "call", "roll_call")[i % 3]
        began = time.perf_counter()
        try:
            if kind == "client":
                clients.create_client(
                    clients.ClientData(last_name="Новикова", first_name=f"{login}-{i}", patronymic="Петровна")
                )
            elif kind == "call":
                call_id = calls.start_call(
                    "01", work["client"], "representative", work["representative"], "+79120000000", purpose="нагрузка"
                )
                calls.set_details(call_id, channel="phone", ground="client_request")  # SOP 01 п. 5
                calls.finish_call(call_id, CallOutcome("done", summary="поговорили", talk_seconds=120))
            else:
                present = not present
                g.save_roll_call(work["session"], {work["client"]: (present, "" if present else "болеет")})
            counts[kind] += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:300])
        latencies.append(time.perf_counter() - began)
    queue.put({"login": login, "errors": errors, "latencies": latencies, "counts": counts, "present": present})


def run(target: str, processes: int, transactions: int) -> dict:
    """Set up, run the writers at once, check; returns figures and findings."""
    ids = setup(target, processes)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 3.0  # every process has opened the store and signed in by then
    procs = [
        ctx.Process(target=worker, args=(target, login, work, transactions, start_at, queue))
        for login, work in ids["plan"].items()
    ]
    for p in procs:
        p.start()
    results = _reports(queue, procs, {login for login in ids["plan"]})
    finished = time.time()
    for p in procs:
        p.join(60)
    latencies = sorted(x for r in results for x in r["latencies"])
    total = len(latencies)
    return {
        "ids": ids,
        "results": results,
        "errors": [e for r in results for e in r["errors"]],
        "tx_per_s": total / max(finished - start_at, 1e-9),
        "p50_ms": latencies[total // 2] * 1000 if total else 0,
        "p99_ms": latencies[min(total - 1, int(total * 0.99))] * 1000 if total else 0,
        "max_ms": latencies[-1] * 1000 if total else 0,
    }


def _reports(queue, procs, logins: set[str], limit_s: float = 1800) -> list[dict]:
    """Every worker's report. A worker reports even when it fails to start, but one killed outright (a signal, the
    OOM killer) never does: it is reported here as an error once every process has ended, instead of the run
    waiting out the whole limit (a run once sat 30 minutes on 8 workers that had exited)."""
    import queue as queues

    results: list[dict] = []
    deadline = time.monotonic() + limit_s
    while len(results) < len(procs) and time.monotonic() < deadline:
        try:
            results.append(queue.get(timeout=1))
        except queues.Empty:
            if not any(p.is_alive() for p in procs):
                try:  # a report still in the pipe of a process that has just ended
                    results.append(queue.get(timeout=1))
                except queues.Empty:
                    break
    for login in sorted(logins - {r["login"] for r in results}):
        results.append({"login": login, "errors": ["ended without a report"], "latencies": [], "counts": {}})
    return results


def check(target: str, outcome: dict) -> list[str]:
    """What is wrong in the store after the run ([] if nothing): missing rows, the attendance rule broken."""
    from soptui.core import clock
    from soptui.db import models as m
    from soptui.db.connection import db
    from soptui.services.store import open_store

    clock.set_fixed(FIXED_NOW)
    open_store(target)
    problems = []
    try:
        for r in outcome["results"]:
            login, counts = r["login"], r["counts"]
            if not counts:
                problems.append(f"{login}: did not run")
                continue
            made = m.Client.select().where(m.Client.first_name.startswith(f"{login}-")).count()
            if made != counts["client"]:
                problems.append(f"{login}: {counts['client']} clients created, {made} stored")
            work = outcome["ids"]["plan"][login]
            finished = (
                m.PhoneCall.select()
                .where((m.PhoneCall.client == work["client"]) & (m.PhoneCall.state != "in_progress"))
                .count()
            )
            if finished != counts["call"]:
                problems.append(f"{login}: {counts['call']} calls finished, {finished} stored")
            mark = m.Attendance.get_or_none(
                (m.Attendance.session == work["session"]) & (m.Attendance.client == work["client"])
            )
            if counts["roll_call"] and (mark is None or mark.present != r["present"]):
                problems.append(f"{login}: the last roll call is not what is stored")
        from soptui.db import audit_chain

        chain = audit_chain.verify()  # the writers ran side by side: the log must still be one chain
        if not chain.ok:
            problems.append(f"audit chain broken at row {chain.first_broken_id}: {chain.reason}")
        for a in m.Attendance.select():
            entries = (
                m.ServiceEntry.select()
                .where((m.ServiceEntry.source_type == "attendance") & (m.ServiceEntry.source_id == a.id))
                .count()
            )
            if entries != (1 if a.present else 0):
                problems.append(f"attendance {a.id}: present={a.present}, {entries} service entries")
    finally:
        db.obj.close()
        db.initialize(None)
        clock.set_fixed(None)
    return problems
