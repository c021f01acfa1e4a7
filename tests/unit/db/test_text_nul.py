"""NUL in typed or pasted text (issue 14): PostgreSQL refuses it with an English driver error and SQLite kept it,
so the same note behaved differently by engine. Every text column drops it, on both engines, and the rest of
the text (other control characters included, shown literally by widgets/plain.py) is stored as typed."""

from __future__ import annotations

from soptui.db import models as m
from soptui.services import clients


def test_a_nul_is_dropped_the_same_way_on_every_engine(actor):
    cid = clients.create_client(
        clients.ClientData(last_name="Нул\x00ева", first_name="Анна", notes="до\x00после \x1b[2J конец")
    )
    row = m.Client.get_by_id(cid)
    assert row.last_name == "Нулева"
    assert row.notes == "допосле \x1b[2J конец"
    assert clients.search("нулева").total == 1
    assert clients.search("нул\x00ева").total >= 0  # a NUL typed into the search box breaks nothing
