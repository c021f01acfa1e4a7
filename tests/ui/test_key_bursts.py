"""Keys applied in the order they arrive (issue 11): whole fill-ins posted as one burst, and random bursts
of text and editing keys compared with a model of the text.

A burst posts every key to the driver without waiting between them, the way keys arrive in one SSH
packet; only then does the test let the app run and look at what was stored.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events
from textual.app import App, ComposeResult

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.navigation import OpenClient
from soptui.widgets.fields import TextInput
from soptui.widgets.keyorder import KeyGate
from soptui.widgets.textbox import TextBox

from conftest import burst, key_event, keys_of, sign_in, until, wait_screen

pytestmark = pytest.mark.terminal_only  # the order keys are applied in: the terminal's business


async def test_session_report_burst_tab_out_of_a_multiline_field(demo_store):
    """«Анализ» ⇥ «Итоги» typed as one burst: each text in its own field, then saved (Ctrl+S)."""
    from soptui.screens.groups.session_form import SessionFormScreen

    session = (
        m.GroupSession.select()
        .join(m.Club)
        .where((m.GroupSession.status == "held") & (m.Club.department == demo_store.departments[0]))
        .first()
    )
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.push_screen(SessionFormScreen(session.id))
        form = await wait_screen(pilot, SessionFormScreen)
        await until(pilot, lambda: form.loaded, "session form loaded")
        form.query_one("#sf-analysis").text = ""
        form.query_one("#sf-summary").text = ""
        form.query_one("#sf-analysis").focus()
        await pilot.pause()
        await burst(
            pilot,
            keys_of("Цель достигнута, групп", ["backspace"], "па активна", ["tab"], "Продолжить тему", ["ctrl+s"]),
        )
        await until(pilot, lambda: not form.dirty, "saved")
    s = m.GroupSession.get_by_id(session.id)
    assert (s.analysis, s.summary) == ("Цель достигнута, группа активна", "Продолжить тему")


async def test_client_form_burst_with_select_tab_backspace_and_save(demo_store):
    """A new client typed in one burst, a category chosen in the list with arrows, corrections by
    Backspace and Left, saved by Ctrl+S: every stored field is what was meant."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await burst(pilot, ["f3", "ctrl+n"])
        form = await wait_screen(pilot, "ClientFormScreen")
        await until(pilot, lambda: form.loaded, "client form loaded")
        await burst(
            pilot,
            keys_of(
                "Петуховаа",
                ["backspace", "tab"],
                "Ана",
                ["left"],
                "н",
                ["tab"],
                "Сергеевна",
                ["tab"],
                "12.03.2015",
            ),
        )
        values = form.raw_values()
        assert (values["last_name"], values["first_name"], values["patronymic"], values["birth_date"]) == (
            "Петухова",
            "Анна",
            "Сергеевна",
            "12.03.2015",
        ), values
        await burst(pilot, ["ctrl+s"])
        await until(pilot, lambda: not isinstance(app.screen, type(form)), "saved and closed")
    c = m.Client.get(m.Client.last_name == "Петухова", m.Client.first_name == "Анна")
    assert (c.patronymic, c.birth_date.isoformat()) == ("Сергеевна", "2015-03-12")


