"""Pilot tests of the registry screens: search as you type, card, create, edit, conflict, duplicates,
referral intake."""

from __future__ import annotations

import datetime as dt

from peewee import fn as pw_fn

from soptui.app import make_app
from soptui.core.text import full_name
from soptui.db import models as m
from soptui.screens.navigation import OpenClient
from soptui.services import clients
from soptui.widgets.fields import LabeledInput

from conftest import click, paste, sign_in, until, wait_screen


async def _settle(pilot, app, screen=None):
    for _ in range(60):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        s = screen or app.screen
        if getattr(s, "search_settled", True):
            break
    await pilot.pause()


def _table_names(screen):
    from soptui.widgets.client_table import ClientTable

    table = screen.query_one(ClientTable)
    return [str(table.get_row_at(i)[0]).removesuffix(" ⚠") for i in range(table.row_count)]


async def test_search_as_you_type_and_open_card(demo_store):
    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        screen = app.screen
        assert type(screen).__name__ == "ClientsScreen"
        assert _table_names(screen)  # empty query: own clients first
        await pilot.press(*client.last_name[:3].lower())
        await _settle(pilot, app)
        names = _table_names(screen)
        assert names and len(names) <= 50
        assert all(r.matched_by for r in screen.result.rows)
        await pilot.press(" ", *client.first_name[:2])
        await _settle(pilot, app)
        names = _table_names(screen)
        full = full_name(client.last_name, client.first_name, client.patronymic)
        assert full in names
        # select that row and open the card
        from soptui.widgets.client_table import ClientTable

        table = screen.query_one(ClientTable)
        table.move_cursor(row=names.index(full))
        await pilot.press("down")  # focus the table
        table.move_cursor(row=names.index(full))
        await pilot.press("enter")
        await _settle(pilot, app)
        card = app.screen
        assert type(card).__name__ == "ClientCardScreen"
        assert card.card is not None and card.card.summary.id == client.id
        assert (
            m.AuditLog.select().where((m.AuditLog.action == "view") & (m.AuditLog.record_id == client.id)).count() == 1
        )
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ClientsScreen"


async def _type(pilot, screen, field_id: str, text: str, clear: bool = True):
    from soptui.widgets.fields import LabeledInput

    field = screen.query_one(f"#{field_id}", LabeledInput)
    field.input.focus()
    await pilot.pause()
    if clear:
        field.input.value = ""
    await paste(pilot, text)
    return field


async def _wait_screen(pilot, app, name: str):
    return await wait_screen(pilot, name)


def _first_client(demo_store) -> m.Client:
    """A client of Иванова's department (the specialist the tests sign in as)."""
    return m.Client.select().where(m.Client.department == demo_store.departments[0]).first()


async def _open_card(pilot, app, client_id: int):
    """Open a client's card from anywhere, as Today or the palette does, and wait until it has loaded."""
    app.open(OpenClient(client_id))
    card = await _wait_screen(pilot, app, "ClientCardScreen")
    await _settle(pilot, app)
    return card


