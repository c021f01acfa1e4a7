"""Pilot tests: a roll-call by keyboard, the 2-per-week refusal and the head's override."""

from __future__ import annotations

import datetime as dt

from soptui.app import make_app
from soptui.db import models as m
from soptui.domain.groups import Slot
from soptui.services import groups as g

from conftest import PASSWORD, burst, click, fill, paste, sign_in, until, wait_screen

TODAY = dt.date(2026, 11, 25)  # Wednesday


def _client(last: str, first: str = "Анна") -> int:
    from soptui.db.connection import write_transaction

    with write_transaction():
        c = m.Client.create(
            last_name=last,
            first_name=first,
            patronymic="Петровна",
            name_key=f"{last} {first} петровна".casefold(),
            birth_date=dt.date(2014, 1, 2),
            status="served",
            consent_date=dt.date(2026, 9, 1),
        )
    return c.id


def _club(name: str, leader: int, weekdays, times=("15:00", "16:00")) -> int:
    return g.save_club(
        g.ClubData(
            name=name,
            capacity=25,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[leader],
            programme=[("Знакомство", "Правила группы")] * 2,
            slots=[Slot(w, *times) for w in weekdays],
        )
    )


def _session(club_id: int, day: dt.date) -> int:
    return m.GroupSession.get((m.GroupSession.club == club_id) & (m.GroupSession.date == day)).id


async def _wait(pilot, app, cls):
    return await wait_screen(pilot, cls)


async def _open_today_session(pilot, app, session_id: int):
    """From Today, move to the session's row and press Enter, as the leader would."""
    from soptui.screens.groups.rollcall import RollCallScreen

    today = app.screen
    await until(pilot, lambda: getattr(today, "items", None), "Today's items")
    index = [i.target for i in today.items].index(("session", session_id))
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    screen = await _wait(pilot, app, RollCallScreen)
    await until(pilot, lambda: screen.call is not None, "roll-call loaded")
    return screen


async def test_roll_call_of_twenty_by_keyboard(store, staff, centre):
    club = _club("Клуб общения «Родничок»", staff["spec"], (0, 2))
    kids = [_client(f"Участникова{chr(0x430 + i)}", "Мария") for i in range(20)]
    for k in kids:
        g.add_member(club, k, dt.date(2026, 11, 2))
    sid = _session(club, TODAY)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        screen = await _open_today_session(pilot, app, sid)
        assert len(screen.call.rows) == 20
        # all present, then untick the 3rd and the 8th, give the 8th a reason
        await pilot.press("a", "down", "down", "space")
        await pilot.press("down", "down", "down", "down", "down", "space", "r")
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.dirty
        assert "Присутствуют: 18 из 20" in str(screen.query_one("#rc-status").render())
    rows = {a.client_id: a for a in m.Attendance.select().where(m.Attendance.session == sid)}
    names = {c.id: c.last_name for c in m.Client.select()}
    ordered = sorted(kids, key=lambda k: names[k].casefold())
    assert len(rows) == 20
    assert [k for k in ordered if not rows[k].present] == [ordered[2], ordered[7]]
    assert rows[ordered[7]].absence_reason == "болеет"
    entries = m.ServiceEntry.select().where(
        (m.ServiceEntry.source_type == "attendance") & (m.ServiceEntry.date == TODAY)
    )
    assert sorted(e.source_id for e in entries) == sorted(a.id for a in rows.values() if a.present)
    assert m.GroupSession.get_by_id(sid).status == "held"


async def test_roll_call_typed_as_one_burst(store, staff, centre):
    """The same marking as above, every key posted at once (the reason dialog opens and closes inside)."""
    club = _club("Клуб общения «Родничок»", staff["spec"], (0, 2))
    kids = [_client(f"Участникова{chr(0x430 + i)}", "Мария") for i in range(12)]
    for k in kids:
        g.add_member(club, k, dt.date(2026, 11, 2))
    sid = _session(club, TODAY)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        screen = await _open_today_session(pilot, app, sid)
        await burst(
            pilot,
            ["a", "down", "down", "space", "down", "down", "down", "down", "down", "space", "r", *"болеет", "enter"]
            + ["ctrl+s"],
        )
        await until(pilot, lambda: not screen.dirty and screen.saved_after is not None, "saved")
    rows = {a.client_id: a for a in m.Attendance.select().where(m.Attendance.session == sid)}
    names = {c.id: c.last_name for c in m.Client.select()}
    ordered = sorted(kids, key=lambda k: names[k].casefold())
    assert [k for k in ordered if not rows[k].present] == [ordered[2], ordered[7]]
    assert rows[ordered[7]].absence_reason == "болеет"