async def test_keys_after_f4_and_a_dialog_key_reach_the_new_screen(demo_store):
    """F4 then «n» in the same packet: the new-call dialog opens in the calls section (not dropped)."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await burst(pilot, ["f4", "n"])
        await until(pilot, lambda: app.current_mode == "calls" and len(app.screen_stack) > 1, "a dialog on calls")
        assert type(app.screen).__name__ != "CallsScreen"


async def test_f3_from_a_card_lands_in_the_search(demo_store):
    """F3 after a card was left open shows the registry with the search taking the keys typed after it."""
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.open(OpenClient(client.id))
        await wait_screen(pilot, "ClientCardScreen")
        await burst(pilot, ["f2", "f3", *"Петр"])
        assert type(app.screen).__name__ == "ClientsScreen"
        assert app.focused.id == "reg-query" and app.focused.value == "Петр"


# --- random bursts against a model ------------------------------------------------------------------


class Fields(KeyGate, App):
    def __init__(self) -> None:
        super().__init__()
        self.init_key_gate()

    def compose(self) -> ComposeResult:
        yield TextInput(id="line")
        yield TextBox(id="area")

    async def on_event(self, event: events.Event) -> None:
        if self.gate_input(event):
            return
        await super().on_event(event)


EDIT = st.sampled_from(["backspace", "delete", "left", "right", "home", "end"])
CHARS = st.sampled_from(list("абвгдеёжАБВ xyz,.-1"))
BURST = st.lists(st.one_of(CHARS, EDIT), min_size=1, max_size=40)


def model(keys: list[str], smart_home: bool = False) -> str:
    """What a single line holds after the keys, applied one by one. A multi-line field's Home is the
    editors' "smart home": to the first non-blank character, from there to the line's start."""
    text, cur = "", 0
    for k in keys:
        if len(k) == 1:
            text, cur = text[:cur] + k + text[cur:], cur + 1
        elif k == "backspace" and cur:
            text, cur = text[: cur - 1] + text[cur:], cur - 1
        elif k == "delete":
            text = text[:cur] + text[cur + 1 :]
        elif k == "left":
            cur = max(0, cur - 1)
        elif k == "right":
            cur = min(len(text), cur + 1)
        elif k == "home":
            # TextArea's smart home (textual DocumentNavigator.get_location_home): to the first non-blank
            # character (0 on a blank line) from the line's start or from beyond it, else to the start
            first = next((i for i, c in enumerate(text) if not c.isspace()), 0)
            cur = first if smart_home and (cur == 0 or cur > first) else 0
        elif k == "end":
            cur = len(text)
    return text


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=BURST, second=BURST)
def test_random_bursts_in_single_and_multi_line_fields_match_the_model(first, second):
    """Random text and editing keys into the line, Tab, more into the multi-line field: one burst."""

    async def run() -> tuple[str, str]:
        app = Fields()
        async with app.run_test() as pilot:
            app.query_one("#line").focus()
            await pilot.pause()
            await burst(pilot, [*first, "tab", *second])
            return app.query_one("#line").value, app.query_one("#area").text

    line, area = asyncio.run(run())
    assert line == model(first)
    assert area == model(second, smart_home=True)


async def test_a_dialog_a_background_job_opens_waits_for_the_keys_typed_before_it():
    """A draft write finds a colleague's save while «йм» still waits in the gate: the review opens after the
    keys typed before it are in the field (on a busy machine it took them, and «найм» was saved as «на»)."""
    from textual.screen import ModalScreen
    from textual.widgets import Button

    from soptui.widgets.keyorder import after_keys

    class Review(ModalScreen):
        def compose(self) -> ComposeResult:
            yield Button("Перезаписать", id="overwrite")

    opened = []

    class Busy(Fields):
        def on_mount(self) -> None:
            self.asked = False

        async def on_event(self, event: events.Event) -> None:
            if self.gate_input(event):
                if not self.asked and self.keys_waiting >= 2:  # the job asks while keys still wait
                    self.asked = True
                    line = self.query_one("#line", TextInput)
                    after_keys(self, lambda: (opened.append(line.value), self.push_screen(Review())))
                return
            await App.on_event(self, event)

    app = Busy()
    async with app.run_test() as pilot:
        line = app.query_one("#line", TextInput)
        line.focus()
        await pilot.pause()
        await burst(pilot, list("найм"))
        await until(pilot, lambda: isinstance(app.screen, Review), "the review open")
        assert app.asked
        assert opened == ["найм"]  # every key typed before was applied to the field first
        assert line.value == "найм"


async def test_club_form_typed_as_one_burst(store, staff):
    """A new club, every field reached by Tab, the capacity cleared by Ctrl+U, a two-line programme, Ctrl+S."""
    from conftest import PASSWORD

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        await burst(pilot, ["f6", "n"])
        form = await wait_screen(pilot, "ClubFormScreen")
        await until(pilot, lambda: form.loaded, "club form loaded")
        tab = ["tab"]
        await burst(
            pilot,
            keys_of("Клуб Ромашка", tab, tab, "каб. 5", tab, ["ctrl+u"], "10", tab, "Общение", tab)
            + keys_of(["ctrl+u"], "01.12.2026", tab, ["ctrl+u"], "25.12.2026", tab, tab, "15:00-16:00")
            + keys_of(tab * 7, "Анкеты 12 семей", tab, "Знакомство - правила", ["enter"], "Эмоции", ["ctrl+s"]),
        )
        await until(pilot, lambda: m.Club.select().exists(), "club saved")
    club = m.Club.get()
    assert (club.name, club.room, club.capacity, club.goal) == ("Клуб Ромашка", "каб. 5", 10, "Общение")
    assert club.analysis_note == "Анкеты 12 семей"
    assert [p.topic for p in m.ProgrammeItem.select().order_by(m.ProgrammeItem.number)] == ["Знакомство", "Эмоции"]
    assert m.GroupSession.select().where(m.GroupSession.club == club).count() > 0


async def test_person_dialog_typed_as_one_burst(demo_store):
    """«Добавить человека»: relation, surname, name, patronymic, phones, a typo fixed by Backspace, Ctrl+S."""
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        app.open(OpenClient(client.id))
        card = await wait_screen(pilot, "ClientCardScreen")
        tab = ["tab"]
        await burst(
            pilot,
            keys_of(["p"], "мать", tab, "Скобкина", tab, "Аннна", ["backspace", "backspace"], "а", tab)
            + keys_of("Ивановна", tab, "8 912 000-33-44", tab, "после 18", ["ctrl+s"]),
        )
        await until(pilot, lambda: app.screen is card, "dialog closed")
    rep = m.Representative.get(m.Representative.client == client.id, m.Representative.last_name == "Скобкина")
    assert (rep.relation, rep.first_name, rep.patronymic, rep.preferred_call_time) == (
        "мать",
        "Анна",
        "Ивановна",
        "после 18",
    )
    phones = [p.value for p in m.ContactPoint.select().where(m.ContactPoint.representative == rep.id)]
    assert phones == ["+79120003344"]


async def test_login_typed_before_the_terminal_went_raw_signs_in(demo_store):
    """Typed while the app starts (the demo store being built), «ivanova ⇥ demo2026 ⏎» passes the tty's line
    discipline: Enter arrives as \\n, which Textual reads as Ctrl+J. It signs in like Enter (seen in tmux:
    the sign-in screen kept the login and the dots and nothing happened)."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in keys_of("ivanova", ["tab"], "demo2026", ["ctrl+j"]):  # one packet, as the tty hands it over
            event = key_event(key)
            event.set_sender(app)
            app._driver.send_message(event)
        # (not burst(): its wait for the workers trips over the sign-in worker its own screen ends)
        await until(pilot, lambda: app.actor is not None, "signed in by the typed-ahead Enter")
        await until(pilot, lambda: app.current_mode == "today", "Today opens")


