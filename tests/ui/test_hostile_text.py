"""Stored text is data, never markup: hostile values in a client's file open everywhere, shown literally."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from soptui.app import make_app
from soptui.db import models as m
from soptui.db.connection import write_transaction
from soptui.screens.navigation import OpenClient
from soptui.services import clients, referrals

from conftest import sign_in, until, wait_screen

# what a hostile colleague (or a pasted document) leaves in the store
HOSTILE = {
    "close_tag": "ул. Ленина [/] д. 1",
    "bold": "[b]x",
    "click": "[@click=app.quit]жми[/]",
    "escape": "до\x1b[2Jпосле",
    "long": "Длинный текст " * 700,
    "rtl": "\u202eтекст справа налево",
    "emoji": "Семья 👩‍👧 и 🏠",
    "backslash": "C:\\папка\\",
}


def _screen_text(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


@pytest.fixture
def hostile_client(demo_store, centre):
    dep = demo_store.departments[0]
    ivanova = m.Staff.get(m.Staff.login == "ivanova")
    # an escape is refused on every write now (issue 14): these rows stand for text stored before that, or
    # copied in by migrate-to, which carries old rows over as they are
    with write_transaction(), m.copying_rows():
        client = m.Client.create(
            last_name="Скобкин",
            first_name="Иван",
            patronymic="[/]",
            name_key="скобкин иван [/]",
            department=dep,
            assigned_staff=ivanova,
            address=HOSTILE["close_tag"],
            ipra_number=HOSTILE["bold"],
            notes="\n".join(HOSTILE.values()),
            birth_date=dt.date(2015, 1, 1),
        )
        rep = m.Representative.create(
            client=client,
            relation=HOSTILE["click"],
            last_name="Скобкина",
            first_name="[i]Анна",
            patronymic="\\",
            preferred_call_time=HOSTILE["emoji"],
            notes=HOSTILE["escape"],
        )
        m.ContactPoint.create(representative=rep, channel="telegram", value="[b]nick[/b]")
        m.Contact.create(client=client, relation="[/]", last_name="Друг", first_name="[@click=app.quit]x[/]")
    clients.reindex(client.id)  # written behind the service's back, as a hostile import would
    referrals.create_referral(
        client.id,
        dt.datetime(2026, 11, 24, 9, 0),
        "prevention_request",
        HOSTILE["click"],
        HOSTILE["close_tag"],
        assigned_staff=ivanova.id,
    )
    return client


async def test_hostile_values_open_in_the_card_and_today(hostile_client):
    app = make_app("Учреждение [/]", "КЦСОН [b]")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await until(pilot, lambda: "Скобкин" in _screen_text(app), "Today lists the referral")
        app.open(OpenClient(hostile_client.id))
        card = await wait_screen(pilot, "ClientCardScreen")
        await until(pilot, lambda: card.card is not None, "card loaded")
        await pilot.pause()
        shown = _screen_text(app)
        assert "ул. Ленина [/] д. 1" in shown  # literally, brackets and all
        assert "Скобкин Иван [/]" in shown
        assert "\x1b" not in shown
        for key in "2345678":  # every tab of the card renders
            await pilot.press(key)
            await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert app.is_running and app.screen is card
        # the live link is text: clicking around the card does not quit
        await pilot.click(offset=(10, 10))
        assert app.is_running


async def test_hostile_values_in_the_registry_list(hostile_client):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await wait_screen(pilot, "ClientsScreen")
        await pilot.press(*"скобкин")
        await until(pilot, lambda: "Скобкин Иван [/]" in _screen_text(app), "the client listed literally")
        assert app.is_running


async def test_a_fields_dialog_shows_a_stored_name_in_its_title_and_text_literally(demo_store):
    """The groups screen titles its dialogs with a member's name («Выбытие: …») and shows the service's warnings
    in their text: a name holding markup crashed the dialog's Static (it parsed its text as markup)."""
    from soptui.widgets.fields_dialog import FieldsDialog, FieldSpec

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.push_screen(
            FieldsDialog(
                f"Выбытие: {HOSTILE['close_tag']}",
                [FieldSpec("reason", "Причина выбытия")],
                lambda values: None,
                text=f"⚠ Внимание: {HOSTILE['click']} {HOSTILE['bold']}",
            )
        )
        await wait_screen(pilot, FieldsDialog)
        shown = _screen_text(app)
        assert f"Выбытие: {HOSTILE['close_tag']}" in shown
        assert HOSTILE["click"] in shown and HOSTILE["bold"] in shown


async def test_a_table_cell_cut_to_its_column_ends_in_an_ellipsis_and_stays_literal():
    """A cut name ended bare («Захарова Виктория Ивановн» read as a whole name); markup stays text when cut."""
    from textual.app import App
    from textual.widgets import DataTable

    import soptui.app  # noqa: F401 - installs the plain-text rule for every table cell

    class One(App):
        def compose(self):
            yield DataTable()

    app = One()
    async with app.run_test(size=(40, 5)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("Кто", width=14)
        table.add_column("Код", width=8)
        table.add_row("Захарова Виктория Ивановна", "[b]x[/]")
        await pilot.pause()
        line = "".join(seg.text for seg in table.render_line(1))
        assert "Захарова Викт…" in line and "[b]x[/]" in line
