"""The top bar: institution, section, signed-in person and local time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from soptui.core import clock


class AppHeader(Widget):
    """One line: «КЦСОН · Клиенты · Иванова М. С. (специалист) · ср 25.11.2026 14:05»."""

    DEFAULT_CSS = """
    AppHeader { height: 1; dock: top; background: $primary; color: $text; layout: horizontal; }
    AppHeader #hdr-left { width: 1fr; padding: 0 1; text-style: bold; }
    AppHeader #hdr-right { width: auto; padding: 0 1; }
    """

    institution: reactive[str] = reactive("")
    section: reactive[str] = reactive("")
    person: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Static(id="hdr-left")
        yield Static(id="hdr-right")

    def on_mount(self) -> None:
        self._refresh_text()
        self.set_interval(20, self._refresh_text)

    def watch_institution(self) -> None:
        self._refresh_text()

    def watch_section(self) -> None:
        self._refresh_text()

    def watch_person(self) -> None:
        self._refresh_text()

    def on_resize(self) -> None:
        self._refresh_text()

    def _refresh_text(self) -> None:
        if not self.is_mounted:
            return
        left = " · ".join(p for p in (self.institution, self.section) if p)
        now = clock.now()
        weekday = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"][now.weekday()]
        person = self.person
        if self.size.width and self.size.width < 100:
            person = person.split(" (")[0]  # drop the position on narrow terminals
        right = " · ".join(p for p in (person, f"{weekday} {now:%d.%m.%Y %H:%M}") if p)
        self.query_one("#hdr-left", Static).update(left)
        self.query_one("#hdr-right", Static).update(right)
