"""Shared fixtures: a real SQLite file per test, a fixed clock, signed-in actors."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from soptui import clock, workdays
from soptui.db import open_store
from soptui.db.connection import db
from soptui.services import auth, session

# Wednesday 25.11.2026, 10:30 local time: a working day, morning
FIXED_NOW = dt.datetime(2026, 11, 25, 10, 30)
PASSWORD = "secret123"


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_fixed(FIXED_NOW)
    yield FIXED_NOW
    clock.set_fixed(None)


@pytest.fixture
def store(tmp_path):
    """An empty, migrated store in a real SQLite file."""
    database = open_store(tmp_path / "test.db")
    yield database
    session.set_actor(None)
    workdays.set_overrides({})
    workdays.set_confirmed_years(set())
    database.close()
    db.initialize(None)


@pytest.fixture
def staff(store):
    """Logins of a small department: a specialist, a head, an administrator, another department's specialist."""
    ids = {
        "spec": auth.add_user("spec", PASSWORD, "Иванова", "Марина", "Сергеевна",
                              "social_work_specialist", "specialist", "Отделение дневного пребывания"),
        "head": auth.add_user("head", PASSWORD, "Кузнецова", "Татьяна", "Николаевна", "head", "head",
                              "Отделение дневного пребывания"),
        "admin": auth.add_user("admin", PASSWORD, "Смирнова", "Ольга", "Викторовна", "admin", "admin"),
        "other": auth.add_user("other", PASSWORD, "Лебедева", "Галина", "Петровна", "social_worker",
                               "specialist", "Отделение социального обслуживания на дому"),
    }
    return ids


@pytest.fixture
def actor(staff):
    """The specialist, signed in (services read the actor for audit and access)."""
    a = auth.sign_in("spec", PASSWORD)
    session.set_actor(a)
    return a


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo store built once per test run (60 clients, dated by the fixed clock)."""
    from soptui.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    clock.set_fixed(FIXED_NOW)
    database = open_store(path)
    ctx = build_demo(n_clients=60, today=FIXED_NOW.date())
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    db.initialize(None)
    session.set_actor(None)
    clock.set_fixed(None)
    return path, ctx


@pytest.fixture
def demo_store(demo_template, tmp_path):
    """A private copy of the demo store, open and bound; returns the DemoContext."""
    path, ctx = demo_template
    copy = tmp_path / "demo.db"
    shutil.copyfile(path, copy)
    database = open_store(copy)
    yield ctx
    session.set_actor(None)
    workdays.set_overrides({})
    workdays.set_confirmed_years(set())
    database.close()
    db.initialize(None)


async def sign_in(pilot, login: str = "spec", password: str = PASSWORD) -> None:
    """Drive the sign-in screen like a user."""
    await pilot.pause()
    await pilot.click("#login")
    await pilot.press(*login)
    await pilot.press("enter")
    await pilot.press(*password)
    await pilot.press("enter")
    app = pilot.app
    for _ in range(100):
        await pilot.pause(0.05)
        if app.actor is not None and app.current_mode == "today":
            break
        message = app.screen.query("#signin-message")
        if message and str(message.first().render()) not in ("", "Проверка…"):
            break  # refused
    await app.workers.wait_for_complete()
    await pilot.pause()
