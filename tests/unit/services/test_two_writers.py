"""Nothing is silently overwritten (issue 12 point 4): two processes save the same record at once, each
from the version it read. One save lands; the other always gets ConflictError; the stored value is the
one that landed — never a mix, never a silent loss. One test per record kind."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest

from soptui.core import clock
from soptui.db.connection import db
from soptui.services.store import open_store

from conftest import FIXED_NOW, PASSWORD

KINDS = ["club", "session_report", "visit_plan", "act", "roll_call"]


def _close() -> None:
    db.obj.close()
    db.initialize(None)


def _setup(path: str) -> dict:
    """A department with a specialist, a club with a session and a member, a client with a visit and a draft act."""
    from soptui.core import session
    from soptui.db import models as m
    from soptui.db.connection import write_transaction
    from soptui.domain.groups import Slot
    from soptui.services import access, auth
    from soptui.services import groups as g
    from soptui.services import patronage as visits
    from soptui.services.patronage import VisitPlan

    clock.set_fixed(FIXED_NOW)
    open_store(path)
    spec = auth.add_user(
        "spec", PASSWORD, "Иванова", "Марина", "Сергеевна", "social_work_specialist", "specialist", "Отделение"
    )
    with access.acting_as(access.centre_actor(None)):
        dep = m.Staff.get_by_id(spec).department_id
        with write_transaction():
            client = m.Client.create(
                last_name="Петров",
                first_name="Илья",
                name_key="петров илья",
                department=dep,
                category="child",
                consent_date=dt.date(2026, 9, 1),
            )
        club = g.save_club(
            g.ClubData(
                name="Клуб",
                start_date=dt.date(2026, 11, 2),
                end_date=dt.date(2026, 12, 25),
                leader_ids=[spec],
                slots=[Slot(0, "15:00", "16:00")],
                department_id=dep,
            )
        )
        g.add_member(club, client.id, dt.date(2026, 11, 2))
        sid = g.club_sessions(club)[0].id
        vid = visits.save_plan(
            VisitPlan(
                client_id=client.id,
                staff_ids=[spec],
                day=dt.date(2026, 11, 26),
                start=dt.time(11, 0),
                end=dt.time(11, 40),
                address="ул. Мира, 1",
            )
        )
        visits.save_act_draft(vid, "housing", {"address": "ул. Мира, 1"})
    session.set_actor(None)
    _close()
    return {"club": club, "session": sid, "visit": vid, "client": client.id}


def _read(kind: str, ids: dict):
    """What a form reads before saving: the version (or marks) it will hand back."""
    from soptui.services import groups as g
    from soptui.services import patronage as visits

    if kind == "club":
        return g.get_club(ids["club"]).version
    if kind == "session_report":
        return g.get_session(ids["session"]).version
    if kind == "visit_plan":
        return visits.plan_of(ids["visit"])[1]
    if kind == "act":
        return visits.load_act(ids["visit"], "housing").version
    return {r.client_id: (r.present, r.absence_reason) for r in g.roll_call(ids["session"]).rows}


def _save(kind: str, ids: dict, seen, value: str) -> None:
    import dataclasses

    from soptui.domain.groups import Slot
    from soptui.services import groups as g
    from soptui.services import patronage as visits

    if kind == "club":
        card = g.get_club(ids["club"])
        data = g.ClubData(
            name=card.name,
            room=value,
            start_date=card.start_date,
            end_date=card.end_date,
            leader_ids=list(card.leader_ids),
            slots=[Slot(s.weekday, s.start_time, s.end_time) for s in card.slots],
            department_id=card.department_id,
        )
        g.save_club(data, ids["club"], seen)
    elif kind == "session_report":
        g.save_session_report(ids["session"], seen, {"guests": value})
    elif kind == "visit_plan":
        plan = visits.plan_of(ids["visit"])[0]
        visits.save_plan(dataclasses.replace(plan, purpose=value), ids["visit"], seen, allow_conflicts=True)
    elif kind == "act":
        visits.save_act_draft_checked(ids["visit"], "housing", {"address": value}, seen)
    else:
        g.save_roll_call(ids["session"], {ids["client"]: (False, value)}, expected=seen)


def _stored(kind: str, ids: dict) -> str:
    import json

    from soptui.db import models as m

    if kind == "club":
        return m.Club.get_by_id(ids["club"]).room
    if kind == "session_report":
        return m.GroupSession.get_by_id(ids["session"]).guests
    if kind == "visit_plan":
        return m.PatronageVisit.get_by_id(ids["visit"]).purpose
    if kind == "act":
        return json.loads(m.VisitAct.get(m.VisitAct.visit == ids["visit"]).data)["address"]
    return m.Attendance.get(m.Attendance.session == ids["session"]).absence_reason


def _writer(path: str, kind: str, ids: dict, value: str, barrier, queue) -> None:
    from soptui.core import session
    from soptui.services import auth
    from soptui.services.errors import ConflictError

    clock.set_fixed(FIXED_NOW)
    open_store(path)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    seen = _read(kind, ids)  # both read before either saves
    barrier.wait(30)
    try:
        _save(kind, ids, seen, value)
        queue.put((value, "saved"))
    except ConflictError:
        queue.put((value, "conflict"))
    except Exception as error:  # noqa: BLE001 - reported to the test
        queue.put((value, f"error {type(error).__name__}: {error}"))


@pytest.mark.parametrize("kind", KINDS)
def test_two_people_saving_the_same_record_at_once(kind, scratch_target):
    path = scratch_target  # an SQLite file, or a PostgreSQL database on that pass
    ids = _setup(path)
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(path, kind, ids, value, barrier, queue)) for value in ("первый", "второй")
    ]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(30)
    assert sorted(results.values()) == ["conflict", "saved"], results
    winner = next(v for v, r in results.items() if r == "saved")
    open_store(path)
    try:
        assert _stored(kind, ids) == winner
    finally:
        _close()
        clock.set_fixed(None)
