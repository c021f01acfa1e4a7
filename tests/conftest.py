"""Shared fixtures: a real SQLite file per test, a fixed clock, signed-in actors."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import time
from collections.abc import Callable

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.worker import WorkerCancelled

from soptui.core import clock, session
from soptui.db.connection import bind, db, open_url
from soptui.domain import workdays
from soptui.services import auth, calendar
from soptui.services.store import open_store

# Wednesday 25.11.2026, 10:30 local time: a working day, morning
FIXED_NOW = dt.datetime(2026, 11, 25, 10, 30)
PASSWORD = "secret123"

# A cheap scrypt for the suite: every fixture creates accounts and every UI test signs in, and the production
# cost (n=2**14, ~0.1-0.5 s a hash) made that most of a fixture's time. Hashes carry their own parameters, so
# verification is unchanged; test_auth_cli.py checks that the production cost stays the default.
auth.SCRYPT_COST = {"n": 2**4, "r": 8, "p": 1}


@pytest.fixture(autouse=True)
def private_error_log(tmp_path, monkeypatch):
    """Errors a test meets are logged under its own folder, and still fail the test (strict_errors)."""
    from soptui.app import SoptuiApp

    monkeypatch.setenv("SOPTUI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(SoptuiApp, "strict_errors", True)
    return tmp_path / "logs"


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path, monkeypatch):
    """Each test has a home of its own: the suite once left a call log's PDF (a client's name in its file name) in
    ~/Documents/soptui and a PostgreSQL restore's safety dump in ~/.local/share/soptui/backups of whoever ran it.
    Tests that want a particular folder still set SOPTUI_OUTPUT or XDG_DATA_HOME themselves."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_fixed(FIXED_NOW)
    yield FIXED_NOW
    clock.set_fixed(None)


# --- the engine: SQLite files by default; SOPTUI_TEST_DATABASE=postgresql://… runs the same tests on PostgreSQL --
# (tools/test_all.py starts a private cluster and sets it). Each xdist worker builds its templates as databases of
# its own, and each test gets a scratch database cloned from one (CREATE DATABASE … TEMPLATE), dropped after it.
TEST_DATABASE = os.environ.get("SOPTUI_TEST_DATABASE", "")
ON_POSTGRESQL = TEST_DATABASE.startswith(("postgres://", "postgresql://"))
ENGINE = "postgresql" if ON_POSTGRESQL else "sqlite"


