"""No traceback on a shared screen: an unexpected error is said in Russian, logged privately without values."""

from __future__ import annotations

import html
import os
import stat

from soptui.app import SoptuiApp, make_app
from soptui.core import errorlog

from conftest import sign_in, until

SECRET = "Петров Иван Сергеевич demo2026"


def _screen_text(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_a_failing_handler_keeps_the_app_running_without_a_traceback(demo_store, monkeypatch, private_error_log):
    def explode(self):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(SoptuiApp, "action_lock", explode)
    app = make_app("Учреждение", "КЦСОН")
    app.strict_errors = False  # this test wants the production behaviour
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        today = app.screen
        await pilot.press("ctrl+l")
        await until(pilot, lambda: any("внутренняя ошибка" in n.message for n in app._notifications), "message")
        await pilot.pause()
        shown = _screen_text(app)
        assert "Traceback" not in shown and "RuntimeError" not in shown and "Петров" not in shown
        assert app.is_running and app.screen is today
        await pilot.press("f3")  # still usable
        await until(pilot, lambda: app.current_mode == "clients", "section switch after the error")
    log = errorlog.log_path()
    assert log.parent == private_error_log
    text = log.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in text and "explode" in text
    assert "Петров" not in text and "demo2026" not in text
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log.parent).st_mode) == 0o700


def test_the_log_never_holds_values_or_locals():
    def sign_in_with(password: str):
        raise ValueError(f"bad password {password}")

    try:
        sign_in_with("hunter2-secret")
    except ValueError as exc:
        described = errorlog.describe(exc)
    assert "ValueError" in described and "sign_in_with" in described
    assert "hunter2" not in described and "bad password" not in described
    assert "hunter2" not in errorlog.user_message(ValueError("hunter2"))
