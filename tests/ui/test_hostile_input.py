"""Bad input through the UI (issue 10): hostile text pasted into every field of a form.

Each text field of the form gets hostile text as a terminal delivers a paste. On saving, a field that
refuses it says why in Russian at the field and keeps the text; a field that accepts it stores it
literally, and the form shows it again literally when reopened. Nothing crashes, nothing is lost.
"""

from __future__ import annotations

import html
import json
import re

from textual import events
from textual.widgets import Input, TextArea

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.navigation import NewVisit, OpenVisit
from soptui.widgets.fields import FieldError, LabeledInput

from conftest import open_card, portable, sign_in, until, wait_screen

HOSTILE = "Щ [/] [b]ж [@click=app.quit]жми[/] C:\\п\\ 👩\u200d👧 \u202eабв"
CYRILLIC = re.compile("[а-яё]", re.I)


def _screen_text(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def _settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def paste_everywhere(pilot, screen, text: str) -> dict[str, str]:
    """Paste text into every visible, enabled text field of the screen; returns field id -> value."""
    values: dict[str, str] = {}
    for field in [*screen.query(Input), *screen.query(TextArea)]:
        if field.disabled or not field.display or not field.parent.display:
            continue
        field.focus()
        await pilot.pause()
        if not field.has_focus or getattr(field, "read_only", False):
            continue  # a field that takes no typing (read-only text) is not pasted into
        had = (field.value if isinstance(field, Input) else field.text).count(text)
        paste = events.Paste(text)  # what the terminal sends for a paste, delivered the way the driver does
        paste.set_sender(pilot.app)
        pilot.app._driver.send_message(paste)
        await pilot.pause()
        owner = field.parent if isinstance(field.parent, LabeledInput) else field
        values[owner.id or field.id] = value = field.value if isinstance(field, Input) else field.text
        assert value.count(text) == had + 1, (field.id, value)  # the paste landed once, whole
    return values


def field_errors(screen) -> dict[str, str]:
    return {
        li.id: str(li.query_one(FieldError).render())
        for li in screen.query(LabeledInput)
        if str(li.query_one(FieldError).render()).strip()
    }


async def test_client_form_every_field_pasted(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await wait_screen(pilot, "ClientsScreen")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        form = await wait_screen(pilot, "ClientFormScreen")
        pasted = await paste_everywhere(pilot, form, HOSTILE)
        assert len(pasted) >= 10 and all(HOSTILE in v for v in pasted.values()), pasted
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.is_running and app.screen is form  # refused: names, dates, phones, messengers
        errors = field_errors(form)
        for fid in ("f-last", "f-first", "f-birth", "f-phones", "f-consent"):
            assert CYRILLIC.search(errors.get(fid, "")), (fid, errors)
        for fid, value in pasted.items():  # nothing typed is lost, refused or not
            assert form.query_one(f"#{fid}").value == value, fid
        assert "Traceback" not in _screen_text(app)
        # the free-text fields accept it: correct only what was refused, then save
        fixes = {"f-last": "Скобкина", "f-first": "Анна", "f-patr": "", "f-birth": "01.02.2015"}
        for fid in errors:
            field = form.query_one(f"#{fid}", LabeledInput)
            field.input.value = fixes.get(fid, "")
        await pilot.press("ctrl+s")
        card = await wait_screen(pilot, "ClientCardScreen")
        await until(pilot, lambda: card.card is not None, "card loaded")
        client = m.Client.get(m.Client.last_name == "Скобкина")
        assert client.address == HOSTILE and client.notes == HOSTILE and client.ipra_number == HOSTILE
        shown = _screen_text(app)
        assert "[@click=app.quit]жми[/]" in shown  # the card shows it literally
        assert app.is_running


def _stored(table: str, *columns: str) -> bool:
    """Some row of the table holds the hostile text literally in one of the columns."""
    from soptui.db.connection import db

    where = " OR ".join(f"instr({c}, ?) > 0" for c in columns)
    return bool(
        db.execute_sql(*portable(f"SELECT count(*) FROM {table} WHERE {where}", (HOSTILE,) * len(columns))).fetchone()[
            0
        ]
    )


async def hostile_round(pilot, form, fixes: dict[str, str], save: str = "ctrl+s") -> dict[str, str]:
    """Paste into every field and save: refusals are Russian, at the field, and keep the text; then put
    the refused fields back as they were (or as `fixes` says) and save again. Returns what was pasted."""
    app = pilot.app
    before = {li.id: li.input.value for li in form.query(LabeledInput)}
    pasted = await paste_everywhere(pilot, form, HOSTILE)
    assert pasted and all(HOSTILE in v for v in pasted.values()), pasted
    await pilot.press(save)
    await _settle(pilot)
    assert app.is_running and "Traceback" not in _screen_text(app)
    if app.screen is form:
        errors = field_errors(form)
        for fid, message in errors.items():
            assert CYRILLIC.search(message), (fid, message)
        for fid, value in pasted.items():  # nothing typed is lost
            widget = form.query_one(f"#{fid}")
            assert (widget.value if hasattr(widget, "value") else widget.text) == value, fid
        for fid in errors:
            form.query_one(f"#{fid}", LabeledInput).input.value = fixes.get(fid, before.get(fid, ""))
        await pilot.press(save)
        await _settle(pilot)
    # saved: the form closed, or it stays open with nothing left unsaved (a session report)
    assert app.screen is not form or (not field_errors(form) and not getattr(form, "dirty", False)), field_errors(form)
    return pasted


async def _new_referral_form(pilot):
    """The specialist's new referral form (Clients, Ctrl+R), its ground chosen (a choice, not text)."""
    await sign_in(pilot, "ivanova", "demo2026")
    await pilot.press("f3")
    await wait_screen(pilot, "ClientsScreen")
    await _settle(pilot)
    await pilot.press("ctrl+r")
    form = await wait_screen(pilot, "ReferralFormScreen")
    await _settle(pilot)
    form.query_one("#rf-ground").value = "prevention_request"
    return form


async def test_referral_form_every_field_pasted(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _new_referral_form(pilot)
        await hostile_round(
            pilot,
            form,
            {
                "rf-last": "Петухова",
                "rf-first": "Анна",
                "rf-date": "24.11.2026",
                "rf-time": "09:00",
                "rf-birth": "01.02.2015",
            },
        )
        assert _stored("referral", "source_body", "summary") and _stored("client", "address", "notes")


async def test_club_and_session_forms_every_field_pasted(demo_store):
    from soptui.screens.groups.session_form import SessionFormScreen

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f6")
        groups = await wait_screen(pilot, "GroupsScreen")
        await _settle(pilot)
        await pilot.press("n")
        form = await wait_screen(pilot, "ClubFormScreen")
        await until(pilot, lambda: form.loaded, "club form loaded")
        await hostile_round(
            pilot,
            form,
            {
                "cf-name": "Клуб «Ромашка»",
                "cf-capacity": "10",
                "cf-start": "01.12.2026",
                "cf-end": "31.12.2026",
                "cf-slot-3": "15:00-16:00",
            },
        )
        assert _stored("club", "goal", "room") and _stored("programme_item", "topic", "goal")
        await _settle(pilot)
        session = m.GroupSession.select().where(m.GroupSession.status == "held").first()
        app.push_screen(SessionFormScreen(session.id))
        form = await wait_screen(pilot, "SessionFormScreen")
        await until(pilot, lambda: form.loaded, "session form loaded")
        await hostile_round(pilot, form, {})
        assert _stored("group_session", "analysis", "summary", "guests")
        assert groups is not None


async def test_person_dialog_every_field_pasted(demo_store):
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, client.id)
        await pilot.press("p")
        dialog = await wait_screen(pilot, "PersonDialog")
        await _settle(pilot)
        await hostile_round(pilot, dialog, {"p-last": "Скобкина", "p-first": "Анна"})
        assert _stored("representative", "relation", "preferred_call_time", "notes") or _stored(
            "contact", "relation", "notes"
        )


async def test_visit_plan_and_act_forms_every_field_pasted(demo_store):
    with_visit = m.PatronageVisit.select(m.PatronageVisit.client)
    client = (
        m.Client.select()
        .where((m.Client.department == demo_store.departments[0]) & m.Client.id.not_in(with_visit))
        .order_by(m.Client.id)
        .first()
    )
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f5")
        await wait_screen(pilot, "PatronageScreen")
        await _settle(pilot)
        app.open(NewVisit(client.id))
        form = await wait_screen(pilot, "VisitFormScreen")
        await hostile_round(pilot, form, {})
        visit = m.PatronageVisit.get(m.PatronageVisit.client == client.id)
        assert HOSTILE in visit.purpose and HOSTILE in visit.address
        # the visit done: its findings and the patronage report's every field
        app.open(OpenVisit(visit.id))
        do = await wait_screen(pilot, "VisitDoScreen")
        await _settle(pilot)
        await pilot.press("ctrl+t", "ctrl+t")  # preparation, then the work with the family
        typed = await paste_everywhere(pilot, do, HOSTILE)  # findings, recommendations...
        assert typed and all(HOSTILE in v for v in typed.values()), typed
        await pilot.pause(1.0)  # the visit in progress is kept as typed
        await _settle(pilot)
        from soptui.services import patronage

        kept = patronage.load_progress(visit.id)
        assert HOSTILE in kept["findings"] and kept["eff_comment"] == HOSTILE, kept
        assert "Traceback" not in _screen_text(app) and app.is_running
        do.query_one("#act-report").focus()
        await pilot.press("enter")
        act = await wait_screen(pilot, "ActFormScreen")
        await _settle(pilot)
        pasted = await hostile_round(pilot, act, {}, save="ctrl+s")
        await _settle(pilot)
        from soptui.db.connection import db

        raw = db.execute_sql(*portable("SELECT data FROM visit_act WHERE visit_id = ?", (visit.id,))).fetchone()[0]
        data = json.loads(raw)
        assert sum(HOSTILE in str(v) for v in data.values()) >= len(pasted) // 2, data


async def test_control_characters_pasted_into_the_client_form_are_refused_at_the_field(demo_store):
    """Issue 14 point 6: a paste carrying NUL or an escape is refused at its field with one Russian message,
    on either engine, and nothing pasted is lost; with the characters taken out the client saves."""
    from soptui.core.text import CONTROL_MESSAGE

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await wait_screen(pilot, "ClientsScreen")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        form = await wait_screen(pilot, "ClientFormScreen")
        pastes = {
            "f-last": "Нул\x00ева",
            "f-first": "Анна",
            "f-address": "ул. Мира\x1b[2J, 5",
            "f-notes": "до\x00после",
        }
        for fid, text in pastes.items():
            field = form.query_one(f"#{fid}", LabeledInput)
            field.input.focus()
            await pilot.pause()
            paste = events.Paste(text)
            paste.set_sender(app)
            app._driver.send_message(paste)
            await pilot.pause()
            assert field.value == text, fid
        form.query_one("#f-birth", LabeledInput).value = "01.02.2015"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.is_running and app.screen is form
        errors = field_errors(form)
        for fid in ("f-last", "f-address", "f-notes"):
            assert errors.get(fid) == CONTROL_MESSAGE, (fid, errors)
        assert "f-first" not in errors
        for fid, text in pastes.items():  # nothing pasted is lost
            assert form.query_one(f"#{fid}", LabeledInput).value == text, fid
        assert CONTROL_MESSAGE in _screen_text(app) and "Traceback" not in _screen_text(app)
        assert not m.Client.select().where(m.Client.first_name == "Анна", m.Client.last_name.startswith("Нул")).exists()
        for fid, text in pastes.items():
            form.query_one(f"#{fid}", LabeledInput).value = text.replace("\x00", "").replace("\x1b[2J", "")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ClientCardScreen")
        client = m.Client.get(m.Client.last_name == "Нулева")
        assert client.address == "ул. Мира, 5" and client.notes == "допосле"


async def test_control_characters_pasted_into_a_multi_line_box_are_refused_under_the_box(demo_store):
    """Issue 14 point 6 in a multi-line box (the referral's summary): the paste is flagged under the box at
    once; Ctrl+S saves nothing, brings the focus back to the box and keeps the pasted text; with the
    character taken out the referral saves."""
    from soptui.core.text import CONTROL_MESSAGE
    from soptui.widgets.fields import FieldError
    from soptui.widgets.textbox import TextBox

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _new_referral_form(pilot)
        for fid, text in {
            "rf-last": "Управова",
            "rf-first": "Анна",
            "rf-date": "24.11.2026",
            "rf-time": "09:00",
        }.items():
            form.query_one(f"#{fid}", LabeledInput).value = text
        box = form.query_one("#rf-summary", TextBox)
        under = box.parent.children[box.parent.children.index(box) + 1]
        assert isinstance(under, FieldError) and not str(under.render()).strip()
        box.focus()
        await pilot.pause()
        paste = events.Paste("Со слов соседки\x00 ребёнок один\x1b[2J дома")
        paste.set_sender(app)
        app._driver.send_message(paste)
        await pilot.pause()
        assert str(under.render()) == CONTROL_MESSAGE  # at once, before any save
        form.query_one("#rf-last", LabeledInput).input.focus()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert app.is_running and app.screen is form
        assert app.focused is box and str(under.render()) == CONTROL_MESSAGE
        assert box.text == "Со слов соседки\x00 ребёнок один\x1b[2J дома"  # nothing pasted is lost
        assert not m.Client.select().where(m.Client.last_name == "Управова").exists()
        assert "Traceback" not in _screen_text(app)
        box.load_text("Со слов соседки ребёнок один дома")
        await pilot.pause()
        assert not str(under.render()).strip()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is not form, "referral saved")
        referral = m.Referral.select().join(m.Client).where(m.Client.last_name == "Управова").get()
        assert referral.summary == "Со слов соседки ребёнок один дома"
