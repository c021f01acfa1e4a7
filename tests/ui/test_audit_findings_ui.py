"""Issue 12 point 5 driven as a head would: F7, the report tab, the list of findings, Enter opens the
record the finding is about (here a visit without an act in the demo's November)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from soptui.app import make_app

from conftest import sign_in, until


@pytest.fixture(autouse=True)
def output(tmp_path, monkeypatch):
    monkeypatch.setenv("SOPTUI_OUTPUT", str(tmp_path / "out"))


async def test_head_opens_a_finding_of_the_report(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen")
        screen = app.screen
        await pilot.press("t")
        await until(pilot, lambda: screen.summary is not None)
        s = screen.summary
        assert s.checks and sum(c.found for c in s.checks) == len(s.findings)  # under 200 per check here
        title = str(screen.query_one("#findings-title", Static).render())
        assert f"Замечания проверки: {len(s.findings)}" in title
        table = screen.query_one("#report-findings", DataTable)
        assert table.row_count == len(s.findings) > 0
        visit_row = next(i for i, f in enumerate(s.findings) if f.target and f.target[0] == "visit")
        await pilot.press("tab")
        await until(pilot, lambda: app.focused is table)
        for _ in range(visit_row):
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ not in ("JournalScreen",))
        opened = app.screen
        assert getattr(opened, "visit_id", None) == s.findings[visit_row].target[1]