class PgScratch:
    """Databases of one xdist worker on the test server: templates and per-test clones."""

    def __init__(self, url: str):
        from urllib.parse import urlparse

        self.url = urlparse(url)
        self.prefix = "soptui_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.count = 0

    def url_of(self, name: str) -> str:
        return self.url._replace(path="/" + name).geturl()

    def _admin(self, *statements: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.url.geturl())
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)
        finally:
            conn.close()

    def create(self, name: str, template: str | None = None) -> str:
        full = f"{self.prefix}_{name}"
        clone = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self._admin(f"DROP DATABASE IF EXISTS {full} WITH (FORCE)", f"CREATE DATABASE {full}{clone}")
        return full

    def clone(self, template: str) -> str:
        self.count += 1
        return self.create(f"t{self.count}", template)

    def drop(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def drop_later(self, name: str) -> None:
        """Drop a test's database on a thread of its own: the next test need not wait for it."""
        import threading

        if getattr(self, "_dropper", None) is None:
            import queue

            self._drops: queue.Queue = queue.Queue()
            self._dropper = threading.Thread(target=self._drop_loop, daemon=True)
            self._dropper.start()
        self._drops.put(name)

    def _drop_loop(self) -> None:
        while True:
            name = self._drops.get()
            try:
                if name is not None:
                    self.drop(name)
            finally:
                self._drops.task_done()
            if name is None:
                return

    def finish(self) -> None:
        if getattr(self, "_dropper", None) is not None:
            self._drops.put(None)
            self._dropper.join(60)


@pytest.fixture(scope="session")
def pg_scratch():
    if not ON_POSTGRESQL:
        yield None
        return
    pytest.importorskip("psycopg2")
    scratch = PgScratch(TEST_DATABASE)
    yield scratch
    scratch.finish()


@pytest.fixture
def scratch_target(tmp_path, pg_scratch):
    """An empty store's address for tests that start processes of their own: an SQLite file, or on the
    PostgreSQL pass an empty scratch database (dropped afterwards)."""
    if pg_scratch is None:
        yield str(tmp_path / "writers.db")
        return
    name = pg_scratch.create("writers")
    yield pg_scratch.url_of(name)
    pg_scratch.drop(name)


def _open_copy(template, path, scratch=None):
    """Open a private copy of a migrated template store, bound as open_store() would bind it.

    open_store() on a store already at the current version still re-runs the idempotent create-if-missing
    DDL (a quarter of a second a test); the template was built by open_store() itself, so here it is skipped.
    On PostgreSQL the template is a database name and the copy a scratch database cloned from it.
    """
    if scratch is not None:
        name = scratch.clone(template)
        database = bind(open_url(scratch.url_of(name)))
        database.scratch_name = name
    else:
        shutil.copyfile(template, path)
        database = bind(open_url(str(path)))
    calendar.load_overrides()
    return database


def _close_copy(database, scratch) -> None:
    database.close()
    db.initialize(None)
    if scratch is not None:
        scratch.drop_later(database.scratch_name)


def _checkpoint_and_close(database) -> None:
    if not ON_POSTGRESQL:
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    db.initialize(None)


@pytest.fixture(scope="session")
def store_template(tmp_path_factory, pg_scratch):
    """An empty store migrated once per test run (per xdist worker); `store` copies it."""
    if pg_scratch is not None:
        path = pg_scratch.create("store_template")
        target = pg_scratch.url_of(path)
    else:
        path = tmp_path_factory.mktemp("store") / "template.db"
        target = path
    clock.set_fixed(FIXED_NOW)
    database = open_store(target)
    _checkpoint_and_close(database)
    workdays.set_overrides({})
    workdays.set_confirmed_years(set())
    clock.set_fixed(None)
    return path


@pytest.fixture
def store(store_template, tmp_path, pg_scratch):
    """An empty, migrated store in a real SQLite file (a copy of the session's template), or a scratch
    PostgreSQL database when SOPTUI_TEST_DATABASE says so."""
    session.set_actor(None)  # a CLI test before this one may have left its administrator signed in
    database = _open_copy(store_template, tmp_path / "test.db", pg_scratch)
    yield database
    session.set_actor(None)
    workdays.set_overrides({})
    workdays.set_confirmed_years(set())
    _close_copy(database, pg_scratch)


@pytest.fixture
def staff(store):
    """Logins of a small department: a specialist, a head, an administrator, another department's specialist."""
    ids = {
        "spec": auth.add_user(
            "spec",
            PASSWORD,
            "Иванова",
            "Марина",
            "Сергеевна",
            "social_work_specialist",
            "specialist",
            "Отделение дневного пребывания",
        ),
        "head": auth.add_user(
            "head", PASSWORD, "Кузнецова", "Татьяна", "Николаевна", "head", "head", "Отделение дневного пребывания"
        ),
        "admin": auth.add_user("admin", PASSWORD, "Смирнова", "Ольга", "Викторовна", "admin", "admin"),
        "other": auth.add_user(
            "other",
            PASSWORD,
            "Лебедева",
            "Галина",
            "Петровна",
            "social_worker",
            "specialist",
            "Отделение социального обслуживания на дому",
        ),
    }
    return ids


@pytest.fixture
def actor(staff):
    """The specialist, signed in (services read the actor for audit and access)."""
    a = auth.sign_in("spec", PASSWORD)
    session.set_actor(a)
    return a


@pytest.fixture
def centre():
    """Work as the head of the centre (every department): set-up and checks over the whole store."""
    from soptui.services import access

    with access.acting_as(access.centre_actor(None)) as a:
        yield a


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, pg_scratch):
    """The demo store built once per test run (60 clients, dated by the fixed clock)."""
    from soptui.demo import build_demo

    if pg_scratch is not None:
        path = pg_scratch.create("demo_template")
        target = pg_scratch.url_of(path)
    else:
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        target = path
    clock.set_fixed(FIXED_NOW)
    database = open_store(target)
    ctx = build_demo(n_clients=60, today=FIXED_NOW.date())
    _checkpoint_and_close(database)
    session.set_actor(None)
    clock.set_fixed(None)
    return path, ctx


