"""The frame every section shares: header on top, footer with the keys below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from soptui.widgets.footer import KeysFooter
from soptui.widgets.header import AppHeader


class SectionScreen(Screen):
    """A section of the app (a mode's base screen). Subclasses implement compose_body()."""

    SECTION_TITLE = ""

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield from self.compose_body()
        yield KeysFooter()

    def compose_body(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        header = self.query_one(AppHeader)
        header.section = self.SECTION_TITLE
        app = self.app
        header.institution = getattr(app, "institution_short", "")
        actor = getattr(app, "actor", None)
        header.person = f"{actor.short_name} ({actor.position_label})" if actor else ""