async def _third_session_setup(staff):
    mon_tue = _club("Клуб «Родничок»", staff["spec"], (0, 1))
    wed = _club("Группа «Опора»", staff["spec"], (2,), ("11:00", "12:00"))
    kid, other = _client("Петрова"), _client("Сидорова")
    for k in (kid, other):
        g.add_member(mon_tue, k, dt.date(2026, 11, 2))
        g.add_member(wed, k, dt.date(2026, 11, 2))
    g.save_roll_call(_session(mon_tue, dt.date(2026, 11, 23)), {kid: (True, ""), other: (False, "")})
    g.save_roll_call(_session(mon_tue, dt.date(2026, 11, 24)), {kid: (True, ""), other: (True, "")})
    return kid, other, _session(wed, TODAY)


async def test_third_session_refused_then_head_overrides_with_reason(store, staff, centre):
    from soptui.screens.groups.rollcall import OverrideDialog

    kid, other, sid = await _third_session_setup(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        screen = await _open_today_session(pilot, app, sid)
        await pilot.press("a", "ctrl+s")
        dialog = await _wait(pilot, app, OverrideDialog)
        text = str(dialog.query_one("#ov-text").render())
        assert "Петрова Анна Петровна" in text
        assert "«Клуб «Родничок»" not in text and "Клуб «Родничок», 23.11.2026 (пн) 15:00–16:00" in text
        assert "24.11.2026 (вт) 15:00–16:00" in text
        assert not m.Attendance.select().where(m.Attendance.session == sid).exists()  # nothing saved yet
        # the specialist cannot allow it alone: the head's login and password are asked
        await click(pilot, "#ov-reason")
        await paste(pilot, "праздник")
        await click(pilot, "#ov-login")
        await paste(pilot, "spec")
        await click(pilot, "#ov-password")
        await paste(pilot, PASSWORD)
        await click(pilot, "#ov-allow")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "не заведующий отделением" in str(dialog.query_one("#ov-error").render())
        await click(pilot, "#ov-login")
        await fill(pilot, dialog.query_one("#ov-login"), "head")
        await click(pilot, "#ov-password")
        await paste(pilot, PASSWORD)
        await click(pilot, "#ov-allow")
        await until(pilot, lambda: app.screen is screen and not screen.dirty, "roll-call saved")
        assert app.screen is screen and not screen.dirty
    a = m.Attendance.get((m.Attendance.session == sid) & (m.Attendance.client == kid))
    assert a.present and a.override_reason == "праздник" and a.override_by_id == staff["head"]
    b = m.Attendance.get((m.Attendance.session == sid) & (m.Attendance.client == other))
    assert b.present and b.override_reason == ""  # her second this week: no override needed
    assert m.ServiceEntry.select().where(m.ServiceEntry.source_id == a.id).count() == 1


async def test_third_session_marked_absent_instead(store, staff, centre):
    from soptui.screens.groups.rollcall import OverrideDialog

    kid, other, sid = await _third_session_setup(staff)
    third = _client("Яковлева")  # her first session this week
    g.add_member(m.GroupSession.get_by_id(sid).club_id, third, dt.date(2026, 11, 2))
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        screen = await _open_today_session(pilot, app, sid)
        await pilot.press("a", "ctrl+s")
        await _wait(pilot, app, OverrideDialog)
        await click(pilot, "#ov-absent")
        await until(pilot, lambda: app.screen is screen and not screen.dirty, "roll-call saved")
    marks = {a.client_id: a for a in m.Attendance.select().where(m.Attendance.session == sid)}
    assert not marks[kid].present and "2 занятия" in marks[kid].absence_reason
    assert marks[other].present  # her second session this week
    assert marks[third].present and not marks[third].override_reason


async def test_head_signed_in_overrides_with_reason_only(store, staff, centre):
    from soptui.screens.groups.rollcall import OverrideDialog

    kid, other, sid = await _third_session_setup(staff)
    m.ClubLeader.create(club=m.GroupSession.get_by_id(sid).club_id, staff=staff["head"])
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", PASSWORD)
        screen = await _open_today_session(pilot, app, sid)
        await pilot.press("a", "ctrl+s")
        dialog = await _wait(pilot, app, OverrideDialog)
        assert not dialog.query("#ov-login")
        await click(pilot, "#ov-reason")
        await paste(pilot, "по плану")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen and not screen.dirty, "roll-call saved")
    a = m.Attendance.get((m.Attendance.session == sid) & (m.Attendance.client == kid))
    assert a.override_by_id == staff["head"] and a.override_reason == "по плану"
