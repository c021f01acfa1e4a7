"""The demo store built on PostgreSQL from scratch (open_store on an empty database, build_demo), then search,
Today, the planner and the journal. Runs on the suite's PostgreSQL pass (SOPTUI_TEST_DATABASE, see
tools/test_all.py), where every other test also runs on PostgreSQL through the conftest fixtures.
"""

from __future__ import annotations

import datetime as dt

import pytest

from soptui.core import session
from soptui.db.connection import db
from soptui.services import agenda as today
from soptui.services import auth, clients, journal
from soptui.services import patronage as visits
from soptui.services.store import open_store

from conftest import FIXED_NOW, ON_POSTGRESQL

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="the PostgreSQL pass only (SOPTUI_TEST_DATABASE)")


@pytest.fixture
def pg_demo(pg_scratch):
    name = pg_scratch.create("fresh_demo")
    database = open_store(pg_scratch.url_of(name))
    from soptui.demo import build_demo

    build_demo(n_clients=40, today=FIXED_NOW.date())
    yield database
    session.set_actor(None)
    database.close()
    db.initialize(None)
    pg_scratch.drop(name)


def test_demo_search_today_planner_and_journal_on_postgresql(pg_demo):
    actor = auth.sign_in("head", "demo2026")
    session.set_actor(actor)
    found = clients.search("ков")
    assert found.total >= 1 and all("ков" in r.full_name.lower() or r.matched_by for r in found.rows)
    items = today.collect(actor)
    assert {i.section for i in items} >= {"Сроки по обращениям", "Занятия"}
    week = visits.planner_week(FIXED_NOW.date() - dt.timedelta(days=2), None)
    assert week is not None
    summary = journal.audit_summary(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert summary is not None


def test_an_older_store_gets_the_throttle_time_as_double_precision(pg_scratch):
    """PostgreSQL's REAL kept an epoch to about a minute: the sign-in throttle made every answer wait 30 s."""
    name = pg_scratch.create("old_throttle")
    database = open_store(pg_scratch.url_of(name))
    database.execute_sql("ALTER TABLE sign_in_throttle ALTER COLUMN last_failed_at TYPE real")
    database.close()
    db.initialize(None)
    database = open_store(pg_scratch.url_of(name))
    try:
        kind = database.execute_sql(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'sign_in_throttle' "
            "AND column_name = 'last_failed_at'"
        ).fetchone()[0]
        assert kind == "double precision"
    finally:
        database.close()
        db.initialize(None)
        pg_scratch.drop(name)