@pytest.fixture
def demo_store(demo_template, tmp_path, pg_scratch):
    """A private copy of the demo store, open and bound; returns the DemoContext."""
    path, ctx = demo_template
    database = _open_copy(path, tmp_path / "demo.db", pg_scratch)
    yield ctx
    session.set_actor(None)
    workdays.set_overrides({})
    workdays.set_confirmed_years(set())
    _close_copy(database, pg_scratch)


def portable(sql: str, params=()) -> tuple[str, tuple]:
    """Raw SQL of a test, for the engine under test: SQLite's `?` and instr() become PostgreSQL's %s and
    strpos(); NUL leaves text parameters on PostgreSQL, which cannot store it (soptui drops it on both engines)."""
    if not ON_POSTGRESQL:
        return sql, tuple(params)
    params = tuple(p.replace("\x00", "") if isinstance(p, str) else p for p in params)
    return sql.replace("?", "%s").replace("instr(", "strpos("), params


def pytest_configure(config):
    """The collector, tuned for a suite of short-lived Textual apps: what is loaded by now (Textual, peewee,
    soptui) is frozen out of every collection, and the young generations are collected less often. A Pilot
    test makes hundreds of thousands of short-lived objects; with Python's default thresholds the collector
    walked them all again and again: 12 % of a screen test's CPU time (tests/ui/test_teleprompter_more.py,
    22.3 s -> 19.6 s of user time; +55 MB per worker at most)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def pytest_collection_modifyitems(config, items):
    """Skipped on the PostgreSQL pass: `@pytest.mark.sqlite_only` (about SQLite files themselves) and
    `@pytest.mark.terminal_only` (about the terminal alone: the order keys are applied in, the words on the
    screen, the palette and help; what they save goes through services both passes test), so that both passes
    stay within the suite's 15 minutes on 2 cores (issue 14 point 1), as the pixel snapshots do."""
    if not ON_POSTGRESQL:
        return
    skips = {
        "sqlite_only": pytest.mark.skip(reason="about SQLite files; the PostgreSQL pass skips it"),
        "terminal_only": pytest.mark.skip(reason="about the terminal alone; the SQLite pass runs it"),
    }
    for item in items:
        for marker, skip in skips.items():
            if item.get_closest_marker(marker):
                item.add_marker(skip)


# How long a Pilot test waits for a screen or a worker before it fails. Generous on purpose: a passing
# test returns as soon as its condition holds, and a CI machine under load may be many times slower.
WAIT_SECONDS = float(os.environ.get("SOPTUI_TEST_WAIT", "30"))


async def until(
    pilot, cond: Callable[[], object], what: str = "condition", timeout: float = WAIT_SECONDS, step: float = 0.05
) -> None:
    """Let the app run (workers finish, messages settle) until cond() holds; fail after `timeout` seconds."""
    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker replaced by a newer one, or a closed screen's: normal
        await pilot.pause(step)
        if cond():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout:.0f} s; screen is {type(app.screen).__name__}")


async def wait_screen(pilot, cls, timeout: float = WAIT_SECONDS):
    """Wait until a screen of class `cls` (a class or its name) is on top; return it."""

    def on_top() -> bool:
        screen = pilot.app.screen
        right = type(screen).__name__ == cls if isinstance(cls, str) else isinstance(screen, cls)
        return right and screen.is_mounted  # pushed is not yet composed: wait for its widgets

    name = cls if isinstance(cls, str) else cls.__name__
    await until(pilot, on_top, f"{name} on top", timeout)
    await pilot.pause()
    return pilot.app.screen


