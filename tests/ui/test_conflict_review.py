"""The conflict review on every versioned form (issue 11 point 2, issue 12 point 4): a colleague saves the
record while it is open here; saving shows what they changed beside what is typed here, and nothing is
lost silently — «Сохранить моё поверх» keeps their other changes, «Загрузить их версию» shows theirs."""

from __future__ import annotations

import dataclasses
import datetime as dt

from soptui.app import make_app
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.domain.groups import Slot
from soptui.services import groups as g

from conftest import PASSWORD, click, fill, open_card, sign_in, until, wait_screen


def _club(staff) -> int:
    return g.save_club(
        g.ClubData(
            name="Клуб «Родничок»",
            room="каб. 1",
            capacity=8,
            start_date=dt.date(2026, 11, 2),
            end_date=dt.date(2026, 12, 25),
            leader_ids=[staff["spec"]],
            programme=[("Знакомство", "Правила группы")],
            slots=[Slot(0, "15:00", "16:00")],
        )
    )


async def test_club_form_conflict_overwrite_keeps_the_colleagues_other_change(store, staff, centre):
    from soptui.screens.groups.club_form import ClubFormScreen

    club_id = _club(staff)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(ClubFormScreen(club_id))
        form = await wait_screen(pilot, ClubFormScreen)
        await until(pilot, lambda: form.loaded, "club form loaded")
        await fill(pilot, form.query_one("#cf-goal"), "развитие общения")
        # meanwhile a colleague moves the club to another room
        card = g.get_club(club_id)
        data = g.ClubData(
            name=card.name,
            room="каб. 104",
            capacity=card.capacity,
            start_date=card.start_date,
            end_date=card.end_date,
            leader_ids=list(card.leader_ids),
            programme=[(p.topic, p.goal) for p in card.programme],
            slots=[Slot(s.weekday, s.start_time, s.end_time) for s in card.slots],
        )
        g.save_club(data, club_id, card.version)
        await pilot.press("ctrl+s")
        dialog = await wait_screen(pilot, "ConflictDialog")
        shown = {c.label: (c.base, c.mine, c.theirs) for c in dialog.changes}
        assert shown == {"Помещение": ("каб. 1", "каб. 1", "каб. 104")}
        # the room was not changed here: the table says theirs stays (it showed «каб. 1» as the value «yours»,
        # and «Сохранить моё поверх» then kept theirs)
        assert dialog.rows() == [("Помещение", "каб. 1", "вы не меняли: останется их", "каб. 104")]
        await click(pilot, "#cf-overwrite")
        await until(pilot, lambda: not isinstance(app.screen, (ClubFormScreen, type(dialog))), "saved")
    club = m.Club.get_by_id(club_id)
    assert (club.goal, club.room) == ("развитие общения", "каб. 104")


async def test_session_report_conflict_reload_shows_theirs_and_drops_the_draft(store, staff, centre):
    from soptui.screens.groups.session_form import SessionFormScreen

    sid = g.club_sessions(_club(staff))[0].id
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(SessionFormScreen(sid))
        form = await wait_screen(pilot, SessionFormScreen)
        await until(pilot, lambda: form.loaded, "session form loaded")
        await fill(pilot, form.query_one("#sf-analysis"), "мой анализ")
        await until(pilot, lambda: m.Draft.select().where(m.Draft.key == f"session:{sid}").exists(), "draft")
        detail = g.get_session(sid)
        g.save_session_report(sid, detail.version, {"topic": "Тема коллеги"}, {"topic": detail.topic})
        await pilot.press("ctrl+s")
        dialog = await wait_screen(pilot, "ConflictDialog")
        assert [(c.label, c.theirs) for c in dialog.changes] == [("Тема", "Тема коллеги")]
        await click(pilot, "#cf-reload")
        await until(pilot, lambda: app.screen is form and not form.dirty, "their version loaded")
        assert form.query_one("#sf-topic").value == "Тема коллеги"
        assert form.query_one("#sf-analysis").text == ""
        await until(pilot, lambda: not m.Draft.select().where(m.Draft.key == f"session:{sid}").exists(), "no draft")
    assert m.GroupSession.get_by_id(sid).topic == "Тема коллеги"


async def test_visit_plan_conflict_back_to_the_form_loses_nothing(demo_store):
    from soptui.screens.patronage.visit_form import VisitFormScreen
    from soptui.services import patronage as visits

    visit = (
        m.PatronageVisit.select()
        .join(m.Client)
        .where((m.PatronageVisit.status == "planned") & (m.Client.department == demo_store.departments[0]))
        .order_by(m.PatronageVisit.planned_start.desc())
        .first()
    )
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f5")
        await wait_screen(pilot, "PatronageScreen")
        app.push_screen(VisitFormScreen(visit_id=visit.id))
        form = await wait_screen(pilot, VisitFormScreen)
        await until(pilot, lambda: form.loaded, "visit form loaded")
        await fill(pilot, form.query_one("#documents"), "акт обследования")
        plan, version, _s, _n = visits.plan_of(visit.id)
        visits.save_plan(dataclasses.replace(plan, purpose="Цель коллеги"), visit.id, version, allow_conflicts=True)
        await pilot.press("ctrl+s")
        dialog = await wait_screen(pilot, "ConflictDialog")
        assert ("Цель посещения", "Цель коллеги") in [(c.label, c.theirs) for c in dialog.changes]
        await click(pilot, "#cf-back")
        await until(pilot, lambda: app.screen is form, "back in the form")
        assert form.query_one("#documents").value == "акт обследования" and form.dirty
    assert m.PatronageVisit.get_by_id(visit.id).purpose == "Цель коллеги"


