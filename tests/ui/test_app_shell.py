"""The app shell driven like a user: first run, sign-in, sections, Today, idle lock, sign-out."""

from __future__ import annotations

import time

import pytest
from textual.widgets import DataTable, Input, Static

from soptui.app import make_app
from soptui.db import models as m
from soptui.screens.signin import FirstRunScreen, LockScreen, SignInScreen

from conftest import click, sign_in, sign_in_typed, until, wait_screen


async def test_first_run_creates_the_administrator(store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        for field, text in [
            ("#f-last", "Смирнова"),
            ("#f-first", "Ольга"),
            ("#f-login", "admin"),
            ("#f-password", "secret1"),
            ("#f-password2", "secret2"),
        ]:
            app.screen.query_one(field).value = text
        await click(pilot, "#create")
        await pilot.pause()
        # mismatch is reported at the field, everything typed stays
        assert "Пароли не совпадают" in str(app.screen.query_one("#f-password2 FieldError").render())
        assert app.screen.query_one("#f-last").value == "Смирнова"
        app.screen.query_one("#f-password2").value = "secret1"
        app.screen.query_one("#f-password2").input.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert m.Staff.get(m.Staff.login == "admin").role == "admin"
        await sign_in_typed(pilot, "admin", "secret1")
        assert app.actor.full_name == "Смирнова Ольга"


async def test_wrong_password_then_sign_in_and_today(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in_typed(pilot, "head", "wrong-password")
        assert isinstance(app.screen, SignInScreen)
        assert str(app.screen.query_one("#signin-message", Static).render()) == "Неверный логин или пароль."
        assert app.screen.query_one("#login", Input).value == "head"
        app.screen.query_one("#login", Input).value = ""
        await sign_in_typed(pilot, "head", "demo2026")
        assert app.current_mode == "today"
        table = app.screen.query_one("#today-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        states = {r[0] for r in rows if r[1] == "Обращение"}
        assert {"просрочено", "сегодня", "в срок"} <= states
        summary = str(app.screen.query_one("#today-summary", Static).render())
        assert summary.startswith("25.11.2026: просрочено ")
        # overdue ones come first
        first = next(r for r in rows if r[1] == "Обращение")
        assert first[0] == "просрочено" and "просрочено на" in first[4]


async def test_sections_switch_with_function_keys(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")  # before sign-in: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, "ivanova", "demo2026")
        for key, mode in [
            ("f3", "clients"),
            ("f4", "calls"),
            ("f5", "patronage"),
            ("f6", "groups"),
            ("f7", "journal"),
            ("f2", "today"),
        ]:
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode
            await app.workers.wait_for_complete()


def _screen_text(app) -> str:
    """What the terminal shows, as plain text (the SVG screenshot with its entities decoded)."""
    import html

    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_idle_lock_keeps_work_and_unlocks_with_password(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await pilot.pause()
        under = app.screen
        table = under.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0, "registry rows")
        visible_name = str(table.get_row_at(0)[0]).split()[0]
        assert visible_name in _screen_text(app)
        app.last_input = time.monotonic() - app.actor.idle_lock_minutes * 60 - 1
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        # opaque: not a letter of the registry below is drawn (so nothing to read, select or copy)
        locked = _screen_text(app)
        assert visible_name not in locked and "Экран заблокирован" in locked
        await pilot.press("f2")  # sections are closed while locked
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"wrong-pass", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Неверный пароль" in str(app.screen.query_one("#lock-message", Static).render())
        await pilot.press(*"demo2026", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is under and app.current_mode == "clients"


async def test_sign_out_returns_to_sign_in(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await click(pilot, "#signout")
        await wait_screen(pilot, SignInScreen)
        assert app.actor is None
        await sign_in_typed(pilot, "head", "demo2026")
        assert app.actor.login == "head" and app.current_mode == "today"


@pytest.mark.terminal_only
@pytest.mark.parametrize("burst", ["ivanova\rdemo2026\r", "ivanova\tdemo2026\r"])
async def test_login_and_password_typed_ahead_in_one_burst(demo_store, burst):
    """«ivanova⏎demo2026⏎» or «ivanova⇥demo2026⏎» arriving at once (typed ahead, one SSH packet) signs in."""
    from textual import events

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused.id == "login"
        special = {"\r": "enter", "\t": "tab"}
        for ch in burst:  # all queued before the app handles the first one
            app.post_message(events.Key(special.get(ch, ch), None if ch in special else ch))
        await until(pilot, lambda: app.actor is not None, "signed in")
        assert app.actor.login == "ivanova"


@pytest.mark.terminal_only
@pytest.mark.parametrize(
    "keys, expected",
    [
        (["a", "b", "c", "backspace", "d"], "abd"),
        (["x", "y", "z", "left", "left", "Q"], "xQyz"),
        (["a", "b", "c", "ctrl+u", "x", "y"], "xy"),
        (["a", "b", "home", "delete", "Z"], "Zb"),
    ],
)
async def test_editing_keys_in_a_burst_apply_in_order(store, keys, expected):
    """Keys arriving together (one SSH packet): Backspace, arrows and Ctrl+U act where they were typed."""
    from textual import events

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, FirstRunScreen) and app.focused is not None, "first-run form")
        field = app.focused
        for key in keys:  # all queued before the app handles the first one
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await until(pilot, lambda: field.value == expected or len(field.value) >= len(expected) + 2, "typed")
        await pilot.pause(0.1)
        assert field.value == expected


@pytest.mark.terminal_only
async def test_multiline_field_applies_a_burst_in_order(store):
    """The long-text fields (TextBox) too: «abc⌫d» arriving together gives «abd»."""
    from textual import events
    from textual.app import App

    from soptui.widgets.textbox import TextBox

    class Form(App):
        def compose(self):
            yield TextBox(id="box")

    app = Form()
    async with app.run_test() as pilot:
        box = app.query_one(TextBox)
        box.focus()
        await pilot.pause()
        for key in ["a", "b", "c", "backspace", "d", "left", "left", "X"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await until(pilot, lambda: len(box.text) >= 4, "typed")
        await pilot.pause(0.1)
        assert box.text == "aXbd"


async def test_first_run_form_typed_ahead_in_one_burst(store):
    """«Смирнова⏎Ольга⏎⏎admin⏎secret1⏎secret1⏎» arriving at once fills each field and creates the account
    (empty patronymic: two Enters); then the sign-in screen asks for the new login."""
    from textual import events

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, FirstRunScreen) and app.focused is not None, "first-run form")
        for ch in "Смирнова\rОльга\r\radmin\rsecret1\rsecret1\r":  # all queued before the first is handled
            app.post_message(events.Key("enter" if ch == "\r" else ch, None if ch == "\r" else ch))
        await wait_screen(pilot, SignInScreen)
    admin = m.Staff.get(m.Staff.login == "admin")
    assert (admin.last_name, admin.first_name, admin.patronymic) == ("Смирнова", "Ольга", "")


async def test_a_worker_result_arriving_as_the_app_quits_is_dropped(demo_store):
    """A worker's result that comes while the app quits, after its screen's widgets are gone (Ctrl+Q while Today
    was being read), is dropped; it raised «No nodes match DataTable» in the worker (seen once in CI)."""
    import asyncio

    from textual.containers import Vertical
    from textual.widgets import Label

    class Box(Vertical):
        def compose(self):
            yield Label("читаю…")

        def show(self, text: str) -> str:
            self.query_one(Label).update(text)
            return text

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)):
        box = Box()
        await app.screen.mount(box)
        assert await asyncio.to_thread(app.call_from_thread, box.show, "готово") == "готово"
        app._exit = True  # quitting (Ctrl+Q): the screens' widgets are taken down while workers still run
        await box.remove()
        try:
            assert await asyncio.to_thread(app.call_from_thread, box.show, "поздно") is None
        finally:
            app._exit = False  # let run_test end the app its own way


async def test_a_slowed_sign_in_says_why_it_waits(demo_store, monkeypatch):
    """After a few wrong passwords the next answer waits up to 30 s: the screen said only «Проверка…»."""
    from soptui.services import auth

    waits = []

    def short_sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(0.4)  # long enough to read the screen meanwhile

    monkeypatch.setattr(auth, "_sleep", short_sleep)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "SignInScreen")
        screen = app.screen
        message = screen.query_one("#signin-message", Static)
        seen = []
        for _ in range(auth.FREE_FAILURES + 1):
            screen.query_one("#login", Input).value = "ivanova"
            screen.query_one("#password", Input).value = "wrong-password"
            screen.query_one("#password", Input).focus()
            await pilot.press("enter")
            for _ in range(40):
                await pilot.pause(0.05)
                seen.append(str(message.render()))
                if str(message.render()) == auth.REFUSAL:
                    break
        assert waits, "the fourth try was slowed"
        assert any("вход замедлен: проверка через 1 с" in text for text in seen), seen