async def test_create_with_bad_field_then_save(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+n")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        await _type(pilot, form, "f-last", "Котова")
        await _type(pilot, form, "f-first", "Дарья")
        birth = await _type(pilot, form, "f-birth", "31.02.2015")
        phones = await _type(pilot, form, "f-phones", "8 912 12")
        await pilot.press("ctrl+s")
        await pilot.pause()
        from soptui.widgets.fields import FieldError

        assert "Такой даты нет: 31.02.2015" in str(birth.query_one(FieldError).render())
        assert "не номер" in str(phones.query_one(FieldError).render()) or "не бывает" in str(
            phones.query_one(FieldError).render()
        )
        assert birth.value == "31.02.2015" and phones.value == "8 912 12"  # nothing typed is lost
        assert m.Client.select().where(m.Client.last_name == "Котова").count() == 0
        # the draft keeps what was typed
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
        from soptui.services import drafts

        assert drafts.load_draft("client:new")["values"]["birth_date"] == "31.02.2015"
        await _type(pilot, form, "f-birth", "28.02.2015")
        await pilot.pause()
        # corrected: the message goes as the text becomes right, before any save (it stayed until the next one)
        assert str(birth.query_one(FieldError).render()) == "" and not birth.has_class("-invalid")
        assert phones.has_class("-invalid")  # still wrong: still said
        await _type(pilot, form, "f-phones", "8 912 120-00-01")
        await pilot.pause()
        assert not phones.has_class("-invalid")
        await pilot.press("ctrl+s")
        card = await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        client = m.Client.get(m.Client.last_name == "Котова")
        assert client.birth_date == dt.date(2015, 2, 28) and client.status == "potential"
        assert card.card.summary.phones == ["+79121200001"]
        assert drafts.load_draft("client:new") is None


async def test_duplicate_warning_links_existing_card(demo_store):
    existing = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+n")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        await _type(pilot, form, "f-last", existing.last_name.upper())
        await _type(pilot, form, "f-first", existing.first_name)
        await _type(pilot, form, "f-patr", existing.patronymic)
        await _type(pilot, form, "f-birth", existing.birth_date.strftime("%d.%m.%Y"))
        await pilot.press("ctrl+s")
        dialog = await _wait_screen(pilot, app, "DuplicateDialog")
        assert [d.id for d in dialog.dups] == [existing.id]
        await click(pilot, f"#dup-{existing.id}")
        card = await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        assert card.client_id == existing.id
        assert m.Client.select().where(m.Client.name_key == existing.name_key).count() == 1


async def test_edit_and_conflict_review(demo_store):
    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await _open_card(pilot, app, client.id)
        await pilot.press("e")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        await _settle(pilot, app)
        assert form.query_one("#f-last").value == client.last_name
        await _type(pilot, form, "f-address", "г. Берёзовский, ул. Ленина, д. 1")
        # meanwhile someone else saves the same client (another address)
        from soptui.db import store
        from soptui.db.connection import write_transaction

        with write_transaction():
            store.update_versioned(
                m.Client,
                client.id,
                m.Client.get_by_id(client.id).version,
                {"address": "г. Екатеринбург, ул. Мира, д. 5"},
            )
        await pilot.press("ctrl+s")
        dialog = await _wait_screen(pilot, app, "ConflictDialog")
        fields = {c.field: c for c in dialog.changes}
        assert fields["address"].theirs == "г. Екатеринбург, ул. Мира, д. 5"
        assert fields["address"].mine == "г. Берёзовский, ул. Ленина, д. 1"
        assert m.Client.get_by_id(client.id).address == "г. Екатеринбург, ул. Мира, д. 5"  # not overwritten
        await click(pilot, "#cf-overwrite")
        await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        assert m.Client.get_by_id(client.id).address == "г. Берёзовский, ул. Ленина, д. 1"


async def test_unsaved_changes_guard(demo_store):
    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.open(OpenClient(client.id))
        await _wait_screen(pilot, app, "ClientCardScreen")
        await pilot.press("e")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        await _settle(pilot, app)
        await _type(pilot, form, "f-notes", "звонить после обеда")
        await pilot.press("escape")
        await _wait_screen(pilot, app, "ChoiceDialog")
        await click(pilot, "#choice-stay")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        assert form.query_one("#f-notes").value == "звонить после обеда"
        # now leave for real, throwing the change away: back on the card, no draft left, nothing saved
        await pilot.press("escape")
        await _wait_screen(pilot, app, "ChoiceDialog")
        await click(pilot, "#choice-discard")
        await _wait_screen(pilot, app, "ClientCardScreen")
        assert not m.Draft.select().where(m.Draft.key.contains(f"client:{client.id}")).exists()
        assert "звонить после обеда" not in (m.Client.get_by_id(client.id).notes or "")


async def test_deleted_while_open_is_reported(demo_store):
    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        card = await _open_card(pilot, app, client.id)
        clients.delete_client(client.id)
        await pilot.press("r")
        await _settle(pilot, app)
        assert "удалил другой пользователь" in str(card.query_one("#card-title").render())


async def test_referral_intake_with_deadlines(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+r")
        form = await _wait_screen(pilot, app, "ReferralFormScreen")
        await _settle(pilot, app)
        await _type(pilot, form, "rf-last", "Зуева")
        await _type(pilot, form, "rf-first", "Полина")
        await _type(pilot, form, "rf-date", "30.12.2025")
        await _type(pilot, form, "rf-time", "11:15")
        from textual.widgets import Select

        form.query_one("#rf-ground", Select).value = "citizen_report"
        await pilot.pause()
        text = str(form.query_one("#rf-deadlines").render())
        assert "Первичный звонок семье (СОП 03): до 14.01.2026" in text
        await _type(pilot, form, "rf-source", "МАОУ СОШ 2")
        # SOP 04: registered today (25.11.2026), long after its deadline -> the reason is asked and required
        assert form.query_one("#rf-late").has_class("-shown")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "укажите причину" in str(form.query_one("#rf-late").query_one("FieldError").render())
        assert not m.Client.select().where(m.Client.last_name == "Зуева").exists()
        await _type(pilot, form, "rf-late", "Письмо найдено в архиве")
        await pilot.press("ctrl+s")
        card = await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        client = m.Client.get(m.Client.last_name == "Зуева")
        assert client.status == "potential"
        ref = m.Referral.get(m.Referral.client == client.id)
        assert ref.first_contact_due == dt.date(2026, 1, 14) and ref.source_body == "МАОУ СОШ 2"
        assert ref.assigned_staff_id == app.actor.id
        assert ref.registration_late_reason == "Письмо найдено в архиве"
        assert "14.01.2026" in str(card.query_one("#card-referrals").render())


async def test_sop04_referral_deadlines_follow_the_arrival_date_and_time(demo_store):
    """Issue 13 point 6: the deadlines refresh when the date or the time of arrival changes."""
    from textual.widgets import Select

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+r")
        form = await _wait_screen(pilot, app, "ReferralFormScreen")
        await _settle(pilot, app)
        form.query_one("#rf-ground", Select).value = "citizen_report"
        await pilot.pause()
        await _type(pilot, form, "rf-date", "20.11.2026")  # Friday: call by 25.11, registration by 25.11
        await pilot.pause()
        text = str(form.query_one("#rf-deadlines").render())
        assert "Первичный звонок семье (СОП 03): до 25.11.2026" in text
        assert not form.query_one("#rf-late").has_class("-shown")
        await _type(pilot, form, "rf-date", "19.11.2026")  # Thursday: 20, 23, 24 November
        await pilot.pause()
        text = str(form.query_one("#rf-deadlines").render())
        assert "Зарегистрировать обращение: до 24.11.2026" in text
        assert form.query_one("#rf-late").has_class("-shown")
        await _type(pilot, form, "rf-time", "9")  # an unfinished time: no deadlines until it parses
        await pilot.pause()
        assert "Сроки появятся" in str(form.query_one("#rf-deadlines").render())
        await _type(pilot, form, "rf-time", "09:30")
        await pilot.pause()
        assert "до 24.11.2026" in str(form.query_one("#rf-deadlines").render())
        await _type(pilot, form, "rf-source-due", "30.11.2026")  # the source document's term: registration
        await pilot.pause()
        assert "(срок источника): до 30.11.2026" in str(form.query_one("#rf-deadlines").render())
        assert not form.query_one("#rf-late").has_class("-shown")


async def test_picker_returns_client_id(demo_store):
    from soptui.screens.clients.picker import ClientPickerScreen

    client = _first_client(demo_store)
    picked = []
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.push_screen(ClientPickerScreen(), picked.append)
        await pilot.pause()
        await paste(pilot, f"{client.last_name} {client.first_name} {client.patronymic}".lower())
        await pilot.press("enter")
        await until(pilot, lambda: picked, "a client picked")
        assert picked == [client.id]
        app.push_screen(ClientPickerScreen(), picked.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert picked == [client.id, None]


async def test_draft_survives_a_dropped_session(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+n")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        await _settle(pilot, app)
        await _type(pilot, form, "f-last", "Орлова")
        await _type(pilot, form, "f-address", "пос. Монетный, ул. Мира, д. 3")
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()
    # the connection dropped: a new session of the same person offers the draft
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+n")
        await _wait_screen(pilot, app, "ChoiceDialog")
        await click(pilot, "#choice-resume")
        form = await _wait_screen(pilot, app, "ClientFormScreen")
        assert form.query_one("#f-last").value == "Орлова"
        assert form.query_one("#f-address").value == "пос. Монетный, ул. Мира, д. 3"
        assert form.dirty


async def test_head_of_department_sees_only_own_department(demo_store):
    head = m.Staff.get(m.Staff.login == "head")
    own = m.Client.select().where(m.Client.department == head.department_id).count()
    assert 0 < own < 60
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        assert app.screen.result.total == own


async def test_paging_and_filters_for_head(demo_store):
    # the head of the centre (no department) sees every department's clients
    m.Staff.update(department=None).where(m.Staff.login == "head").execute()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        screen = app.screen
        assert screen.result.total == 60 and len(_table_names(screen)) == 50
        await pilot.press("ctrl+pagedown")
        await _settle(pilot, app)
        assert len(_table_names(screen)) == 10 and screen.page_offset == 50
        await pilot.press("ctrl+pageup")
        await _settle(pilot, app)
        assert len(_table_names(screen)) == 50
        # after the search box was used (typed, then Esc), and from the list: the box and the table have
        # Ctrl+PgDn of their own (sideways scrolling), which took the key
        await pilot.press(*"сок")
        await _settle(pilot, app)
        await pilot.press("escape")
        await _settle(pilot, app)
        assert screen.result.total == 60 and app.focused.id == "reg-query"
        await pilot.press("ctrl+pagedown")
        await _settle(pilot, app)
        assert screen.page_offset == 50 and len(_table_names(screen)) == 10
        await pilot.press("ctrl+pageup")
        await _settle(pilot, app)
        screen.query_one("DataTable").focus()
        await pilot.press("ctrl+pagedown")
        await _settle(pilot, app)
        assert screen.page_offset == 50
        await pilot.press("ctrl+pageup")
        await _settle(pilot, app)
        from textual.widgets import Select

        screen.query_one("#f-cat", Select).value = "elderly"
        await _settle(pilot, app)
        expected = m.Client.select().where(m.Client.category == "elderly").count()
        assert screen.result.total == expected and screen.page_offset == 0
        assert all(r.category == "elderly" for r in screen.result.rows)


async def test_specialist_cannot_open_other_department(demo_store):
    other = m.Client.select().where(m.Client.department == demo_store.departments[2]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await paste(pilot, f"{other.last_name.lower()} {other.first_name.lower()}")
        await _settle(pilot, app)
        assert other.id not in [r.id for r in app.screen.result.rows]
        app.open(OpenClient(other.id))
        await wait_screen(pilot, "ClientsScreen")  # the card closed itself with a message
        assert (
            m.AuditLog.select().where((m.AuditLog.action == "view") & (m.AuditLog.record_id == other.id)).count() == 0
        )


async def test_add_relative_with_phone_and_messenger(demo_store):
    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        card = await _open_card(pilot, app, client.id)
        await pilot.press("p")
        dialog = await _wait_screen(pilot, app, "PersonDialog")
        from textual.widgets import Select

        dialog.query_one("#p-kind", Select).value = "relative"
        await _type(pilot, dialog, "p-relation", "бабушка")
        await _type(pilot, dialog, "p-last", "Гусева")
        await _type(pilot, dialog, "p-first", "Нина")
        phones = await _type(pilot, dialog, "p-phones", "8 912 777")
        tg = await _type(pilot, dialog, "pm-telegram", "@ab")
        await pilot.press("ctrl+s")
        await pilot.pause()
        from soptui.widgets.fields import FieldError

        assert str(phones.query_one(FieldError).render())  # bad phone: message at the field
        assert "Telegram" in str(tg.query_one(FieldError).render())
        assert type(app.screen).__name__ == "PersonDialog"
        await _type(pilot, dialog, "p-phones", "8 912 777-12-34")
        await _type(pilot, dialog, "pm-telegram", "@guseva_nina")
        await pilot.press("ctrl+s")
        card = await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        contact = m.Contact.get((m.Contact.client == client.id) & (m.Contact.last_name == "Гусева"))
        points = {(p.channel, p.value) for p in m.ContactPoint.select().where(m.ContactPoint.contact == contact.id)}
        assert points == {("phone", "+79127771234"), ("telegram", "@guseva_nina")}
        assert client.id in [r.id for r in clients.search("1234").rows]
        assert any(p.full_name == "Гусева Нина" for p in card.card.summary.contacts)


async def test_a_second_record_of_one_person_is_asked_about_and_a_long_surname_keeps_its_message(demo_store):
    """The same representative saved twice went in without a word; a representative's surname refused for its
    length said «укажите фамилию»."""
    from textual.widgets import Select

    from soptui.widgets.fields import FieldError

    client = _first_client(demo_store)
    reps_before = m.Representative.select().where(m.Representative.client == client.id).count()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await _open_card(pilot, app, client.id)
        await pilot.press("p")
        dialog = await _wait_screen(pilot, app, "PersonDialog")
        dialog.query_one("#p-kind", Select).value = "representative"
        await _type(pilot, dialog, "p-relation", "мать")
        last = await _type(pilot, dialog, "p-last", "Я" * 61)
        await _type(pilot, dialog, "p-first", "Анна")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Слишком длинно" in str(last.query_one(FieldError).render())
        await _type(pilot, dialog, "p-last", "Гусева")
        await pilot.press("ctrl+s")
        await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        # the same person again, typed in lower case with a «ё»: asked, not saved
        await pilot.press("p")
        dialog = await _wait_screen(pilot, app, "PersonDialog")
        dialog.query_one("#p-kind", Select).value = "relative"
        await _type(pilot, dialog, "p-relation", "мать")
        last = await _type(pilot, dialog, "p-last", "гусева")
        await _type(pilot, dialog, "p-first", "анна")
        await pilot.press("ctrl+s")
        for _ in range(50):
            await pilot.pause(0.05)
            if str(last.query_one(FieldError).render()):
                break
        assert "Гусева Анна уже есть в деле: законный представитель." in str(last.query_one(FieldError).render())
        assert type(app.screen).__name__ == "PersonDialog"
        assert (
            m.Contact.select().where((m.Contact.client == client.id) & (m.Contact.last_name == "Гусева")).count() == 0
        )
        await pilot.press("ctrl+s")  # it is another person: saved on the second press
        await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
    assert m.Representative.select().where(m.Representative.client == client.id).count() == reps_before + 1
    assert m.Contact.select().where((m.Contact.client == client.id) & (m.Contact.last_name == "Гусева")).count() == 1


async def test_status_change_needs_reason(demo_store):
    client = (
        m.Client.select()
        .where((m.Client.department == demo_store.departments[0]) & (m.Client.status == "served"))
        .first()
    )
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        card = await _open_card(pilot, app, client.id)
        await pilot.press("s")
        dialog = await _wait_screen(pilot, app, "StatusDialog")
        from textual.widgets import Select

        dialog.query_one("#st-new", Select).value = "refused"
        await click(pilot, "#st-save")
        await pilot.pause()
        assert type(app.screen).__name__ == "StatusDialog"
        assert m.Client.get_by_id(client.id).status == "served"
        await _type(pilot, dialog, "st-reason", "отказ от услуг письменно")
        await click(pilot, "#st-save")
        card = await _wait_screen(pilot, app, "ClientCardScreen")
        await _settle(pilot, app)
        fresh = m.Client.get_by_id(client.id)
        assert fresh.status == "refused" and fresh.status_reason == "отказ от услуг письменно"
        assert card.card.history[-1].new == "отказ"


async def test_hostile_search_text_in_the_box(demo_store):
    from textual.widgets import Input

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        screen = app.screen
        box = screen.query_one("#reg-query", Input)
        for text in ["'\"%_; DROP TABLE client; --", "😀 ив", "x" * 10_000, "\\%"]:
            box.value = text
            await _settle(pilot, app)
            assert screen.search_settled and screen.result is not None
        assert "Никого не нашлось" in str(screen.query_one("#reg-count").render())
        box.value = "😀 ив"
        await _settle(pilot, app)
        assert screen.result.total > 0  # the emoji is ignored, "ив" still searched
        assert m.Client.select().count() == 60


async def test_misspelt_surname_still_finds_the_client(demo_store):
    """A wrong vowel in the surname (as heard on the phone): the list shows the nearest spelling and says so."""
    client = (
        m.Client.select()
        .where((m.Client.department == demo_store.departments[0]) & (pw_fn.LENGTH(m.Client.last_name) >= 6))
        .first()
    )
    surname = client.last_name.lower().replace("ё", "е")
    vowels = "аеиоуыэюя"
    i = next(i for i in range(2, len(surname)) if surname[i] in vowels)
    typo = surname[:i] + ("о" if surname[i] != "о" else "а") + surname[i + 1 :]
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        screen = app.screen
        await paste(pilot, typo)
        await _settle(pilot, app)
        count = str(screen.query_one("#reg-count").render())
        assert f"Точно «{typo}» нет" in count and "похожие на" in count
        full = full_name(client.last_name, client.first_name, client.patronymic)
        assert full in _table_names(screen)


async def test_person_edited_by_someone_else_meanwhile_is_reviewed_not_overwritten(demo_store):
    from soptui.core import session
    from soptui.services import auth

    rep = m.Representative.select().join(m.Client).where(m.Client.department == demo_store.departments[0]).first()
    client_id = rep.client_id
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        card = await _open_card(pilot, app, client_id)
        person = next(p for p in card.people if p.kind == "representative" and p.id == rep.id)
        from soptui.screens.clients.client_form import PersonDialog

        app.push_screen(PersonDialog(client_id, person))
        dialog = await _wait_screen(pilot, app, "PersonDialog")
        # meanwhile the head changes the preferred call time from another workstation
        me = session.current()
        session.set_actor(auth.sign_in("head", "demo2026"))
        theirs = clients.get_person(client_id, "representative", rep.id)
        clients.save_person(
            client_id,
            clients.PersonData(
                "representative",
                theirs.relation,
                theirs.last_name,
                theirs.first_name,
                theirs.patronymic,
                preferred_call_time="после 17:00",
                notes=theirs.notes,
                phones=theirs.phones,
                messengers=theirs.messengers,
            ),
            rep.id,
            theirs.version,
        )
        session.set_actor(me)
        await _type(pilot, dialog, "p-notes", "работает в две смены")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "изменил другой пользователь" in str(dialog.query_one("#p-error").render()))
        text = str(dialog.query_one("#p-error").render())
        assert "Когда удобно звонить: было" in text and "стало «после 17:00»" in text
        assert type(app.screen).__name__ == "PersonDialog"
        assert dialog.query_one("#p-notes").value == "работает в две смены"  # nothing typed is lost
        assert m.Representative.get_by_id(rep.id).notes != "работает в две смены"  # nothing overwritten
        assert dialog.query_one("#p-time").value == "после 17:00"  # untouched here: the colleague's value
        await pilot.press("ctrl+s")  # a deliberate second save writes the merged values
        await _wait_screen(pilot, app, "ClientCardScreen")
    saved = m.Representative.get_by_id(rep.id)
    assert (saved.notes, saved.preferred_call_time) == ("работает в две смены", "после 17:00")


async def test_save_key_in_the_same_burst_as_the_typing_saves_what_was_typed(demo_store):
    """«бабушка⇥Гусева⇥Нина⌃S» arriving in one SSH packet: Ctrl+S (a priority key) saves the typed values."""
    from textual import events

    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await _open_card(pilot, app, client.id)
        await pilot.press("p")
        dialog = await _wait_screen(pilot, app, "PersonDialog")
        from textual.widgets import Select

        dialog.query_one("#p-kind", Select).value = "relative"
        dialog.query_one("#p-relation").input.focus()
        await pilot.pause()
        keys = [*"бабушка", "tab", *"Гусева", "tab", *"Нина", "ctrl+s"]
        for key in keys:  # all queued before the app handles the first one
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await _wait_screen(pilot, app, "ClientCardScreen")
    contact = m.Contact.get((m.Contact.client == client.id) & (m.Contact.last_name == "Гусева"))
    assert (contact.relation, contact.first_name) == ("бабушка", "Нина")


async def test_referral_form_keeps_a_draft_and_asks_before_leaving(demo_store):
    """The shared edit flow (screens/form_base.py): the draft is written as you type, Esc asks, «stay»
    keeps the text, «discard» drops the draft, and a new form offers a kept draft again."""
    from soptui.services import drafts

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        await pilot.press("ctrl+r")
        form = await _wait_screen(pilot, app, "ReferralFormScreen")
        await _settle(pilot, app)
        await _type(pilot, form, "rf-last", "Зуева")
        await pilot.pause(0.6)
        await _settle(pilot, app)
        assert drafts.load_draft("referral:new")["values"]["rf-last"] == "Зуева"
        await pilot.press("escape")
        await _wait_screen(pilot, app, "ChoiceDialog")
        await click(pilot, "#choice-stay")
        await until(pilot, lambda: app.screen is form, "back to the form")
        assert form.query_one("#rf-last", LabeledInput).value == "Зуева" and form.dirty
        await pilot.press("escape")
        await _wait_screen(pilot, app, "ChoiceDialog")
        await click(pilot, "#choice-discard")
        await _wait_screen(pilot, app, "ClientsScreen")
        await _settle(pilot, app)
        assert drafts.load_draft("referral:new") is None
        # a draft kept from a dropped session is offered by the next form
        drafts.save_draft("referral:new", {"values": {"rf-last": "Петухова"}})
        await pilot.press("ctrl+r")
        await _wait_screen(pilot, app, "ChoiceDialog")
        await click(pilot, "#choice-resume")
        form = await _wait_screen(pilot, app, "ReferralFormScreen")
        assert form.query_one("#rf-last", LabeledInput).value == "Петухова" and form.dirty


async def test_the_people_tab_at_80_columns_keeps_the_phones_on_the_screen(demo_store):
    """At 80×24 the phones of «Люди» were past the screen's edge (long names and «(представитель)» first)."""
    from textual.widgets import DataTable, Static

    client = _first_client(demo_store)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        card = await _open_card(pilot, app, client.id)
        await pilot.press("2")
        await pilot.pause()
        table = card.query_one("#people-table", DataTable)
        assert [str(c.label) for c in table.columns.values()][:2] == ["Кто", "Телефоны"]
        person = card.people[0]
        assert person.phones, "the demo's first client has a representative with a phone"
        shown = app.export_screenshot()
        from soptui.core.phones import format_phone

        assert format_phone(person.phones[0]).split()[-1] in shown  # «369-05-09»: the number's end is drawn
        detail = str(card.query_one("#people-detail", Static).render())
        assert person.full_name in detail and "представитель" in detail
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert [str(c.label) for c in table.columns.values()][:3] == ["Кто", "ФИО", "Телефоны"]
