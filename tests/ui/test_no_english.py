"""Issue 15 point 3: no English on screen. Each section (F2–F7), the head's report and access log, an
open drop-down, the palette and F1 are read off the rendered screen; a Latin word outside the allow-list
(key names, logins, messenger and format names) fails the test."""

from __future__ import annotations

import html
import re

import pytest
from textual.widgets import Select, TabbedContent

from soptui.app import make_app

from conftest import sign_in, until

pytestmark = pytest.mark.terminal_only  # the words on the screen

ALLOWED = {
    # keys as printed on the keyboard and in Textual's footer
    "esc",
    "enter",
    "tab",
    "ctrl",
    "shift",
    "alt",
    "pgdn",
    "pgup",
    "home",
    "end",
    "del",
    "backspace",
    "space",
    # formats, channels and names that are Latin in Russian usage too
    "pdf",
    "sms",
    "csv",
    "whatsapp",
    "telegram",
    "viber",
    "skype",
    "zoom",
    "messenger",
    "max",
    "vk",
    "email",
    "soptui",
}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _screen_words(app) -> set[str]:
    svg = app.export_screenshot()
    text = " ".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S))
    text = re.sub(r"<[^>]+>", " ", text).replace("\xa0", " ")
    text = re.sub(r"\S+@\S+|\S+\.(pdf|csv|db)\b|/\S+", " ", text)  # file names, paths, addresses
    return {w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED}


async def test_no_latin_words_on_any_section_at_80x24(demo_store):
    app = make_app("Учреждение", "КЦСОН")
    found: dict[str, set[str]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "head", "demo2026")
        for key in ("f2", "f3", "f4", "f5", "f6", "f7"):
            await pilot.press(key)
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            found[key] = _screen_words(app)
        journal = app.screen
        for tab in ("tab-report", "tab-audit"):
            journal.query_one(TabbedContent).active = tab
            await pilot.pause(0.5)
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            found[tab] = _screen_words(app)
        journal.query_one(TabbedContent).active = "tab-log"
        select = journal.query_one("#j-staff", Select)
        await until(pilot, lambda: not select.disabled)
        select.focus()
        await pilot.press("enter")
        await until(pilot, lambda: select.expanded)
        await pilot.pause(0.3)
        found["drop-down"] = _screen_words(app)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        for ch in "zzzq":
            await pilot.press(ch)
        await pilot.pause(1.0)
        found["palette"] = _screen_words(app) - {"zzzq"}
        await pilot.press("escape")
        await pilot.pause(0.3)
        await pilot.press("f1")
        await pilot.pause(0.5)
        found["help"] = _screen_words(app)
    assert {k: v for k, v in found.items() if v} == {}
