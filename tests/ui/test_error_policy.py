"""No traceback on a shared screen: an unexpected error is said in Russian, logged privately without values."""

from __future__ import annotations

import datetime as dt
import html
import os
import stat

import pytest

from soptui.app import SoptuiApp, make_app
from soptui.core import errorlog
from soptui.screens.navigation import OpenClient

from conftest import sign_in, until, wait_screen

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


def test_each_logged_error_is_stamped_with_its_utc_offset(private_error_log):
    """The app shows the institution's time and the machine may keep another zone: the stamp says which."""
    try:
        raise RuntimeError("x")
    except RuntimeError as exc:
        errorlog.log_exception(exc, "проверка")
    first = (private_error_log / "errors.log").read_text(encoding="utf-8").splitlines()[0]
    stamp = dt.datetime.fromisoformat(first.split()[1])
    assert stamp.tzinfo is not None and abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=5)


def test_a_shared_log_folder_keeps_its_modes_the_log_is_private(tmp_path, monkeypatch):
    """SOPTUI_LOG_DIR=/tmp must not close /tmp to every other user (it was chmod 0700 at the first error)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("SOPTUI_LOG_DIR", str(shared))
    try:
        raise RuntimeError("x")
    except RuntimeError as exc:
        path = errorlog.log_exception(exc, "проверка")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777 and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_refusal_says_why_in_the_services_own_words():
    """A specialist printing their own call of a family since moved to another department was told only «нет
    доступа»; the services' refusals are Russian sentences naming no one, and the message now carries them."""
    from soptui.services.errors import AccessDenied

    refusal = AccessDenied("Клиент относится к другому отделению, его дело вам недоступно.")
    assert errorlog.user_message(refusal, "напечатать бланк") == (
        "Не удалось напечатать бланк: клиент относится к другому отделению, его дело вам недоступно."
    )
    assert errorlog.user_message(AccessDenied()) == "Не удалось выполнить действие: нет доступа."
    assert errorlog.user_message(AccessDenied("denied for user 42")) == "Не удалось выполнить действие: нет доступа."


# --- injected failures: sign-in with the store write-locked, save, search, print, a running call ------------

PASSWORD_TYPED = "Пароль-Секрет-77"


def _no_secrets(app, log_dir, *secrets: str, on_screen: bool = True) -> None:
    """Neither the log nor a message holds the secrets (nor the screen, unless it shows them by right)."""
    shown = _screen_text(app)
    assert "Traceback" not in shown
    log = (log_dir / "errors.log").read_text(encoding="utf-8") if (log_dir / "errors.log").exists() else ""
    for secret in secrets:
        assert not on_screen or secret not in shown, secret
        assert secret not in log, secret
        assert all(secret not in n.message for n in app._notifications), secret


async def _wait(pilot, cond, what: str, timeout: float = 40.0) -> None:
    """Like conftest.until, without waiting on workers (a failed worker is the point of these tests)."""
    import time

    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, f"{what} not reached in {timeout:.0f} s"
        await pilot.pause(0.05)