async def click(pilot, selector: str) -> None:
    """Click a widget once it is laid out and nothing covers it (a click before that lands nowhere)."""
    app = pilot.app

    def clickable() -> bool:
        found = app.screen.query(selector)
        if not found:
            return False
        widget = found.first()
        region = widget.region
        if not region.area:
            return False
        try:
            hit, _ = app.get_widget_at(region.x + region.width // 2, region.y + region.height // 2)
        except Exception:  # noqa: BLE001 - not on screen yet
            return False
        return hit is widget or widget in hit.ancestors

    await until(pilot, clickable, f"{selector} clickable")
    assert await pilot.click(selector), f"the click on {selector} landed elsewhere"


async def paste(pilot, text: str) -> None:
    """Paste text into the focused field, as a terminal sends a paste: one event instead of a key each.

    Each pressed key costs the test Textual's idle wait; tests whose point is not the keyboard fill fields so.
    An Input takes the first line; a multi-line field (TextBox) takes all of it.
    """
    event = events.Paste(text)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)  # the way Pilot.press delivers keys
    await pilot.pause()


async def fill(pilot, field, text: str) -> None:
    """Focus a field (an Input, a TextArea, or a LabeledInput's input), clear it and paste text into it."""
    field = getattr(field, "input", field)
    field.focus()
    await pilot.pause()
    if hasattr(field, "value") and isinstance(field.value, str):
        field.value = ""
    else:
        field.text = ""
    if text:
        await paste(pilot, text)


async def sign_in(pilot, login: str = "spec", password: str = PASSWORD) -> None:
    """Sign in without typing: the password check the sign-in screen runs, then its dismissal with the actor.

    The app then does what it does after any sign-in (session actor, sections, Today). Tests of the sign-in
    screen itself (first run, wrong password, typed-ahead bursts, sign-out) use sign_in_typed.
    """
    app = pilot.app
    screen = await wait_screen(pilot, "SignInScreen")
    await until(pilot, app.store_ready.is_set, "store open")  # until() also lets the store worker finish
    actor = auth.sign_in(login, password)  # AuthError for a wrong password: the test fails here
    screen.dismiss(actor)
    await until(pilot, lambda: app.actor is not None and app.current_mode == "today", "sign-in")
    await pilot.pause()


async def open_card(pilot, client_id: int, login: str = "ivanova", password: str = "demo2026"):
    """Signed in as `login` (the demo store's), the client's card opened and loaded: the card screen."""
    from soptui.screens.navigation import OpenClient

    await sign_in(pilot, login, password)
    pilot.app.open(OpenClient(client_id))
    card = await wait_screen(pilot, "ClientCardScreen")
    await until(pilot, lambda: card.card is not None, "the card loaded")
    return card


async def sign_in_typed(pilot, login: str = "spec", password: str = PASSWORD) -> None:
    """Drive the sign-in screen like a user: type the login and password, Enter after each."""
    await pilot.pause()
    await click(pilot, "#login")
    await pilot.press(*login)
    await pilot.press("enter")
    await pilot.press(*password)
    await pilot.press("enter")
    app = pilot.app

    def done() -> bool:
        if app.actor is not None and app.current_mode == "today":
            return True
        message = app.screen.query("#signin-message")
        return bool(message) and str(message.first().render()) not in ("", "Проверка…")  # refused

    await until(pilot, done, "sign-in")
    await pilot.pause()


# shared by the patronage service and act tests (imported last: it needs PASSWORD from here)
from patronage_helpers import family  # noqa: E402,F401

# --- keys in a burst, as one SSH packet delivers them (issue 11) -------------------------------------

NAMED = {"space": " "}


def key_event(key: str) -> events.Key:
    """The event the driver makes for one key: a character, or a key name such as "tab", "ctrl+s"."""
    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    return events.Key(key, NAMED.get(key))


def keys_of(*parts: str | list[str]) -> list[str]:
    """Text parts become their characters; lists are key names as they are."""
    keys: list[str] = []
    for part in parts:
        keys.extend(part if isinstance(part, list) else list(part))
    return keys


async def burst(pilot, keys: list[str]) -> None:
    """Post all keys at once, then let the app apply them all."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await until(pilot, lambda: app.keys_waiting == 0 and not app._message_queue.qsize(), "keys applied")
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
