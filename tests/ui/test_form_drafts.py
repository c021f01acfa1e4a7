"""Every edit form on the one form base (issues 9 and 11): drafts as you type, Esc asks, the exit flush.

Each form is opened as a user opens it on the demo store, something is typed into it, and then:
- Esc asks «Сохранить / Не сохранять / Остаться»; «Остаться» keeps the text, «Не сохранять» drops it and
  the draft;
- the draft is on disk within a moment of typing, and at once when the app is told the connection
  dropped (`save_drafts_before_exit`, what SIGHUP runs) even before the draft timer fired;
- reopening the form brings the draft back.
"""

from __future__ import annotations

import json
import re

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.navigation import NewVisit

from conftest import burst, fill, keys_of, open_card, sign_in, until, wait_screen


def _drafts(prefix: str) -> dict[str, dict]:
    return {d.key: json.loads(d.payload) for d in m.Draft.select().where(m.Draft.key.startswith(prefix))}


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def _client_without_visits(demo_store):
    with_visit = m.PatronageVisit.select(m.PatronageVisit.client)
    return (
        m.Client.select()
        .where((m.Client.department == demo_store.departments[0]) & m.Client.id.not_in(with_visit))
        .order_by(m.Client.id)
        .first()
    )


async def _ask_and_answer(pilot, answer: str) -> None:
    app = pilot.app
    await pilot.press("escape")
    dialog = await wait_screen(pilot, "ChoiceDialog")
    assert [str(b.label) for b in dialog.query("Button")] == ["Сохранить", "Не сохранять", "Остаться"]
    assert app.focused is dialog.query_one("#choice-stay")  # Enter on the question never loses anything
    await pilot.press("enter" if answer == "stay" else "tab")
    if answer == "discard":
        dialog.query_one("#choice-discard").press()
    await _settle(pilot)


async def test_visit_form_keeps_a_draft_asks_on_esc_and_offers_it_back(demo_store):
    client = _client_without_visits(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f5")
        await wait_screen(pilot, "PatronageScreen")
        await _settle(pilot)
        app.open(NewVisit(client.id))
        form = await wait_screen(pilot, "VisitFormScreen")
        await until(pilot, lambda: form.loaded, "visit form loaded")
        await fill(pilot, form.query_one("#documents"), "справка о составе семьи")
        # the connection drops before the draft timer fires: the exit flush writes it
        assert app.save_drafts_before_exit() == 1
        kept = _drafts("visit-plan:new:")
        assert kept[f"visit-plan:new:{client.id}"]["values"]["documents"] == "справка о составе семьи"
        await _ask_and_answer(pilot, "stay")
        assert app.screen is form and form.query_one("#documents").value == "справка о составе семьи"
        await _ask_and_answer(pilot, "discard")
        assert not isinstance(app.screen, type(form)) and not _drafts("visit-plan:new:")
        # typed again, the form closed unsaved (a dropped connection): reopening offers the draft back
        app.open(NewVisit(client.id))
        form = await wait_screen(pilot, "VisitFormScreen")
        await until(pilot, lambda: form.loaded, "visit form loaded")
        await fill(pilot, form.query_one("#purpose"), "Знакомство, акт ЖБУ")
        await until(pilot, lambda: _drafts("visit-plan:new:"), "draft written while typing", timeout=2)
        app.pop_screen()
        await _settle(pilot)
        app.open(NewVisit(client.id))
        await wait_screen(pilot, "ChoiceDialog")
        app.screen.query_one("#choice-resume").press()
        form = await wait_screen(pilot, "VisitFormScreen")
        assert form.query_one("#purpose").value == "Знакомство, акт ЖБУ" and form.dirty


async def test_person_dialog_asks_on_esc_and_its_draft_survives_a_drop(demo_store):
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        card = await open_card(pilot, client.id)
        await pilot.press("p")
        dialog = await wait_screen(pilot, "PersonDialog")
        await fill(pilot, dialog.query_one("#p-last"), "Скобкина")
        await fill(pilot, dialog.query_one("#p-first"), "Анна")
        await _ask_and_answer(pilot, "stay")
        assert app.screen is dialog and dialog.query_one("#p-first").value == "Анна"
        assert app.save_drafts_before_exit() == 1
        kept = _drafts(f"person:{client.id}:")[f"person:{client.id}:new"]["values"]
        assert (kept["p-last"], kept["p-first"]) == ("Скобкина", "Анна")
        await _ask_and_answer(pilot, "discard")
        assert app.screen is card and not _drafts(f"person:{client.id}:")


async def test_client_form_exit_flush_and_roll_call_draft(demo_store):
    from soptui.screens.groups.rollcall import RollCallScreen

    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, client.id)
        await pilot.press("e")
        form = await wait_screen(pilot, "ClientFormScreen")
        await until(pilot, lambda: form.loaded, "client form loaded")
        await fill(pilot, form.query_one("#f-notes"), "переехала к дочери")
        # a roll call on top, marks changed, then the connection drops: both forms keep what was done
        session = (
            m.GroupSession.select()
            .join(m.Attendance)
            .switch(m.GroupSession)
            .join(m.Club)
            .where((m.GroupSession.status == "held") & (m.Club.department == demo_store.departments[0]))
            .order_by(m.GroupSession.date.desc())
            .first()
        )
        app.push_screen(RollCallScreen(session.id))
        rc = await wait_screen(pilot, RollCallScreen)
        await until(pilot, lambda: rc.loaded, "roll call loaded")
        before = dict(rc.present)
        await pilot.press("space")
        await pilot.pause()
        assert rc.dirty and rc.present != before
        assert app.save_drafts_before_exit() == 2
        assert _drafts(f"client:{client.id}")[f"client:{client.id}"]["values"]["notes"] == "переехала к дочери"
        kept = _drafts("rollcall:")[f"rollcall:{session.id}"]["values"]
        assert {int(k[2:]): v for k, v in kept.items() if k.startswith("p:")} == rc.present
    # a new session: the roll call comes back with the marks as they were left
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.push_screen(RollCallScreen(session.id))
        rc2 = await wait_screen(pilot, RollCallScreen)
        await until(pilot, lambda: rc2.loaded, "roll call loaded")
        await _settle(pilot)
        assert rc2.present == rc.present and rc2.dirty


