"""The same store on PostgreSQL (runs when SOPTUI_TEST_POSTGRESQL is a postgresql:// URL of a
scratch database: its public schema is dropped first). CI has no server, so there it is skipped.

Run here with a local server:
    SOPTUI_TEST_POSTGRESQL=postgresql://soptui:soptui@127.0.0.1/soptui python3 -m pytest tests/test_postgresql.py
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from soptui.core import session
from soptui.db.connection import db
from soptui.services import agenda as today
from soptui.services import auth, clients, journal
from soptui.services import patronage as visits
from soptui.services.store import open_store

from conftest import FIXED_NOW

URL = os.environ.get("SOPTUI_TEST_POSTGRESQL")
pytestmark = pytest.mark.skipif(not URL, reason="SOPTUI_TEST_POSTGRESQL is not set")


@pytest.fixture
def pg_demo():
    pytest.importorskip("psycopg2")
    from playhouse.db_url import connect

    scratch = connect(URL)
    scratch.execute_sql("DROP SCHEMA public CASCADE")
    scratch.execute_sql("CREATE SCHEMA public")
    scratch.close()
    database = open_store(URL)
    from soptui.demo import build_demo

    build_demo(n_clients=40, today=FIXED_NOW.date())
    yield database
    session.set_actor(None)
    database.close()
    db.initialize(None)


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
