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


async def test_head_sees_workload_switches_month_and_prints(demo_store):
    from pypdf import PdfReader
    from textual.widgets import TabbedContent

    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen")
        screen = app.screen
        await pilot.press("t", "t")
        await until(pilot, lambda: screen.query_one(TabbedContent).active == "tab-load")
        await until(pilot, lambda: screen.workload is not None)
        november = screen.workload  # the test clock: 25.11.2026
        assert november.start.month == 11 and november.rows
        assert all(r.month == "11.2026" and r.working_hours == 159 for r in november.rows)
        await pilot.press("left_square_bracket")  # the previous month
        await until(pilot, lambda: screen.workload.start.month == 10)
        assert all(r.month == "10.2026" for r in screen.workload.rows)
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: screen.workload.start.month == 11)
        november = screen.workload
        table = screen.query_one("#load-table", Static)
        from textual.geometry import Region

        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
        shown = "\n".join("".join(seg.text for seg in line) for line in lines)
        assert november.rows[0].staff_name.split()[0] in shown and "159 ч" in shown
        await pilot.press("f9")
        await until(pilot, lambda: screen.last_pdf is not None)
        text = "\n".join(p.extract_text() for p in PdfReader(screen.last_pdf).pages)
        assert "Нагрузка специалистов по нормам СОП" in text and "с 01.11.2026 по 30.11.2026" in text
