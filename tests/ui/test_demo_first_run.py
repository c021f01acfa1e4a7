"""The first `soptui --demo` run: the sign-in screen at once, the demo store filled behind it."""

from __future__ import annotations

from textual.widgets import Static

from soptui.app import DEMO_BUILDING, make_app
from soptui.core import session
from soptui.db.connection import db

from conftest import sign_in, until


async def test_the_sign_in_screen_says_the_demo_is_being_built_and_then_signs_in(tmp_path, monkeypatch):
    from soptui.screens.signin import SignInScreen

    shown = []
    say = SignInScreen.say

    def recording_say(screen, message: str) -> None:
        say(screen, message)
        shown.append((message, str(screen.query_one("#signin-message", Static).render())))

    monkeypatch.setattr(SignInScreen, "say", recording_say)
    if db.obj is not None:  # a test before may have left a store bound
        db.obj.close()
        db.initialize(None)
    target = str(tmp_path / "demo.db")
    app = make_app(store_label=target, sign_in_hint="демо", store_target=target, build_demo=True)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            line = app.screen.query_one("#signin-message", Static)
            await until(pilot, app.store_ready.is_set, "the demo store built", timeout=120)
            # said on the sign-in screen while the store was filled, and taken away once it was
            assert shown == [(DEMO_BUILDING, DEMO_BUILDING), ("", "")]
            assert str(line.render()) == ""
            await sign_in(pilot, "ivanova", "demo2026")
            await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen", "Today")
    finally:
        session.set_actor(None)
        if db.obj is not None:
            db.obj.close()
            db.initialize(None)