def _said(app, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


@pytest.mark.sqlite_only  # the lock is taken with sqlite3; tests/unit/db/test_concurrency.py covers both engines
async def test_sign_in_while_the_store_is_write_locked(demo_store, monkeypatch, private_error_log):
    import sqlite3

    from soptui.db import connection

    monkeypatch.setattr(connection, "BUSY_TIMEOUT_S", 1)
    locker = sqlite3.connect(connection.db.obj.database, timeout=1)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    app = make_app("Учреждение", "КЦСОН")
    app.strict_errors = False
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            from soptui.services import auth

            monkeypatch.setattr(auth, "_sleep", lambda s: None)
            await pilot.pause()
            await pilot.press(*"ivanova", "tab", *PASSWORD_TYPED, "enter")
            await _wait(pilot, lambda: _said(app, "база занята"), "the busy message")
            assert _said(app, "База занята, повторяю…")  # each wait was said before the write was tried again
            assert app.is_running
            _no_secrets(app, private_error_log, PASSWORD_TYPED)
            assert "OperationalError" in (private_error_log / "errors.log").read_text(encoding="utf-8")
    finally:
        locker.rollback()
        locker.close()


async def test_save_search_and_print_failures_are_said_in_russian(demo_store, monkeypatch, private_error_log):
    from soptui.db import models as m
    from soptui.services import clients, journal

    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    name = client.last_name
    app = make_app("Учреждение", "КЦСОН")
    app.strict_errors = False
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        # search: the service fails with the typed name in its message
        monkeypatch.setattr(clients, "search", lambda *a, **k: (_ for _ in ()).throw(RuntimeError(f"boom {name}")))
        from soptui.screens.clients import picker

        monkeypatch.setattr(picker, "_search", lambda *a, **k: (_ for _ in ()).throw(RuntimeError(f"boom {name}")))
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*name[:4].lower())
        await _wait(pilot, lambda: _said(app, "Не удалось найти клиентов"), "search failure said")
        assert app.is_running
        # save: editing the client fails in the service
        monkeypatch.setattr(
            clients, "update_client", lambda *a, **k: (_ for _ in ()).throw(RuntimeError(f"save {name}"))
        )
        app.open(OpenClient(client.id))
        card = await wait_screen(pilot, "ClientCardScreen")
        await until(pilot, lambda: card.card is not None, "card")
        await pilot.press("e")
        form = await wait_screen(pilot, "ClientFormScreen")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await _wait(pilot, lambda: _said(app, "внутренняя ошибка"), "save failure said")
        assert app.is_running and app.screen is form
        # print: the PDF cannot be written
        monkeypatch.setattr(
            journal, "service_log_report", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, name))
        )
        await pilot.press("escape")
        await pilot.pause()
        _no_secrets(app, private_error_log, name, on_screen=False)  # the card shows the name by right


async def test_a_running_call_survives_a_failing_autosave(store, staff, monkeypatch, private_error_log):
    from test_teleprompter_more import open_new_call

    from soptui.services import calls

    from calls_helpers import make_family
    from conftest import PASSWORD

    ids = make_family(staff)
    app = make_app("Учреждение", "КЦСОН")
    app.strict_errors = False
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "spec", PASSWORD)
        tp = await open_new_call(pilot, ids["client"])
        import peewee

        def locked(*a, **k):
            raise peewee.OperationalError("database is locked")

        monkeypatch.setattr(calls, "save_progress", locked)
        await pilot.press("pagedown")
        await pilot.press(*"заметка")
        await _wait(pilot, lambda: _said(app, "база занята"), "busy message during the call")
        assert app.is_running and app.screen is tp
        _no_secrets(app, private_error_log, "Traceback")


async def test_a_pdf_that_cannot_be_written(demo_store, monkeypatch, private_error_log, tmp_path):
    from textual.widgets import DataTable

    from soptui.services import printing

    secret_path = str(tmp_path / "Петров_Иван_секрет.pdf")

    def refuse(path, payload):
        raise PermissionError(13, "Permission denied", secret_path)

    monkeypatch.setattr(printing, "write_private", refuse)  # every PDF and export is written here
    app = make_app("Учреждение", "КЦСОН")
    app.strict_errors = False
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        screen = await wait_screen(pilot, "JournalScreen")
        table = screen.query_one("#log-table", DataTable)
        await _wait(pilot, lambda: table.row_count > 0, "log rows")
        table.focus()
        await pilot.press("f9")
        await _wait(pilot, lambda: _said(app, "Не удалось напечатать журнал: ошибка записи файла"), "print failure")
        assert app.is_running and app.screen is screen
        _no_secrets(app, private_error_log, "Петров_Иван_секрет")
        assert "PermissionError" in (private_error_log / "errors.log").read_text(encoding="utf-8")
