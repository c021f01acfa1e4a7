"""Nothing is silently overwritten (issue 12 point 4) — calls: one call open at two workstations.

Two processes save the same call at once, each with the version its teleprompter read: the teleprompter's
progress (every few seconds of typing) and the result (F9). One save lands; the other always gets
ConflictError; the stored value is the one that landed.
"""

from __future__ import annotations

import multiprocessing

import pytest

from soptui.core import clock
from soptui.db.connection import db
from soptui.services.store import open_store

from conftest import FIXED_NOW, PASSWORD

KINDS = ["call_progress", "call_finish", "call_progress_vs_finish"]


def _close() -> None:
    db.obj.close()
    db.initialize(None)


def _setup(path: str) -> dict:
    """A specialist and a family with an open SOP 03 call (the notice sent)."""
    from soptui.core import session
    from soptui.services import access, auth, calls

    from calls_helpers import make_family, make_ready

    clock.set_fixed(FIXED_NOW)
    open_store(path)
    spec = auth.add_user(
        "spec", PASSWORD, "Иванова", "Марина", "Сергеевна", "social_work_specialist", "specialist", "Отделение"
    )
    ids = make_family({"spec": spec})
    session.set_actor(auth.sign_in("spec", PASSWORD))
    with access.acting_as(access.centre_actor(None)):
        call_id = calls.start_call("03", ids["client"], "representative", ids["mother"], "+79123456789")
        make_ready(call_id, "03")
    session.set_actor(None)
    _close()
    return {"call": call_id}


def _save(kind: str, call_id: int, seen: int, value: str, first: bool) -> None:
    from soptui.services import calls

    finishing = kind == "call_finish" or (kind == "call_progress_vs_finish" and not first)
    if finishing:
        calls.finish_call(call_id, calls.CallOutcome("refuses", summary=value, notes=value), version=seen)
    else:
        calls.save_progress(call_id, {"notes": [value]}, "greeting", "", value, 60, 30, 0, version=seen)


def _writer(path: str, kind: str, call_id: int, value: str, first: bool, barrier, queue) -> None:
    from soptui.core import session
    from soptui.services import auth, calls
    from soptui.services.errors import ConflictError

    clock.set_fixed(FIXED_NOW)
    open_store(path)
    session.set_actor(auth.sign_in("spec", PASSWORD))
    seen = calls.get_call(call_id).version  # both teleprompters read the call before either saves
    barrier.wait(30)
    try:
        _save(kind, call_id, seen, value, first)
        queue.put((value, "saved"))
    except ConflictError:
        queue.put((value, "conflict"))
    except Exception as error:  # noqa: BLE001 - reported to the test
        queue.put((value, f"error {type(error).__name__}: {error}"))


@pytest.mark.parametrize("kind", KINDS)
def test_one_call_saved_at_two_workstations_at_once(kind, scratch_target):
    path = scratch_target  # an SQLite file, or a PostgreSQL database on that pass
    ids = _setup(path)
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(path, kind, ids["call"], value, first, barrier, queue))
        for value, first in (("первый", True), ("второй", False))
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
        from soptui.db import models as m

        call = m.PhoneCall.get_by_id(ids["call"])
        assert call.notes == winner  # never a mix, never a silent loss
        if winner == "второй" and kind != "call_progress":
            assert call.state == "finished"
        if kind == "call_finish":
            assert m.ServiceEntry.select().count() == 1  # the loser wrote nothing
    finally:
        _close()
        clock.set_fixed(None)