async def test_unfinished_work_is_listed_on_today_and_enter_resumes_it_where_it_was(demo_store):
    """A referral form half-filled, the connection gone; at the next sign-in Today says so, lists it on
    top as «Черновик» with its time, and Enter reopens the form with the draft and the cursor in the field
    where typing stopped: the keys typed after Enter continue the address."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await wait_screen(pilot, "ClientsScreen")
        await pilot.press("ctrl+r")
        form = await wait_screen(pilot, "ReferralFormScreen")
        await until(pilot, lambda: form.loaded, "referral form loaded")
        await fill(pilot, form.query_one("#rf-last"), "Петухова")
        await fill(pilot, form.query_one("#rf-address"), "ул. Мира, 1")
        assert app.save_drafts_before_exit() == 1
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        today = app.screen
        await until(pilot, lambda: getattr(today, "items", None), "Today loaded")
        first = today.items[0]
        assert (first.section, first.who, first.what) == ("Незавершённое", "Петухова", "приём обращения не завершён")
        assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", first.when), first.when  # the draft's time
        assert any("незавершённая работа" in str(n.message) for n in app._notifications)
        await burst(pilot, keys_of(["enter"], ", кв. 5"))
        form = await wait_screen(pilot, "ReferralFormScreen")
        assert form.query_one("#rf-last").value == "Петухова"
        assert form.query_one("#rf-address").value == "ул. Мира, 1, кв. 5"


async def test_not_saving_deletes_the_draft_even_when_the_form_closes_before_the_delete_runs(demo_store):
    """«Не сохранять» deleted the draft in a worker of the form's; closing the form cancelled that worker when
    it had not started yet (every worker thread busy), and the draft was offered back next time (CI, 05.12)."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    client = _client_without_visits(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.open(NewVisit(client.id))
        form = await wait_screen(pilot, "VisitFormScreen")
        await until(pilot, lambda: form.loaded, "visit form loaded")
        await fill(pilot, form.query_one("#documents"), "справка о составе семьи")
        assert app.save_drafts_before_exit() == 1 and _drafts("visit-plan:new:")
        await _settle(pilot)
        # one worker thread, held busy: the delete waits in the queue while the form closes
        loop = asyncio.get_running_loop()
        one = ThreadPoolExecutor(1)
        loop.set_default_executor(one)
        release = threading.Event()
        held = loop.run_in_executor(None, release.wait)
        try:
            await pilot.press("escape")
            dialog = await wait_screen(pilot, "ChoiceDialog")
            dialog.query_one("#choice-discard").press()
            await until(pilot, lambda: not isinstance(app.screen, type(form)), "the form closed")
            await pilot.pause(0.2)
        finally:
            release.set()
            await held
        await _settle(pilot)
        await until(pilot, lambda: not _drafts("visit-plan:new:"), "the draft deleted", timeout=5)
