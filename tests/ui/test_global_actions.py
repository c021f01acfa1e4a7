"""Issue 15 point 2 and 3: the actions a user looks for work from every section and are found in the
palette by any Russian word of their name; F1 lists the screen's keys; Textual's own words are Russian."""

from __future__ import annotations

import pytest
from textual.command import CommandList
from textual.widgets import Footer, Select

from soptui.app import make_app
from soptui.screens.clients.client_form import ClientFormScreen
from soptui.screens.clients.picker import ClientPickerScreen
from soptui.screens.clients.referral_form import ReferralFormScreen
from soptui.screens.help import HelpScreen

from conftest import sign_in, until

pytestmark = pytest.mark.terminal_only  # keys, palette and help: what the terminal offers


@pytest.mark.parametrize(
    ("section", "key", "opens"),
    [
        ("f2", "ctrl+r", ReferralFormScreen),
        ("f7", "ctrl+r", ReferralFormScreen),
        ("f6", "ctrl+n", ClientFormScreen),
        ("f2", "ctrl+g", ClientPickerScreen),
        ("f5", "ctrl+g", ClientPickerScreen),
    ],
)
async def test_global_keys_work_from_other_sections(demo_store, section, key, opens):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        await pilot.press(section)
        await pilot.pause()
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, opens))


async def test_an_administrator_without_a_position_gets_no_case_file_from_the_global_keys(demo_store):
    """Ctrl+N opened the new-client form for the administrator, who opens no case file (its save refused)."""
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "admin", "demo2026")
        start = type(app.screen)
        for key in ("ctrl+n", "ctrl+r", "ctrl+g"):
            await pilot.press(key)
            await pilot.pause(0.3)
            assert type(app.screen) is start, key
        found = await _palette(pilot, "новый")
        assert not any(f.startswith(("Новый", "Новое")) for f in found), found
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        everywhere = dict(app.screen.app_keys)
        assert "F8" in everywhere and not {"F3", "F4", "Ctrl+N", "Ctrl+R", "Ctrl+G"} & set(everywhere), everywhere


async def _palette(pilot, word: str) -> list[str]:
    app = pilot.app
    await pilot.press("ctrl+p")
    await until(pilot, lambda: app.screen.__class__.__name__ == "RussianCommandPalette")
    for ch in word:
        await pilot.press(ch)
    await pilot.pause(0.8)
    options = app.screen.query_one(CommandList).options
    found = [str(o.prompt.renderables[0] if hasattr(o.prompt, "renderables") else o.prompt) for o in options]
    await pilot.press("escape")
    await pilot.pause()
    return found


async def test_the_palette_finds_actions_by_a_russian_word(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "ivanova", "demo2026")
        expected = {
            "обращ": "Новое обращение",
            "звонок": "Новый звонок",
            "визит": "Запланировать визит",
            "занятие": "Занятия сегодня",
            "журнал": "Журнал учёта услуг",
            "отчёт": "Отчёт для заведующего",
            "клиент": "Найти клиента",
        }
        for word, title in expected.items():
            found = await _palette(pilot, word)
            assert any(title in f for f in found), (word, found)
        assert any("Ничего не найдено" in f for f in await _palette(pilot, "zzzq"))


async def test_the_palette_report_command_opens_the_report_tab(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("ctrl+p")
        for ch in "отчёт для":
            await pilot.press(ch if ch != " " else "space")
        await pilot.pause(0.8)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen")
        from textual.widgets import TabbedContent

        await until(pilot, lambda: app.screen.query_one(TabbedContent).active == "tab-report")


async def test_f1_lists_the_screens_own_keys_then_the_global_ones(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen")
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        own = dict(help_screen.screen_keys)
        everywhere = dict(help_screen.app_keys)
        assert own["F9"] == "Напечатать открытую вкладку в PDF"
        assert everywhere["Ctrl+R"].startswith("Принять обращение")
        assert everywhere["Ctrl+G"].startswith("Новый звонок")
        assert "F9" not in everywhere
        assert "F3" in everywhere and "F8" not in everywhere  # administration is the administrator's
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen")


async def test_an_open_drop_down_says_close_in_russian(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.__class__.__name__ == "JournalScreen")
        select = app.screen.query_one("#j-staff", Select)
        await until(pilot, lambda: not select.disabled and len(select._options) > 1)
        select.focus()
        await pilot.press("enter")
        await until(pilot, lambda: select.expanded)
        await pilot.pause()
        footer = [k.description for k in app.screen.query_one(Footer).query("FooterKey")]
        assert "Закрыть список" in footer and not any("Dismiss" in k for k in footer)