async def test_an_enter_typed_before_the_matches_show_picks_them_and_the_keys_after_it_wait(demo_store):
    """F4, «n», a surname, Enter and the next dialog's text in one packet: the Enter picks what was typed once
    the list shows it, and the keys after it go to the dialog the pick opens. They went into the search box,
    changed the query, and the pick then ran on a search that found nobody."""
    surname = m.Client.select().order_by(m.Client.id).first().last_name
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        picker_queries = []

        from soptui.screens.clients import picker

        real = picker.ClientPickerScreen._search_args
        real_search = picker._search

        def seen(self):
            args = real(self)
            picker_queries.append(args[0])
            return args

        def slow_search(*args):  # a busy machine: the matches come a little after the Enter
            import time

            time.sleep(0.3)
            return real_search(*args)

        picker.ClientPickerScreen._search_args = seen
        picker._search = slow_search
        try:
            await burst(pilot, ["f4", "n", *surname, "enter", *"ЗАМЕТКА"])
            await until(pilot, lambda: type(app.screen).__name__ not in ("CallsScreen", "ClientPickerScreen"), "dialog")
        finally:
            picker.ClientPickerScreen._search_args = real
            picker._search = real_search
        assert all("ЗАМЕТКА" not in q and "З" not in q[len(surname) :] for q in picker_queries)
        assert type(app.screen).__name__ == "NewCallScreen"  # the pick opened the call's dialog


def _from_terminal(data: str) -> list[events.Key]:
    """The key events Textual's own parser makes of bytes read from the terminal, its escape delay run out."""
    import time

    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    found = list(parser.feed(data))
    time.sleep(0.15)  # past ESCDELAY (100 ms): the parser gives up waiting for the rest of a sequence
    found += list(parser.tick())
    return [e for e in found if isinstance(e, events.Key)]