async def test_act_typed_here_while_a_colleague_saves_it_opens_the_review(demo_store):
    """Two people on one act: the colleague's save is never overwritten by this form's draft writes."""
    from soptui.screens.navigation import OpenVisit
    from soptui.services import patronage as visits

    from conftest import burst, keys_of

    visit = (
        m.PatronageVisit.select()
        .join(m.Client)
        .where((m.PatronageVisit.status == "planned") & (m.Client.department == demo_store.departments[0]))
        .order_by(m.PatronageVisit.planned_start.desc())
        .first()
    )
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f5")
        await wait_screen(pilot, "PatronageScreen")
        app.open(OpenVisit(visit.id))
        do = await wait_screen(pilot, "VisitDoScreen")
        await burst(pilot, ["ctrl+t", "ctrl+t"])
        do.query_one("#act-housing").focus()
        await burst(pilot, ["enter"])
        act = await wait_screen(pilot, "ActFormScreen")
        await until(pilot, lambda: act.loaded, "act loaded")
        act.query_one("#f-dwelling_type").focus()
        await burst(pilot, keys_of("квартира"))
        await until(pilot, lambda: act.version is not None, "the draft act written")
        # a colleague, on another workstation, saves the act with their own text
        state = visits.load_act(visit.id, "housing")
        visits.save_act_draft_checked(visit.id, "housing", {**state.data, "ownership": "собственность"}, state.version)
        await burst(pilot, keys_of(["tab"], "найм"))
        dialog = await wait_screen(pilot, "ConflictDialog")
        assert ("Форма собственности (собственность, найм, аренда)", "собственность") in [
            (c.label, c.theirs) for c in dialog.changes
        ]
        await click(pilot, "#cf-overwrite")
        await until(pilot, lambda: app.screen is act and not act._in_conflict, "back in the act")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not act.dirty, "saved")
        import json

        def stored() -> tuple[str, str]:
            data = json.loads(m.VisitAct.get(m.VisitAct.visit == visit.id, m.VisitAct.kind == "housing").data)
            return data.get("dwelling_type"), data.get("ownership")

        # Ctrl+S clears «dirty» at once; the draft itself is written by a worker a moment later
        await until(pilot, lambda: stored() == ("квартира", "найм"), "the act written")
    assert stored() == ("квартира", "найм")


async def test_roll_call_saved_by_a_colleague_meanwhile_opens_the_review(store, staff, centre):
    """Two leaders mark the same session: the second save shows the first one's marks, saves nothing
    until chosen; «Загрузить их версию» shows their marks."""
    from soptui.screens.groups.rollcall import RollCallScreen

    club = _club(staff)
    kids = []
    for name in ("Алексеева", "Борисова"):
        with write_transaction():
            c = m.Client.create(
                last_name=name,
                first_name="Мария",
                name_key=name.lower(),
                category="child",
                consent_date=dt.date(2026, 9, 1),
            )
        g.add_member(club, c.id, dt.date(2026, 11, 2))
        kids.append(c.id)
    sid = g.club_sessions(club)[0].id
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        app.push_screen(RollCallScreen(sid))
        rc = await wait_screen(pilot, RollCallScreen)
        await until(pilot, lambda: rc.loaded, "roll call loaded")
        await pilot.press("space")  # the first one was here
        g.save_roll_call(sid, {kids[0]: (False, "болеет"), kids[1]: (True, "")})  # the colleague's marks
        await pilot.press("ctrl+s")
        dialog = await wait_screen(pilot, "ConflictDialog")
        assert {c.label for c in dialog.changes} >= {"Алексеева Мария: причина отсутствия", "Борисова Мария: был(а)"}
        await click(pilot, "#cf-reload")
        await until(pilot, lambda: app.screen is rc and not rc.dirty, "their marks shown")
        assert rc.present == {kids[0]: False, kids[1]: True} and rc.reasons[kids[0]] == "болеет"
    rows = {a.client_id: (a.present, a.absence_reason) for a in m.Attendance.select()}
    assert rows == {kids[0]: (False, "болеет"), kids[1]: (True, "")}


async def test_an_open_card_shows_a_colleagues_save(demo_store, monkeypatch):
    """A card left open kept the old address after a colleague's save until it was closed and opened again."""
    from soptui.screens.clients import card as card_screen

    monkeypatch.setattr(card_screen, "WATCH_SECONDS", 0.3)
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        card = await open_card(pilot, client.id)
        # every load of the opening done: one still in flight read the colleague's save below and showed it
        # without the notice, which only the watch gives (CI on PostgreSQL, 05.12)
        await app.workers.wait_for_complete()
        await pilot.pause()
        views = m.AuditLog.select().where((m.AuditLog.action == "view") & (m.AuditLog.record_id == client.id)).count()
        with write_transaction():  # a colleague at another workstation
            m.Client.update(address="г. Березовский, ул. Новая, д. 1", version=m.Client.version + 1).where(
                m.Client.id == client.id
            ).execute()
        await until(pilot, lambda: card.card.summary.address == "г. Березовский, ул. Новая, д. 1", "the new address")
        assert "Березовский," in app.export_screenshot()  # drawn on the main tab
        assert any("Карточка обновлена" in n.message for n in app._notifications)
        # looking again is not another view of the file in the audit log
        assert (
            m.AuditLog.select().where((m.AuditLog.action == "view") & (m.AuditLog.record_id == client.id)).count()
            == views
        )
