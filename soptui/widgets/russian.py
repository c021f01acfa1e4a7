"""Textual's own words on screen, in Russian: the command palette's «nothing found» and the open
drop-down's footer key. Everything else soptui shows is its own text."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

NO_MATCHES = "Ничего не найдено"


class RussianCommandPalette(CommandPalette):
    """The command palette with its one built-in phrase in Russian."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


_INSTALLED = False


def install() -> None:
    """Russian descriptions for the built-in bindings a user sees in the footer."""
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    from textual.binding import Binding
    from textual.widgets._select import SelectOverlay

    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", "Закрыть список")]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()