def test_no_soptui_key_is_bound_to_alt_and_a_character():
    """Esc followed closely by a key is read as Alt+key; the gate turns it back into the two keys because soptui
    binds nothing to Alt with a character (soptui/widgets/keyorder.py): such a binding would never fire."""
    from textual.screen import Screen
    from textual.widget import Widget

    import soptui.screens  # noqa: F401
    from soptui.app import SoptuiApp

    def every_subclass(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every_subclass(sub)

    holders = [SoptuiApp, *every_subclass(Screen), *every_subclass(Widget)]
    bound = [
        (holder.__name__, key)
        for holder in holders
        if holder.__module__.startswith("soptui")
        for b in getattr(holder, "BINDINGS", [])
        if not isinstance(b, tuple)
        for key in b.key.split(",")
        if key.startswith("alt+") and len(key) == len("alt+") + 1
    ]
    assert bound == []


def test_esc_and_a_digit_or_a_sign_read_as_alt_and_the_key():
    """Textual read «ESC 2» as «™» (a table for WezTerm's Option+digit on macOS) and «ESC .» as a bare «.»: the Esc
    was lost and the digit too. soptui's parser fix (keyorder.install) makes them Alt+key, which the gate splits."""
    import soptui.app  # noqa: F401 - installs the parser fix

    assert [k.key for k in _from_terminal("\x1b2")] == ["alt+2"]
    assert [k.key for k in _from_terminal("\x1b0")] == ["alt+0"]
    assert [k.key for k in _from_terminal("\x1b.")] == ["alt+full_stop"]
    assert [k.key for k in _from_terminal("\x1b ")] == ["alt+space"]
    assert [k.key for k in _from_terminal("\x1b-")] == ["alt+minus"]
    # Enter and Backspace after Esc keep the Alt too, and the gate splits them like a letter
    from soptui.widgets.keyorder import _esc_then_key

    for typed, read_as in (("\x1b\r", "alt+enter"), ("\x1b\x08", "alt+backspace"), ("\x1bк", "alt+к")):
        (key,) = _from_terminal(typed)
        assert key.key == read_as and _esc_then_key(key)
    # real sequences are untouched
    assert [k.key for k in _from_terminal("\x1b[A\x1bOP\x1b[15~\x1b")] == ["up", "f1", "f5", "escape"]


@pytest.mark.parametrize(("typed", "read_as", "searched"), [("\x1bк", "alt+к", "к"), ("\x1b8", "alt+8", "8")])
async def test_esc_and_a_key_typed_at_once_are_both_applied(demo_store, typed, read_as, searched):
    """Esc to leave a card and the first letter of the next search within 100 ms: the terminal's bytes «ESC к»
    read as Alt+К, the card stayed open and the letter was lost. «ESC 8» (a phone number's first digit) read as
    «•»: the card stayed open and a bullet went nowhere."""
    keys = _from_terminal(typed)
    assert [k.key for k in keys] == [read_as]  # what Textual makes of them
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        registry = await wait_screen(pilot, "ClientsScreen")
        app.open(OpenClient(client.id))
        card = await wait_screen(pilot, "ClientCardScreen")
        await until(pilot, lambda: card.card is not None, "the card loaded")
        for event in keys:
            event.set_sender(app)
            app._driver.send_message(event)
        await until(pilot, lambda: app.screen is registry, "the card left by the Esc")
        search = registry.query_one(TextInput)
        await until(pilot, lambda: search.value == searched, "the key in the search")


async def test_esc_and_enter_typed_at_once_are_both_applied(demo_store):
    """«ESC ⏎» within the escape delay: Textual read it as Enter alone (the card stayed open, Enter went to it);
    with the Alt kept it would have been neither. Now Esc leaves the card and Enter opens the registry's
    chosen client again."""
    keys = _from_terminal("\x1b\r")
    assert [k.key for k in keys] == ["alt+enter"]
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        registry = await wait_screen(pilot, "ClientsScreen")
        await until(pilot, lambda: registry.search_settled, "the registry's list")
        await pilot.press("enter")
        first = await wait_screen(pilot, "ClientCardScreen")
        await until(pilot, lambda: first.card is not None, "the card loaded")
        for event in keys:
            event.set_sender(app)
            app._driver.send_message(event)
        await until(
            pilot,
            lambda: type(app.screen).__name__ == "ClientCardScreen" and app.screen is not first,
            "the card left by Esc and opened again by Enter",
        )
        assert app.screen.client_id == first.client_id
