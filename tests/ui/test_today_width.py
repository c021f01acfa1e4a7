"""Issue 15 point 1: at 80 columns Today's «Что» gets the room (the section goes into it, names are short,
dates lose the year, the state is a mark and the colour); at 120 each has its own column."""

from __future__ import annotations

from textual.widgets import DataTable

from soptui.app import make_app

from conftest import sign_in, until


async def _today_table(pilot) -> DataTable:
    app = pilot.app
    await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen" and app.screen.items)
    return app.screen.query_one("#today-table", DataTable)


async def test_what_gets_the_room_at_80_columns(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        table = await _today_table(pilot)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["Срок", "Кто", "Что"]  # the state: the row's colour and a mark before the date
        what = table.columns[list(table.columns)[-1]]
        assert what.get_render_width(table) >= 46
        items = app.screen.items
        for i, item in enumerate(items):
            row = table.get_row_at(i)
            mark = {"overdue": "!", "today": "•"}.get(item.state, " ")
            assert str(row[0]).startswith(mark + " "), (item.state, str(row[0]))
            if "раб. дн." in item.what:  # «просрочено на 9 раб. дн.» -> «просрочено 9 р.д.»
                assert "р.д." in str(row[2]) and "раб. дн." not in str(row[2])
            if item.section == "Сроки по обращениям":  # a deadline's «Что» is read whole at 80 columns
                assert len(str(row[2])) <= what.get_render_width(table) - 2, str(row[2])
        # «Что» takes the width the others leave: nothing runs off the screen, a longer text ends in «…»
        assert table.virtual_size.width <= table.size.width, (table.virtual_size, table.size)
        assert all(table.get_row_at(i)[2].overflow == "ellipsis" for i in range(len(items)))
        row = table.get_row_at(0)
        assert ": " in str(row[2])
        assert "." in str(row[1]) and len(str(row[1])) <= len(items[0].who)
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        table = await _today_table(pilot)
        assert [str(c.label) for c in table.columns.values()] == ["Состояние", "Раздел", "Срок / время", "Кто", "Что"]
        assert str(table.get_row_at(0)[3]) == app.screen.items[0].who
