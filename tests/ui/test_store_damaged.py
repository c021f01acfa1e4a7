"""A search that fails is said on the list itself, not hidden behind the previous rows (issue 14 point 3):
with a damaged database the registry kept showing «Последние добавленные» while nothing could be found."""

from __future__ import annotations

import peewee

from soptui.app import make_app

from conftest import sign_in, until


async def test_a_failing_search_empties_the_list_and_says_why(demo_store, monkeypatch, private_error_log):
    app = make_app("Учреждение", "КЦСОН")
    app.strict_errors = False
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press("f3")
        await until(pilot, lambda: "показаны" in str(app.screen.query_one("#reg-count").render()), "the list")
        from soptui.screens.clients import picker

        def damaged(*args, **kwargs):
            raise peewee.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(picker, "_search", damaged)
        await pilot.press(*"иван")
        counter = app.screen.query_one("#reg-count")
        await until(pilot, lambda: "повреждена" in str(counter.render()), "the failure on the list")
        shown = str(counter.render())
        assert "показаны" not in shown and "soptui restore" in shown and "malformed" not in shown
        assert app.screen.query_one("ClientTable").row_count == 0
        assert any("повреждена" in n.message for n in app._notifications)
        assert app.is_running
