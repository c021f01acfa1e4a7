"""Pilot tests of the registry screens: search as you type, card, create, edit, conflict, duplicates,
referral intake."""

from __future__ import annotations

import datetime as dt

from conftest import sign_in

from soptui.app import make_app
from soptui.db import models as m
from soptui.services import clients


async def _settle(pilot, app, screen=None):
    for _ in range(60):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        s = screen or app.screen
        if getattr(s, "search_settled", True):
            break
    await pilot.pause()


def _table_names(screen):
    from soptui.widgets.client_table import ClientTable

    table = screen.query_one(ClientTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_search_as_you_type_and_open_card(demo_store):
    client = m.Client.select().where(m.Client.department == demo_store.departments[0]).first()
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await _settle(pilot, app)
        screen = app.screen
        assert type(screen).__name__ == "ClientsScreen"
        assert _table_names(screen)  # empty query: own clients first
        await pilot.press(*client.last_name[:3].lower())
        await _settle(pilot, app)
        names = _table_names(screen)
        assert names and len(names) <= 50
        assert all(r.matched_by for r in screen.result.rows)
        await pilot.press(" ", *client.first_name[:2])
        await _settle(pilot, app)
        names = _table_names(screen)
        full = clients.full_name(client.last_name, client.first_name, client.patronymic)
        assert full in names
        # select that row and open the card
        from soptui.widgets.client_table import ClientTable

        table = screen.query_one(ClientTable)
        table.move_cursor(row=names.index(full))
        await pilot.press("down")  # focus the table
        table.move_cursor(row=names.index(full))
        await pilot.press("enter")
        await _settle(pilot, app)
        card = app.screen
        assert type(card).__name__ == "ClientCardScreen"
        assert card.card is not None and card.card.summary.id == client.id
        assert m.AuditLog.select().where((m.AuditLog.action == "view") & (m.AuditLog.record_id == client.id)).count() == 1
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ClientsScreen"
