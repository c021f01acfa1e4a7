"""Today is honest (issue 12 point 6): on a day after an item's date, the item is «просрочено» with its
date, never «сегодня»; a passed group session stays until it is held or cancelled."""

from __future__ import annotations

import datetime as dt
import re

from soptui.app import make_app
from soptui.core import clock
from soptui.db import models as m

from conftest import FIXED_NOW, sign_in, until


async def test_today_weeks_later_shows_nothing_past_as_today(demo_store):
    # a call begun on the demo's day and left unfinished
    call = m.PhoneCall.select().where(m.PhoneCall.state == "in_progress").first()
    assert call is not None, "the demo has an unfinished call"
    later = FIXED_NOW + dt.timedelta(days=26)  # 21.12.2026
    clock.set_fixed(later)
    try:
        app = make_app("Учреждение", "КЦСОН")
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "ivanova", "demo2026")
            today = app.screen
            await until(pilot, lambda: getattr(today, "items", None), "Today loaded")
            items = today.items
            for item in items:
                dates = [
                    dt.datetime.strptime(d, "%d.%m.%Y").date() for d in re.findall(r"\d\d\.\d\d\.\d{4}", item.when)
                ]
                if item.state == "today":
                    assert all(d >= later.date() for d in dates), item  # nothing of a past day is «сегодня»
                if dates and max(dates) < later.date() and item.section != "Незавершённое":
                    assert item.state == "overdue", item
            unfinished = [i for i in items if i.target == ("call", call.id)]
            assert unfinished and unfinished[0].state == "overdue"
            assert re.search(r"\d\d\.\d\d\.\d{4}", unfinished[0].when)  # with its date
            shown = today.query_one("#today-table")
            assert shown.row_count == len(items)
    finally:
        clock.set_fixed(FIXED_NOW)
